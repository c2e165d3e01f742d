#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How stationd ends when something it depends on goes, and what its exit
# status says (issue 10 items 16 and 18), on the simulated crate with
# ln2-plant and the project's bus policy:
#  - the system bus (dbus-daemon) killed under it in the middle of a
#    fill: the journal has a crit entry at once, the valve that is open
#    for the fill stays open until the fill ends full, no new fill starts,
#    then stationd exits with status 3 (Restart=on-failure restarts it)
#    and every relay is off;
#  - the bus killed while no fill runs: exit status 3 at once;
#  - a relay line held by another process (gpioset energizes it): the
#    valve cannot be confirmed closed; SIGTERM ends stationd with status 2
#    and a crit entry, where it used to exit 0.
# timeout: 180
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-exit

{
	station_conf_head 10s
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s
	crate_detector 2 A 1 60s 3s
	crate_detector 3 A 2 60s 3s
} >"$work/station.conf"

scenario_station_up "the station (crate, drivers, ln2-plant, bus) comes up" \
	-c "$work/station.conf" -s 30 -d /run/stationd-exit -p "--noise 0" --no-daemon
scenario_journal

start() {
	[ -s "$work/journal.log" ] && cat "$work/journal.log" >>"$work/journal.all"
	: >"$work/journal.log"
	station_start_daemon_journaled
	station_wait_ready 60
}
# stationd_ends <seconds>: wait for stationd (our child) to end by itself;
# its exit status in $exit_status, or "running"
stationd_ends() {
	local pid=$STATION_DAEMON_PID
	exit_status=running
	wait_for "$1" eval "! station_pid_alive $pid" || return 0
	wait "$pid" 2>/dev/null
	exit_status=$?
	STATION_DAEMON_PID=""
}
valve_lines() { grep -c " $1\$" "$STATION_VALVE_LOG"; }
valve_seen() { [ "$(valve_lines "$1")" -ge "$2" ]; }
CRIT="PRIORITY=2"

# ---- 1. the bus killed in the middle of a fill
check "stationd is on the bus" start
check "Fill(\"1\") is accepted" autofill_ok Fill "'1'" "''"
check "detector 1's valve opens" wait_for 30 valve_seen "open detector 1" 1
check "Fill(\"2\") is accepted: it waits for manifold A's next purge" autofill_ok Fill "'2'" "''"
kill -KILL "$STATION_BUS_PID"
check "journal: the lost bus at once, priority crit" wait_for 5 \
	entry "MESSAGE=lost the connection to the system bus: exiting once the fills in progress have ended.*$CRIT"
check "the lost bus closes nothing: detector 1's valve is still open" relay_on 0
check "detector 1's fill ends full after the loss (journal)" wait_for 60 \
	entry "MESSAGE=detector 1: fill ended: full"
stationd_ends 20
expect_eq "then stationd exits with status 3" "$exit_status" 3
check "journal: the exit, priority crit" \
	entry "MESSAGE=stopped: the system bus is gone and no fill runs; exit status 3.*$CRIT"
expect_eq "no new fill started after the loss: detector 2's valve never opened" \
	"$(valve_lines "open detector 2")" 0
check "every relay is off" station_relays_off

# ---- 2. the bus killed while nothing fills
check "a new bus" station_start_bus
check "restart: stationd is on the new bus" start
check "restart: detector 2's fill, due since before the exit, runs" \
	wait_for 60 valve_seen "open detector 2" 1
check "restart: it ends" wait_for 60 valve_seen "close detector 2" 1
check "restart: every relay is off" wait_for 10 station_relays_off
kill -KILL "$STATION_BUS_PID"
stationd_ends 10
expect_eq "the bus killed with no fill running: stationd exits with status 3 at once" \
	"$exit_status" 3
check "journal: it says so, priority crit" \
	entry "MESSAGE=lost the connection to the system bus: exiting now.*$CRIT"

# ---- 3. a valve that cannot be confirmed closed at shut-down
check "a new bus" station_start_bus
chip=$(gpiodetect | sed -n 's/^\(gpiochip[0-9]*\) \[xvme0-0800\] .*/\1/p')
gpioset --mode=signal "$chip" 2=1 &
holder=$!
scenario_pids+=" $holder"
check "another process holds detector 3's relay energized" wait_for 5 relay_on 2
check "stationd starts" start
check "the Manager's State is crashed: detector 3's valve cannot be closed" \
	wait_for 10 eval '[ "$(station_manager_state)" = "s \"crashed\"" ]'
kill -TERM "$STATION_DAEMON_PID"
stationd_ends 15
expect_eq "SIGTERM: stationd exits with status 2" "$exit_status" 2
check "journal: the valve not confirmed closed, priority crit" \
	entry "MESSAGE=a valve could not be confirmed closed at shut-down: exit status 2.*$CRIT"
kill "$holder"
wait "$holder" 2>/dev/null
check "the holder gone, every relay is off" wait_for 5 station_relays_off

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 20
	cat "$work/journal.all" "$work/journal.log" 2>/dev/null | grep -v "PRIORITY=7" |
		sed 's/^/# journal: /' | tail -n 30
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
fi
exit "$scenario_failed"
