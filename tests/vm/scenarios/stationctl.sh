#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stationctl(1) against the real daemon on the simulated station (issue
# 14): every verb, with its exit status (the LSB codes of stationctl(1))
# and its output checked against what the bus and the plant say:
#  - status, list-detectors, list-manifolds, list-cards, show of a
#    detector, a manifold and a card, each also as --json parsed back;
#  - fill (now, at HH:MM, refused while filling), preset (replace, --add,
#    --clear), delay, avoid, unavoid, cancel (a running fill, an explicit
#    fill time) and clear (an underfull made by a stuck valve): each
#    changes what it should, on the bus and in the plant;
#  - several targets (a manifold, a range, all) are refused without
#    --yes and without a terminal, and changed nothing; answered "no" on
#    a terminal they change nothing; with --yes they act;
#  - bad arguments exit 2 naming the bad part; unknown objects exit 5;
#    nobody exits 4; no daemon: status exits 3, the others 7;
#  - history after three fills of detector 1 (string method, typed
#    FillDetectors, typed FillManifolds), with its plot and as JSON;
#    FillHistory of the detector and of the Autofill (since a time);
#  - the typed methods (Fill/Preset/Delay/Avoid/Unavoid/Cancel/Clear
#    Detectors and Manifolds) over busctl, and their refusals;
#  - the per-object signals: FillStarted/FillEnded/Fault on the
#    detector's and the manifold's object, with object paths;
#  - monitor, in text and as JSON lines, saw the fills and the fault;
#  - cryostream CS0 status and cool against cryostream-sim.
# (The card objects and list-cards: stationd-card-objects.)
# timeout: 800
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationctl

# Two manifolds: A (detectors 1-3) and B (4, 5) on the three cards of
# the crate, and Cryostream CS0. Detector 5 has a short maximum fill
# time: with its valve stuck closed it ends underfull in 8 s.
{
	station_conf_head 5min
	crate_manifold A 8 8 6 30s 2s
	crate_manifold B 10 10 7 30s 2s
	crate_detector 1 A 0 60s 3s
	crate_detector 2 A 1 60s 3s
	crate_detector 3 A 2 60s 3s
	crate_detector 4 B 3 60s 3s
	crate_detector 5 B 4 8s 3s
	echo "cryostream CS0 { number 411; address 127.0.0.2 }"
} >"$work/station.conf"

# Outside $work (mode 0700): nobody must reach the bus socket. An empty
# dewar fills in 20 s (1200 simulated s at 60x): a fill is still running
# when the scenario acts on it. The fills that are only waited for start
# from a dewar 90 % full: 2 s of plant time each.
scenario_station_up "the station (crate, drivers, ln2-plant, cryostream-sim, bus, stationd) comes up" \
	-c "$work/station.conf" -s 60 -d /run/stationd-stationctl -p "--noise 0 --detector-fill 1200" \
	--cryostream-sim
scenario_monitor
json_server

A=/org/stationd1/autofill
AF=org.stationd1.Autofill
D=org.stationd1.Detector
M=org.stationd1.Manifold

bus() { station_busctl "$@" 2>&1; }
dprop() { prop "/org/stationd1/detector/$1" $D "$2"; }
dprop_is() { [ "$(dprop "$1" "$2")" = "$3" ]; }
# What any command could change, for every detector and manifold, from
# one GetManagedObjects (one line per property: path, name, value).
run_state() {
	local out
	out=$(station_busctl --json=short call org.stationd1 /org/stationd1 \
		org.freedesktop.DBus.ObjectManager GetManagedObjects)
	json '"\n".join(" ".join(map(str, (path, name, properties[name]["data"])))
		for path in sorted(j["data"][0])
		for interface, properties in sorted(j["data"][0][path].items())
		for name in ("Status", "NextFillTimestamp", "DelayUSec", "Presets", "ValveOpen", "Alarm")
		if name in properties)'
}
# signal <path> <interface> <member> <payload regex>: busctl monitor saw it
signal() {
	grep "\"path\":\"$1\",\"interface\":\"$2\",\"member\":\"$3\"" "$work/monitor.log" |
		grep -qE "\"payload\":\{$4"
}
ended_count() {
	grep -c "\"path\":\"$A\",\"interface\":\"$AF\",\"member\":\"FillEnded\",\"payload\":{\"type\":\"utttsd\",\"data\":\[$1,[0-9]*,[0-9]*,[0-9]*,\"$2\"" \
		"$work/monitor.log"
}
ended_count_is() { [ "$(ended_count "$1" "$2")" = "$3" ]; }
relay_of_detector_off() { ! relay_on $(($1 - 1)); }

