#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run state across a change of the configuration, and systemctl reload
# (SIGHUP), on the real daemon with the simulated crate, ln2-plant and the
# project's bus policy (issue 10 items 8 and 9):
#  - AVOID 3, an overfull latched on 5 (its valve stuck open), PRESET 7;
#    stop; an unrelated setting changed (the backup interval); start: all
#    three are still there, and the journal says the run state was carried
#    over from a backup of another configuration;
#  - SIGHUP in the middle of detector 1's fill with a good configuration
#    (a detector 9 added): nothing closes, the fill ends full, then the
#    new configuration is in force (detector 9 on the bus, and among the
#    ADC card object's users) with the run state of 3, 5 and 7;
#  - SIGHUP in the middle of a fill with a configuration that has an
#    error: refused, the error in the journal as file:line:col, the fill
#    ends full, the running configuration stays.
# timeout: 420
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-reload

# write_conf <backup-interval> [<statement>...]: manifolds A (detectors 1,
# 2 and 3) and B (5 and 7), then the extra statements. The dewars start 60 %
# full.
write_conf() {
	{
		station_conf_head "$1"
		crate_manifold A 20 20 6 60s 2s
		crate_manifold B 22 22 7 60s 2s
		crate_detector 1 A 0 180s 3s
		crate_detector 2 A 1 180s 3s
		crate_detector 3 A 2 180s 3s
		crate_detector 5 B 4 180s 3s
		crate_detector 7 B 5 180s 3s
		printf '%s\n' "${@:2}"
	} >"$work/station.conf.new"
	mv "$work/station.conf.new" "$work/station.conf"
}
# Detector 9, which the reload below adds: on the plant from the start (its
# exhaust warm, as a real detector's is before it is configured; an
# unwired ADC channel reads 0 V, which is cold, which is an overfull).
detector9=$(station_conf_detector 9 A xvme0-0c00:8 xvme0-0800:8 xvme0-0400:port1.0 180s 3s)
write_conf 5min "$detector9"

scenario_station_up "the station (crate, drivers, ln2-plant, bus) comes up" \
	-c "$work/station.conf" -s 30 -d /run/stationd-reload -p "--noise 0 --level 0.6" --no-daemon
write_conf 5min		# stationd starts without detector 9
scenario_journal
scenario_monitor_started=""
start() {
	[ -s "$work/journal.log" ] && cat "$work/journal.log" >>"$work/journal.all"
	: >"$work/journal.log"
	station_start_daemon_journaled
	station_wait_ready 60 || return 1
	[ -n "$scenario_monitor_started" ] || { scenario_monitor; scenario_monitor_started=1; }
}
presets_of() { prop "/org/stationd1/detector/$1" org.stationd1.Detector Presets; }
run_state_there() {
	has_status 3 avoided && has_status 5 overfull && [ "$(presets_of 7)" = 'as 1 "13:37"' ]
}
CONFIG_ID=97efa9b74efa4b5dad7e0854477f0c71

# ---- 1. run state across a changed configuration (a restart)
check "stationd starts" start
check "Avoid(\"3\") is accepted" autofill_ok Avoid "'3'"
check "Preset(\"7\", [\"13:37\"], \"replace\") is accepted" autofill_ok Preset "'7'" "['13:37']" "'replace'"
# (5's dewar nearly full: a short fill, then the overflow through the stuck valve)
plant "level 5 0.9"
plant "stuck-open 5"
check "Fill(\"5\") with 5's valve stuck open is accepted" autofill_ok Fill "'5'" "''"
# (the Fault signal in the monitor's log first: a grep, where each poll of
# the Status would start a busctl)
check "detector 5 latches overfull" eval 'wait_for 60 fault_seen overfull 5 B && wait_for 10 has_status 5 overfull'
check "the run state is there: 3 avoided, 5 overfull, 7 at 13:37" run_state_there
check "SIGTERM: stationd exits 0" station_stop_daemon
write_conf 7min
check "restart with the backup interval changed" start
check "journal: the primary was written for another configuration" \
	entry "MESSAGE=run state from the primary ([^ ]*/primary.db), written for another configuration.*MESSAGE_ID=$CONFIG_ID"
