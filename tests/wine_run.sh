#!/bin/sh
# wine_run.sh WINE PROGRAM ARGS... - how ctest runs a Windows test program
# under wine (tests/CMakeLists.txt makes it the tests' emulator).
#
# Wine sometimes fails before the program starts. Two shapes were seen in
# full windows-wine runs, despite `wineserver -p60` in scripts/test: the
# client cannot reach the prefix's wineserver (the only output is "wine
# client error:0: recvmsg: Connection reset by peer", two tests starting at
# the same instant), and a run that ends with a non-zero status in 10 ms
# having printed nothing at all. Neither is the test failing: every test
# program prints a line before it does anything (the C harness prints
# "[ RUN  ] case" unbuffered as its first act), so a run with a non-zero
# status whose output holds nothing but wine's own lines ("wine: ...",
# "wine client error: ...") never reached the program. Such a run is run
# again, at most twice, after making sure a server is up. Any other
# failure, and any output of the program itself, is reported as it is.
out=$(mktemp) || exit 1
"$@" >"$out" 2>&1
rc=$?
tries=0
while [ "$rc" -ne 0 ] && [ "$tries" -lt 2 ] &&
      ! grep -qv -e '^wine client error:' -e '^wine: ' -e '^[[:space:]]*$' "$out"; do
  tries=$((tries + 1))
  echo "wine_run.sh: wine ended with status $rc before the program printed anything" \
       "(${tries}/2; its output: \"$(head -n 1 "$out")\"); running again"
  wineserver -p60 >/dev/null 2>&1 || true
  "$@" >"$out" 2>&1
  rc=$?
done
cat "$out"
rm -f "$out"
exit "$rc"
