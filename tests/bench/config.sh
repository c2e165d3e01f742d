#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: host (pure userspace; no modules needed).
# Benchmark: station configuration compile, database encode/decode, next
# preset of every detector and the targets parser, for 72, 1000 and 4212
# detectors (medians). Built by `make bench` (daemon/config.mk).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bench/config-bench
if [ ! -x "$bin" ]; then
	echo "config-bench: $bin is not built (make bench builds it)" >&2
	exit 1
fi
cd "$top"
exec "$bin" "$@"
