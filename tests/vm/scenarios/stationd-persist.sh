#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 6: kill -9 of stationd in the middle of a fill, on the
# simulated crate with ln2-plant and the project's bus policy.
#  - Fill("7") runs; Preset("7", ["13:37"], "replace") is acknowledged;
#    kill -9 at once: every relay is off (the kernel releases the lines),
#    the time from the kill to the last relay off is printed, and the
#    plant's valve log shows the valves closing;
#  - restart: the run state comes from the primary backup (journal, with
#    MESSAGE_ID of the config event class), detector 7's Presets read
#    13:37, its fill is recorded as interrupted (journal) and runs again at
#    once; the fill history is read back from the fill log;
#  - a flipped byte in detector 7's record of the primary: the secondary
#    is used and the journal says why;
#  - both backups corrupt: the compiled database is used, logged;
#  - the secondary is written every backup-interval while running.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-persist

# Two detectors on one manifold, short maximum fill times so that a
# rescheduled fill ends within the scenario (durations are the daemon's
# own, wall clock; the plant runs 30 times faster than real time).
{
	station_conf_head 10s
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s
	crate_detector 7 A 1 60s 3s "preset 06:00"
} >"$work/station.conf"

# --rate 200: the valve log's resolution is one plant tick, 5 ms.
scenario_station_up "the station (crate, drivers, ln2-plant, bus) comes up" \
	-c "$work/station.conf" -s 30 -d /run/stationd-persist -p "--noise 0 --rate 200" --no-daemon
state=$STATION_STATE_DIR

scenario_journal

# start: stationd with the stand-in journal, the journal so far set aside
# as journal.<n> so each start's entries are checked on their own.
starts=0
start() {
	starts=$((starts + 1))
	[ -s "$work/journal.log" ] && cat "$work/journal.log" >>"$work/journal.all"
	: >"$work/journal.log"
	station_start_daemon_journaled
	station_wait_ready 60
}
CONFIG_ID=97efa9b74efa4b5dad7e0854477f0c71	# MESSAGE_ID: configuration or run state loaded
FILL_ENDED_ID=22853f0d80e94d888f0fd355533b830c
config_entry() { grep -q -- "MESSAGE=$1.*MESSAGE_ID=$CONFIG_ID" "$work/journal.log"; }

autofill() {
	station_busctl call org.stationd1 /org/stationd1/autofill org.stationd1.Autofill "$@"
}
presets_of() {
	station_busctl get-property org.stationd1 "/org/stationd1/detector/$1" \
		org.stationd1.Detector Presets 2>/dev/null
}
valve_lines() { grep -c " $1\$" "$STATION_VALVE_LOG"; }
valve_seen() { [ "$(valve_lines "$1")" -ge "$2" ]; }

# Byte 20 of detector 7's record (index 1: detectors are in number order),
# found from the counts in the database header.
flip_detector7() {
	/usr/bin/python3 - "$1" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    head = f.read(64)
    n_cards, n_manifolds = struct.unpack_from("<II", head, 32)
    at = 64 + 128 + 32 * n_cards + 128 * n_manifolds + 128 * 1 + 20
    f.seek(at)
    b = f.read(1)
    f.seek(at)
    f.write(bytes([b[0] ^ 0x01]))
PY
}

# ---- 1. kill -9 in the middle of a fill, a preset acknowledged just before
check "stationd starts with a text configuration and is on the bus" start
check "first start: no backup yet, the compiled database is used (journal, MESSAGE_ID)" \
	config_entry "run state from the compiled database ($state/compiled.db); primary written anew"
