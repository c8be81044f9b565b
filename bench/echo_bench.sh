#!/usr/bin/env bash
# bench/echo_bench.sh - build a Release tree with the Python bindings and run
# the echo benchmark (bench/echo_bench.c); arguments go to echo_bench
# (e.g. --quick, --only c|python|memory, --cpu).
#
# Installs what it needs from Debian packages (apt-get, as root or with
# password-less sudo; otherwise it stops and prints the command): the build
# tools, libuv1-dev (the libuv peer) and python3-uvloop (the uvloop peer).
# The Python servers and the bindings use Debian's /usr/bin/python3, the
# interpreter python3-uvloop is installed for, so all three Python servers
# run on the same interpreter and libsock's package loads in it.
#
# Build tree: build/rel (override with ECHO_BENCH_BUILD=dir).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib.sh
. "$root/scripts/lib.sh"


ensure_tools cmake ninja gcc pkg-config swig
ensure_debs libuv1-dev python3-uvloop python3-dev

py=/usr/bin/python3
build=${ECHO_BENCH_BUILD:-$root/build/rel}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIBSOCK_BENCH=ON \
  -DLIBSOCK_PYTHON=ON -DPython3_EXECUTABLE="$py" -DLIBSOCK_BENCH_PYTHON="$py" >/dev/null
cmake --build "$build" --target echo_bench echo_server libsock_python >/dev/null
if cmake --build "$build" --target help | grep -q '^echo_server_uv'; then
  cmake --build "$build" --target echo_server_uv >/dev/null
fi
exec "$build/bench/echo_bench" "$@"