# stationctl monitor, as text and as JSON lines, for the whole scenario.
stationctl monitor >"$work/ctl-monitor.txt" 2>&1 </dev/null &
scenario_pids+=" $!"
stationctl --json=short monitor >"$work/ctl-monitor.json" 2>&1 </dev/null &
scenario_pids+=" $!"
check "stationctl monitor runs" wait_for 10 grep -q "Monitoring" "$work/ctl-monitor.txt"

# ---------------------------------------------------------------- reading
echo "# at ${SECONDS} s: reading"
ctl_ok "--version exits 0" --version
expect_eq "--version names the Manager's Version" "$out" \
	"stationctl $(prop /org/stationd1 org.stationd1.Manager Version | sed 's/^s "\(.*\)"$/\1/')"
check "CS0 is connected" wait_for 30 eval \
	"[ \"\$(prop /org/stationd1/cryostream/CS0 org.stationd1.Cryostream Connected)\" = 'b true' ]"
ctl_ok "status exits 0" status
version=$(prop /org/stationd1 org.stationd1.Manager Version | sed 's/^s "\(.*\)"$/\1/')
check "status: Version is the Manager's ($version), which GetManagedObjects does not list" \
	out_line "   Version: stationd $version"
check "status: State ok, alarm off, nothing filling, no faults" eval \
	"out_line '     State: ok' && out_line '     Alarm: off' &&
	 out_line '   Filling: 0' && out_line '    Faults: none'"
check "status: 5 detectors on 2 manifolds, CS0 connected" eval \
	"out_has 'Detectors: 5 on 2 manifolds' && out_has '^ +CS0: [0-9.]+ K'"
ctl_ok "--json=short status exits 0" --json=short status
expect_eq "--json status parsed back: State, FillingCount, Faults, CS0" \
	"$(json '[j["State"], j["FillingCount"], j["Faults"], [c["Name"] for c in j["Cryostreams"]]]')" \
	"['ok', 0, [], ['CS0']]"

ctl_ok "list-detectors exits 0" list-detectors
expect_eq "list-detectors: a header, 5 rows, a footer" \
	"$(head -n 1 <<<"$out" | tr -s ' ')|$(grep -cE '^ *[1-5] +[AB] ' <<<"$out")|$(tail -n 1 <<<"$out")" \
	"DETECTOR MANIFOLD EXHAUST VALVE NEXT FILL PRESETS STATUS|5|5 detectors listed."
ctl_ok "--json=pretty list-detectors exits 0" --json=pretty list-detectors
expect_eq "--json list-detectors parsed back: numbers, manifolds, valves" \
	"$(json '[(d["Number"], d["Manifold"], d["ValveOpen"]) for d in j]')" \
	"[(1, 'A', False), (2, 'A', False), (3, 'A', False), (4, 'B', False), (5, 'B', False)]"
ctl_ok "list-cards exits 0" list-cards
ctl_ok "list-manifolds exits 0" --no-legend list-manifolds
expect_eq "list-manifolds: A 1-3 (3), B 4-5 (2), valves closed" \
	"$(awk '{ print $1, $2, $3, $6, $7 }' <<<"$out" | tr '\n' '|')" \
	"A 1-3 (3) closed closed|B 4-5 (2) closed closed|"
ctl_ok "--json list-manifolds exits 0" --json=short list-manifolds
expect_eq "--json list-manifolds parsed back" \
	"$(json '[(m["Name"], m["Detectors"], m["InputValveOpen"]) for m in j]')" \
	"[('A', [1, 2, 3], False), ('B', [4, 5], False)]"

