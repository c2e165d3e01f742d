#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 5: the manual-fill key of manifold A is turned while
# its detectors fill. stationd aborts every fill (FillEnded "manual-fill"),
# closes every valve, State reads "manual-fill", the dewar inhibit stays
# on (a hand fill draws from the supply too), and every privileged call
# is refused with org.stationd1.Error.ManualFill and changes nothing; no
# valve opens while the key is on. Key released: State "ok", and FILL A
# fills.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-manual-fill

# One manifold, three detectors; at time scale 20 a purge takes about 3 s
# and a fill (dewars 60 % full) 12 s: time to turn the key during it.
{
	station_conf_head 5min
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s "preset 06:00"
	crate_detector 2 A 1 60s 3s
	crate_detector 3 A 2 60s 3s
} >"$work/station.conf"

scenario_station_up "the station (crate, drivers, ln2-plant, bus, stationd) comes up" \
	-c "$work/station.conf" -s 20 -d /run/stationd-manual-fill -p "--noise 0"

scenario_monitor

state_is() { [ "$(prop /org/stationd1 org.stationd1.Manager State)" = "s \"$1\"" ]; }
filling_count() { prop /org/stationd1/autofill org.stationd1.Autofill FillingCount; }
# What an operator command could change, for every detector.
run_state() {
	local d p
	for d in 1 2 3; do
		for p in Status NextFillUSec DelayUSec Presets; do
			printf '%s.%s=%s\n' "$d" "$p" "$(prop "/org/stationd1/detector/$d" org.stationd1.Detector $p)"
		done
	done
	prop /org/stationd1/autofill org.stationd1.Autofill Alarm
}

check "State reads \"ok\"" wait_for 10 state_is ok
check "Fill(\"A\", \"\") is accepted" autofill_ok Fill "'A'" "''"
filling_count_is() { [ "$(filling_count)" = "u $1" ]; }
check "the detector valves open after the purge (FillingCount 3)" wait_for 60 filling_count_is 3
check "State reads \"filling\"" state_is filling
echo "# relays while filling: $(station_relays_on)"

plant "key A on"
check "key A on: every relay goes off" wait_for 10 station_relays_off
check "State reads \"manual-fill\"" wait_for 5 state_is manual-fill
check "the fills ended with result \"manual-fill\" (detectors 1, 2, 3)" wait_for 10 \
	eval "fill_ended 1 manual-fill && fill_ended 2 manual-fill && fill_ended 3 manual-fill"
check "manifold A: Status carries \"manual-fill\"" eval \
	"[[ \$(prop /org/stationd1/manifold/A org.stationd1.Manifold Status) == *'\"manual-fill\"'* ]]"
check "the plant saw manifold A's input close" grep -q " close manifold A input$" "$STATION_VALVE_LOG"
check "no Fault for a manual fill" eval "! grep -q '\"member\":\"Fault\"' '$work/monitor.log'"
# The operator fills from the supply dewar by hand: it must not refill.
inhibited_is() { [ "$(prop /org/stationd1/autofill org.stationd1.Autofill Inhibited)" = "b $1" ]; }
last_inhibit_is() { grep dewar-inhibit "$STATION_VALVE_LOG" | tail -n 1 | grep -q " $1 dewar-inhibit$"; }
check "manual fill: the dewar inhibit stays on (Inhibited reads true)" inhibited_is true
check "manual fill: the plant sees the dewar-inhibit output on" last_inhibit_is on

before=$(run_state)
refused() {
	local out
	out=$(autofill "$@" 2>&1)
	grep -q "org.stationd1.Error.ManualFill" <<<"$out" || { echo "# $1: $out"; return 1; }
}
check "Fill refused: org.stationd1.Error.ManualFill" refused Fill "'A'" "''"
check "Preset refused: ManualFill" refused Preset "'1'" "['07:00']" "'replace'"
check "Delay refused: ManualFill" refused Delay "'1'" "uint32 10"
check "Avoid refused: ManualFill" refused Avoid "'2'"
check "Unavoid refused: ManualFill" refused Unavoid "'2'"
check "Cancel refused: ManualFill" refused Cancel "'1'"
check "Clear refused: ManualFill" refused Clear "'all'"
expect_eq "the refused calls changed nothing (status, next fill, delay, presets, alarm)" \
	"$(run_state)" "$before"
sleep 3
check "no valve opened while the key is on" station_relays_off

plant "key A off"
check "key A off: State back to \"ok\"" wait_for 10 state_is ok
check "key A off: the dewar inhibit is released (Inhibited false)" wait_for 10 inhibited_is false
check "key A off: the plant sees the dewar-inhibit output off" wait_for 10 last_inhibit_is off
check "Fill(\"A\", \"\") is accepted" autofill_ok Fill "'A'" "''"
check "manifold A fills: detectors 1, 2, 3 end full" wait_for 90 \
	eval "fill_ended 1 full && fill_ended 2 full && fill_ended 3 full"
check "every relay is off after the fill" wait_for 10 station_relays_off
check "State reads \"ok\" after the fill" wait_for 10 state_is ok

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 30
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
fi
exit "$scenario_failed"
