#!/bin/sh
# Build and run the C consumer tests against a libseccomp build.
#
# usage: c_tests/run.sh [NAME...]      (default: every c_tests/*.c)
#
# Environment:
#   CC                    compiler (default: cc)
#   CFLAGS                extra compiler flags (default: -O2 -g)
#   SECCOMP_INCLUDE       directory holding seccomp.h (default: the repo root)
#   SECCOMP_LIBDIR        directory holding libseccomp.so{,.2}
#                         (default: <repo>/build)
#   OUT                   where binaries and logs go (default: c_tests/bin)
#   SECCOMP_ALLOW_SYSTEM  set to 1 to accept a libseccomp.so.2 that is not
#                         in SECCOMP_LIBDIR and an older library version;
#                         only for trying the tests on a distribution build
#   VERBOSE               set to 1 to show the output of passing tests
#                         (always shown for tests named on the command line)
#
# Prints "PASS name" or "FAIL name (reason)" per test, then
# "N passed, M failed"; exits non-zero if anything failed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
SECCOMP_INCLUDE=${SECCOMP_INCLUDE:-$repo}
SECCOMP_LIBDIR=${SECCOMP_LIBDIR:-$repo/build}
OUT=${OUT:-$here/bin}
SECCOMP_ALLOW_SYSTEM=${SECCOMP_ALLOW_SYSTEM:-0}
VERBOSE=${VERBOSE:-0}
export SECCOMP_ALLOW_SYSTEM

if [ ! -d "$SECCOMP_LIBDIR" ]; then
	echo "run.sh: SECCOMP_LIBDIR $SECCOMP_LIBDIR does not exist (build the library first)" >&2
	exit 2
fi
# An absolute path, so the embedded rpath works from any directory.
libdir=$(cd "$SECCOMP_LIBDIR" && pwd -P)
if [ ! -e "$libdir/libseccomp.so" ] && [ ! -e "$libdir/libseccomp.so.2" ]; then
	echo "run.sh: no libseccomp.so in $libdir (build the library first)" >&2
	exit 2
fi
if [ ! -f "$SECCOMP_INCLUDE/seccomp.h" ]; then
	echo "run.sh: no seccomp.h in $SECCOMP_INCLUDE" >&2
	exit 2
fi
mkdir -p "$OUT" || exit 2

show_all=$VERBOSE
if [ $# -eq 0 ]; then
	set -- $(for f in "$here"/*.c; do basename "$f" .c; done)
else
	show_all=1
fi

passed=0
failed=0

indent() {
	sed 's/^/    /' "$1"
}

# Which libseccomp a binary will load: "<needed-name> <resolved-path>".
resolved_lib() {
	ldd "$1" 2>/dev/null | awk '$1 ~ /^libseccomp\.so/ { print $1, $3 }'
}

# check_lib BIN: echo a failure reason, or nothing if the right library wins.
check_lib() {
	found=$(resolved_lib "$1")
	set -- $found
	if [ $# -eq 0 ]; then
		echo "does not link libseccomp"
		return
	fi
	if [ $# -ne 2 ]; then
		echo "links libseccomp more than once: $found"
		return
	fi
	if [ "$1" != libseccomp.so.2 ]; then
		# The library's SONAME decides what consumers record as needed.
		echo "needs $1, not libseccomp.so.2 (check the library's SONAME)"
		return
	fi
	if [ "$2" = "not" ]; then
		echo "libseccomp.so.2 not found at run time"
		return
	fi
	[ "$SECCOMP_ALLOW_SYSTEM" = 1 ] && return
	dir=$(cd "$(dirname "$2")" && pwd -P)
	if [ "$dir" != "$libdir" ]; then
		echo "resolves libseccomp.so.2 to $2, not into $libdir"
	fi
}

pass() {
	echo "PASS $1"
	passed=$((passed + 1))
	[ "$show_all" = 1 ] && [ -s "$2" ] && indent "$2"
}

fail() {
	echo "FAIL $1 ($2)"
	failed=$((failed + 1))
	[ -n "${3:-}" ] && [ -s "$3" ] && indent "$3"
}

for name in "$@"; do
	src=$here/$name.c
	bin=$OUT/$name
	log=$OUT/$name.log

	if [ ! -f "$src" ]; then
		fail "$name" "no such test: $src"
		continue
	fi

	# SCMP_A0(op, x) and friends expand, as upstream's do, to positional
	# compound literals that leave datum_b out.  Installed in /usr/include
	# the header is a system header and GCC keeps quiet about that; from
	# -I it would not, so silence just that one warning.
	# shellcheck disable=SC2086 # CFLAGS is a word list
	if ! $CC $CFLAGS -Wall -Wextra -Werror \
		-Wno-missing-field-initializers -I"$SECCOMP_INCLUDE" \
		-o "$bin" "$src" \
		-L"$libdir" -lseccomp -Wl,-rpath,"$libdir" >"$log" 2>&1; then
		fail "$name" "compile error" "$log"
		continue
	fi

	reason=$(check_lib "$bin")
	if [ -n "$reason" ]; then
		fail "$name" "$reason"
		continue
	fi

	# host_fork forks 3000 children, each with its own 2 s limit; on a
	# loaded 2-CPU machine that alone can take a minute.
	case $name in
	host_fork) limit=300 ;;
	*) limit=60 ;;
	esac
	timeout $limit "$bin" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$name" "$log"
	elif [ $rc -eq 124 ]; then
		fail "$name" "timed out after ${limit}s" "$log"
	elif [ $rc -gt 128 ]; then
		fail "$name" "killed by signal $((rc - 128))" "$log"
	else
		fail "$name" "exit status $rc" "$log"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