check "journal: its run state carried over, nothing dropped" \
	entry "MESSAGE=run state of 5 detector(s) and 2 manifold(s) carried over from [^ ]*primary.db to the configuration now in force; 0 detector(s) and 0 manifold(s) new, 0 and 0 dropped"
check "restart: 3 is still avoided, 5 still overfull, 7's preset still 13:37" run_state_there

# ---- 2. SIGHUP in the middle of a fill, good configuration. The fill
# lasts as long as the reload is looked at in its middle, however slowly
# the guest gets through the checks: detector 1's exhaust sensor is held
# at a warm reading (2.5 V, what the plant's warm exhaust reads) from the
# moment its valve opens until then; the dewar fills meanwhile, and once
# the sensor reads the exhaust again the fill ends at the LN2 there. (A
# stuck valve would hold the fill open too, but LN2 held back in the
# manifold is an overfull of its own.)
check "Fill(\"1\") is accepted" autofill_ok Fill "'1'" "''"
check "detector 1's valve opens" wait_for 60 relay_on 0
plant "dead-sensor 1 2500"
write_conf 7min "$detector9"
kill -HUP "$STATION_DAEMON_PID"
check "journal: the reload waits for the fill in progress" wait_for 30 \
	entry "MESSAGE=$work/station.conf compiled: it takes effect once the fills in progress have ended"
sleep 2		# scans after the reload arrived: none of them closes the valve
check "the reload closed nothing: detector 1's valve is still open" relay_on 0
check "detector 9 is not on the bus before the fill ends" \
	eval '! prop /org/stationd1/detector/9 org.stationd1.Detector Number >/dev/null'
plant "revive-sensor 1"
check "detector 1's fill ends full (not cut short)" wait_for 120 fill_ended 1 full
check "journal: then the configuration is reloaded" wait_for 30 \
	entry "MESSAGE=reloaded $work/station.conf: 6 detectors, 2 manifolds"
expect_eq "detector 9 is on the bus" \
	"$(prop /org/stationd1/detector/9 org.stationd1.Detector Number)" "u 9"
# The card objects are made again with the station they describe.
check "the card objects follow: the ADC lists detector 9 among its users" eval \
	"prop /org/stationd1/card/0_0c00 org.stationd1.Card Detectors | grep -q '\"/org/stationd1/detector/9\"'"
check "the run state is kept: 3 avoided, 5 overfull, 7 at 13:37" run_state_there
expect_eq "stationd is the same process" "$(pgrep -x stationd)" "$STATION_DAEMON_PID"

# ---- 3. SIGHUP in the middle of a fill, a configuration with an error
check "Fill(\"2\") is accepted" autofill_ok Fill "'2'" "''"
check "detector 2's valve opens" wait_for 60 relay_on 1
plant "dead-sensor 2 2500"	# as detector 1's above
good_lines=$(wc -l <"$work/station.conf")
printf 'detector 10 {\n\tmanifold A\n\tbogus-key 1\n}\n' >>"$work/station.conf"
kill -HUP "$STATION_DAEMON_PID"
check "journal: the error as file:line:col" wait_for 30 \
	entry "MESSAGE=$work/station.conf:$((good_lines + 3)):2: error: unknown key 'bogus-key'"
check "journal: the reload is refused, the running configuration stays" \
	entry "MESSAGE=reload refused: $work/station.conf is not a valid configuration"
sleep 2
check "detector 2's valve is still open" relay_on 1
plant "revive-sensor 2"
check "the fill ends full" wait_for 120 fill_ended 2 full
check "detector 9 is still there, detector 10 is not" \
	eval 'prop /org/stationd1/detector/9 org.stationd1.Detector Number >/dev/null && ! prop /org/stationd1/detector/10 org.stationd1.Detector Number >/dev/null'
check "no second reload happened" eval '[ "$(grep -c "MESSAGE=reloaded" "$work/journal.log")" = 1 ]'
check "SIGTERM: stationd exits 0" station_stop_daemon
check "every relay is off" station_relays_off

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 20
	cat "$work/journal.all" "$work/journal.log" 2>/dev/null | grep -v "PRIORITY=7" |
		sed 's/^/# journal: /' | tail -n 40
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
fi
exit "$scenario_failed"
