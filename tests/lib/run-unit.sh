#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the unit tier as TAP: every cmocka binary (sanitized), then every
# fuzzer for a short, fixed number of runs over its stored corpus.
# Usage: run-unit.sh <unit-test>... -- <fuzzer>...
set -u
here=$(cd "$(dirname "$0")" && pwd)
tests=() fuzzers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do tests+=("$1"); shift; done
[ $# -gt 0 ] && shift
fuzzers=("$@")

echo "TAP version 13"
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${tests[@]}"; do
	name=$(basename "$t")
	out=$("$t" 2>&1)
	rc=$?
	# cmocka's TAP: one "ok"/"not ok" per test; prefix them with the binary.
	printf '%s\n' "$out" | sed -n \
		-e "s/^\(not ok\|ok\) [0-9]* - \(.*\)/\1 - $name: \2/p" \
		-e 's/^\(#.*\)/\1/p'
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "not ok - $name: exited with status $rc"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	elif [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^\(ok\|not ok\|1\.\.\)' | tail -n 40 | sed 's/^/# /'
	fi
done
[ ${#fuzzers[@]} -gt 0 ] && "$here/run-fuzz.sh" short "${fuzzers[@]}"
exit 0
