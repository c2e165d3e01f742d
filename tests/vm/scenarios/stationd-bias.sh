#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 4: the HV control switches detector 2 off (its
# bias-shutdown input on the XVME-240 goes high). stationd flags it
# "bias-shutdown" (Fault signal), FILL of manifold A fills detectors 1 and
# 3 and skips 2 (its valve never opens), FILL of detector 2 alone is
# refused; UNAVOID re-enables it, though the input is still high (the
# operator decides), and then it fills.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-bias

# One manifold, three detectors; at time scale 60 a purge takes about a
# second and a fill (dewars 60 % full) four.
{
	station_conf_head 5min
	crate_manifold A 6 6 6 30s 2s
	for d in 1 2 3; do
		crate_detector "$d" A "$((d - 1))" 60s 3s
	done
} >"$work/station.conf"

scenario_station_up "the station (crate, drivers, ln2-plant, bus, stationd) comes up" \
	-c "$work/station.conf" -s 60 -d /run/stationd-bias -p "--noise 0"

scenario_monitor

fill_started() { grep -q "\"member\":\"FillStarted\",\"payload\":{\"type\":\"ut\",\"data\":\[$1," "$work/monitor.log"; }
opened() { grep -q " open detector $1$" "$STATION_VALVE_LOG"; }

check "no detector is in bias shutdown at start" eval "! has_status 2 bias-shutdown"
plant "bias 2 on"
check "bias 2 on: Fault bias-shutdown for detector 2" wait_for 20 fault_seen bias-shutdown 2 A
check "detector 2: Status carries \"bias-shutdown\"" has_status 2 bias-shutdown
check "detector 1: not in bias shutdown" eval "! has_status 1 bias-shutdown"

check "Fill(\"A\", \"\") is accepted" autofill_ok Fill "'A'" "''"
check "detectors 1 and 3 fill and end full" wait_for 60 eval "fill_ended 1 full && fill_ended 3 full"
check "every relay is off after the fill" wait_for 10 station_relays_off
check "detector 2 was skipped: its valve never opened" eval "! opened 2"
check "detector 2 was skipped: no FillStarted for it" eval "! fill_started 2"
check "the purge came first: manifold A's output opened before detector 1" \
	eval "grep -n ' open ' '$STATION_VALVE_LOG' | head -n 2 | grep -q 'open manifold A output'"
check "detector 2 is still in bias shutdown" has_status 2 bias-shutdown
check "stationd logged the skip: \"Fill: 1 of 3 detectors skipped; first: detector 2 ... bias shutdown\"" \
	grep -q "Fill: 1 of 3 detectors skipped; first: detector 2 may not fill: bias shutdown" "$STATION_DAEMON_LOG"

out=$(autofill Fill "'2'" "''" 2>&1)
check "Fill(\"2\") alone: org.stationd1.Error.MayNotFill" grep -q "org.stationd1.Error.MayNotFill" <<<"$out"
check "  ... naming the bias shutdown" grep -q "bias shutdown" <<<"$out"
echo "# $out"

check "Unavoid(\"2\") is accepted (its input still high)" autofill_ok Unavoid "'2'"
check "detector 2: \"bias-shutdown\" gone from Status" eval "! has_status 2 bias-shutdown"
check "Fill(\"2\", \"\") is accepted" autofill_ok Fill "'2'" "''"
check "detector 2's valve opens" wait_for 30 opened 2
check "detector 2 fills and ends full" wait_for 60 fill_ended 2 full
check "every relay is off after its fill" wait_for 10 station_relays_off
check "the input still high does not take it out again" eval "! has_status 2 bias-shutdown"

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 30
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
fi
exit "$scenario_failed"
