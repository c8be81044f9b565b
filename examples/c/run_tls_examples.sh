#!/bin/sh
# Runs the TLS examples against independent peers on loopback:
#   https_get against `openssl s_server -WWW` (a page that must arrive
#   intact; a wrong name and an unknown CA that must fail), and
#   tls_echo_server against tests/tls/peer.py (Python's ssl) as a client.
# Usage: run_tls_examples.sh BIN_DIR CERT_DIR PEER_PY [PYTHON]
# Servers listen on port 0 and report the port they got; every process the
# script starts is stopped by its own pid. Exits 77 (skip) without the
# openssl command or certificates.
set -u
bin=${1:?usage: run_tls_examples.sh BIN_DIR CERT_DIR PEER_PY [PYTHON]}
certs=${2:?missing CERT_DIR}
peer=${3:?missing PEER_PY}
py=${4:-python3}
command -v openssl >/dev/null 2>&1 || { echo "skip: no openssl command"; exit 77; }
[ -f "$certs/ca.pem" ] || { echo "skip: no certificates in $certs"; exit 77; }
tmp=$(mktemp -d)
pass=0
fail=0
pids=

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/#   /' "$tmp"/*.log 2>/dev/null; }

# wait_port LOG PATTERN: the number after PATTERN in LOG; waits <= 10 s.
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		p=$(sed -n "s/.*$2\([0-9][0-9]*\).*/\1/p" "$1" | head -n 1)
		if [ -n "$p" ]; then echo "$p"; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# s_server CERT: an `openssl s_server -WWW` serving $tmp/www; sets $port.
s_server() {
	(cd "$tmp/www" && exec openssl s_server -accept 127.0.0.1:0 -WWW -cert "$certs/$1.pem" \
		-key "$certs/$1.key" </dev/null >"$tmp/s_server-$1.log" 2>&1) &
	pids="$pids $!"
	port=$(wait_port "$tmp/s_server-$1.log" "ACCEPT 127.0.0.1:")
}

mkdir -p "$tmp/www"
i=0
while [ $i -lt 2000 ]; do echo "line $i of the page libsock fetches over TLS"; i=$((i + 1)); done >"$tmp/www/page.txt"

s_server leaf
for host in localhost 127.0.0.1; do
	if "$bin/https_get" --cafile "$certs/ca.pem" "https://$host:$port/page.txt" >"$tmp/got.txt" 2>"$tmp/get.log" &&
		cmp -s "$tmp/got.txt" "$tmp/www/page.txt"; then
		ok "https_get https://$host/page.txt"
	else
		not_ok "https_get https://$host/page.txt"
	fi
done
# expect_fail NAME ERROR ARGS...: https_get must fail, naming ERROR on stderr.
expect_fail() {
	name=$1 err=$2
	shift 2
	if "$bin/https_get" "$@" >/dev/null 2>"$tmp/fail.log"; then
		not_ok "$name (it succeeded)"
	elif grep -q "$err" "$tmp/fail.log"; then
		ok "$name: $(head -n 1 "$tmp/fail.log")"
	else
		not_ok "$name (not $err)"
	fi
}
expect_fail "unknown CA fails" LS_ECERTUNTRUSTED --cafile "$certs/otherca.pem" "https://localhost:$port/page.txt"
expect_fail "system store does not know the test CA" LS_ECERTUNTRUSTED "https://localhost:$port/page.txt"
s_server wrongname
expect_fail "wrong name fails" LS_ECERTNAME --cafile "$certs/ca.pem" "https://localhost:$port/page.txt"

"$bin/tls_echo_server" --count 1 "$certs/leaf.pem" "$certs/leaf.key" >"$tmp/echo.log" 2>&1 &
pids="$pids $!"
port=$(wait_port "$tmp/echo.log" "port ")
if [ -n "$port" ] && "$py" "$peer" client --cafile "$certs/ca.pem" --port "$port" --bytes 1000000 \
	>"$tmp/peer.log" 2>&1; then
	ok "tls_echo_server echoes 1 MB to Python's ssl"
else
	not_ok "tls_echo_server echoes 1 MB to Python's ssl"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
