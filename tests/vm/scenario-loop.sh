# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The scenario loop of the guest, shared by the busybox-init runner
# (guest-runner.sh, PID 1) and the systemd one (systemd-runner.sh, a
# service). Sourced; the runner defines before calling run_scenarios:
#   emit LINE...        a line to the host on the channel (fd 3)
#   kmsg TEXT...        a line in the kernel log
#   after_scenario SCENARIO  clean up what the scenario (its file) left
# and sets VM_SCENARIOS and VM_DEFAULT_TIMEOUT (the run configuration).
#
# Protocol to the host, on the channel:
#   @@start                         the guest is up, scenarios follow
#   @@begin <name> <timeout>        a scenario starts; its output follows
#   @@end <name> <status> <how>     how = exit | timeout
#   @@done                          every scenario ran; powering off
# The kernel log gets "stationd-vm: begin scenario <name>" and
# "stationd-vm: end scenario <name>" so the host can attribute splats.

run_scenarios() {
	local scenario name limit start rc how
	emit "@@start"
	for scenario in "${VM_SCENARIOS[@]}"; do
		name=$(basename "$scenario" .sh)
		limit=$(sed -n 's/^# *timeout: *\([0-9][0-9]*\) *$/\1/p' "$scenario" | head -n 1)
		limit=${limit:-$VM_DEFAULT_TIMEOUT}
		kmsg "begin scenario $name"
		emit "@@begin $name $limit"
		start=$SECONDS
		(cd /tmp && exec timeout -k 5 "$limit" /bin/bash "$scenario") </dev/null >&3 2>&1
		rc=$?
		how="exit"
		if { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && [ $((SECONDS - start)) -ge "$limit" ]; then
			how=timeout
		fi
		after_scenario "$scenario"
		kmsg "end scenario $name (status $rc, $how)"
		emit "@@end $name $rc $how"
	done
	emit "@@done"
}
