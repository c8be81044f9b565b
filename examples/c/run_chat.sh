#!/bin/sh
# Runs chat_server with chat_check's five clients (talkers, one that stalls,
# one that aborts) and checks the server dropped the staller, kept serving
# the others and exited on its own once all had left (--count 5).
# Usage: run_chat.sh BIN_DIR [RUNNER [EXT]]
#   RUNNER  a program that runs the executables (wine, for a Windows build)
#   EXT     their file name extension (.exe)
# Every wait is bounded; the server is stopped by its pid if it hangs.
set -u
bin=${1:?usage: run_chat.sh BIN_DIR [RUNNER [EXT]]}
runner=${2:-}
ext=${3:-}
tmp=$(mktemp -d)
server_pid=
fail=0

cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { echo "ok - $1"; }
not_ok() { fail=1; echo "not ok - $1"; }
show_log() { tr -d '\r' <"$tmp/server.log" | sed 's/^/#   /'; }

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

# wait_exit PID SECONDS: wait for PID to end; 1 if it is still running.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge $(($2 * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

: >"$tmp/server.log" # exists before wait_port reads it
$runner "$bin/chat_server$ext" --count 5 0 >"$tmp/server.log" 2>&1 &
server_pid=$!
if ! port=$(wait_port "$tmp/server.log"); then
	not_ok "chat_server prints its port"
	show_log
	exit 1
fi
ok "chat_server listens on port $port"

if $runner "$bin/chat_check$ext" "$port"; then
	ok "every line reached every other client once; the stalled and aborted clients did not stop them"
else
	not_ok "chat_check"
fi

# With every client gone, --count 5 makes the server exit by itself.
if wait_exit "$server_pid" 20; then
	if wait "$server_pid"; then ok "chat_server exits 0"; else not_ok "chat_server exits 0"; fi
else
	not_ok "chat_server exits once its clients have left"
	kill "$server_pid" 2>/dev/null
fi
server_pid=

log=$(tr -d '\r' <"$tmp/server.log")
case $log in
*"left (too slow: output queue over the limit)"*) ok "the stalled client was dropped as too slow" ;;
*) not_ok "the stalled client was dropped as too slow" ;;
esac
[ "$fail" -eq 0 ] || show_log
exit "$fail"
