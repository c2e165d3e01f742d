#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: host
# Benchmark: how long one step of a run's FITS file holds stationd's event
# loop (a 4096 x 4096 16-bit frame in steps of 256 KiB), against writing
# the whole file in one go, the stall a single write would cause.
# Arguments: [naxis1] [naxis2] [directory], default 4096 4096 /tmp.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bench/ccd-fits-bench
[ -x "$bin" ] || { echo "ccd-fits: $bin is not built (make bench builds it)" >&2; exit 1; }
exec "$bin" "$@"
