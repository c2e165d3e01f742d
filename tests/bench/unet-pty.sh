#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (loads the n_unet module).
# Benchmark: n_unet over a pseudo-terminal pair, receive (peer -> /dev/unetN)
# and transmit (/dev/unetN -> peer): frames/s, payload bytes/s, the ratio
# to a 9600-baud line (960 characters/s) and write->read latency (median,
# p99); the same on a raw pty without the discipline as the floor, in the
# same run. Quote guest numbers as ratios to that floor.
# Arguments: [frames] [payload length], default 5000 255.
set -eu
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export STATIOND_TOP=$top
bin=${STATIOND_BUILD:-$top/build}/bench/unet-bench
if [ ! -x "$bin" ]; then
	echo "unet-pty: $bin is not built (make bench builds it)" >&2
	exit 1
fi
. "$top/tests/vm/unet-lib.sh"
# shellcheck disable=SC2119 # the module's defaults
unet_load
exec "$bin" "$@"