ctl_ok "show 2 exits 0" show 2
check "show 2: detector 2 of manifold A, valve closed, reference 1.500 V" eval \
	"out_line 'Detector 2 (manifold A)' &&
	 out_has '^ +Valve: closed' && out_has 'reference 1.500 V'"
check "show 2: max fill 1min 0s, closure delay 3s" out_line '     Max fill: 1min 0s, closure delay 3s'
ctl_ok "show B exits 0" show B
check "show B: manifold B with detectors 4 5" eval \
	"out_line 'Manifold B' && out_line '    Detectors: 4 5'"
ctl_ok "--json show b (any case) exits 0" --json=short show b
expect_eq "--json show B parsed back" "$(json '[j["Name"], j["Detectors"], j["MaxFillUSec"]]')" \
	"['B', [4, 5], 30000000]"
ctl_exit "show 99: exit 5, names it" 5 '"99" is not a configured detector, manifold or card' show 99

# ---------------------------------------------------------------- bad arguments
echo "# at ${SECONDS} s: bad arguments"
ctl_exit "no command: exit 2" 2 'no command given'
ctl_exit "unknown command: exit 2, named" 2 'unknown command "frobnicate"' frobnicate
ctl_exit "--json=long: exit 2, named" 2 '--json=long: expected short, pretty or off' --json=long status
ctl_exit "fill without targets: exit 2" 2 'fill takes 1 to 2 arguments, 0 given' fill
ctl_exit "fill 1-x: exit 2, the column named" 2 'targets "1-x" at column [0-9]+: ' fill 1-x
ctl_exit "fill 1,,2: exit 2, the column named" 2 'targets "1,,2" at column [0-9]+: ' fill 1,,2
ctl_exit "fill 1 25:00: exit 2, the time named" 2 'fill: time "25:00"' fill 1 25:00
ctl_exit "delay 4 1x: exit 2, the column named" 2 "delay: minutes \"1x\": 'x' at column 2" delay 4 1x
ctl_exit "preset 4 7:0: exit 2, the time named" 2 'preset: time "7:0"' preset 4 7:0
ctl_exit "preset with five times: exit 2" 2 'preset takes 1 to 5 arguments, 6 given' \
	preset 4 01:00 02:00 03:00 04:00 05:00
ctl_exit "--clear outside preset: exit 2" 2 '--add and --clear are options of preset only' --clear fill 1
ctl_exit "cryostream NOPE: exit 5" 5 'cryostream: "NOPE" is not configured' cryostream NOPE
ctl_exit "cryostream CS0 cool abc: exit 2" 2 '"abc" is not a number' cryostream CS0 cool abc
ctl_exit "cryostream CS0 warp: exit 2, the commands listed" 2 '"warp" is not a command' cryostream CS0 warp

# ---------------------------------------------------------------- several targets
echo "# at ${SECONDS} s: several targets"
before=$(run_state)
ctl_exit "fill A without --yes and without a terminal: refused, exit 1" 1 \
	'fill A names 3 detectors: confirm with --yes' fill A
ctl_exit "avoid all without --yes: refused, exit 1" 1 'avoid all names 5 detectors' avoid all
ctl_exit "preset 1,4 without --yes: refused, exit 1" 1 'preset 1,4 names 2 detectors' preset 1,4 06:00
# On a terminal the question is asked; "no" is no.
answer_no() {
	script -qec "stationctl --no-pager $*" /dev/null <<<"no" >"$work/tty.out" 2>&1
}
answer_no avoid B
rc=$?
if [ "$rc" = 1 ] && grep -q 'avoid B names 2 detectors\. Continue? \[yes/no\]' "$work/tty.out"; then
	ok "avoid B on a terminal asks (\"avoid B names 2 detectors. Continue? [yes/no]\"), \"no\": exit 1"
else
	not_ok "avoid B on a terminal asks (\"avoid B names 2 detectors. Continue? [yes/no]\"), \"no\": exit 1"
	echo "#   exit $rc, the terminal showed:"
	sed 's/^/#   | /' "$work/tty.out"
