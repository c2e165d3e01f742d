#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: host (pure userspace; no modules needed).
# Benchmark: decode cost of one Cryostream 800 status packet (ns/packet,
# median and p99). Built by `make bench` (daemon/cryo.mk).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bench/cryo-decode
if [ ! -x "$bin" ]; then
	echo "cryo-decode: $bin is not built (make bench builds it)" >&2
	exit 1
fi
exec "$bin" "$@"
