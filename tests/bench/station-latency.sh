#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: vm (loads xvme-sim and the card drivers, runs stationd).
# timeout: 1200
# Benchmark: exhaust crossing -> valve closed, the latency of a running
# stationd, at the scan and on the fast path. One manifold of twelve
# detectors scanned at 10 Hz (closure delays 1 s so fills can follow each
# other), stationd on a private bus, and instead of ln2-plant
# station-latency (tests/bench/station-latency.c) as the plant: it fills
# detectors over D-Bus, writes each exhaust crossing at a random phase of
# the scan and times the relay going off. Three columns:
#   scan path   exhaust-sample-rate 10Hz (no faster than the scan: the fast
#               path is off), one fill at a time; target one scan + 10 ms
#               (issue 5)
#   fast path   exhaust-sample-rate 100Hz (the default), one fill at a time
#   fast, 12    the same, twelve detectors filling at once, crossing one
#               after the other; fast-path target p99 <= 20 ms, max <= 30 ms
#               (issue 16)
# and under each its floor, measured in the same guest during that column
# by a thread of the program: how late a 10 ms sleep wakes up (under TCG
# on a shared host the guest is not always running; that, not stationd,
# is most of the tail). The table gives the latencies in ms and as ratios
# to that floor. Arguments: [fills] per column, default 500.
set -u
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export STATIOND_TOP=$top
# shellcheck source=tests/vm/station-lib.sh
. "$top/tests/vm/station-lib.sh"

fills=${1:-500}
detectors=12
bench=$station_build/bench/station-latency
if [ ! -x "$bench" ]; then
	echo "station-latency: $bench is not built (make bench builds it)" >&2
	exit 1
fi
work=$(mktemp -d /tmp/station-latency.XXXXXX) || exit 1
trap 'station_down >/dev/null 2>&1; rm -rf "$work"' EXIT

# station_conf <exhaust-sample-rate>: the twelve detectors of manifold A on
# one crate: valves on relays 0-11, input 12, output 13; sensors on ADC
# channels 0-11, the manifold's on 12.
station_conf() {
	local d
	cat <<CONF
card 240 @ xvme0-0400
card 260 @ xvme0-0800
card 560 @ xvme0-0c00
station {
	scan-rate 10Hz
	exhaust-sample-rate $1
	backup-interval 5min
	dewar-inhibit xvme0-0400:port7.0
	alarm xvme0-0400:flag0
}
manifold A {
	sensor xvme0-0c00:$detectors
	input-valve xvme0-0800:$detectors
	output-valve xvme0-0800:$((detectors + 1))
	manual-fill-key xvme0-0400:port0.7
	reference 1.5V
	max-fill 60s
	closure-delay 1s
}
CONF
	for d in $(seq 1 $detectors); do
		cat <<CONF
detector $d {
	manifold A
	sensor xvme0-0c00:$((d - 1))
	valve xvme0-0800:$((d - 1))
	bias-shutdown xvme0-0400:port$(((d - 1) / 8 + 1)).$(((d - 1) % 8))
	reference 1.5V
	max-fill 60s
	closure-delay 1s
}
CONF
	done
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

# The kernel's trace, for the profile.
tracing=/sys/kernel/tracing
[ -e "$tracing/trace_marker" ] || tracing=/sys/kernel/debug/tracing

# trace_on <pid>: record, for stationd, each return from the event loop's
# wait (a callback is about to run) and each relay write (GPIO v1
# GPIOHANDLE_SET_LINE_VALUES_IOCTL, 0xc040b409: libgpiod's
# gpiod_line_set_value()), besides the program's markers.
trace_on() {
	local e
	echo 0 >"$tracing/tracing_on" && echo >"$tracing/trace" &&
		echo 8192 >"$tracing/buffer_size_kb" && echo "$1" >"$tracing/set_event_pid" &&
		echo 'cmd == 0xc040b409' >"$tracing/events/syscalls/sys_enter_ioctl/filter" &&
		echo 1 >"$tracing/events/syscalls/sys_enter_ioctl/enable" || return 1
	for e in epoll_wait epoll_pwait epoll_pwait2; do
		[ ! -d "$tracing/events/syscalls/sys_exit_$e" ] ||
			echo 1 >"$tracing/events/syscalls/sys_exit_$e/enable" || return 1
	done
	echo 1 >"$tracing/tracing_on"
}

trace_off() {
	echo 0 >"$tracing/tracing_on"
	echo 0 >"$tracing/events/enable"
	echo 0 >"$tracing/events/syscalls/sys_enter_ioctl/filter"
	echo >"$tracing/set_event_pid"
}

# profile <trace>: per crossing, from the program's "cross D" to its
# "closed D": waiting = until the event loop returned for the callback
# that wrote the relay (the sampling tick, and the guest running
# stationd), callback = from there to the relay write (the conversions),
# relay = the two together, crossing to valve closed as stationd sees it;
# seen = from the relay write to the program seeing the latch (its 0.5
# ms polling). Median, p90, p99, max of each, in ms.
profile() {
	awk '
	function ts(   i) { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) return $i + 0; return -1 }
	function stat(name, a, n,   i, j, t, p, q) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		p = int(n * 0.9); if (p < 1) p = 1
		q = int(n * 0.99); if (q < 1) q = 1
		printf "%-10s %8.2f %8.2f %8.2f %8.2f\n", name, a[int((n + 1) / 2)], a[p], a[q], a[n]
	}
	/tracing_mark_write: station-latency cross/ { cross = ts(); wake = -1; relay = -1; open = 1; next }
	/tracing_mark_write: station-latency closed/ {
		if (open && relay >= 0) {
			n++
			start = wake > cross ? wake : cross
			W[n] = (start - cross) * 1000; C[n] = (relay - start) * 1000
			R[n] = (relay - cross) * 1000
			S[n] = (ts() - relay) * 1000; T[n] = (ts() - cross) * 1000
		}
		open = 0; next
	}
	/sys_epoll_(wait|pwait|pwait2) ->/ { if (relay < 0) last = ts(); next }
	/sys_ioctl\(/ { if (open && relay < 0) { relay = ts(); wake = last }; next }
	END {
		if (n == 0) { print "no crossing traced"; exit 1 }
		printf "%-10s %8s %8s %8s %8s   (ms, %d crossings)\n", "", "median", "p90", "p99", "max", n
		stat("waiting", W, n); stat("callback", C, n); stat("relay", R, n)
		stat("seen", S, n); stat("total", T, n)
	}' "$1"
}

