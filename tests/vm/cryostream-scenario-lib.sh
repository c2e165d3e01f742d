# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the Cryostream VM scenarios (stationd-cryostream and
# stationd-cryostream-faults): a small simulated station (no LN2 plant)
# with two controllers on this host, 411 (address 127.0.0.2 configured)
# and 369 (locked onto its first address, 127.0.0.3), stationd on a
# stand-in journal, its signals in $work/monitor.log, and the helpers to
# drive the simulators and read the objects.
#
#   . "$STATIOND_TOP/tests/vm/cryostream-scenario-lib.sh"
#   cryostream_scenario_begin stationd-cryostream
#
# shellcheck disable=SC2317,SC2016,SC2034 # helpers and names used by the scenarios, through check, poll and eval
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

sims=""
stop_sims() {
	local p
	for p in $sims; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	sims=""
}

I=org.stationd1.Cryostream
CS0=/org/stationd1/cryostream/CS0
CS1=/org/stationd1/cryostream/CS1
# One manifold and detector scanned once a second, no LN2 plant (the
# Cryostream is the subject: the guest's CPU is for stationd and the
# simulators), and the link's timeouts short enough to wait for.
station_conf() {
	station_conf_head 5min | sed 's/scan-rate 10Hz/scan-rate 1Hz/'
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s
	echo "cryostream-link { silence-timeout 4s; command-timeout 4s }"
	cat
}

# start_sim <name> <number> <address> [<option>...]: a simulator fed from
# a FIFO (kept open here as fd_<name>), its output in $work/<name>.out.
# Speed 1500: a cool-down from room temperature to 120 K takes about a
# second.
start_sim() {
	local name=$1 fifo=$work/$1.in
	mkfifo "$fifo"
	"$(station_prog cryostream-sim)" -n "$2" -b "$3" -t 127.0.0.1 -s 1500 "${@:4}" \
		<"$fifo" >"$work/$name.out" 2>&1 &
	sims="$sims $!"
	eval "pid_$name=$!"
	eval "exec {fd_$name}>\"$fifo\""
}
sim() { local fd="fd_$1"; echo "$2" >&"${!fd}"; }
stop_sim() { local pid="pid_$1"; kill "${!pid}" 2>/dev/null; wait "${!pid}" 2>/dev/null; }
# sim_state <name> <field>: a field of a fresh "status" line of the
# simulator (gas, sent, valid, commands, refused, received, missed ...)
states() { grep -c '^state ' "$work/$1.out"; }
sim_state() {
	local name=$1 before
	before=$(states "$name")
	sim "$name" status
	# (eval runs inside poll: its own $1, our locals)
	poll 5 eval '[ "$(states "$name")" -gt "$before" ]' || return 1
	grep '^state ' "$work/$name.out" | tail -n 1 | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"
}

# poll <seconds> <command...>: wait_for at a quarter of a second: most
# polls here start a busctl, and every 50 ms of them would take the
# guest's CPU from stationd and the simulators they wait for.
poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.25
	done
}

get() { station_busctl get-property org.stationd1 "$1" $I "$2" 2>/dev/null; }
# gets <object> <property>...: one busctl for them all, values joined by " | "
gets() { station_busctl get-property org.stationd1 "$1" $I "${@:2}" 2>/dev/null | paste -sd '|' | sed 's/|/ | /g'; }
section() { echo "# ---- $* (t=$SECONDS s)"; }
call() { station_busctl --timeout=20 call org.stationd1 "$@" 2>&1; }
# near <value> <target> <tolerance>
near() { awk -v v="$1" -v t="$2" -v e="$3" 'BEGIN { d = v - t; exit !(d <= e && d >= -e) }'; }
prop_near() { local v; v=$(get "$1" "$2") || return 1; near "${v#d }" "$3" "$4"; }
# by_reason <object> <reason>: that entry of PacketsRejectedByReason
by_reason() { get "$1" PacketsRejectedByReason | grep -o "\"$2\" [0-9]*" | awk '{ print $2 }'; }
# fault <object> <kind>: a Fault of that kind in the monitor's log
fault() {
	grep "\"path\":\"$1\"" "$work/monitor.log" |
		grep -q "\"member\":\"Fault\",\"payload\":{\"type\":\"ss\",\"data\":\[\"$2\""
}
# journal_has <priority> <message text>: an entry with both
journal_has() { grep -F "MESSAGE=$2" "$work/journal.log" | grep -q "PRIORITY=$1"; }

# cryostream_scenario_begin <name>: the work directory, the station with
# CS0 and CS1 ($work/two.conf; $work/only.conf has one controller as
# number 0), stationd, the monitor and the simulators sim411 and sim369,
# both connected. The cleanup stops the simulators and a polkitd setup.
cryostream_scenario_begin() {
	scenario_begin "$1"
	trap 'stop_sims; umount /etc/polkit-1/rules.d /usr/share/polkit-1/actions 2>/dev/null; scenario_cleanup' EXIT
	station_conf >"$work/two.conf" <<EOF
cryostream CS0 { number 411; address 127.0.0.2 }
cryostream CS1 { number 369 }
EOF
	station_conf >"$work/only.conf" <<EOF
cryostream Only { number 0 }
EOF
	scenario_station_up "a station with two cryostreams comes up (stationd not yet)" \
		-c "$work/two.conf" -d "/run/$1" --no-plant --no-daemon
	scenario_journal
	station_start_daemon_journaled
	check "stationd is on the bus" station_wait_ready 60
	scenario_monitor
	# The simulators after stationd: it hears every packet they send.
	start_sim sim411 411 127.0.0.2
	start_sim sim369 369 127.0.0.3
	check "simulators 411 (127.0.0.2) and 369 (127.0.0.3) run on one host" \
		poll 10 eval 'grep -q ^ready "$work/sim411.out" && grep -q ^ready "$work/sim369.out"'
	check "CS0 connected" poll 15 eval '[ "$(get $CS0 Connected)" = "b true" ]'
	check "CS1 connected" poll 15 eval '[ "$(get $CS1 Connected)" = "b true" ]'
}
