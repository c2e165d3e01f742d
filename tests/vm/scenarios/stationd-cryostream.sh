#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Oxford Cryostream link in the full daemon (issue 6): the simulated
# station (station-lib.sh, the example station) with two cryostream-sim
# controllers on this
# host, numbers 411 and 369, configured by number; Cool through busctl
# until the simulator's gas and the properties reach the target; bad
# arguments and unprivileged callers refused with nothing sent (the
# simulator's command counter); silence -> Connected=false and a Fault,
# then recovery; corrupt packets counted by reason and nothing else
# changed; History; the complete interface in busctl introspect. Then a
# second start with one controller configured as number 0, taken from the
# first packet, and a conflict Fault when a second controller appears.
# timeout: 300
# shellcheck disable=SC2317,SC2016 # helpers run through check, wait_for and eval
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/station-lib.sh"

work=$(mktemp -d /tmp/stationd-cryostream.XXXXXX)
chmod 0755 "$work"	# the bus socket is below it: nobody must reach it
sims="" monitor=""
cleanup() {
	local p
	for p in $sims $monitor; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	station_down >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

I=org.stationd1.Cryostream
CS0=/org/stationd1/cryostream/CS0
CS1=/org/stationd1/cryostream/CS1
# The simulated station (the 72-detector example, included) with the
# Cryostreams; the silence timeout is long enough for the corrupt-packet
# checks to run inside one silence of the simulator, and short enough to
# wait for.
station_conf() {
	cat <<EOF
include "$STATIOND_TOP/daemon/examples/station.conf"
cryostream-link { silence-timeout 8s; command-timeout 5s }
EOF
	cat
}
station_conf >"$work/two.conf" <<EOF
cryostream CS0 { number 411; address 127.0.0.2 }
cryostream CS1 { number 369 }
EOF
station_conf >"$work/only.conf" <<EOF
cryostream Only { number 0 }
EOF

# start_sim <name> <number> <address>: a simulator fed from a FIFO (kept
# open here as fd 7/8/9...), its output in $work/<name>.out. Speed 1500:
# a cool-down from room temperature to 120 K takes about a second.
start_sim() {
	local name=$1 fifo=$work/$1.in
	mkfifo "$fifo"
	"$(station_prog cryostream-sim)" -n "$2" -b "$3" -t 127.0.0.1 -s 1500 \
		<"$fifo" >"$work/$name.out" 2>&1 &
	sims="$sims $!"
	eval "exec {fd_$name}>\"$fifo\""
}
sim() { local fd="fd_$1"; echo "$2" >&"${!fd}"; }
# sim_state <name> <field>: a field of a fresh "status" line of the
# simulator (gas, sent, valid, commands, refused ...)
states() { grep -c '^state ' "$work/$1.out"; }
sim_state() {
	local name=$1 before
	before=$(states "$name")
	sim "$name" status
	# (eval runs inside wait_for: its own $1, our locals)
	wait_for 5 eval '[ "$(states "$name")" -gt "$before" ]' || return 1
	grep '^state ' "$work/$name.out" | tail -n 1 | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"
}
sim_counter() { sim_state "$1" "$2"; }
sim_gas() { sim_state "$1" gas; }

get() { station_busctl get-property org.stationd1 "$1" $I "$2" 2>/dev/null; }
# near <value> <target> <tolerance>
near() { awk -v v="$1" -v t="$2" -v e="$3" 'BEGIN { d = v - t; exit !(d <= e && d >= -e) }'; }
prop_near() { local v; v=$(get "$1" "$2") || return 1; near "${v#d }" "$3" "$4"; }

if ! station_up -c "$work/two.conf" -s 60 -p "--noise 0" -d "$work/run" 2>"$work/up.err"; then
	not_ok "the simulated station with two cryostreams comes up"
	sed 's/^/# /' "$work/up.err"
	exit 1
fi
ok "the simulated station with two cryostreams comes up"

start_sim sim411 411 127.0.0.2
start_sim sim369 369 127.0.0.3
check "simulators 411 (127.0.0.2) and 369 (127.0.0.3) run on one host" \
	wait_for 10 eval 'grep -q ^ready "$work/sim411.out" && grep -q ^ready "$work/sim369.out"'

check "CS0 connected" wait_for 15 eval '[ "$(get $CS0 Connected)" = "b true" ]'
check "CS1 connected" wait_for 15 eval '[ "$(get $CS1 Connected)" = "b true" ]'
expect_eq "CS0 is controller 411" "$(get $CS0 ControllerNumber)" "q 411"
expect_eq "CS1 is controller 369 (packets of the other ignored)" "$(get $CS1 ControllerNumber)" "q 369"
expect_eq "CS1's commands go where its packets come from" "$(get $CS1 CommandAddress)" \
	's "127.0.0.3:30305"'
expect_eq "enumerations as name: RunModeName" "$(get $CS0 RunModeName)" 's "Run"'
check "GasTemperature starts at room temperature" prop_near $CS0 GasTemperature 294 1

intro=$(station_busctl introspect --list org.stationd1 $CS0 2>&1)
for name in Cool Ramp Plat Hold End Purge Pause Resume Stop Turbo Restart History \
	Fault GasTemperature SetPoint TargetTemperature PhaseName AlarmName GasFlow \
	BackPressure LN2Level Connected ControllerNumber PacketsReceived PacketsRejected; do
	grep -q "^\.$name " <<<"$intro" || missing="${missing:-} $name"
done
expect_eq "introspect: the interface has the commands, History, Fault and the properties" \
	"${missing:-}" ""
check "introspect: Cool takes d, History u -> a(tddd)" eval \
	'grep -q "^\.Cool *method *d " <<<"$intro" && grep -q "^\.History *method *u *a(tddd)" <<<"$intro"'
xml_props=$(sed -n 's/.*<property name="\([A-Za-z0-9]*\)".*/\1/p' \
	"$STATIOND_TOP/dbus/org.stationd1.Cryostream.xml" | sort)
bus_props=$(awk '$2 == "property" { sub(/^\./, "", $1); print $1 }' <<<"$intro" | sort)
expect_eq "introspect: exactly the properties of dbus/org.stationd1.Cryostream.xml" \
	"$bus_props" "$xml_props"

# ---- commands
commands_before=$(sim_counter sim411 commands)
denied=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl \
	--address="$STATION_BUS_ADDRESS" call org.stationd1 $CS0 $I Cool d 150 2>&1)
