#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (loads xvme-sim and the card drivers, runs stationd).
# timeout: 1500
# Benchmark: what stationd costs while it runs a station (issue 5):
# CPU (user+system, from /proc/<pid>/stat) as a share of one core, and
# memory (VmRSS, VmHWM from /proc/<pid>/status), over a window, for
#   the 72-detector example at its 10 Hz scan, and
#   a generated 1000-detector station (two crates) at its 2 Hz scan,
# each on the simulated crate with ln2-plant running (sensor noise makes
# every exhaust reading change at every scan; ExhaustVolts is republished
# only past its 20 mV deadband, so an idle station emits next to no
# PropertiesChanged), and the 1000 again without noise to show what
# noisy readings still cost. The PropertiesChanged signals stationd
# emits are counted over 10 s before each window (busctl monitor, not
# running during the window).
# Issue 16, the fast path (exhaust-sample-rate), before and after in the
# same run: the 72- and the 1000-detector station idle with the fast
# path off (exhaust-sample-rate no faster than the scan: what stationd
# did before) and on (100 Hz, the default): an idle station has nothing
# to sample fast, so the two must cost the same. Then the 72 while
# twelve of its detectors fill (ln2-plant at 10x, dewars at 0.2: the
# fills outlast the window), off and on: what sampling twelve exhausts at
# 100 Hz costs. Each window also counts stationd's context switches
# (its wake-ups), and the three pairs end in a table of on/off ratios.
# Targets for 1000 detectors: < 5 % of one core, < 16 MB. Under QEMU TCG
# the CPU share is much higher than on real hardware: the floor printed
# with it (a shell's busy loop of 10^5 iterations, timed in the same
# guest) lets runs be compared. Arguments: [seconds], default 60.
set -u
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export STATIOND_TOP=$top
# shellcheck source=tests/vm/station-lib.sh
. "$top/tests/vm/station-lib.sh"

window=${1:-60}
hz=$(getconf CLK_TCK)


