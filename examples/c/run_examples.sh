#!/bin/sh
# Runs the C examples against each other on loopback and checks their output.
# Usage: run_examples.sh BIN_DIR [RUNNER [EXT]]
#   RUNNER  a program that runs the examples (wine, for a Windows build)
#   EXT     their file name extension (.exe)
# Servers listen on port 0 and print the port they got; the script reads it
# from their output. Every wait is bounded.
set -u
bin=${1:?usage: run_examples.sh BIN_DIR [RUNNER [EXT]]}
runner=${2:-}
ext=${3:-}
# ex NAME ARGS...: run example NAME (through the runner, if any). Servers
# are started directly, not through ex, so that $! is their own pid.
ex() {
	name=$1
	shift
	$runner "$bin/$name$ext" "$@"
}
tmp=$(mktemp -d)
pass=0
fail=0
server_pid=

cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/#   /' "$tmp"/*.log 2>/dev/null; }

# wait_port LOG: print the port from a "... port N" line of LOG; wait <= 10 s.
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		p=$(tr -d '\r' <"$1" | sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' | head -n 1)
		if [ -n "$p" ]; then echo "$p"; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_server NAME: wait (bounded by the servers' own counts) for the
# background server and report its exit status.
wait_server() {
	if wait "$server_pid"; then ok "$1 exits 0"; else not_ok "$1 exits 0"; fi
	server_pid=
}

# --- TCP echo: two clients, by address and by name ---------------------------
$runner "$bin/tcp_echo_server$ext" --count 2 0 >"$tmp/tcp_server.log" 2>&1 &
server_pid=$!
if port=$(wait_port "$tmp/tcp_server.log"); then
	out=$(ex tcp_echo_client 127.0.0.1 "$port" "hello libsock" 2>&1)
	case $out in *"echo: hello libsock"*) ok "tcp echo by address";; *) echo "$out"; not_ok "tcp echo by address";; esac
	out=$(ex tcp_echo_client localhost "$port" "second client" 2>&1)
	case $out in *"echo: second client"*) ok "tcp echo by name";; *) echo "$out"; not_ok "tcp echo by name";; esac
	wait_server tcp_echo_server
else
	not_ok "tcp_echo_server prints its port"
fi

# --- UDP echo -----------------------------------------------------------------
$runner "$bin/udp_echo$ext" server --count 1 >"$tmp/udp_server.log" 2>&1 &
server_pid=$!
if port=$(wait_port "$tmp/udp_server.log"); then
	out=$(ex udp_echo client 127.0.0.1 "$port" "datagram" 2>&1)
	case $out in *"echo: datagram"*) ok "udp echo";; *) echo "$out"; not_ok "udp echo";; esac
	wait_server "udp_echo server"
else
	not_ok "udp_echo server prints its port"
fi

# --- hello server / client ----------------------------------------------------
$runner "$bin/hello_server$ext" 0 >"$tmp/hello_server.log" 2>&1 &
server_pid=$!
if port=$(wait_port "$tmp/hello_server.log"); then
	out=$(ex hello_client "$port" 2>&1 | tr -d '\r')
	case $out in "Received: Hello from server!") ok "hello client output";; *) echo "$out"; not_ok "hello client output";; esac
	wait_server hello_server
	tr -d '\r' <"$tmp/hello_server.log" >"$tmp/hello_server.txt"
	if grep -q "^Server is listening on port $port\.\.\.\$" "$tmp/hello_server.txt" &&
	   grep -q "^Connection from ('127\.0\.0\.1', [0-9][0-9]*)\$" "$tmp/hello_server.txt"; then
		ok "hello server output"
	else
		not_ok "hello server output"
	fi
else
	not_ok "hello_server prints its port"
fi

# --- usage errors exit 2 --------------------------------------------------------
ex tcp_echo_client >/dev/null 2>&1
if [ $? -eq 2 ]; then ok "usage error exits 2"; else not_ok "usage error exits 2"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