# column <label> <exhaust-sample-rate> <together> [fills [profile]]: one
# station, one run; with "profile" the kernel's trace of it summarized in
# $work/profile.
column() {
	local label=$1 rate=$2 together=$3 n=${4:-$fills} traced=${5:-} out ch markers=""
	station_conf "$rate" >"$work/station.conf"
	# Every exhaust warm before stationd's first scan: the overfull watch
	# (issue 10) would take the converter's idle 0 V for LN2.
	station_up -d /run/station-latency -c "$work/station.conf" --no-plant --no-daemon || return 1
	for ch in $(seq 0 $detectors); do
		echo "$ch 2500" >"$station_plant_root/xvme0-0c00/ain" || return 1
	done
	# shellcheck disable=SC2119 # no extra environment here
	station_start_daemon
	# shellcheck disable=SC2119 # the default timeout
	station_wait_ready || return 1
	if [ -n "$traced" ]; then
		trace_on "$STATION_DAEMON_PID" || { echo "station-latency: no kernel trace" >&2; return 1; }
		markers=$tracing/trace_marker
	fi
	echo "station-latency: $label: command: station-latency xvme0-0800 xvme0-0c00" \
		"$detectors $together $n 100 (exhaust-sample-rate $rate)" >&2
	if ! out=$(STATION_LATENCY_MARKERS=$markers "$bench" xvme0-0800 xvme0-0c00 "$detectors" \
			"$together" "$n" 100); then
		echo "station-latency: $label failed" >&2
		tail -n 20 "$STATION_DAEMON_LOG" >&2
		[ -z "$traced" ] || trace_off
		return 1
	fi
	if [ -n "$traced" ]; then
		trace_off
		cp "$tracing/trace" "$work/trace"
		profile "$work/trace" >"$work/profile" || return 1
	fi
	echo "station-latency: $label: fills ended: $(grep -c 'fill ended: full' "$STATION_DAEMON_LOG")" \
		"full, $(grep -c 'fill ended' "$STATION_DAEMON_LOG") in all" >&2
	station_down >/dev/null 2>&1
	echo "$out"
}

# ratio <ms> <floor lateness ms>: the latency in units of a 10 ms sleep
# as long as it took in the same column (10 ms + its lateness).
ratio() { awk -v a="$1" -v f="$2" 'BEGIN { printf "%.2f", a / (10 + f) }'; }

# verdict <column> <p99 ms> <max ms>: the target in milliseconds, and the
# same in units of the floor (p99 against the floor's p99, max against
# its max), which is what carries over from a loaded TCG guest.
verdict() {
	awk -v p="$(field "$1" p99_ms)" -v m="$(field "$1" max_ms)" \
		-v fp="$(field "$1" floor_p99_ms)" -v fm="$(field "$1" floor_max_ms)" \
		-v tp="$2" -v tm="$3" 'BEGIN {
			ms = (p <= tp && m <= tm) ? "met" : "OVER"
			fl = (p / (10 + fp) <= tp / 10 && m / (10 + fm) <= tm / 10) ? "met" : "OVER"
			printf "%s in ms, %s in floors", ms, fl
		}'
}

