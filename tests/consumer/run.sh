#!/bin/sh
# Install libsock into a scratch prefix and build and run programs that use
# it as a user would: through find_package(libsock CONFIG) with both
# exported targets, and through pkg-config (libsock and libsock-static).
#
# Usage: tests/consumer/run.sh <libsock-source-dir> <work-dir>
#
# The shared CMake consumer runs with no LD_LIBRARY_PATH: CMake gives
# executables in a build tree an RPATH to the imported library's directory.
# The pkg-config consumer has no RPATH (pkg-config adds none), so it runs
# with LD_LIBRARY_PATH=<prefix>/<libdir>. Each step prints ok/not ok;
# the last line is "N passed, N failed"; the exit status is 0 only if
# nothing failed.
set -u

src=${1:?usage: run.sh <libsock-source-dir> <work-dir>}
work=${2:?usage: run.sh <libsock-source-dir> <work-dir>}
src=$(cd "$src" && pwd) || exit 2
mkdir -p "$work" && work=$(cd "$work" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
prefix=$work/prefix
cc=${CC:-cc}
gen=
command -v ninja >/dev/null 2>&1 && gen="-G Ninja"

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }

# step NAME LOG COMMAND...: run COMMAND with output to LOG; show LOG on failure.
step() {
	name=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		ok "$name"
		return 0
	fi
	not_ok "$name"
	sed 's/^/#   /' "$log" | tail -n 40
	return 1
}

# run_consumer NAME COMMAND...: run it; it must exit 0 and print "received ping: ok".
run_consumer() {
	name=$1
	shift
	if "$@" >"$work/$name.log" 2>&1 && grep -q "received ping: ok" "$work/$name.log"; then
		ok "$name runs"
	else
		not_ok "$name runs"
	fi
	sed 's/^/#   /' "$work/$name.log"
}

# needs_libsock_so BINARY: 0 if the ELF file has a NEEDED entry for libsock.so.
needs_libsock_so() {
	readelf -d "$1" 2>/dev/null | grep -q 'NEEDED.*libsock\.so'
}

# check_linkage NAME BINARY shared|static
check_linkage() {
	command -v readelf >/dev/null 2>&1 || return 0 # not ELF tools: skip
	if [ "$3" = shared ]; then
		if needs_libsock_so "$2"; then ok "$1 links libsock.so"; else not_ok "$1 links libsock.so"; fi
	else
		if needs_libsock_so "$2"; then not_ok "$1 does not need libsock.so"; else ok "$1 does not need libsock.so"; fi
	fi
}

rm -rf "$work/build" "$work/consumer" "$prefix" "$work/pkgconfig"
mkdir -p "$work/pkgconfig"

# --- 1. build and install libsock (shared and static from one build) --------
if step "configure libsock" "$work/configure.log" \
	cmake -S "$src" -B "$work/build" $gen -DCMAKE_BUILD_TYPE=Release \
	-DBUILD_TESTING=OFF -DLIBSOCK_EXAMPLES=OFF -DLIBSOCK_BENCH=OFF \
	-DLIBSOCK_PYTHON=OFF &&
	step "build libsock" "$work/build.log" cmake --build "$work/build" &&
	step "install libsock" "$work/install.log" cmake --install "$work/build" --prefix "$prefix"; then
	installed=1
else
	installed=0
fi

