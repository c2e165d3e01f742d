#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (the simulated station: xvme-sim, drivers, ln2-plant, stationd).
# Benchmark: D-Bus round trips to stationd from a C client (sd-bus),
# median and p99, and their ratio to a floor measured in the same run
# (Peer.Ping to stationd: bus daemon + the daemon's loop, no work),
# because the VM runs under TCG and only ratios carry over.
#
#   ping      the floor
#   get       Properties.Get of a detector's ExhaustVolts
#   managed   GetManagedObjects of the 72-detector station (85 objects)
#   preset    Autofill.Preset: an acknowledged command, authorization
#             (root: one GetConnectionCredentials round trip) and the
#             daemon's commit to disk (primary backup + fdatasync, on the
#             guest's tmpfs state directory) included
#
# The calls are interleaved (one bus-latency run, ping and get every
# round, managed and preset every tenth), so a busy host loads them alike.
# Arguments: [rounds], default 2000 (managed and preset: 200 calls).
set -u
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${STATIOND_BUILD:-$top/build}
. "$top/tests/vm/station-lib.sh"

rounds=${1:-2000}
bench=$build/bench/bus-latency
if [ ! -x "$bench" ]; then
	echo "bus-latency: $bench is not built (make bench builds it)" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/bus-latency.XXXXXX)
trap 'station_down >/dev/null 2>&1; rm -rf "$dir"' EXIT
if ! station_up -d "$dir/run" -p "--noise 0"; then
	echo "bus-latency: the simulated station does not come up" >&2
	exit 1
fi

floor_med="" floor_p99=""
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
if ! out=$("$bench" all "$rounds"); then
	echo "bus-latency: failed" >&2
	exit 1
fi
while read -r line; do
	kind=${line%% *}
	med=$(field "$line" median_us)
	p99=$(field "$line" p99_us)
	n=$(field "$line" samples)
	if [ -z "$floor_med" ]; then
		floor_med=$med floor_p99=$p99
		echo "bus-latency $kind: median $med us, p99 $p99 us over $n calls (the floor)"
	else
		echo "bus-latency $kind: median $med us ($(ratio "$med" "$floor_med") x floor), p99 $p99 us ($(ratio "$p99" "$floor_p99") x floor p99) over $n calls"
	fi
done <<<"$out"
exit 0
