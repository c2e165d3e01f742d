#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: boot the test VM (tests/vm/run.sh --shell), bring up the
# simulated station in it (tests/sim/station-up, through the setup hook
# tests/vm/station-run-guest.sh) and leave the user at a root shell with
# DBUS_SYSTEM_BUS_ADDRESS exported and a banner of what to type.
#
# When standard input is not a terminal (CI), the guest brings the
# station up, prints the banner and the object tree, tears it down and
# powers off; the exit status says whether the station came up.
#
#   tests/vm/station-run.sh [station-up options]     e.g. -n 1000 -s 120
#
# Environment: STATION_RUN_TIMEOUT bounds a batch run (default 600 s);
# the VM runs from build/vm-run, so it does not wait for a `make
# check-vm` running in the same tree.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/build/vm-run
mkdir -p "$run" || exit 1
conf=$run/station-run.conf
case $conf in
*[[:space:]]*) echo "make run: the repository path must not contain blanks ($top)" >&2; exit 2 ;;
esac

if [ -t 0 ] && [ -t 1 ]; then
	mode=interactive
else
	mode="batch"
fi
{
	printf 'STATION_RUN_MODE=%q\n' "$mode"
	printf 'STATION_UP_ARGS=('; for a in "$@"; do printf ' %q' "$a"; done; printf ' )\n'
} >"$conf"

# "quiet": the kernel's informational messages (module loading) would
# scroll through the shell on the console.
export STATIOND_VM_DIR=$run
export STATIOND_VM_SETUP=$top/tests/vm/station-run-guest.sh
export STATIOND_VM_APPEND="quiet stationd.station_run=$conf ${STATIOND_VM_APPEND:-}"

if [ "$mode" = interactive ]; then
	exec "$top/tests/vm/run.sh" --shell
fi

log=$run/batch.log
timeout -k 10 "${STATION_RUN_TIMEOUT:-600}" "$top/tests/vm/run.sh" --shell </dev/null 2>&1 |
	tr -d '\r' | tee "$log"
if grep -q '^make run: station up' "$log" && grep -q '^make run: done' "$log"; then
	exit 0
fi
echo "make run: the station did not come up (whole output: $log)" >&2
exit 1