# cpu_ticks <pid>: utime + stime (fields 14 and 15 of /proc/<pid>/stat);
# user_ticks <pid>: utime alone. The split matters under TCG: the system
# part is mostly the XVME-560 driver's sleep per conversion (one sysfs
# read per exhaust sensor per scan), whose context switches emulation
# makes far dearer than hardware does; the user part is stationd's own
# code (engine, bus, backups).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
user_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 }'; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# switches <pid>: its context switches, voluntary and not, summed over its
# threads: how often stationd wakes up, which the host's load does not
# change the way it changes the CPU share under TCG.
switches() {
	cat "/proc/$1"/task/*/status |
		awk '$1 ~ /^(non)?voluntary_ctxt_switches:$/ { n += $2 } END { print n }'
}

floor_ms() {
	local t0 t1 i=0
	t0=$(date +%s%N)
	while [ $i -lt 100000 ]; do i=$((i + 1)); done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

work=$(mktemp -d /tmp/station-load.XXXXXX) || exit 1
trap 'station_down >/dev/null 2>&1; rm -rf "$work"' EXIT

# generated <detectors> <exhaust-sample-rate>: a generated station with
# that sampling rate; prints its configuration's path.
generated() {
	local dir=$work/gen-$1-$2
	mkdir -p "$dir" && "$top/daemon/examples/generate-station" -n "$1" -o "$dir" >/dev/null &&
		sed -i "s/^\(\s*\)scan-rate \(.*\)$/&\n\1exhaust-sample-rate $2/" "$dir/station.conf" &&
		echo "$dir/station.conf"
}

# fill_twelve: FILL 1-12 and wait until the twelve valves are open (the
# purges are over): the window then sees them filling.
fill_twelve() {
	station_busctl call org.stationd1 /org/stationd1/autofill org.stationd1.Autofill \
		Fill ss 1-12 "" >/dev/null || return 1
	for _ in $(seq 1 120); do
		[ "$(station_busctl get-property org.stationd1 /org/stationd1/autofill \
			org.stationd1.Autofill FillingCount)" = "u 12" ] && return 0
		sleep 1
	done
	return 1
}

# measure [--fill] <label> <target text> <station_up args...>
measure() {
	local fill="" label target pid c0 c1 u0 u1 w0 w1 t0 t1 pct upct wps scans signals
	[ "$1" = --fill ] && { fill=1; shift; }
	label=$1 target=$2
	shift 2
	if ! STATION_READY_TIMEOUT=300 station_up -d /run/station-load "$@"; then
		echo "station-load $label: the station did not come up" >&2
		return 1
	fi
	pid=$STATION_DAEMON_PID
	sleep 5	# start-up done, first PropertiesChanged storm over
	if [ -n "$fill" ] && ! fill_twelve; then
		echo "station-load $label: the twelve fills did not start" >&2
		return 1
	fi
	signals=$(timeout 10 busctl --address="$STATION_BUS_ADDRESS" monitor \
		--match "type='signal',member='PropertiesChanged'" 2>/dev/null |
		grep -c 'Member=PropertiesChanged')
	echo "station-load $label: $signals PropertiesChanged in 10 s"
	c0=$(cpu_ticks "$pid") u0=$(user_ticks "$pid") w0=$(switches "$pid") t0=$(date +%s%N)
	sleep "$window"
	c1=$(cpu_ticks "$pid") u1=$(user_ticks "$pid") w1=$(switches "$pid") t1=$(date +%s%N)
	wps=$(awk -v w=$((w1 - w0)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", w / (ns / 1e9) }')
	upct=$(awk -v c=$((u1 - u0)) -v hz="$hz" -v ns=$((t1 - t0)) \
		'BEGIN { printf "%.2f", 100 * c / hz / (ns / 1e9) }')
	pct=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) \
		'BEGIN { printf "%.2f", 100 * c / hz / (ns / 1e9) }')
	rate=$(awk '$1 == "scan-rate" { sub(/Hz/, "", $2); print $2 }' \
		<("$(station_prog stationd-compile)" dump "$STATION_DATABASE"))
	scans=$(awk -v r="$rate" -v ns=$((t1 - t0)) 'BEGIN { print int(r * ns / 1e9) }')
	echo "station-load $label: CPU $pct % of one core (user $upct %) over $(((t1 - t0) / 1000000000)) s" \
		"($((c1 - c0)) ticks at $hz Hz, $(awk -v c=$((c1 - c0)) -v hz="$hz" -v s="$scans" \
			'BEGIN { printf "%.2f", 1000 * c / hz / s }') ms per scan over $scans scans);" \
		"VmRSS $(status_kb "$pid" VmRSS) kB, VmHWM $(status_kb "$pid" VmHWM) kB;" \
		"$wps context switches/s; target $target"
	last_pct=$pct last_upct=$upct last_wps=$wps
	station_stop_daemon || echo "station-load $label: stationd exited with status $?" >&2
	station_down >/dev/null 2>&1
}

echo "station-load: floor: a 10^5-iteration shell loop takes $(floor_ms) ms in this guest"
# Issue 16: before/after, idle, then twelve filling.
c72off=$(generated 72 10Hz) && c72on=$(generated 72 100Hz) &&
	c1000off=$(generated 1000 2Hz) && c1000on=$(generated 1000 100Hz) || exit 1
# after_before <label> <before %> <after %> <before user %> <after user %>
#   <before switches/s> <after switches/s>
after_before() {
	printf '%-28s %6s %6s %5s  %6s %6s %5s  %7s %7s %5s\n' "$1" "$2" "$3" "$(on_off "$3" "$2")" \
		"$4" "$5" "$(on_off "$5" "$4")" "$6" "$7" "$(on_off "$7" "$6")"
}
on_off() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
measure "72 idle, fast path off" "(before)" -c "$c72off" -s 60 || exit 1
i72off=$last_pct u72off=$last_upct w72off=$last_wps
measure "72 idle, fast path on" "same as off" -c "$c72on" -s 60 || exit 1
i72on=$last_pct u72on=$last_upct w72on=$last_wps
measure "1000 idle, fast path off" "(before)" -c "$c1000off" -s 60 -p "--rate 10" || exit 1
i1000off=$last_pct u1000off=$last_upct w1000off=$last_wps
# The generated 1000 at its 2 Hz scan with the default 100 Hz sampling:
# issue 5's row as well.
measure "1000 idle, fast path on" "same as off; < 5 % of one core, < 16384 kB" -c "$c1000on" \
	-s 60 -p "--rate 10" || exit 1
i1000on=$last_pct u1000on=$last_upct w1000on=$last_wps
measure --fill "72, 12 filling, fast path off" "(for comparison)" -c "$c72off" -s 10 \
	-p "--level 0.2" || exit 1
f72off=$last_pct uf72off=$last_upct wf72off=$last_wps
measure --fill "72, 12 filling, fast path on" "(printed)" -c "$c72on" -s 10 -p "--level 0.2" || exit 1
f72on=$last_pct uf72on=$last_upct wf72on=$last_wps
echo
echo "station-load: the fast path (issue 16), off (before) and on (after): CPU % of one core,"
echo "its user part, and context switches per second (stationd's wake-ups, which the host's"
echo "load does not inflate as it does the CPU share under TCG):"
printf '%-28s %6s %6s %5s  %6s %6s %5s  %7s %7s %5s\n' "" "CPU" "" on/off "user" "" on/off \
	"cs/s" "" on/off
printf '%-28s %6s %6s %5s  %6s %6s %5s  %7s %7s %5s\n' "" off on "" off on "" off on ""
after_before "72 idle (target on/off 1)" "$i72off" "$i72on" "$u72off" "$u72on" "$w72off" "$w72on"
after_before "1000 idle (target on/off 1)" "$i1000off" "$i1000on" "$u1000off" "$u1000on" \
	"$w1000off" "$w1000on"
after_before "72, 12 filling (printed)" "$f72off" "$f72on" "$uf72off" "$uf72on" "$wf72off" "$wf72on"
echo
measure "72 detectors at 10 Hz" "(none; for scale)" -s 60 || exit 1
# The same without sensor noise: readings that do not change emit no
# PropertiesChanged, so the difference is what publishing them costs.
measure "1000 detectors at 2 Hz, no sensor noise" "(for comparison)" -n 1000 -s 60 \
	-p "--rate 10 --noise 0" || exit 1
echo "station-load: floor: a 10^5-iteration shell loop takes $(floor_ms) ms in this guest"
