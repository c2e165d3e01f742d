#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run libFuzzer targets over their stored corpus, printing TAP.
#   short: a fixed number of runs (part of `make check`)
#   long:  FUZZ_SECONDS per target (default 300), new inputs kept in the
#          build directory, crashes reported
set -u
mode=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$@"; do
	name=$(basename "$f")
	corpus=$top/tests/fuzz/corpus/$name
	work=$top/build/fuzz-work/$name
	mkdir -p "$work"
	if [ "$mode" = short ]; then
		args=(-runs="${FUZZ_RUNS:-20000}" -seed=1)
	else
		args=(-max_total_time="${FUZZ_SECONDS:-300}")
	fi
	out=$("$f" "${args[@]}" -artifact_prefix="$work/" "$work" "$corpus" 2>&1)
	if [ $? -eq 0 ]; then
		echo "ok - fuzz $name ($mode)"
	else
		echo "not ok - fuzz $name ($mode)"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
	fi
done