check "nobody's Cool is refused with AccessDenied" grep -qi "access denied" <<<"$denied"
grep -qi "access denied" <<<"$denied" || echo "# nobody's Cool got: ${denied//$'\n'/ }"
bad=$(station_busctl call org.stationd1 $CS0 $I Cool d 5000 2>&1)
check "Cool 5000 K: InvalidArgs naming the device maximum" grep -q "above the device maximum 400.00 K" <<<"$bad"
bad=$(station_busctl call org.stationd1 $CS0 $I Ramp dd 2.5 200 2>&1)
check "Ramp at 2.5 K/h: refused, the wire takes whole K/h" grep -q "not a whole number" <<<"$bad"
bad=$(station_busctl call org.stationd1 $CS0 $I Plat u 0 2>&1)
check "Plat 0 min: refused" grep -q "Call failed" <<<"$bad"
bad=$(station_busctl call org.stationd1 $CS0 $I End d 0 2>&1)
check "End at 0 K/h: refused" grep -q "Call failed" <<<"$bad"
sleep 1.5	# anything sent would have arrived
expect_eq "nothing reached the simulator (its command counter)" \
	"$(sim_counter sim411 commands)" "$commands_before"

gdbus monitor --address "$STATION_BUS_ADDRESS" --dest org.stationd1 >"$work/monitor.log" 2>&1 &
monitor=$!
sleep 0.5
start=$SECONDS
reply=$(station_busctl --timeout=20 call org.stationd1 $CS0 $I Cool d 120.0 2>&1)
rc=$?
expect_eq "Cool 120.0 returns once a status packet confirms it" "$rc:$reply" "0:"
echo "# Cool confirmed after $((SECONDS - start)) s"
expect_eq "the simulator got exactly one command" "$(sim_counter sim411 commands)" \
	"$((commands_before + 1))"
check "TargetTemperature reads 120 K" prop_near $CS0 TargetTemperature 120 0.001
check "the simulator's gas converges to 120 K" wait_for 30 eval \
	'near "$(sim_gas sim411)" 120 0.05'
check "GasTemperature follows to 120 K" wait_for 10 prop_near $CS0 GasTemperature 120 0.05
check "PropertiesChanged carried GasTemperature and SetPoint" eval \
	'grep -q "cryostream/CS0.*PropertiesChanged.*GasTemperature" "$work/monitor.log" &&
	 grep -q "cryostream/CS0.*PropertiesChanged.*SetPoint" "$work/monitor.log"'
check "CS1 was not touched (still at room temperature)" prop_near $CS1 GasTemperature 294 1
history=$(station_busctl call org.stationd1 $CS0 $I History u 60)
samples=$(awk '{ print $2 }' <<<"$history")
last_gas=$(awk '{ print $(NF - 2) }' <<<"$history")
echo "# History 60: $samples samples, the last gas temperature $last_gas K"
check "History 60 s: samples of gas, set point and flow, the last at 120 K" eval \
	'[ "$samples" -ge 5 ] && near "$last_gas" 120 0.05'
