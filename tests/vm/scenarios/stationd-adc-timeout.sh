#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 10: an AD conversion timeout during a fill. Manifolds
# A and B share a relay card but read their exhaust sensors from ADC cards
# of their own (A: xvme0-0c00, B: xvme0-1000). Both fill; while the
# detector valves are open, A's ADC gets stuck (BUSY never clears: the
# xvme-sim adc-stuck fault). The driver counts the timeouts and logs them;
# stationd raises a system fault (Fault signal "sensor", journal entries
# with DETECTOR=), ends A's fills with their valves closed and A's input
# closed, and B's fills go on to the end. Once the ADC converts again,
# A's detectors are available again.
# timeout: 360
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-adc-timeout

# manifold <name> <adc> <first relay> <port> <first detector>
manifold() {
	local m=$1 adc=$2 r=$3 port=$4 first=$5 d
	station_conf_manifold "$m" "$adc:6" "xvme0-0800:$((r + 6))" "xvme0-0800:$((r + 7))" \
		"xvme0-0400:port$port.6" 60s 2s
	for d in 0 1; do
		station_conf_detector "$((first + d))" "$m" "$adc:$d" "xvme0-0800:$((r + d))" \
			"xvme0-0400:port$port.$d" 120s 2s
	done
}
{
	station_conf_head 5min "560 @ xvme0-1000"
	manifold A xvme0-0c00 0 0 1
	manifold B xvme0-1000 8 1 3
} >"$work/station.conf"

# A slow plant (time scale 10) and low dewars: the detector fills last
# long enough to be caught in the middle.
scenario_station_up "the station (crate, drivers, ln2-plant, bus) comes up" \
	-c "$work/station.conf" -s 10 -d /run/stationd-adc-timeout -p "--noise 0 --level 0.2" --no-daemon

scenario_journal
station_start_daemon_journaled
check "stationd is on the bus" station_wait_ready 60

scenario_monitor

plant=/sys/kernel/debug/xvme-sim
adc=/sys/bus/xvme/devices/xvme0-0c00
unavailable() { [[ $(status_of "$1") == *'"unavailable"'* ]]; }
state_is() {
	[ "$(station_busctl get-property org.stationd1 /org/stationd1/autofill \
		org.stationd1.Autofill State 2>/dev/null)" = "s \"$1\"" ]
}
valve_log_has() { grep -q " $1\$" "$STATION_VALVE_LOG"; }
# fill_ended <detector> <result>
# A's valves are relays 0, 1, 6 and 7 of xvme0-0800
a_relays_off() { (( ($(cat "$plant/xvme0-0800/relays") & 0xc3) == 0 )); }
b_valves_open() { (( ($(cat "$plant/xvme0-0800/relays") & 0x300) == 0x300 )); }

check "Fill(\"all\") is accepted" autofill_ok Fill "'all'" "''"
check "detector valves of A and B open after the purges" wait_for 60 eval \
	"valve_log_has 'open detector 1' && valve_log_has 'open detector 2' && b_valves_open"
check "A's fills are still running (no FillEnded yet)" \
	eval "! fill_ended 1 '[a-z-]*' && ! fill_ended 2 '[a-z-]*'"

echo "# adc-stuck on xvme0-0c00 at $(date +%T.%N)"
check "the ADC of A gets stuck (adc-stuck injected)" eval "echo adc-stuck >$plant/xvme0-0c00/fault"
check "Fault signal \"sensor\" for detectors 1 and 2 of A" wait_for 10 eval \
	"fault_seen sensor 1 A && fault_seen sensor 2 A"
check "the fills of 1 and 2 end \"aborted\"" wait_for 10 eval \
	"fill_ended 1 aborted && fill_ended 2 aborted"
check "A's valves are closed (relays 0, 1, 6, 7 off)" wait_for 10 a_relays_off
check "the plant saw detector 1's valve and A's input close" eval \
	"valve_log_has 'close detector 1' && valve_log_has 'close manifold A input'"
check "detectors 1 and 2 are unavailable" eval "unavailable 1 && unavailable 2"
check "B's fills were not stopped by it" b_valves_open
check "B's fills go on to the end: detectors 3 and 4 full" wait_for 150 eval \
	"fill_ended 3 full && fill_ended 4 full"
check "every relay is off at the end" wait_for 10 station_relays_off

timeouts=$(cat "$adc/conversion_timeouts")
check "the driver counted the timeouts (conversion_timeouts $timeouts)" test "$timeouts" -gt 0
check "the kernel log names the card's AD conversion timeout" \
	eval "dmesg | grep -q 'xvme0-0c00: AD conversion timeout on channel'"
check "journal: detector 1's sensor fault, with DETECTOR=1 and MANIFOLD=A" \
	entry "MESSAGE=sensor: detector 1: exhaust sensor xvme0-0c00:0 unreadable: .*imed out.* DETECTOR=1 MANIFOLD=A"
check "State reads \"fill-error\" while A cannot convert" state_is fill-error

check "the ADC converts again (fault cleared)" eval "echo none >$plant/xvme0-0c00/fault"
check "detectors 1 and 2 are available again" wait_for 10 eval "! unavailable 1 && ! unavailable 2"

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 30
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
	sed 's/^/# journal: /' "$work/journal.log" | tail -n 20
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
fi
exit "$scenario_failed"
