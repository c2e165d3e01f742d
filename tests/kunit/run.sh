#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit tier: build a user-mode Linux kernel from Debian's
# linux-source-6.1 with the project's kernel/ directory linked in as
# drivers/stationd, boot it, and print one TAP line per KUnit test case:
#
#   ok - kunit <suite>.<case>
#   not ok - kunit <suite>.<case> (FAIL)
#   ok - kunit <suite>.<case> (4 params)     a parameterised case is one
#                                            test; failing params follow
#                                            as "# " comments
#   ok - kunit kernel log clean              no WARNING/BUG/lockdep/KASAN/
#                                            UBSAN splat during the run
#
# and a "not ok" line of its own when the harness cannot get results (the
# kernel failed to configure or build, the run crashed or timed out, no
# test case ran). The source tree is unpacked once into $STATIOND_CACHE
# (tests/kunit/kernel-source.sh) and reused; build trees stay there too,
# so a warm run only recompiles what changed.
#
# Usage: tests/kunit/run.sh [filter_glob]      e.g. 'xvme*' or 'n_unet.*frame*'
#
# Environment:
#   STATIOND_CACHE      cache directory (default ~/.cache/stationd)
#   KUNIT_FILTER        same as the filter_glob argument
#   KUNIT_BUILD_DIR     build tree (default $STATIOND_CACHE/kunit-build).
#                       Runs sharing one are serialised by a lock; give
#                       each concurrent caller its own to build in
#                       parallel, e.g. KUNIT_BUILD_DIR=$STATIOND_CACHE/kunit-unet
#   KUNIT_EXTRA_CONFIG  extra kunitconfig fragment files (space-separated),
#                       appended after kernel/.kunitconfig
#   KUNIT_DEBUG=0       leave out the debug options (tests/kunit/debug.kunitconfig)
#                       for a faster build while iterating
#   KUNIT_TIMEOUT       seconds for the test run itself (default 300)
#   KUNIT_JOBS          build parallelism (default 2: the machine is shared)
#
# Debug options in the KUnit kernel (tests/kunit/debug.kunitconfig), found
# by building and booting UML from Debian's 6.1 source on this machine
# (details in that file's header):
#   took effect: DEBUG_KERNEL (needed by the rest; kunit.py's defaults lack
#     it), KASAN (generic, inline, stack, vmalloc), LOCKDEP, PROVE_LOCKING,
#     DEBUG_LOCK_ALLOC, PROVE_RCU, DEBUG_SPINLOCK/MUTEXES/RWSEMS/RT_MUTEXES,
#     DEBUG_OBJECTS (free, timers, work), DEBUG_LIST, UBSAN.
#   refused: DEBUG_ATOMIC_SLEEP (UML is ARCH_NO_PREEMPT).
#   limited: UBSAN instruments only objects that opt in (UML lacks
#     ARCH_HAS_UBSAN_SANITIZE_ALL); DEBUG_KMEMLEAK is accepted but left
#     out (a KUnit run ends before kmemleak would report).
#   proven: an out-of-bounds write in a test case and an AB-BA mutex order
#     both made this script print "not ok - kunit kernel log clean" with
#     the case named (temporary test suite, not committed).
# Splats fail the "kernel log clean" line, attributed to the test case
# that printed them; a failing case fails its own line.
#
# kunit.py's own output goes to <build dir>/kunit.log, the kernel's
# console to <build dir>/test.log; on failure their relevant parts are
# printed as "# " comments.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/kunit
export STATIOND_CACHE=${STATIOND_CACHE:-$HOME/.cache/stationd}
build=${KUNIT_BUILD_DIR:-$STATIOND_CACHE/kunit-build}
filter=${1:-${KUNIT_FILTER:-}}
jobs=${KUNIT_JOBS:-2}
timeout_s=${KUNIT_TIMEOUT:-300}

# shellcheck source=tests/kunit/kernel-source.sh
. "$here/kernel-source.sh"

fail() {
	echo "not ok - kunit $1"
	shift
	for f in "$@"; do
		[ -r "$f" ] && tail -n 40 "$f" | sed 's/^/# /'
	done
	exit 1
}

