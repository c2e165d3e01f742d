#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (loads the xvme-sim module).
# Benchmark: one plant tick against xvme-sim's debugfs plant files: every
# input of four XVME-560 cards (128 channels, as a station's plant would
# update at 20 Hz) written whole-card (4 writes) and channel by channel
# (128 writes); median and p99 per tick, as ratios to a floor measured in
# the same run (one read of a card's fault file). Quote guest numbers as
# ratios. Arguments: [ticks], default 2000.
set -eu
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${STATIOND_BUILD:-$top/build}/bench/plant-bench
if [ ! -x "$bin" ]; then
	echo "plant-ain: $bin is not built (make bench builds it)" >&2
	exit 1
fi
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
modprobe xvme-sim cards=560@0x0c00,560@0x1000,560@0x1400,560@0x1800
trap 'modprobe -r xvme-sim' EXIT
cards=()
for addr in 0c00 1000 1400 1800; do
	for d in /sys/bus/xvme/devices/xvme*-"$addr"; do cards+=("${d##*/}"); done
done
"$bin" --ticks "${1:-2000}" "${cards[@]}"