fi
sleep 1
expect_eq "the refused and unconfirmed commands changed nothing" "$(run_state)" "$before"
check "...and no fill started" eval "! grep -q '\"member\":\"FillStarted\"' '$work/monitor.log'"

# ---------------------------------------------------------------- three fills of detector 1
echo "# at ${SECONDS} s: three fills of detector 1"
plant "level 1 0.9"
ctl_ok "fill 1 exits 0" fill 1
check "fill 1: FillStarted of detector 1" wait_for 10 \
	signal $A $AF FillStarted '"type":"ut","data":\[1,'
check "fill 1: detector 1's object signals FillStarted with its manifold's path" wait_for 10 \
	signal /org/stationd1/detector/1 $D FillStarted '"type":"to","data":\[[0-9]+,"/org/stationd1/manifold/A"\]'
check "fill 1: manifold A's object signals FillStarted with the detector's path" \
	signal /org/stationd1/manifold/A $M FillStarted '"type":"ot","data":\["/org/stationd1/detector/1",'
check "fill 1 ends full" wait_for 60 ended_count_is 1 full 1
check "fill 1: detector 1's object signals FillEnded full" \
	signal /org/stationd1/detector/1 $D FillEnded '"type":"tttsd","data":\[[0-9]+,[0-9]+,[0-9]+,"full",'
check "fill 1: manifold A's object signals FillEnded with the detector's path" \
	signal /org/stationd1/manifold/A $M FillEnded '"type":"otttsd","data":\["/org/stationd1/detector/1",[0-9]+,[0-9]+,[0-9]+,"full",'
check "the plant saw detector 1's valve open and close" eval \
	"grep -q ' open detector 1$' '$STATION_VALVE_LOG' && grep -q ' close detector 1$' '$STATION_VALVE_LOG'"
check "every relay off after the fill" wait_for 15 station_relays_off

plant "level 1 0.9"
out=$(bus call org.stationd1 $A $AF FillDetectors autt 1 1 0 0)
expect_eq "typed FillDetectors([1], 0, 0) is accepted" "$out" ""
check "FillDetectors: the second fill of detector 1 ends full" wait_for 60 ended_count_is 1 full 2
check "every relay off after the second fill" wait_for 15 station_relays_off
third_since=$(($(date +%s%N) / 1000))
for d in 1 2 3; do plant "level $d 0.9"; done
out=$(bus call org.stationd1 $A $AF FillManifolds astt 1 A 0 0)
expect_eq "typed FillManifolds([\"A\"], 0, 0) is accepted" "$out" ""
check "FillManifolds: detectors 1, 2, 3 end full (the third fill of 1)" wait_for 60 eval \
	"ended_count_is 1 full 3 && ended_count_is 2 full 1 && ended_count_is 3 full 1"
check "every relay off after the third fill" wait_for 15 station_relays_off

ctl_ok "history 1 exits 0" history 1
expect_eq "history 1: three fills, each full" "$(grep -cE '^1 +[0-9-]+ [0-9:]+ +[0-9a-z ]+ +full +[0-9.]+ V$' <<<"$out")|$(grep -cE '^[0-9]+ ' <<<"$out")" "3|3"
check "history 1: a plot of the durations (three '*' marks)" eval \
	"[ \$(sed -n '/^\$/,\$p' <<<\"\$out\" | tr -cd '*' | wc -c) -ge 3 ]"
ctl_ok "--json history 1 exits 0" --json=short history 1
expect_eq "--json history 1 parsed back: three full fills of detector 1, each with a duration" \
	"$(json '[(f["Detector"], f["Result"], f["DurationUSec"] > 0, f["EndTimestamp"] > f["StartTimestamp"]) for f in j]')" \
	"[(1, 'full', True, True), (1, 'full', True, True), (1, 'full', True, True)]"
ctl_ok "history (every detector) exits 0" --no-legend history
expect_eq "history: 3 fills of 1, one each of 2 and 3" \
	"$(awk '$1 ~ /^[0-9]+$/ && / full / { print $1 }' <<<"$out" | sort | uniq -c | awk '{ print $2 ":" $1 }' | tr '\n' ' ')" \
	"1:3 2:1 3:1 "