tree=$(kernel_source_tree) || fail "source tree unpacked"
kernel_source_link_project "$tree" "$top/kernel" || fail "project linked into the source tree"
mkdir -p "$build" || fail "build directory $build created"
# One kunit.py per build tree at a time; other trees build in parallel.
exec 8>"$build/.lock"
if ! flock -n 8; then
	echo "# kunit: waiting for another run using $build"
	flock -w 3600 8 || fail "build directory $build free (locked by another run)"
fi

configs=(--kunitconfig="$top/kernel/.kunitconfig" --kunitconfig="$here/uml.kunitconfig")
[ "${KUNIT_DEBUG:-1}" = 0 ] || configs+=(--kunitconfig="$here/debug.kunitconfig")
for c in ${KUNIT_EXTRA_CONFIG:-}; do
	configs+=(--kunitconfig="$(realpath "$c")")
done

json=$build/result.json
log=$build/kunit.log
rm -f "$json" "$build/test.log"
args=(run "${configs[@]}" --build_dir="$build" --jobs="$jobs"
      --timeout="$timeout_s" --json="$json")
[ -n "$filter" ] && args+=("$filter")

echo "# kunit: building and running in $build (log: $log)"
"$tree/tools/testing/kunit/kunit.py" "${args[@]}" >"$log" 2>&1
rc=$?

if [ ! -s "$json" ]; then
	# No results at all: configuration or build failed, or kunit.py broke.
	if grep -qi 'not all Kconfig options selected' "$log"; then
		fail "kernel configured (an option in a kunitconfig was refused)" "$log"
	fi
	fail "kernel built and booted (kunit.py exit $rc)" "$log"
fi

python3 "$here/json-to-tap.py" "$json"
tap_rc=$?

# The JSON says which case failed, not why: the kernel log has each
# case's failed expectations just before its "not ok" line. Show them,
# so a failure on a machine we cannot log into can be read from its TAP.
if [ "$tap_rc" -ne 0 ] && [ -r "$build/test.log" ]; then
	awk '
		/# Subtest: / { suite = $0; sub(/.*# Subtest: /, "", suite); n = 0; next }
		/^[ \t]*ok [0-9]+ / { n = 0; next }
		/^[ \t]*not ok [0-9]+ / {
			name = $0; sub(/^[ \t]*not ok [0-9]+ (- )?/, "", name)
			for (i = 1; i <= n && i <= 12; i++)
				printf "[%s.%s] %s\n", suite, name, lines[i]
			n = 0; next
		}
		{ sub(/^[ \t]+/, ""); if ($0 != "") lines[++n] = $0 }
	' "$build/test.log" | head -n 40 | sed 's/^/# /'
fi

# Splats that do not fail a KUnit case by themselves (lockdep, WARN,
# UBSAN) must still fail the tier.
splat_re='WARNING:|BUG:|Oops|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|refcount_t:|UBSAN:|KASAN|kmemleak|Kernel panic|Call Trace:'
if [ -r "$build/test.log" ] && grep -Eq "$splat_re" "$build/test.log"; then
	echo "not ok - kunit kernel log clean"
	# KTAP prints a case's result after its output: a splat belongs to
	# the next result line.
	awk -v re="$splat_re" '
		/# Subtest: / { suite = $0; sub(/.*# Subtest: /, "", suite); next }
		$0 ~ re { pending[++n] = $0; next }
		/^[ \t]*(not )?ok [0-9]+ / && n {
			name = $0; sub(/^[ \t]*(not )?ok [0-9]+ (- )?/, "", name)
			where = suite == "" ? "boot" : suite "." name
			for (i = 1; i <= n; i++) printf "[%s] %s\n", where, pending[i]
			n = 0
		}
		END { for (i = 1; i <= n; i++) printf "[end of run] %s\n", pending[i] }
	' "$build/test.log" | head -n 20 | sed 's/^/# /'
	echo "# kunit: whole kernel log: $build/test.log"
	tap_rc=1
else
	echo "ok - kunit kernel log clean"
fi

# kunit.py failing while every parsed case passed: say so, with the log.
if [ $rc -ne 0 ] && [ $tap_rc -eq 0 ]; then
	fail "kunit.py finished cleanly (exit $rc)" "$log"
fi
exit $tap_rc
