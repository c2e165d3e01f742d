#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 11: a 1000-detector generated station runs its
# schedule. generate-station -n 1000: 167 manifolds (A..FK) on 105 cards
# in two simulated crates (xvme0, xvme1), scan at 2 Hz. On the bus: an
# object per detector and per manifold (1000 + 167). Six manifolds
# spread over both crates and all kinds of card are preset over D-Bus to
# the next minute; then each of them runs its whole fill (the valve log
# in the spec's order per manifold), all 34 detectors end "full" and
# their dewars full, nothing else moves, and the station returns to "ok".
# The generated presets (one manifold every 4.3 minutes, round the
# clock) are taken out of the configuration first, so that the schedule
# is the one set over D-Bus and nothing else fills meanwhile.
# timeout: 420
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/station-lib.sh"

trap 'station_down >/dev/null' EXIT

# A (first card), Z, BA, CX (the last cards of crate xvme0), EA and FK
# (crate xvme1; FK is the last manifold, with detectors 997-1000).
manifolds="A Z BA CX EA FK"
config=/tmp/stationd-large
mkdir -p "$config" && "$STATIOND_TOP/daemon/examples/generate-station" -n 1000 -o "$config" || exit 1
sed -i '/^\tpreset /d' "$config/station.conf"
t0=$SECONDS
if ! STATION_READY_TIMEOUT=300 station_up -d /run/stationd-large -c "$config/station.conf" -s 60 \
	-p "--rate 10"; then
	not_ok "the generated 1000-detector station comes up"
	exit 1
fi
ok "the generated 1000-detector station comes up ($((SECONDS - t0)) s)"
crates=$(station_crates "$STATION_DATABASE" | wc -l)
expect_eq "its cards are in two crates" "$crates" 2
expect_eq "xvme-sim made 105 cards (crates xvme0 and xvme1)" \
	"$(find /sys/bus/xvme/devices/ -maxdepth 1 -name 'xvme[01]-*' | wc -l)" 105

expect_eq "State reads \"ok\"" "$(station_manager_state)" 's "ok"'

# The members of the six manifolds, from the bus ("au 6 n n n n n n").
declare -A members_of=()
members=()
for m in $manifolds; do
	members_of[$m]=$(station_busctl get-property org.stationd1 "/org/stationd1/manifold/$m" \
		org.stationd1.Manifold Detectors | cut -d' ' -f3-)
	read -r -a list <<<"${members_of[$m]}"
	members+=("${list[@]}")
done
expect_eq "six manifolds, 34 detectors (FK has the last four)" "${#members[@]}" 34

# The preset at the next minute (the one after when less than 15 s of this
# one are left), before the checks of the whole tree: they run while the
# schedule waits for that minute when it is at least 40 s away (a busctl
# tree of 1167 objects takes seconds; it must not load the guest at the
# minute itself, when the fills are timed), after the fills otherwise.
ahead=1
[ "$(date +%-S)" -ge 45 ] && ahead=2
at=$(date -d "+$ahead min" +%H:%M)
at_epoch=$(date -d "$at" +%s)
[ "$at_epoch" -lt "$(date +%s)" ] && at_epoch=$((at_epoch + 86400))
targets=$(tr ' ' , <<<"$manifolds")
out=$(station_busctl call org.stationd1 /org/stationd1/autofill org.stationd1.Autofill \
	Preset sass "$targets" 1 "$at" replace 2>&1)
check "Preset $targets [$at] replace is accepted" test $? = 0
[ -n "$out" ] && echo "# Preset: $out"
expect_eq "detector ${members[-1]} (FK) fills next at $at" \
	"$(station_busctl get-property org.stationd1 "/org/stationd1/detector/${members[-1]}" \
		org.stationd1.Detector NextFillUSec)" "t $((at_epoch * 1000000))"
echo "# six manifolds preset at $at; now $(date +%H:%M:%S)"

tree_checks() {
	local tree
	tree=$(station_busctl tree --list org.stationd1)
	expect_eq "busctl tree: 1000 detector objects" \
		"$(grep -c '^/org/stationd1/detector/[0-9]*$' <<<"$tree")" 1000
	expect_eq "busctl tree: 167 manifold objects" \
		"$(grep -c '^/org/stationd1/manifold/[A-Z]*$' <<<"$tree")" 167
	expect_eq "detector 1000 is on manifold FK" \
		"$(station_busctl get-property org.stationd1 /org/stationd1/detector/1000 \
			org.stationd1.Detector Manifold)" 's "FK"'
	tree_checked=1
}
tree_checked=""
[ $((at_epoch - $(date +%s))) -lt 40 ] || tree_checks