if [ "$installed" = 1 ]; then
	for f in include/libsock.h include/libsock/error.h; do
		if [ -f "$prefix/$f" ]; then ok "installed $f"; else not_ok "installed $f"; fi
	done
	pcfile=$(find "$prefix" -name libsock.pc -path '*/pkgconfig/*' | head -n 1)
	cfgfile=$(find "$prefix" -name libsockConfig.cmake | head -n 1)
	if [ -n "$pcfile" ]; then ok "installed libsock.pc"; else not_ok "installed libsock.pc"; fi
	if [ -n "$cfgfile" ]; then ok "installed libsockConfig.cmake"; else not_ok "installed libsockConfig.cmake"; fi
	libdir=$(dirname "$(dirname "${pcfile:-$prefix/lib/pkgconfig/x}")")
	# The prefix was chosen only at install time: the .pc files must not
	# name the configure-time default, but find the prefix themselves.
	for pc in libsock.pc libsock-static.pc; do
		if grep -q '^prefix=${pcfiledir}' "$libdir/pkgconfig/$pc" && ! grep -q /usr/local "$libdir/pkgconfig/$pc"; then
			ok "$pc is relocatable"
		else
			not_ok "$pc is relocatable"
			sed 's/^/#   /' "$libdir/pkgconfig/$pc"
		fi
	done

	# Hidden visibility: the installed shared library exports the public
	# ls_* API and nothing else (internal lsi_* names stay private).
	so=$(find "$prefix" -name 'libsock.so*' -type f | head -n 1)
	if [ -n "$so" ] && command -v nm >/dev/null 2>&1; then
		other=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^ls_')
		public=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | grep -c '^ls_')
		if [ -z "$other" ] && [ "$public" -gt 50 ]; then
			ok "libsock.so exports only ls_* ($public functions)"
		else
			not_ok "libsock.so exports only ls_* (public=$public, others: $(echo $other | head -c 200))"
		fi
	fi

	# --- 2. CMake consumer: find_package(libsock CONFIG) ---------------------
	if step "configure cmake consumer" "$work/consumer-configure.log" \
		cmake -S "$here/cmake" -B "$work/consumer" $gen -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_PREFIX_PATH="$prefix" &&
		step "build cmake consumer" "$work/consumer-build.log" cmake --build "$work/consumer"; then
		# No LD_LIBRARY_PATH: the build-tree RPATH finds libsock.so.
		run_consumer cmake_shared "$work/consumer/consumer_shared"
		run_consumer cmake_static "$work/consumer/consumer_static"
		check_linkage cmake_shared "$work/consumer/consumer_shared" shared
		check_linkage cmake_static "$work/consumer/consumer_static" static
		if command -v readelf >/dev/null 2>&1; then
			if readelf -d "$work/consumer/consumer_shared" | grep -E 'R(UN)?PATH' | grep -q "$libdir"; then
				ok "cmake_shared has an RPATH to $libdir"
			else
				not_ok "cmake_shared has an RPATH to $libdir"
			fi
		fi
	fi

	# --- 3. pkg-config consumers ----------------------------------------------
	PKG_CONFIG_PATH=$libdir/pkgconfig
	export PKG_CONFIG_PATH
	if step "pkg-config libsock" "$work/pc-shared-flags.log" pkg-config --cflags --libs libsock; then
		flags=$(cat "$work/pc-shared-flags.log")
		echo "#   $flags"
		case "$flags" in
		*"-I$prefix/"*) ok "pkg-config points into the install prefix" ;;
		*) not_ok "pkg-config points into the install prefix" ;;
		esac
		# shellcheck disable=SC2086 # the flags must split into words
		if step "build pkg-config shared consumer" "$work/pc-shared-build.log" \
			$cc -std=c11 -Wall -Wextra -Werror "$here/pkgconfig/main.c" -o "$work/pkgconfig/consumer_shared" $flags; then
			run_consumer pkgconfig_shared \
				env LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
				"$work/pkgconfig/consumer_shared"
			check_linkage pkgconfig_shared "$work/pkgconfig/consumer_shared" shared
		fi
	fi
	if step "pkg-config --static libsock-static" "$work/pc-static-flags.log" \
		pkg-config --static --cflags --libs libsock-static; then
		flags=$(cat "$work/pc-static-flags.log")
		echo "#   $flags"
		# shellcheck disable=SC2086
		if step "build pkg-config static consumer" "$work/pc-static-build.log" \
			$cc -std=c11 -Wall -Wextra -Werror "$here/pkgconfig/main.c" -o "$work/pkgconfig/consumer_static" $flags; then
			run_consumer pkgconfig_static "$work/pkgconfig/consumer_static"
			check_linkage pkgconfig_static "$work/pkgconfig/consumer_static" static
		fi
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
