#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The scenarios of a systemd-mode VM (tests/vm/run.sh --systemd):
# stationd-vm-runner.service (written by systemd-boot.sh) runs this once
# the machine is up - systemd as PID 1, udevd, the system bus, logind,
# the station installed by `make install`. It runs every scenario named
# in the run configuration as guest-runner.sh does (same protocol on
# ttyS1, scenario-loop.sh), then powers the guest off the ordinary way
# (systemctl poweroff: every service stops, stationd closes its valves).
#
# What a scenario sees differs from the busybox mode: PATH is the
# system's (the installed programs, not the build tree's), the
# station's units are systemd's to run, and nothing is unloaded between
# scenarios (a scenario stops what it started, in an EXIT trap). Only
# processes a scenario leaves in this service's own cgroup are killed.
set -u
conf=${1:-}
channel=/dev/ttyS1

emit() { printf '%s\n' "$*" >&3; }
kmsg() { echo "stationd-vm: $*" >/dev/kmsg; }

exec 3>"$channel" || { kmsg "FATAL: cannot open $channel"; systemctl poweroff; exit 1; }
stty -F "$channel" raw -echo 2>/dev/null
# shellcheck source=/dev/null
. "$conf" || { emit "@@fatal run configuration '$conf' failed"; systemctl poweroff; exit 1; }
# shellcheck source=tests/vm/scenario-loop.sh
. "$STATIOND_TOP/tests/vm/scenario-loop.sh"

export STATIOND_TOP STATIOND_BUILD
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp/home LANG=C.UTF-8 TERM=${VM_TERM:-vt100}
mkdir -p "$HOME"
# The serial ports the harness wires back to back for a CCD line.
export UNET_LINE_TTY=ttyS2 UNET_PEER_TTY=ttyS3

# The host's share for what comes back: the journal, after each scenario.
export_dir=/run/stationd-vm/export
mkdir -p "$export_dir"
mount -t 9p -o trans=virtio,version=9p2000.L export "$export_dir" ||
	emit "# the export share is not mounted: no journal.txt on the host"

cgroup=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
after_scenario() {
	local pid comm pids
	mapfile -t pids <"$cgroup/cgroup.procs"
	for pid in "${pids[@]}"; do
		[ "$pid" = "$$" ] && continue
		read -r comm <"/proc/$pid/comm" 2>/dev/null || continue
		kill -KILL "$pid" 2>/dev/null && emit "# killed leftover process $pid ($comm)"
	done
	mountpoint -q "$export_dir" &&
		journalctl -b --no-pager -o short-monotonic >"$export_dir/journal.txt" 2>&1
}

# The kernel log, the runner's ready line: how long systemd took.
kmsg "systemd up after $(cut -d' ' -f1 /proc/uptime) s of uptime; running scenarios"
run_scenarios
kmsg "all scenarios done, powering off"
exec 3>&-
systemctl --no-block poweroff