reply=$(station_busctl --timeout=20 call org.stationd1 $CS1 $I Turbo b true 2>&1)
expect_eq "Turbo on CS1 (address from its packets) is confirmed" "$?:$reply" "0:"
expect_eq "TurboMode of CS1 reads true" "$(get $CS1 TurboMode)" "b true"

# ---- corrupt packets: counted, nothing else changes
sim sim411 "silence 0"
sleep 1.2
mapfile -t steady < <(awk '$2 == "property" && $1 !~ /^\.Packets/ {
	sub(/^\./, "", $1); print $1 }' <<<"$intro")
allprops() { station_busctl get-property org.stationd1 $CS0 $I "${steady[@]}"; }
before=$(allprops)
received=$(get $CS0 PacketsReceived)
expect_eq "every intact packet the simulator sent was received" "$received" \
	"t $(sim_counter sim411 valid)"
sim sim411 "corrupt-now 3"
check "3 corrupt packets counted in PacketsRejected" wait_for 2 eval \
	'[ "$(get $CS0 PacketsRejected)" = "t 3" ]'
check "... by reason: checksum 3" grep -q '"checksum" 3' <<<"$(get $CS0 PacketsRejectedByReason)"
expect_eq "... and not as received" "$(get $CS0 PacketsReceived)" "$received"
expect_eq "... and every other property as it was" "$(allprops)" "$before"
sim sim411 resume-status

# ---- silence and recovery
sim sim411 "silence 0"
check "silence: Connected=false" wait_for 15 eval '[ "$(get $CS0 Connected)" = "b false" ]'
check "silence: a Fault signal 'disconnected'" wait_for 5 grep -q \
	"cryostream/CS0: org.stationd1.Cryostream.Fault ('disconnected'" "$work/monitor.log"
check "CS1 stays connected" eval '[ "$(get $CS1 Connected)" = "b true" ]'
sim sim411 resume-status
check "packets again: Connected=true" wait_for 10 eval '[ "$(get $CS0 Connected)" = "b true" ]'
check "PropertiesChanged for Connected both ways" eval \
	'grep -q "CS0.*PropertiesChanged.*Connected.: <false>" "$work/monitor.log" &&
	 grep -q "CS0.*PropertiesChanged.*Connected.: <true>" "$work/monitor.log"'

# ---- an unconfirmed command times out (the simulator ignores commands
# while shut down, as the controller does)
reply=$(station_busctl --timeout=20 call org.stationd1 $CS0 $I Stop 2>&1)
expect_eq "Stop is confirmed (run mode Shutdown OK)" "$?:$reply" "0:"
station_busctl --timeout=20 call org.stationd1 $CS0 $I Hold >"$work/hold.out" 2>&1 &
hold=$!
sleep 1
check "while Hold waits for its confirmation, the daemon answers others" eval \
	'kill -0 $hold 2>/dev/null && [ "$(get $CS1 Connected)" = "b true" ] && kill -0 $hold'
wait $hold
check "Hold while shut down: org.stationd1.Error.Timeout after the command timeout" \
	grep -q "no status packet confirmed hold within 5 s" "$work/hold.out"
check "the journal (stderr here) names the unconfirmed command" \
	grep -q "CS0: hold not confirmed within 5 s" "$STATION_DAEMON_LOG"

# ---- number 0: the only controller, taken from the first packet
kill $monitor 2>/dev/null
wait $monitor 2>/dev/null
monitor=""
sim sim369 "silence 0"
station_stop_daemon
STATION_CONFIG=$work/only.conf
station_start_daemon
check "second start: one cryostream configured as number 0" station_wait_ready 60
ONLY=/org/stationd1/cryostream/Only
check "number 0: connected to the only controller broadcasting" \
	wait_for 15 eval '[ "$(get $ONLY Connected)" = "b true" ]'
expect_eq "number 0: ControllerNumber taken from the first packet" \
	"$(get $ONLY ControllerNumber)" "q 411"
expect_eq "number 0: ConfiguredNumber stays 0" "$(get $ONLY ConfiguredNumber)" "q 0"
gdbus monitor --address "$STATION_BUS_ADDRESS" --dest org.stationd1 >"$work/monitor0.log" 2>&1 &
monitor=$!
sleep 0.5
sim sim369 resume-status
check "a second controller appears: Fault 'conflict'" wait_for 10 grep -q \
	"cryostream/Only: org.stationd1.Cryostream.Fault ('conflict', 'controller 369" "$work/monitor0.log"
check "... counted in Conflicts, and 411 stays the one" eval \
	'[ "$(get $ONLY Conflicts)" != "t 0" ] && [ "$(get $ONLY ControllerNumber)" = "q 411" ]'

station_stop_daemon
expect_eq "stationd stops cleanly" "$?" 0
exit "$scenario_failed"