check "Fill(\"7\", \"\") is accepted" autofill Fill ss 7 ""
check "the purge opens manifold A's input and output" wait_for 20 valve_seen "open manifold A output" 1
check "detector 7's valve opens" wait_for 30 valve_seen "open detector 7" 1
check "Preset(\"7\", [\"13:37\"], \"replace\") is acknowledged" autofill Preset sass 7 1 13:37 replace
on=$(station_relays_on)
pid=$STATION_DAEMON_PID
# The kill and the watch on the relay latches in one process: bash's
# $EPOCHREALTIME before the kill, then after each read of the latches.
relay_files=()
for c in $STATION_RELAY_CARDS; do relay_files+=("/sys/kernel/debug/xvme-sim/$c/relays"); done
off_us=$(
	t0=${EPOCHREALTIME/./}
	kill -KILL "$pid"
	while :; do
		all_off=1
		for f in "${relay_files[@]}"; do
			read -r v <"$f"
			[ "$v" = 0x00000000 ] || all_off=""
		done
		now=${EPOCHREALTIME/./}
		[ -n "$all_off" ] && { echo $((now - t0)) "$t0"; break; }
		[ $((now - t0)) -gt 5000000 ] && { echo "never $t0"; break; }
	done
)
{ wait "$pid"; } 2>/dev/null	# no "Killed" job notice
STATION_DAEMON_PID=""
kill_at_us=${off_us#* }
off_us=${off_us% *}
echo "# relays energized at the kill: $on"
check "kill -9 during the fill: every relay is off (the kernel de-energized them)" \
	test "$off_us" != never
echo "# kill -9 -> last relay latch off: $((off_us / 1000)).$(printf %03d $((off_us % 1000))) ms (bash \$EPOCHREALTIME around reads of the xvme-sim relay latches)"
check "the plant's valve log shows detector 7 and manifold A's input closing" \
	wait_for 5 eval 'valve_seen "close detector 7" 1 && valve_seen "close manifold A input" 1'
# The plant reads the latches every 5 ms tick and stamps epoch.ms.
plant_ms=$(awk -v t0="$kill_at_us" '$3 == "close" { t = $1 * 1000000 - t0; if (t >= -5000 && t > max) max = t } END { printf "%.0f", max / 1000 }' "$STATION_VALVE_LOG")
echo "# kill -9 -> last 'close' in ln2-plant's valve log: ${plant_ms} ms (5 ms ticks)"
check "the primary and the fill log are in the state directory" \
	test -s "$state/primary.db" -a -s "$state/fills.log"

# ---- 2. restart: the primary, the preset, the interrupted fill
check "restart: stationd is on the bus" start
check "restart: run state from the primary backup (journal, MESSAGE_ID)" \
	wait_for 10 config_entry "run state from the primary ($state/primary.db)"
expect_eq "restart: detector 7's Presets read the preset acknowledged before the kill" \
	"$(presets_of 7)" 'as 1 "13:37"'
check "restart: detector 7's fill is recorded as interrupted (journal, DETECTOR=7)" \
	entry "MESSAGE=detector 7: fill ended: interrupted.*MESSAGE_ID=$FILL_ENDED_ID.*DETECTOR=7"
check "restart: the interrupted fill is rescheduled at once: detector 7's valve opens again" \
	wait_for 60 valve_seen "open detector 7" 2
# The secondary is rewritten every backup-interval (10 s) while running.
rm -f "$state/secondary.db"
check "the secondary backup is written again within the 10 s backup interval" \
	wait_for 15 test -s "$state/secondary.db"
check "the rescheduled fill ends" wait_for 90 valve_seen "close detector 7" 2
check "every relay is off after the fill" wait_for 10 station_relays_off
check "SIGTERM: stationd exits 0" station_stop_daemon
check "SIGTERM writes the secondary backup" test -s "$state/secondary.db"
fills_log_size=$(stat -c %s "$state/fills.log")
expect_eq "fills.log holds two records (interrupted, then the refill)" "$fills_log_size" $((16 + 2 * 48))

# ---- 3. a corrupt primary: the secondary
flip_detector7 "$state/primary.db"
check "primary corrupt: stationd starts" start
check "primary corrupt: the journal says why the primary was rejected" \
	config_entry "rejected primary: detector record 1 at offset [0-9]*: checksum mismatch"
check "primary corrupt: run state from the secondary (journal)" \
	config_entry "run state from the secondary ($state/secondary.db); primary written anew"
expect_eq "primary corrupt: detector 7's Presets come from the secondary" \
	"$(presets_of 7)" 'as 1 "13:37"'
check "the rejected primary is kept for a post-mortem" test -s "$state/primary.db.rejected"
check "the fill history is read back from the fill log (journal)" \
	config_entry "fill history: 2 record(s) from $state/fills.log"
check "SIGTERM: stationd exits 0" station_stop_daemon

# ---- 4. both corrupt: the compiled database
flip_detector7 "$state/primary.db"
flip_detector7 "$state/secondary.db"
check "both corrupt: stationd starts" start
check "both corrupt: the journal says why the primary was rejected" \
	config_entry "rejected primary: detector record 1 at offset [0-9]*: checksum mismatch"
check "both corrupt: the journal says why the secondary was rejected" \
	config_entry "rejected secondary: detector record 1 at offset [0-9]*: checksum mismatch"
check "both corrupt: run state from the compiled database (journal)" \
	config_entry "run state from the compiled database ($state/compiled.db)"
expect_eq "both corrupt: detector 7's Presets are the configuration's" \
	"$(presets_of 7)" 'as 1 "06:00"'
check "SIGTERM: stationd exits 0" station_stop_daemon
check "every relay is off" station_relays_off

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 20
	cat "$work/journal.all" "$work/journal.log" 2>/dev/null | grep -v "MESSAGE=card\|PRIORITY=7" |
		sed 's/^/# journal: /' | tail -n 30
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 20
fi
exit "$scenario_failed"
