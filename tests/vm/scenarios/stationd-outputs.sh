#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 10, item 15: the dewar-inhibit and alarm outputs are what they
# say. They sit on an XVME-240 of their own (xvme0-1000), pulled out of
# the crate (xvme-sim's present 0: its gpiochip goes away; a chip that
# stays cannot fail a write, gpio_chip.set returns nothing). A fill starts
# anyway (the detector needs LN2): each output's write fails, one Fault
# "output" each, Inhibited and Alarm read what the lines carry (off), the
# State is fill-error. The card is put back: the writes are retried at the
# next scans, the plant sees the dewar inhibit and the alarm on, Inhibited
# and Alarm say so, no more Faults; the fill ends, the inhibit is
# released, Clear silences the alarm.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-outputs

{
	printf 'card %s\n' "240 @ xvme0-0400" "260 @ xvme0-0800" "560 @ xvme0-0c00" "240 @ xvme0-1000"
	cat <<EOF
station {
	scan-rate 10Hz
	backup-interval 5min
	dewar-inhibit xvme0-1000:flag1
	alarm xvme0-1000:flag0
}
EOF
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s
} >"$work/station.conf"

scenario_station_up "the station (two XVME-240s, the outputs on xvme0-1000) comes up" \
	-c "$work/station.conf" -s 10 -d /run/stationd-outputs -p "--noise 0 --level 0.5"

scenario_monitor

autofill_prop() { prop /org/stationd1/autofill org.stationd1.Autofill "$1"; }
output_faults() { grep '"member":"Fault"' "$work/monitor.log" | grep -c '"output"'; }
output_fault() {
	grep '"member":"Fault"' "$work/monitor.log" | grep '"output"' | grep -q "$1"
}
manager_state() { prop /org/stationd1 org.stationd1.Manager State; }
present() { echo "$1" >"$station_plant_root/xvme0-1000/present"; }

expect_eq "Inhibited reads false at rest" "$(autofill_prop Inhibited)" "b false"
check "xvme0-1000 (the outputs' XVME-240) is pulled out" present 0
sleep 1
check "Fill(\"1\") is accepted" autofill_ok Fill "'1'" "''"
check "the fill runs: detector 1's valve opens" wait_for 30 relay_on 0
check "Fault output: the dewar inhibit could not be asserted" \
	wait_for 10 output_fault "could not assert the dewar inhibit output xvme0-1000:flag1"
check "Fault output: the alarm could not be asserted" \
	wait_for 10 output_fault "could not assert the alarm output xvme0-1000:flag0"
expect_eq "Inhibited reads false: what the line carries" "$(autofill_prop Inhibited)" "b false"
expect_eq "Alarm reads false: what the line carries" "$(autofill_prop Alarm)" "b false"
expect_eq "State is fill-error" "$(manager_state)" 's "fill-error"'
sleep 1
expect_eq "retried at every scan, reported once each: two output Faults" "$(output_faults)" 2

check "xvme0-1000 is put back" present 1
check "the card is back: Inhibited reads true" wait_for 20 \
	eval '[ "$(autofill_prop Inhibited)" = "b true" ]'
check "  ... the plant sees the dewar inhibit on" wait_for 10 \
	grep -q " on dewar-inhibit$" "$STATION_VALVE_LOG"
check "  ... Alarm reads true, the plant sees it on" \
	eval 'alarm_is true && grep -q " on alarm$" "$STATION_VALVE_LOG"'
expect_eq "  ... no further output Fault" "$(output_faults)" 2
check "the fill ends full" wait_for 60 fill_ended 1 full
check "  ... the dewar inhibit is released" wait_for 10 \
	eval '[ "$(autofill_prop Inhibited)" = "b false" ] && grep -q " off dewar-inhibit$" "$STATION_VALVE_LOG"'
check "Clear(\"all\") is accepted" autofill_ok Clear "'all'"
check "  ... the alarm is off, State ok" \
	eval 'alarm_is false && [ "$(manager_state)" = "s \"ok\"" ]'

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 30
	sed 's/^/# plant: /' "$STATION_PLANT_LOG" | tail -n 10
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
fi
exit "$scenario_failed"
