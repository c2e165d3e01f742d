#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Add up the tiers' results and print the closing line of `make check`.
# Usage: tally.sh <results-dir> <tier>...
# Fails if a tier is missing, failed a test, or ran none.
set -u
dir=$1
shift
total_p=0 total_f=0 rc=0
for tier in "$@"; do
	if [ ! -r "$dir/$tier" ]; then
		echo "tier $tier: did not report (runner failed before counting)"
		total_f=$((total_f + 1))
		rc=1
		continue
	fi
	read -r p f s <"$dir/$tier"
	echo "tier $tier: $p passed, $f failed, ${s:-0} skipped"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	if [ "$f" -ne 0 ]; then
		rc=1
	elif [ "$p" -eq 0 ]; then
		echo "tier $tier: ran no test"
		rc=1
	fi
done
echo "$total_p passed, $total_f failed"
exit $rc
