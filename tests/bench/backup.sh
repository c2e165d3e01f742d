#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: host (pure userspace; no modules needed).
# Benchmark: the backup chain (daemon/persist): per-command primary update
# with fdatasync, full secondary snapshot, start-up load, for 72, 1000
# and 4212 detectors (median, p99). Built by `make bench` (daemon/persist.mk).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bench/backup-bench
if [ ! -x "$bin" ]; then
	echo "backup-bench: $bin is not built (make bench builds it)" >&2
	exit 1
fi
cd "$top"
exec "$bin" "$@"
