#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (loads xvme-sim and the card drivers).
# Benchmark: the XVME card drivers as userspace sees them, median and p99
# of each, and their ratio to a floor measured in the same run (a trivial
# sysfs read: the IIO device's name), because the VM runs under TCG and
# only ratios carry over. Arguments: [samples], default 2000 (the scan
# takes half as many).
#
#   adc-read    one in_voltage0_raw read (one conversion)
#   adc-scan32  in_voltage0_raw..31_raw (one sample = 32 conversions)
#   relay       set relay4 through the gpio cdev and read the latch back
#   edge        plant writes a 0->1 edge on irq3 -> the rising-edge event
#               is read from the gpio cdev (libgpiod, as gpiomon does)
set -u
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export STATIOND_TOP=$top
. "$top/tests/vm/cards-lib.sh"

samples=${1:-2000}
bench=$build/bench/cards-bench
if [ ! -x "$bench" ]; then
	echo "cards: $bench is not built (make bench builds it)" >&2
	exit 1
fi
if ! cards_load "240@0x0400,260@0x0800,560@0x0c00"; then
	echo "cards: xvme-sim and the card drivers do not load" >&2
	exit 1
fi
trap cards_unload EXIT
ttl=$(card 0x0400)
rel=$(card 0x0800)
adc=$(card 0x0c00)
iio=$(card_iio "$adc")

# field <line> <key>: the value of key=value in a cards-bench line
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

floor_med="" floor_p99=""
measure() {
	local what=$1 out
	shift
	if ! out=$("$bench" "$@"); then
		echo "cards $what: failed" >&2
		scenario_failed=1
		return
	fi
	local med p99 n
	med=$(field "$out" median_us)
	p99=$(field "$out" p99_us)
	n=$(field "$out" samples)
	if [ -z "$floor_med" ]; then
		floor_med=$med floor_p99=$p99
		echo "cards $what: median $med us, p99 $p99 us over $n samples (the floor)"
	else
		echo "cards $what: median $med us ($(awk -v a="$med" -v b="$floor_med" 'BEGIN { printf "%.1f", a / b }') x floor), p99 $p99 us ($(awk -v a="$p99" -v b="$floor_p99" 'BEGIN { printf "%.1f", a / b }') x floor p99) over $n samples"
	fi
}

measure sysfs-floor sysfs "$iio/name" "$samples"
measure adc-read sysfs "$iio/in_voltage0_raw" "$samples"
measure adc-scan32 scan "$iio" "$((samples / 2))"
measure relay relay "$(card_chip "$rel")" 4 "$samples"
measure edge edge "$(card_chip "$ttl")" 67 "$(card_plant "$ttl")/irq_inputs" 3 "$samples"
exit "$scenario_failed"
