#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pass TAP through from stdin and count it: writes "<passed> <failed>" to
# <results-dir>/<tier>. Only unindented "ok"/"not ok" lines count (nested
# subtests are the runner's business); "Bail out!" counts as one failure.
# Exits non-zero if anything failed or nothing ran.
set -u
tier=$1 dir=$2
passed=0 failed=0 skipped=0
while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in
	"not ok"*) failed=$((failed + 1)) ;;
	"ok "*"# SKIP"* | "ok "*"# skip"*) skipped=$((skipped + 1)) ;;
	"ok"*) passed=$((passed + 1)) ;;
	"Bail out!"*) failed=$((failed + 1)) ;;
	esac
done
mkdir -p "$dir"
echo "$passed $failed $skipped" >"$dir/$tier"
echo "# $tier: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
