#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 7: a configuration with errors. The example station
# with eight planted mistakes (an unknown key, a value out of range, an
# undefined manifold, a valve wired twice, a sensor on a relay card, a
# bad preset, a duplicate detector, and a duplicate symbol in the
# included cards.conf): stationd-compile reports every one as
# file:line:col - and nothing else -, exits 1 and leaves the existing
# database byte-identical (same file, no temporary left); stationd given
# that text configuration refuses to start with the same errors, never
# takes the bus name or a relay line, and leaves its state directory
# (written by an earlier good start) as it was.
# timeout: 150
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/station-lib.sh"

trap 'station_down >/dev/null' EXIT
compile=$(station_prog stationd-compile)
example=$STATIOND_TOP/daemon/examples
work=/tmp/stationd-config
rm -rf "$work" && mkdir -p "$work/good" "$work/bad" "$work/db" || exit 1
cp "$example/station.conf" "$example/cards.conf" "$work/good/"

# The bad station, and where each mistake is: "file:line:col message-part"
# (columns count from 1, a tab is one column).
awk -v expected="$work/expected" '
function mistake(col, what) { printf "station.conf:%d:%d %s\n", NR_OUT, col, what >expected }
function out(line) { NR_OUT++; print line }
/^(detector|manifold) / { d = $2 }
/^}$/ { d = "" }
/^\tscan-rate 10Hz$/ { out($0); out("\tcolour blue"); mistake(2, "unknown key '\''colour'\'' in station"); next }
d == "1" && /^\treference / { out("\treference 15V"); mistake(12, "reference 15V is outside every XVME-560 range"); next }
d == "7" && /^\tmanifold / { out("\tmanifold Q"); mistake(2, "detector 7: manifold Q is not defined"); next }
d == "8" && /^\tvalve / { out("\tvalve RELAY1:0"); mistake(2, "valve of detector 8: xvme0-0800:0 is already wired to valve of detector 1"); next }
d == "9" && /^\tsensor / { out("\tsensor RELAY1:10"); mistake(2, "sensor of detector 9: card xvme0-0800 is a XVME-260"); next }
d == "10" && /^\tpreset / { out("\tpreset 06:00 25:00"); mistake(15, "preset 25:00 has hours beyond 23"); next }
/^detector 12 \{$/ { out("detector 11 {"); mistake(10, "detector 11 is already defined"); d = "12"; next }
{ out($0) }' "$example/station.conf" >"$work/bad/station.conf"
awk -v expected="$work/expected" '
{ print }
/^define RELAY2 / { print; printf "cards.conf:%d:8 symbol '\''RELAY2'\'' is already defined\n", NR + 1 >>expected }
' "$example/cards.conf" >"$work/bad/cards.conf"
expect_eq "eight mistakes planted" "$(wc -l <"$work/expected")" 8

# errors_of <file>: the "file:line:col" of every error line, sorted, with
# the directory of the configuration and stationd's "stationd: " (its
# stderr log prefix) taken off
errors_of() {
	sed -n "s|^\(stationd: \)\{0,1\}\($work/bad/\)\{0,1\}\([^: ]*:[0-9]*:[0-9]*\): error: .*|\3|p" \
		"$1" | sort
}
# every_message <file>: each expected message at its own position
every_message() {
	local pos what
	while read -r pos what; do
		grep -Eq "^(stationd: )?($work/bad/)?$pos: error: .*$what" "$1" ||
			{ echo "# missing: $pos: $what"; return 1; }
	done <"$work/expected"
}
want=$(cut -d' ' -f1 "$work/expected" | sort)

# ---- stationd-compile: an existing database is left alone
"$compile" -q compile "$work/good/station.conf" "$work/db/station.db" ||
	not_ok "the example compiles"
cp "$work/db/station.db" "$work/station.db.before"
inode=$(stat -c %i "$work/db/station.db")
(cd "$work/bad" && "$compile" compile station.conf "$work/db/station.db") >"$work/compile.out" 2>&1
expect_eq "stationd-compile compile: exit status 1" "$?" 1
sed 's/^/# compile: /' "$work/compile.out"
expect_eq "stationd-compile: every error as file:line:col, and no other" \
	"$(errors_of "$work/compile.out")" "$want"
check "stationd-compile: each message at its mistake" every_message "$work/compile.out"
check "stationd-compile: the summary counts 8 errors" grep -q '8 errors' "$work/compile.out"
check "the existing database is byte-identical" cmp -s "$work/db/station.db" "$work/station.db.before"
expect_eq "the existing database is the same file (not replaced)" \
	"$(stat -c %i "$work/db/station.db")" "$inode"
expect_eq "no temporary file left beside it" "$(ls -A "$work/db")" station.db
(cd "$work/bad" && "$compile" check station.conf) >"$work/check.out" 2>&1
expect_eq "stationd-compile check: exit status 1" "$?" 1
expect_eq "stationd-compile check: the same errors" "$(errors_of "$work/check.out")" "$want"

# ---- stationd: refuses the text configuration, changes nothing
if ! station_up -d /run/stationd-config -c "$work/good/station.conf"; then
	not_ok "the example station comes up"
	exit 1
fi
ok "the example station comes up (state directory written)"
station_stop_daemon
expect_eq "stationd with the good configuration stops with status 0" "$?" 0
state_sums() {
	(cd "$STATION_STATE_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
before=$(state_sums)
check "the state directory holds files" test -n "$before"

STATION_CONFIG=$work/bad/station.conf
log_lines=$(wc -l <"$STATION_DAEMON_LOG")
station_start_daemon
pid=$STATION_DAEMON_PID
check "stationd with the bad configuration exits" wait_for 60 eval "! station_pid_alive $pid"
wait "$pid"
rc=$?
STATION_DAEMON_PID=""
check "stationd: exit status non-zero ($rc)" test "$rc" -ne 0
tail -n +"$((log_lines + 1))" "$STATION_DAEMON_LOG" >"$work/stationd.out"
sed 's/^/# stationd: /' "$work/stationd.out"
expect_eq "stationd: every error as file:line:col, and no other" \
	"$(errors_of "$work/stationd.out")" "$want"
check "stationd: each message at its mistake" every_message "$work/stationd.out"
check "stationd: says it does not start" grep -q "does not compile" "$work/stationd.out"
check "stationd: did not get as far as starting" sh -c "! grep -q 'started:' '$work/stationd.out'"
if station_busctl status org.stationd1 >/dev/null 2>&1; then
	not_ok "nobody owns org.stationd1"
else
	ok "nobody owns org.stationd1"
fi
check "no relay line was requested" sh -c "! gpioinfo 2>/dev/null | grep -q '\"stationd\"'"
check "every relay off" station_relays_off
expect_eq "the state directory is unchanged (every file, byte for byte)" "$(state_sums)" "$before"
exit "$scenario_failed"