# busctl prints a(tttsd) as: a(tttsd) N start end duration "result" volts ...
out=$(bus call org.stationd1 /org/stationd1/detector/1 $D FillHistory u 0)
expect_eq "Detector.FillHistory(0): three records, each full" \
	"$(cut -d' ' -f1-2 <<<"$out") $(grep -o '"[a-z-]*"' <<<"$out" | tr '\n' ' ')" \
	'a(tttsd) 3 "full" "full" "full" '
out=$(bus call org.stationd1 /org/stationd1/detector/1 $D FillHistory u 2)
read -r _ n first_start _ _ _ _ second_start _ <<<"$out"
check "Detector.FillHistory(2): the last two, oldest first" \
	test "$n" = 2 -a "${first_start:-0}" -lt "${second_start:-0}"
out=$(bus call org.stationd1 $A $AF FillHistory t 0)
expect_eq "Autofill.FillHistory(0): five records with the detectors' paths" \
	"$(cut -d' ' -f1-2 <<<"$out") $(grep -o '"/org/stationd1/detector/[0-9]*"' <<<"$out" | sort | tr '\n' ' ')" \
	'a(otttsd) 5 "/org/stationd1/detector/1" "/org/stationd1/detector/1" "/org/stationd1/detector/1" "/org/stationd1/detector/2" "/org/stationd1/detector/3" '
out=$(bus call org.stationd1 $A $AF FillHistory t "$third_since")
expect_eq "Autofill.FillHistory(since the third fill): detectors 1, 2, 3 once" \
	"$(grep -o '"/org/stationd1/detector/[0-9]*"' <<<"$out" | sort | tr '\n' ' ')" \
	'"/org/stationd1/detector/1" "/org/stationd1/detector/2" "/org/stationd1/detector/3" '

# ---------------------------------------------------------------- --yes
echo "# at ${SECONDS} s: --yes"
for d in 2 3; do plant "level $d 0.9"; done
ctl_ok "--yes fill 2-3 exits 0" --yes fill 2-3
check "--yes fill 2-3: both fill again and end full" wait_for 60 eval \
	"ended_count_is 2 full 2 && ended_count_is 3 full 2"
check "every relay off" wait_for 15 station_relays_off

# ---------------------------------------------------------------- preset, delay, cancel
echo "# at ${SECONDS} s: preset, delay, cancel"
P1=$(date -d '+3 hours' +%H:%M) P2=$(date -d '+6 hours' +%H:%M) P3=$(date -d '+9 hours' +%H:%M)
presets_as() {
	local sorted
	sorted=$(printf '"%s"\n' "$@" | sort | tr '\n' ' ')
	echo "as $# ${sorted% }"
}
epoch_of() {
	local e
	e=$(date -d "$1" +%s)
	[ "$e" -lt "$(date +%s)" ] && e=$((e + 86400))
	echo $((e * 1000000))
}
ctl_ok "preset 4 $P1 $P2 exits 0" preset 4 "$P1" "$P2"
expect_eq "Presets of 4 read back" "$(dprop 4 Presets)" "$(presets_as "$P1" "$P2")"
first=$(printf '%s\n' "$(epoch_of "$P1")" "$(epoch_of "$P2")" | sort -n | head -n 1)
expect_eq "NextFillTimestamp of 4 is the first of them" "$(dprop 4 NextFillTimestamp)" "t $first"
ctl_ok "preset --add 4 $P3 exits 0" preset --add 4 "$P3"
expect_eq "Presets merged" "$(dprop 4 Presets)" "$(presets_as "$P1" "$P2" "$P3")"
ctl_ok "delay 4 30 exits 0" delay 4 30
expect_eq "DelayUSec of 4: 30 min" "$(dprop 4 DelayUSec)" "t 1800000000"
expect_eq "NextFillTimestamp of 4: 30 min later" "$(dprop 4 NextFillTimestamp)" "t $((first + 1800000000))"
ctl_ok "show 4 exits 0" show 4
check "show 4: the presets, and the next fill delayed by 30min" eval \
	"out_has 'delayed by 30min 0s' &&
	 out_line '      Presets: $(printf '%s\n' "$P1" "$P2" "$P3" | sort | tr '\n' ' ' | sed 's/ $//')'"