all_inputs_closed() {
	local m
	for m in $manifolds; do
		grep -q " close manifold $m input$" "$STATION_VALVE_LOG" || return 1
	done
}
check "every preset manifold fills and closes its input" \
	wait_for $((at_epoch - $(date +%s) + 150)) all_inputs_closed
started=$(awk '/ open manifold [A-Z]+ input$/ { print int($1); exit }' "$STATION_VALVE_LOG")
check "the first fill started at $at:00 (+3 s)" \
	test "${started:-0}" -ge "$at_epoch" -a "${started:-0}" -le $((at_epoch + 3))
[ -n "$tree_checked" ] || tree_checks

# Per manifold, the spec's order in the valve log.
for m in $manifolds; do
	re=${members_of[$m]// /|}
	order=$(awk -v m="$m" -v re="^($re)\$" '
		$4 == "manifold" && $5 == m { print $3, $6; next }
		$4 == "detector" && $5 ~ re { print $3, "detector" }' "$STATION_VALVE_LOG" |
		uniq | tr '\n' ';')
	expect_eq "manifold $m: input+output open, detectors open, output closed, detectors closed, input closed" \
		"$order" "open input;open output;open detector;close output;close detector;close input;"
done
# Valves outside the six manifolds and their detectors, as "kind name".
strays() {
	awk -v ms=" $manifolds " -v ds=" ${members[*]} " '
		$4 == "manifold" && index(ms, " " $5 " ") == 0 { print $4, $5 }
		$4 == "detector" && index(ds, " " $5 " ") == 0 { print $4, $5 }' "$STATION_VALVE_LOG"
}
expect_eq "no other valve moved" "$(strays | sort -u | head -n 5)" ""

# (one pass over the daemon's log, not one per detector)
ended=$(grep -o 'detector [0-9]*: fill ended: full' "$STATION_DAEMON_LOG" |
	awk -v ds=" ${members[*]} " '{ d = $2; sub(/:$/, "", d) } index(ds, " " d " ") && !seen[d]++ { n++ }
		END { print n + 0 }')
expect_eq "stationd: 34 fills ended \"full\"" "$ended" 34
expect_eq "stationd: 34 fills in all" "$(grep -c ': fill ended' "$STATION_DAEMON_LOG")" 34

# The dewars started at 0.6. At 60x a full one boils off 2 % a minute,
# and the first manifolds were done a while before the last: 0.9 is
# "filled", well clear of both.
# (The 34 status commands down the plant's control pipe at once, then its
# 34 replies, "ok detector <n> level <l> ...": not 34 round trips.)
before=$(wc -l <"$STATION_PLANT_LOG")
printf 'status %s\n' "${members[@]}" >"$STATION_PLANT_CTL"
wait_for 20 eval '[ "$(wc -l <"$STATION_PLANT_LOG")" -ge $((before + ${#members[@]})) ]'
full=$(tail -n +$((before + 1)) "$STATION_PLANT_LOG" | awk -v ds=" ${members[*]} " '
	$1 == "ok" && $2 == "detector" && $4 == "level" && index(ds, " " $3 " ") && $5 >= 0.9 && !seen[$3]++ { n++ }
	END { print n + 0 }')
expect_eq "plant: the 34 dewars filled (level >= 0.9)" "$full" 34
check "every relay off" wait_for 10 station_relays_off
state_ok() { [ "$(station_manager_state)" = 's "ok"' ]; }
check "State back to \"ok\"" wait_for 10 state_ok

if [ -r "/proc/$STATION_DAEMON_PID/status" ]; then
	echo "# stationd: $(grep -E '^VmRSS' "/proc/$STATION_DAEMON_PID/status" | tr -s ' \t' ' ')"
fi
station_stop_daemon
expect_eq "stationd exits 0 on SIGTERM" "$?" 0
if [ "$scenario_failed" != 0 ]; then
	tail -n 30 "$STATION_DAEMON_LOG" | sed 's/^/# stationd: /'
	tail -n 40 "$STATION_VALVE_LOG" | sed 's/^/# valves: /'
fi
exit "$scenario_failed"
