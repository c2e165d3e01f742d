#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 16: the fast path. Twelve detectors on one manifold fill at once
# on a station scanned only every 10 s (scan-rate 0.1Hz) with the
# exhaust sampling of running fills at 100 Hz (exhaust-sample-rate), the
# real drivers and the real daemon, ln2-plant at 60x. The dewars start at
# levels 0.35 (detector 1) to 0.90 (detector 12), so LN2 reaches their
# exhausts half a second apart, fullest first: far closer than a scan.
# With the fast path every valve closes at its own crossing, so the
# plant's valve log shows them closing 12, 11, ... 1, and every dewar
# full; the scan alone would close those crossed within one 10 s period
# together, in the scan's order (1, 2, ...), and the purge would end only
# at a scan. All twelve valves are open together; every fill ends "full";
# no fault; the station is idle afterwards.
# timeout: 180
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-fast-fill

{
	station_conf_head 5min | sed -e 's/^\tscan-rate 10Hz$/\tscan-rate 0.1Hz\n\texhaust-sample-rate 100Hz/'
	crate_manifold A 12 12 7 60s 2s
	for d in $(seq 1 12); do
		station_conf_detector "$d" A "xvme0-0c00:$((d - 1))" "xvme0-0800:$((d - 1))" \
			"xvme0-0400:port$(((d - 1) / 8 + 1)).$(((d - 1) % 8))" 60s 2s
	done
} >"$work/station.conf"

scenario_station_up "the station (12 detectors on manifold A, scan every 10 s) comes up" \
	-c "$work/station.conf" -s 60 -d /run/stationd-fast-fill

dump=$("$(station_prog stationd-compile)" dump "$STATION_DATABASE" 2>&1)
check "the compiled station scans at 0.1Hz" grep -q "scan-rate 0.100Hz" <<<"$dump"
check "  ... and samples running fills at 100Hz" grep -q "exhaust-sample-rate 100Hz" <<<"$dump"

scenario_monitor

# plant_ask_all <command>...: the commands down the plant's control pipe at
# once, then its replies, one line each in order: one round trip, where
# station_plant_ask makes one per command.
plant_ask_all() {
	local before want
	before=$(wc -l <"$STATION_PLANT_LOG")
	want=$((before + $#))
	printf '%s\n' "$@" >"$STATION_PLANT_CTL"
	wait_for 10 eval '[ "$(wc -l <"$STATION_PLANT_LOG")" -ge "$want" ]' || return 1
	tail -n +$((before + 1)) "$STATION_PLANT_LOG" | head -n $#
}
mapfile -t commands < <(awk 'BEGIN { for (d = 1; d <= 12; d++) printf "level %d %.2f\n", d, 0.30 + 0.05 * d }')
replies=$(plant_ask_all "${commands[@]}")
expect_eq "plant: detectors 1-12 at levels 0.35-0.90" "$(grep -cx ok <<<"$replies")" 12
[ "$(grep -cx ok <<<"$replies")" = 12 ] ||
	paste -d' ' <(printf '%s\n' "${commands[@]}") <(echo "$replies") | sed 's/^/# plant: /'

check "Fill(\"A\", \"\") is accepted" autofill_ok Fill "'A'" "''"
input_closed() { grep -q " close manifold A input$" "$STATION_VALVE_LOG"; }
check "the fill runs and manifold A's input closes again" wait_for 90 input_closed

mapfile -t events < <(awk '$3 ~ /^(open|close)$/ { $1 = ""; $2 = ""; sub(/^  /, ""); print }' \
	"$STATION_VALVE_LOG")
printf '# valve log: %s\n' "${events[@]}"
expect_eq "valve log: all twelve detector valves open before the first closes" \
	"$(printf '%s\n' "${events[@]}" | sed '/^close detector/q' | grep -c '^open detector')" 12
expect_eq "valve log: each closed at its own crossing, fullest first" \
	"$(printf '%s\n' "${events[@]}" | sed -n 's/^close detector //p' | tr '\n' ' ')" \
	"12 11 10 9 8 7 6 5 4 3 2 1 "
check "valve log: the input closed after the last detector" \
	eval "printf '%s\n' \"\${events[@]}\" | tail -n 1 | grep -q '^close manifold A input$'"

# Full when its valve closed: the level now plus what boiled off since
# (ln2-plant's dewar empties by boil-off in 2 simulated days), as
# stationd-fill reckons it.
mapfile -t status < <(plant_ask_all status "status "{1..12})
sim_now=$(sed -n 's/^ok time \([0-9.]*\) s.*/\1/p' <<<"${status[0]}")
full=0
for d in $(seq 1 12); do
	s=${status[d]}
	level=$(sed -n 's/.* level \([0-9.]*\) .*/\1/p' <<<"$s")
	closed=$(awk -v d="$d" '$3 == "close" && $4 == "detector" && $5 == d { t = $2 } END { print t }' \
		"$STATION_VALVE_LOG")
	awk -v l="$level" -v c="${closed:-x}" -v n="${sim_now:-x}" \
		'BEGIN { if (c == "x" || n == "x") exit 1; exit !(l + (n - c) / (2 * 86400) >= 0.99) }' &&
		full=$((full + 1)) || echo "# plant: $s; closed at simulated ${closed:-?} s, now ${sim_now:-?} s"
done
expect_eq "plant: all twelve dewars were full when their valves closed (level >= 0.99)" "$full" 12

all_ended() {
	local d
	for d in $(seq 1 12); do
		fill_ended "$d" full || return 1
	done
}
check "FillEnded \"full\" for each of the twelve" wait_for 20 all_ended
check "no Fault signal" eval "! grep -q '\"member\":\"Fault\"' '$work/monitor.log'"
check "every relay off" wait_for 10 station_relays_off
expect_eq "State back to \"ok\"" "$(station_manager_state)" 's "ok"'
