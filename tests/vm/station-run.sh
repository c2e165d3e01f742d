#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: boot the systemd test VM (tests/vm/run.sh --systemd
# --shell: systemd as PID 1, the station installed by `make install` and
# `make install-sim`), bring up the simulated station there as services
# (station-sim.target, set up by the hook tests/vm/station-run-guest.sh:
# the crate's cards start the card drivers and stationd.service through
# udev) and leave the user at a root login on the console with a banner
# of what to type: systemctl, journalctl, busctl, stationctl.
#
# When standard input is not a terminal (CI), the guest waits for the
# station, shows it (systemctl status, the bus's objects, a Cryostream)
# and powers off; the exit status says whether the station came up, and
# the time it took is printed.
#
#   tests/vm/station-run.sh [options]     -c CONFIG, -n N, -s SCALE, -p PLANT-ARGS
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
	exec "$top/tests/vm/run.sh" --systemd --shell
fi

log=$run/batch.log
started=$SECONDS
timeout -k 10 "${STATION_RUN_TIMEOUT:-600}" "$top/tests/vm/run.sh" --systemd --shell </dev/null 2>&1 |
	tr -d '\r' | tee "$log"
if grep -q '^make run: station up' "$log" && grep -q '^make run: done' "$log"; then
	echo "make run: the batch run took $((SECONDS - started)) s (QEMU start to power-off)"
	exit 0
fi
echo "make run: the station did not come up (whole output: $log)" >&2
exit 1