check "Status of 4 carries \"delayed\"" has_status 4 delayed
ctl_ok "cancel 4 exits 0" cancel 4
expect_eq "cancel 4: the delay is dropped" "$(dprop 4 DelayUSec)" "t 0"
check "cancel 4: the delayed fill is cancelled, a preset time is next" eval \
	"[[ \"\$(dprop 4 NextFillTimestamp)\" =~ ^t\ ($(epoch_of "$P1")|$(epoch_of "$P2")|$(epoch_of "$P3"))$ ]]"
F=$(date -d '+2 hours' +%H:%M)
ctl_ok "fill 4 $F exits 0" fill 4 "$F"
expect_eq "fill 4 $F: NextFillTimestamp is $F" "$(dprop 4 NextFillTimestamp)" "t $(epoch_of "$F")"
ctl_ok "cancel 4 exits 0" cancel 4
expect_eq "cancel 4 drops the explicit fill time" "$(dprop 4 NextFillTimestamp)" "t $first"
ctl_ok "preset --clear 4 exits 0" preset --clear 4
expect_eq "preset --clear: no presets, no next fill" "$(dprop 4 Presets)|$(dprop 4 NextFillTimestamp)" \
	"as 0|t 0"
ctl_exit "preset --clear 4 07:00: exit 2" 2 'preset: clearing the presets takes no times' preset --clear 4 07:00
ctl_exit "delay 4 10 with nothing scheduled: exit 2 (InvalidArgs from the daemon)" 2 'delay' delay 4 10

# A running fill cancelled: detector 4 empty fills for 10 s at 60x.
plant "level 4 0"
ctl_ok "fill 4 (an empty dewar) exits 0" fill 4
check "detector 4's valve opens" wait_for 20 dprop_is 4 ValveOpen "b true"
ctl_exit "fill 4 again while it fills: exit 1, already filling" 1 'detector 4 is already filling' fill 4
ctl_ok "cancel 4 exits 0 while it fills" cancel 4
check "cancel 4: FillEnded \"cancelled\" on detector 4's object" wait_for 10 \
	signal /org/stationd1/detector/4 $D FillEnded '"type":"tttsd","data":\[[0-9]+,[0-9]+,[0-9]+,"cancelled",'
check "cancel 4: its relay goes off" wait_for 10 relay_of_detector_off 4
check "every relay off after the cancel" wait_for 15 station_relays_off

# ---------------------------------------------------------------- avoid, unavoid
echo "# at ${SECONDS} s: avoid, unavoid"
ctl_ok "avoid 5 exits 0" avoid 5
check "avoid 5: Status carries \"avoided\"" has_status 5 avoided
ctl_ok "--no-legend list-detectors exits 0" --no-legend list-detectors
check "list-detectors shows 5 avoided" out_has '^5 .*avoided'
ctl_exit "fill 5 while avoided: exit 1, may not fill" 1 '[Mm]ay ?[Nn]ot ?[Ff]ill|avoided' fill 5
ctl_ok "unavoid 5 exits 0" unavoid 5
check "unavoid 5: \"avoided\" gone" eval "! has_status 5 avoided"
ctl_ok "--yes avoid B exits 0" --yes avoid B
check "--yes avoid B: 4 and 5 avoided" eval "has_status 4 avoided && has_status 5 avoided"
ctl_ok "--yes unavoid b exits 0" --yes unavoid b
check "--yes unavoid b: neither avoided" eval "! has_status 4 avoided && ! has_status 5 avoided"

# ---------------------------------------------------------------- a fault, clear
echo "# at ${SECONDS} s: a fault, clear"
plant "stuck-closed 5"
ctl_ok "fill 5 (valve stuck closed) exits 0" fill 5
check "detector 5 ends underfull after its 8 s" wait_for 40 ended_count_is 5 underfull 1
check "detector 5's object signals Fault underfull with its manifold's path" wait_for 5 \
	signal /org/stationd1/detector/5 $D Fault '"type":"sos","data":\["underfull","/org/stationd1/manifold/B",'
