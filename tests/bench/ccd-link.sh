#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (loads the n_unet module).
# Benchmark: UtilityNet link goodput (issue 13). stationd's link state
# machine on a real /dev/unetN (n_unet on a pty) against a controller that
# acknowledges every command frame, both paced at 9600 baud 7E1 (960
# characters/s), with 1 % of the host's frames spoiled on the line: the
# goodput as a fraction of the line rate, the ideal stop-and-wait figure
# for the same frame sizes, and their ratio (target >= 0.8).
# Arguments: [messages] [body length] [loss per mille], default 300 120 10.
set -eu
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export STATIOND_TOP=$top
bin=${STATIOND_BUILD:-$top/build}/bench/ccd-link-bench
if [ ! -x "$bin" ]; then
	echo "ccd-link: $bin is not built (make bench builds it)" >&2
	exit 1
fi
. "$top/tests/vm/unet-lib.sh"
# shellcheck disable=SC2119 # the module's defaults
unet_load
exec "$bin" "$@"
