#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 2: the supply dewar is empty. FILL of manifold A
# purges for the manifold's maximum fill time (underfull), opens the
# detector valves, and each detector ends UNDERFULL at its maximum fill
# time (20 s here): every relay off, the alarm output on as the plant sees
# it, the Fault signal on the bus for the manifold and each detector, a
# journal entry carrying DETECTOR=, State "fill-error". CLEAR silences the
# alarm and clears the flags.
# Its look-alike: with the supply refilled, detector 2's exhaust sensor
# goes open circuit during a fill (it reads the ADC's full scale, "warm").
# That is a sensor fault at once (its fill aborted, its valve closed,
# "unavailable"), not a fill left running to an underfull; the others fill.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-underfull

# One manifold, three detectors; short maximum fill times so that the
# underfull comes quickly (durations are the daemon's own, wall clock).
{
	station_conf_head 5min
	crate_manifold A 6 6 6 5s 2s
	for d in 1 2 3; do
		crate_detector "$d" A "$((d - 1))" 20s 3s
	done
} >"$work/station.conf"

scenario_station_up "the station (crate, drivers, ln2-plant with an empty supply, bus) comes up" \
	-c "$work/station.conf" -s 60 -d /run/stationd-underfull -p "--noise 0 --supply 0" --no-daemon

scenario_journal
station_start_daemon_journaled
check "stationd is on the bus" station_wait_ready 60

scenario_monitor

status_is() { [ "$(status_of "$1")" = "$2" ]; }
state_is() { [ "$(prop /org/stationd1/autofill org.stationd1.Autofill State)" = "s \"$1\"" ]; }
valve_log_has() { grep -q " $1\$" "$STATION_VALVE_LOG"; }

check "the alarm output is off at start" sh -c "! grep -q ' on alarm\$' '$STATION_VALVE_LOG'"
check "Fill(\"A\", \"\") is accepted" autofill_ok Fill "'A'" "''"
check "the purge opens manifold A's input and output" wait_for 20 valve_log_has "open manifold A output"
check "manifold A: no LN2 at its output at its maximum fill time: Fault underfull, manifold A" \
	wait_for 30 fault_seen underfull 0 A
check "the detector valves open after the purge" wait_for 10 valve_log_has "open detector 3"
check "every detector ends at its maximum fill time: Fault underfull for detectors 1, 2, 3" \
	wait_for 60 eval "fault_seen underfull 1 A && fault_seen underfull 2 A && fault_seen underfull 3 A"
check "every relay is off (valves closed)" wait_for 10 station_relays_off
check "the plant saw manifold A's input close" valve_log_has "close manifold A input"
check "the alarm output is on (the plant saw the XVME-240 flag)" wait_for 10 valve_log_has "on alarm"
last_inhibit() { grep dewar-inhibit "$STATION_VALVE_LOG" | tail -n 1 | grep -q " off "; }
check "the dewar inhibit is off again" wait_for 10 last_inhibit
for d in 1 2 3; do
	check "detector $d: Status carries \"underfull\"" has_status "$d" underfull
done
check "FillEnded for detector 1 with result \"underfull\"" \
	grep -q '"member":"FillEnded","payload":{"type":"utttsd","data":\[1,[0-9]*,[0-9]*,[0-9]*,"underfull"' \
	"$work/monitor.log"
# FillEnded data: [detector, start, end, duration, result, lowest volts]
duration=$(grep -o '"member":"FillEnded","payload":{"type":"utttsd","data":\[1,[0-9]*,[0-9]*,[0-9]*,"underfull"' \
	"$work/monitor.log" | head -n 1 | cut -d, -f6)
check "detector 1's fill lasted the purge's 5 s and its own 20 s (${duration:-?} us)" \
	test "${duration:-0}" -ge 25000000
check "Alarm property reads true" alarm_is true
check "State reads \"fill-error\"" state_is fill-error
check "journal: detector 1's underfull, with DETECTOR=1 and MANIFOLD=A" \
	entry "MESSAGE=underfull: detector 1: underfull.* DETECTOR=1 MANIFOLD=A"
check "journal: the fault carries its MESSAGE_ID" \
	entry "MESSAGE=underfull: detector 2: .*MESSAGE_ID=[0-9a-f]\{32\}.* DETECTOR=2"
check "journal: manifold A's underfull, with MANIFOLD=A" \
	entry "MESSAGE=underfull: manifold A: underfull.* MANIFOLD=A"

# CLEAR: flags gone, the alarm silenced (no error left).
check "Clear(\"all\") is accepted" autofill_ok Clear "'all'"
check "after CLEAR the plant sees the alarm output off" wait_for 10 valve_log_has "off alarm"
check "after CLEAR detector 1's Status is empty" status_is 1 "as 0"
check "after CLEAR Alarm reads false" alarm_is false
check "after CLEAR State reads \"ok\"" wait_for 10 state_is ok

plant "supply refill"
plant "level 2 0.1"		# a long fill: time to cut its sensor's wire
check "supply refilled: Fill(\"A\", \"\") is accepted" autofill_ok Fill "'A'" "''"
check "detector 2's valve opens" wait_for 30 relay_on 1
plant "dead-sensor 2"
check "detector 2's sensor open circuit: Fault sensor naming the full scale" wait_for 10 \
	grep -q '"member":"Fault","payload":{"type":"suss","data":\["sensor",2,"A","[^"]*full scale (open circuit)' \
	"$work/monitor.log"
check "  ... its fill ends \"aborted\" and its relay goes off" wait_for 10 \
	eval "fill_ended 2 aborted && ! relay_on 1"
check "  ... Status carries \"unavailable\"" has_status 2 unavailable
check "detectors 1 and 3 fill on and end full" wait_for 60 eval "fill_ended 1 full && fill_ended 3 full"
check "every relay is off after the fill" wait_for 10 station_relays_off
check "journal: the sensor fault with DETECTOR=2" \
	entry "MESSAGE=sensor: detector 2: exhaust sensor .*full scale (open circuit).* DETECTOR=2"
plant "revive-sensor 2"
check "sensor revived: detector 2 is available again" wait_for 10 eval "! has_status 2 unavailable"

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 20
	sed 's/^/# journal: /' "$work/journal.log" | tail -n 20
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
fi
exit "$scenario_failed"
