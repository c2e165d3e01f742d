#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: host (pure userspace; no modules needed).
# Benchmark: autofill engine scan (idle and with every detector filling),
# FILL all, start-up with restore and saving every state area, for 72,
# 1008 and 4212 detectors (medians). Built by `make bench`
# (daemon/autofill.mk).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bench/engine-bench
if [ ! -x "$bin" ]; then
	echo "engine-bench: $bin is not built (make bench builds it)" >&2
	exit 1
fi
exec "$bin" "$@"