check "manifold B's object signals Fault underfull with the detector's path" \
	signal /org/stationd1/manifold/B $M Fault '"type":"sos","data":\["underfull","/org/stationd1/detector/5",'
check "every relay off after the underfull" wait_for 15 station_relays_off
ctl_ok "status exits 0 with a fault" status
check "status: fill-error, alarm on, detector 5 underfull among the faults" eval \
	"out_line '     State: fill-error' && out_has '     Alarm: on' &&
	 out_has '^ +(Faults: )?detector 5: .*underfull'"
ctl_ok "--json status exits 0" --json=short status
expect_eq "--json status: the fault parsed back" \
	"$(json '[j["State"], j["Alarm"], [(f.get("Detector"), "underfull" in f["Status"]) for f in j["Faults"] if "Detector" in f]]')" \
	"['fill-error', True, [(5, True)]]"
plant "unstick 5"
ctl_ok "clear 5 exits 0" clear 5
check "clear 5: \"underfull\" gone" eval "! has_status 5 underfull"
check "clear 5: the alarm is silenced" alarm_is false
ctl_ok "status exits 0" status
check "status: ok again, no faults" eval \
	"out_line '     State: ok' && out_line '    Faults: none'"

# ---------------------------------------------------------------- typed methods
echo "# at ${SECONDS} s: typed methods"
out=$(bus call org.stationd1 $A $AF PresetDetectors auaqt 1 5 1 420 0)
expect_eq "PresetDetectors([5], [420], 0) is accepted" "$out" ""
expect_eq "...Presets of 5: 07:00" "$(dprop 5 Presets)" 'as 1 "07:00"'
out=$(bus call org.stationd1 $A $AF PresetManifolds asaqt 1 B 1 1260 1)
expect_eq "PresetManifolds([B], [1260], add) is accepted" "$out" ""
expect_eq "...Presets of 5: 07:00 21:00; of 4: 21:00" "$(dprop 5 Presets)|$(dprop 4 Presets)" \
	'as 2 "07:00" "21:00"|as 1 "21:00"'
out=$(bus call org.stationd1 $A $AF DelayDetectors autt 1 5 600000000 0)
expect_eq "DelayDetectors([5], 10 min, 0) is accepted" "$out" ""
expect_eq "...DelayUSec of 5: 10 min" "$(dprop 5 DelayUSec)" "t 600000000"
out=$(bus call org.stationd1 $A $AF CancelDetectors aut 1 5 0)
expect_eq "CancelDetectors([5], 0) is accepted, the delay dropped" "$out|$(dprop 5 DelayUSec)" "|t 0"
out=$(bus call org.stationd1 $A $AF AvoidManifolds ast 1 B 0)
expect_eq "AvoidManifolds([B], 0) is accepted" "$out" ""
check "...4 and 5 avoided" eval "has_status 4 avoided && has_status 5 avoided"
out=$(bus call org.stationd1 $A $AF UnavoidDetectors aut 2 4 5 0)
expect_eq "UnavoidDetectors([4, 5], 0) is accepted" "$out" ""
check "...neither avoided" eval "! has_status 4 avoided && ! has_status 5 avoided"
out=$(bus call org.stationd1 $A $AF PresetManifolds asaqt 1 B 0 2)
expect_eq "PresetManifolds([B], [], clear) is accepted" "$out|$(dprop 4 Presets)|$(dprop 5 Presets)" \
	"|as 0|as 0"
