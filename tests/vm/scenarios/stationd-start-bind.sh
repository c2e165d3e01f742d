#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A card whose driver binds while stationd starts is picked up (issue 10
# item 13). The relay card's driver is not loaded when stationd starts;
# stationd is stopped (SIGSTOP) the moment it reports the card unusable,
# in the middle of its start-up, and the driver is loaded then: the bind
# happens after stationd looked for the card and before its event loop
# runs. Its device events are received from before the look-up, so the
# bind is heard: the card is opened, its detectors become available and
# fill. (Before, the monitor started after the look-up and the bind was
# lost: the detectors stayed unavailable until a restart.)
# timeout: 150
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-start-bind

{
	station_conf_head 5min
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s
	crate_detector 2 A 1 60s 3s
} >"$work/station.conf"

scenario_station_up "the station (crate, drivers, ln2-plant, bus) comes up" \
	-c "$work/station.conf" -s 10 -d /run/stationd-start-bind -p "--noise 0 --level 0.9" --no-daemon
check "the relay card's driver unloaded: no gpiochip for xvme0-0800" \
	eval 'rmmod xvme260 && ! gpiodetect | grep -q "\[xvme0-0800\]"'

# stationd with its standard error on a pipe read here: at the line that
# says the relay card is unusable, SIGSTOP.
mkfifo "$work/stderr"
# Open read-write: never blocks, and there is always a reader (stationd
# would die of SIGPIPE writing to a pipe nobody reads).
exec 3<>"$work/stderr"
setsid "$(station_prog stationd)" -c "$STATION_CONFIG" -s "$STATION_STATE_DIR" \
	</dev/null >/dev/null 2>"$work/stderr" &
STATION_DAEMON_PID=$!
station_write_env
stopped=""
while IFS= read -r line; do
	echo "$line" >>"$STATION_DAEMON_LOG"
	if [[ $line == "stationd: card xvme0-0800 (XVME-260): "* ]]; then
		kill -STOP "$STATION_DAEMON_PID"
		stopped=$line
		break
	fi
done <&3
check "stationd reported the relay card unusable and was stopped there" test -n "$stopped"
echo "# $stopped"
check "stationd is stopped in its start-up: not on the bus yet" \
	eval '[ "$(sed "s/.*) \(.\).*/\1/" /proc/$STATION_DAEMON_PID/stat)" = T ] && ! station_manager_state'
check "the relay card's driver binds meanwhile" \
	eval 'modprobe xvme260 && wait_for 10 eval "gpiodetect | grep -q \"\[xvme0-0800\]\""'
cat <&3 >>"$STATION_DAEMON_LOG" &
scenario_pids+=" $!"
kill -CONT "$STATION_DAEMON_PID"
check "stationd goes on and is on the bus" station_wait_ready 60
check "stationd opened the card it heard bind" wait_for 10 \
	grep -q "stationd: card xvme0-0800 (XVME-260) ready" "$STATION_DAEMON_LOG"
check "it holds the card's relay lines" wait_for 10 eval \
	'gpioinfo "$(gpiodetect | sed -n "s/^\(gpiochip[0-9]*\) \[xvme0-0800\] .*/\1/p")" | grep -q "\"relay0\" *\"stationd\" *output"'
available() { [[ $(status_of "$1") == "as "* ]] && ! has_status "$1" unavailable; }
check "detectors 1 and 2 are available" wait_for 10 eval 'available 1 && available 2'
scenario_monitor
check "Fill(\"A\") is accepted" autofill_ok Fill "'A'" "''"
check "detector 1 ends full" wait_for 90 fill_ended 1 full
check "SIGTERM: stationd exits 0" station_stop_daemon
check "every relay is off" station_relays_off

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 30
fi
exit "$scenario_failed"
