#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs on: host (no kernel module is involved: stationd runs with its
# cards missing, which it tolerates, on a private system-type bus).
# Benchmark: Cryostream status packet arrival -> PropertiesChanged on the
# bus, median and p99, from tests/bench/cryo-latency.c, which sends the
# packets (as controller 411 from 127.0.0.2) and receives the signals;
# with the Peer.Ping round trip to stationd of the same run as the floor.
#
# Arguments: [samples], default 2000.
set -u
top=${STATIOND_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${STATIOND_BUILD:-$top/build}
. "$top/tests/vm/station-lib.sh"
samples=${1:-2000}
bench=$build/bench/cryo-latency
for p in "$bench" "$build/bin/stationd"; do
	if [ ! -x "$p" ]; then
		echo "cryo-latency: $p is not built (make bench builds it)" >&2
		exit 1
	fi
done

dir=$(mktemp -d /tmp/cryo-latency.XXXXXX) || exit 1
bus_pid="" daemon=""
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	[ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# A port of our own: other programs on this host may use 30304.
port=$((40000 + $$ % 20000))
cat >"$dir/station.conf" <<CONF
card 240 @ 0x0400
card 260 @ 0x0800
card 560 @ 0x0c00
station {
	scan-rate 10Hz
	backup-interval 5min
	dewar-inhibit 0x0400:port7.0
	alarm 0x0400:flag0
}
manifold A { sensor 0x0c00:6; input-valve 0x0800:6; output-valve 0x0800:7; manual-fill-key 0x0400:port0.6; reference 1.5V; max-fill 5min; closure-delay 30s }
detector 1 { manifold A; sensor 0x0c00:0; valve 0x0800:0; bias-shutdown 0x0400:port0.0; reference 1.5V; max-fill 20min; closure-delay 60s }
cryostream-link { status-port $port }
cryostream CS0 { number 411; address 127.0.0.2 }
CONF
station_bus_spawn "$dir" || exit 1
bus_pid=$(cat "$dir/bus.pid")
export DBUS_SYSTEM_BUS_ADDRESS
DBUS_SYSTEM_BUS_ADDRESS=$(cat "$dir/bus.addr")
"$build/bin/stationd" -c "$dir/station.conf" -s "$dir/state" 2>"$dir/stationd.log" &
daemon=$!
for _ in $(seq 100); do
	busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" get-property org.stationd1 \
		/org/stationd1/cryostream/CS0 org.stationd1.Cryostream Connected >/dev/null 2>&1 && break
	sleep 0.1
done

if ! out=$("$bench" 127.0.0.2 "$port" 411 /org/stationd1/cryostream/CS0 "$samples"); then
	echo "cryo-latency: failed: $out" >&2
	tail -n 5 "$dir/stationd.log" >&2
	exit 1
fi
field() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<<"$out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
med=$(field median_us) p99=$(field p99_us) pmed=$(field ping_median_us) pp99=$(field ping_p99_us)
echo "cryo-latency: packet -> PropertiesChanged median $med us, p99 $p99 us over $(field samples) packets"
echo "cryo-latency: floor (Peer.Ping to stationd) median $pmed us, p99 $pp99 us; latency $(ratio "$med" "$pmed") x floor (median), $(ratio "$p99" "$pp99") x (p99)"