out=$(bus call org.stationd1 $A $AF ClearDetectors aut 1 5 0)
expect_eq "ClearDetectors([5], 0) is accepted" "$out" ""
before=$(run_state)
out=$(bus call org.stationd1 $A $AF FillDetectors autt 1 9 0 0)
check "FillDetectors([9]): InvalidArgs naming 9" out_has 'Invalid|9'
out=$(bus call org.stationd1 $A $AF AvoidDetectors aut 2 4 4 0)
check "AvoidDetectors([4, 4]): refused (named twice)" grep -qiE 'twice|invalid' <<<"$out"
out=$(bus call org.stationd1 $A $AF AvoidManifolds ast 1 B 8)
check "AvoidManifolds([B], flags 8): refused (unknown flag)" grep -qiE 'flag|invalid' <<<"$out"
out=$(bus call org.stationd1 $A $AF FillManifolds astt 1 B1 0 0)
check "FillManifolds([B1]): refused (letters only)" grep -qiE 'invalid|letter' <<<"$out"
sleep 1
expect_eq "the refused typed calls changed nothing" "$(run_state)" "$before"

# ---------------------------------------------------------------- who may
echo "# at ${SECONDS} s: who may"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${NOBODY[@]}" stationctl --no-pager status >/dev/null 2>&1 </dev/null
check "nobody: status exits 0 (anyone may read)" test $? = 0
out=$("${NOBODY[@]}" stationctl --no-pager avoid 4 2>&1 </dev/null)
rc=$?
check "nobody: avoid 4 exits 4, naming the action" eval \
	"[ $rc = 4 ] && out_has 'org.stationd1.autofill.override'"
check "...and 4 is not avoided" eval "! has_status 4 avoided"

# ---------------------------------------------------------------- cryostream
echo "# at ${SECONDS} s: cryostream"
ctl_ok "cryostream CS0 status exits 0" cryostream CS0 status
check "cryostream CS0 status: connected, a gas temperature" eval \
	"out_line 'Cryostream CS0: connected' && out_has '^  Gas: [0-9.]+ K'"
ctl_ok "cryostream CS0 cool 100 exits 0" cryostream CS0 cool 100
expect_eq "cool 100: TargetTemperature 100 K" \
	"$(prop /org/stationd1/cryostream/CS0 org.stationd1.Cryostream TargetTemperature)" "d 100"
ctl_ok "--json cryostream CS0 status exits 0" --json=short cryostream CS0 status
expect_eq "--json cryostream CS0 status parsed back" \
	"$(json '[j["Name"], j["Connected"], j["TargetTemperature"] == 100]')" "['CS0', True, True]"

# ---------------------------------------------------------------- monitor
echo "# at ${SECONDS} s: monitor"
check "monitor: detector 1's fills started and ended full" eval \
	"grep -q 'detector 1: fill started' '$work/ctl-monitor.txt' &&
	 [ \$(grep -c 'detector 1: fill ended: full after' '$work/ctl-monitor.txt') = 3 ]"
check "monitor: the cancelled fill and the underfull fault" eval \
	"grep -q 'detector 4: fill ended: cancelled' '$work/ctl-monitor.txt' &&
	 grep -q 'fault underfull: ' '$work/ctl-monitor.txt'"
check "monitor: no per-object copy repeats a fill (one line per fill of 1)" eval \
	"[ \$(grep -c 'detector 1: fill started' '$work/ctl-monitor.txt') = 3 ]"
check "monitor --json: every line parses, FillEnded and Fault among them" python3 -c '
import json, sys
members = [json.loads(l)["Member"] for l in open(sys.argv[1]) if l.strip()]
sys.exit(not ("FillEnded" in members and "Fault" in members))' "$work/ctl-monitor.json"

# ---------------------------------------------------------------- no daemon
echo "# at ${SECONDS} s: no daemon"
station_stop_daemon
ctl_exit "stationd stopped: status exits 3" 3 'stationd' status
ctl_exit "stationd stopped: list-detectors exits 7" 7 'cannot read the station' list-detectors
ctl_exit "stationd stopped: fill 1 exits 7" 7 '' fill 1
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/no-such-bus ctl status
check "no bus at all: status exits 3" test "$rc" = 3
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/no-such-bus ctl show 1
check "no bus at all: show 1 exits 7" test "$rc" = 7

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 30
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 30
	sed 's/^/# ctl-monitor: /' "$work/ctl-monitor.txt" | tail -n 30
fi
exit "$scenario_failed"
