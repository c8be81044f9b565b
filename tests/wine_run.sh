#!/bin/sh
# wine_run.sh WINE PROGRAM ARGS... - how ctest runs a Windows test program
# under wine (tests/CMakeLists.txt makes it the tests' emulator).
#
# Wine sometimes fails before the program starts, when its client cannot
# reach the prefix's wineserver: the only output is "wine client error:0:
# recvmsg: Connection reset by peer" (seen twice in a full windows-wine run,
# two tests starting at the same instant, despite `wineserver -p60` in
# scripts/test). That is the emulator failing, not the test, so such a run
# (non-zero status, and no output other than wine's client error) is run
# once more, after making sure a server is up. Any other failure, and any
# output of the program itself, is reported as it is.
out=$(mktemp) || exit 1
"$@" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q '^wine client error:' "$out" &&
   ! grep -qv '^wine client error:' "$out"; then
  echo "wine_run.sh: wine did not reach its wineserver ($(head -n 1 "$out")); running again"
  wineserver -p60 >/dev/null 2>&1 || true
  "$@" >"$out" 2>&1
  rc=$?
fi
cat "$out"
rm -f "$out"
exit "$rc"