row() {
	printf '%-22s %7s %7s %7s %7s %7s %6s %7s %7s  %s\n' "$1" "$(field "$2" median_ms)" \
		"$(field "$2" p90_ms)" "$(field "$2" p99_ms)" "$(field "$2" max_ms)" \
		"$(field "$2" min_ms)" "$(field "$2" fills)" \
		"$(ratio "$(field "$2" p99_ms)" "$(field "$2" floor_p99_ms)")" \
		"$(ratio "$(field "$2" max_ms)" "$(field "$2" floor_max_ms)")" "$3"
}

floor_row() {
	printf '%-22s %7s %7s %7s %7s %7s %6s %7s %7s  %s\n' "  floor (10 ms sleep)" \
		"$(field "$1" floor_median_ms)" "" "$(field "$1" floor_p99_ms)" \
		"$(field "$1" floor_max_ms)" "" "$(field "$1" floor_samples)" "" "" \
		"late by; over $(field "$1" elapsed_s) s"
}

echo "station-latency: $fills crossings per column, $detectors detectors on manifold A, scan period 100 ms"
scan=$(column "scan path" 10Hz 1) || exit 1
fast=$(column "fast path" 100Hz 1) || exit 1
fast12=$(column "fast path, 12 filling" 100Hz "$detectors") || exit 1

echo
echo "exhaust crossing -> valve closed, ms (scan period 100 ms, fast sampling 100 Hz);"
echo "p99/fl, max/fl: in units of the floor, a 10 ms sleep as long as it took in the"
echo "same column (10 ms + the lateness below: p99 against p99, max against max)"
printf '%-22s %7s %7s %7s %7s %7s %6s %7s %7s  %s\n' "" median p90 p99 max min fills p99/fl max/fl target
row "scan path, 1 filling" "$scan" "p99 <= 110 ms = 11 fl ($(verdict "$scan" 110 100000))"
floor_row "$scan"
row "fast path, 1 filling" "$fast" "p99 <= 20 ms = 2 fl, max <= 30 ms = 3 fl ($(verdict "$fast" 20 30))"
floor_row "$fast"
row "fast path, 12 filling" "$fast12" "the same ($(verdict "$fast12" 20 30))"
floor_row "$fast12"

# After the table, so a trace that cannot be taken loses only itself.
traced=$(column "fast path, 12 filling, traced" 100Hz "$detectors" 96 profile) || exit 1
echo
echo "where the time goes: the fast path, 12 filling, again ($(field "$traced" fills) crossings) with"
echo "the kernel's trace of stationd (event-loop returns, relay writes) and the program's markers;"
echo "p99 $(field "$traced" p99_ms) ms, max $(field "$traced" max_ms) ms in this run, its floor p99" \
	"$(field "$traced" floor_p99_ms) ms, max $(field "$traced" floor_max_ms) ms late:"
echo "  waiting   crossing written -> the event loop returns for the callback that closes the"
echo "            valve (half a 10 ms sampling period on average, plus the guest's wake-up)"
echo "  callback  -> the relay write (the conversions of the filling detectors' exhausts)"
echo "  relay     crossing written -> the relay write: stationd's part, the two above"
echo "  seen      relay write -> the program reads the latch off (it polls every 0.5 ms:"
echo "            its own wake-ups, the floor, not stationd)"
cat "$work/profile"

# The verdict, and when the milliseconds miss, why.
relay_p99=$(awk '$1 == "relay" { print $4 }' "$work/profile")
seen_p99=$(awk '$1 == "seen" { print $4 }' "$work/profile")
for c in fast fast12; do
	v=$(verdict "${!c}" 20 30) name="fast path, 1 filling"
	[ $c = fast ] || name="fast path, $detectors filling"
	case $v in
	"met in ms"*) echo "station-latency: $name: the fast path's target is met ($v)" ;;
	*"met in floors")
		echo "station-latency: $name: $v: p99 $(field "${!c}" p99_ms) ms, max $(field "${!c}" max_ms) ms," \
			"while a 10 ms sleep of the same run ends late by p99 $(field "${!c}" floor_p99_ms) ms," \
			"max $(field "${!c}" floor_max_ms) ms: the guest's late wake-ups (stationd's timer," \
			"the driver's sleep in each conversion, the program's polling; in the trace" \
			"crossing -> relay write p99 $relay_p99 ms, relay -> seen p99 $seen_p99 ms)" ;;
	*) echo "station-latency: $name: the fast path's target is missed ($v): see where the time goes above" ;;
	esac
done
