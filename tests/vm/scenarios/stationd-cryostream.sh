#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Oxford Cryostream link in the full daemon (issues 6 and 12): what
# crosses UDP, the bus and polkit. Two simulated controllers on this host,
# 411 (address 127.0.0.2 configured) and 369 (locked onto its first
# address, 127.0.0.3); the tables, the ranges and the link's logic are the
# unit tests' (test-cryo-status, -command, -link, -bus, -loopback).
# Introspection against dbus/org.stationd1.Cryostream.xml; refused
# arguments and callers with nothing sent; commands confirmed from later
# status; a simulator spoofing 411's number from 127.0.0.4: rejected,
# counted as "source", a Fault, nothing followed; a packet of another size
# (an unknown id added, 1057 left out) taken, Parameters, the stale list;
# alarm 47 "Autofill filling" at warning level (journal priority 4, no
# Fault), 54 information, 15 error and 36 fatal at their priorities; corrupt and short packets counted and
# nothing else changed; every packet of CS1 failing its checksum for 10 s:
# one journal warning naming "checksum ignore"; silence, a command timed
# out meanwhile, recovery; a command the controller counts as missed;
# polkitd scoping org.stationd1.cryostream.command by its details.
# timeout: 420
# shellcheck disable=SC2317,SC2016,SC2034 # helpers and variables used through check, poll and eval
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

I=org.stationd1.Cryostream
CS0=/org/stationd1/cryostream/CS0
CS1=/org/stationd1/cryostream/CS1

sims=""
stop_sims() {
	local p
	for p in $sims; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	sims=""
}
# start_sim <name> <number> <address> [<option>...]: a simulator fed from
# a FIFO (kept open here as fd_<name>), its output in $work/<name>.out.
# Speed 1500: a cool-down from room temperature to 120 K takes about a
# second; 5 status packets a second: a command is confirmed within 0.2 s.
start_sim() {
	local name=$1 fifo=$work/$1.in
	mkfifo "$fifo"
	"$(station_prog cryostream-sim)" -n "$2" -b "$3" -t 127.0.0.1 -s 1500 -r 5 "${@:4}" \
		<"$fifo" >"$work/$name.out" 2>&1 &
	sims="$sims $!"
	eval "pid_$name=$!"
	eval "exec {fd_$name}>\"$fifo\""
}
sim() { local fd="fd_$1"; echo "$2" >&"${!fd}"; }
stop_sim() { local pid="pid_$1"; kill "${!pid}" 2>/dev/null; wait "${!pid}" 2>/dev/null; }
# sim_state <name> <field>: a field of a fresh "status" line of the
# simulator (gas, sent, valid, received, missed ...)
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
# Each returns once a status packet confirms it (empty output, status 0).
confirmed() { call "$@" && echo confirmed; }
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
# nobody <object> <method> [<GVariant argument>...]: gdbus prints the
# D-Bus error name, and asks for no interactive authorization
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups gdbus call --timeout 20 \
		--address "$STATION_BUS_ADDRESS" --dest org.stationd1 --object-path "$1" \
		--method "$I.$2" "${@:3}" 2>&1
}

scenario_begin stationd-cryostream
trap 'stop_sims; umount /etc/polkit-1/rules.d /usr/share/polkit-1/actions 2>/dev/null; scenario_cleanup' EXIT
# One manifold and detector scanned once a second, no LN2 plant (the
# Cryostream is the subject: the guest's CPU is for stationd and the
# simulators), and the link's timeouts short enough to wait for.
{
	station_conf_head 5min | sed 's/scan-rate 10Hz/scan-rate 1Hz/'
	crate_manifold A 6 6 6 30s 2s
	crate_detector 1 A 0 60s 3s
	cat <<EOF
cryostream-link { silence-timeout 4s; command-timeout 4s }
cryostream CS0 { number 411; address 127.0.0.2 }
cryostream CS1 { number 369 }
EOF
} >"$work/station.conf"
scenario_station_up "a station with two cryostreams comes up (stationd not yet)" \
	-c "$work/station.conf" -d /run/stationd-cryostream --no-plant --no-daemon
scenario_journal
station_start_daemon_journaled
check "stationd is on the bus" station_wait_ready 60
scenario_monitor
# The simulators after stationd: it hears every packet they send.
start_sim sim411 411 127.0.0.2
start_sim sim369 369 127.0.0.3
check "simulators 411 (127.0.0.2) and 369 (127.0.0.3) run on one host" \
	poll 10 eval 'grep -q ^ready "$work/sim411.out" && grep -q ^ready "$work/sim369.out"'
check "CS0 and CS1 connected" poll 15 eval \
	'[ "$(gets $CS0 Connected) $(gets $CS1 Connected)" = "b true b true" ]'

section "decoding and introspection"
expect_eq "CS1 is controller 369, its commands go where its first packet came from" \
	"$(gets $CS1 ControllerNumber CommandAddress)" 'q 369 | s "127.0.0.3:30305"'
expect_eq "CS0: 411; RunModeName short, RunModeDescription the vendor's; LN2 and refill level in percent (8800 hundredths are 88 %); nothing stale in the EPICS-size packet" \
	"$(gets $CS0 ControllerNumber RunModeName RunModeDescription LN2Level AutofillRefillLevel StaleProperties)" \
	'q 411 | s "Run" | s "Running" | d 88 | d 30 | as 0'
intro=$(station_busctl introspect --list org.stationd1 $CS0 2>&1)
for name in Cool Ramp Plat Hold End Purge Pause Resume Stop Turbo Restart Regen \
	SetFlowInterruptTime InterruptFlow RunShield SetIdleShieldFlowMode SetAutofillMode \
	SetAutofillRefillLevel SetAutofillStopLevel History Parameters Fault; do
	[[ $'\n'$intro == *$'\n'."$name "* ]] || missing="${missing:-} $name"	# (no grep each)
done
expect_eq "introspect: the vendor's command set, History, Parameters and Fault" \
	"${missing:-}" ""
check "introspect: Parameters -> a{qq}, SetAutofillMode s, History u -> a(tddd)" eval \
	'grep -q "^\.Parameters *method *- *a{qq}" <<<"$intro" &&
	 grep -q "^\.SetAutofillMode *method *s " <<<"$intro" &&
	 grep -q "^\.History *method *u *a(tddd)" <<<"$intro"'
xml_props=$(sed -n 's/.*<property name="\([A-Za-z0-9]*\)".*/\1/p' \
	"$STATIOND_TOP/dbus/org.stationd1.Cryostream.xml" | sort)
bus_props=$(awk '$2 == "property" { sub(/^\./, "", $1); print $1 }' <<<"$intro" | sort)
expect_eq "introspect: exactly the properties of dbus/org.stationd1.Cryostream.xml" \
	"$bus_props" "$xml_props"

section "refused: nothing reaches the simulator"
received_before=$(sim_state sim411 received)
denied=$(nobody $CS0 Cool 150.0)
check "no polkitd: nobody's Cool is refused with AccessDenied naming the action" \
	grep -q "AccessDenied: operator interventions need uid 0.*org.stationd1.cryostream.command" <<<"$denied"
grep -q "AccessDenied" <<<"$denied" || echo "# nobody's Cool got: ${denied//$'\n'/ }"
check "Cool 5000 K: InvalidArgs naming the device maximum (parameter 1003 of the status)" \
	grep -q "above the device maximum 400.00 K" <<<"$(call $CS0 $I Cool d 5000)"
check "SetAutofillRefillLevel 41: refused (20-40 %)" \
	grep -q "outside 20-40 %" <<<"$(call $CS0 $I SetAutofillRefillLevel q 41)"
expect_eq "nothing reached the simulator (its Received count)" \
	"$(sim_state sim411 received)" "$received_before"

section "commands, confirmed from later status"
reply=$(call $CS0 $I Cool d 120.0)
expect_eq "Cool 120.0 returns once a status packet confirms it" "$?:$reply" "0:"
expect_eq "the simulator got exactly one command" "$(sim_state sim411 received)" \
	"$((received_before + 1))"
expect_eq "CommandsReceived shows it, TargetTemperature reads 120 K" \
	"$(gets $CS0 CommandsReceived TargetTemperature)" "q $((received_before + 1)) | d 120"
check "GasTemperature follows the simulator's gas to 120 K" poll 15 prop_near $CS0 GasTemperature 120 0.05
check "PropertiesChanged carried GasTemperature" eval \
	'grep "cryostream/CS0" "$work/monitor.log" | grep PropertiesChanged | grep -q GasTemperature'
expect_eq "Ramp at 0 K/h (the vendor's minimum), SetAutofillMode scheduled, SetAutofillStopLevel 75 and RunShield on (by Received alone) are each confirmed" \
	"$(confirmed $CS0 $I Ramp dd 0 150; confirmed $CS0 $I SetAutofillMode s scheduled
	   confirmed $CS0 $I SetAutofillStopLevel q 75; confirmed $CS0 $I RunShield b true)" \
	"$(printf 'confirmed\n%.0s' 1 2 3 4 | head -c -1)"
expect_eq "... RampRate 0, mode scheduled, stop level 75 %" \
	"$(gets $CS0 RampRate AutofillModeName AutofillStopLevel)" 'q 0 | s "scheduled" | d 75'
expect_eq "Turbo on CS1 (to the address of its first packet) is confirmed" \
	"$(call $CS1 $I Turbo b true; echo "rc=$?")" "rc=0"
check "CS1 was not cooled (near 294 K)" prop_near $CS1 GasTemperature 294 1

# CS1's packets all fail their checksum from now on; its warning is due
# after 10 s, checked below.
sim sim369 "corrupt 1000000"
corrupt_since=$SECONDS

section "somebody else speaks for 411"
start_sim spoof411 411 127.0.0.4 --start-temperature 200
check "a spoofed packet with 411 from 127.0.0.4 is rejected and counted as \"source\"" \
	poll 10 eval '[ "$(by_reason $CS0 source)" -ge 2 ]'
check "... a Fault 'source' for CS0" poll 5 fault $CS0 source
check "... the journal names the spoofer" grep -q \
	"came from 127.0.0.4:30305, not from its configured address 127.0.0.2" "$work/journal.log"
check "the spoofed temperature shows nowhere (CS0 still near 120 K)" prop_near $CS0 GasTemperature 120 1
spoof_before=$(sim_state spoof411 received)
expect_eq "Hold goes to the real CS0 (its address unchanged) and is confirmed" \
	"$(get $CS0 CommandAddress; call $CS0 $I Hold; echo "rc=$?")" $'s "127.0.0.2:30305"\nrc=0'
expect_eq "... not to the spoofer" "$(sim_state spoof411 received)" "$spoof_before"
stop_sim spoof411

section "a packet of another size"
rejected=$(get $CS0 PacketsRejected)
unknown=$(get $CS0 UnknownParameters)
sim sim411 "omit 1057"
sim sim411 "extra 4711 7"
sim sim411 "extra 4712 8"
check "a 932-byte packet (231 pairs: two unknown ids added, 1057 left out) is taken" \
	poll 10 eval '[ "$(get $CS0 UnknownParameters)" = "q $((${unknown#q } + 2))" ]'
stale=$(gets $CS0 StaleProperties EvaporatorTemperature PacketsRejected)
check "... StaleProperties lists EvaporatorTemperature, which keeps its last value (80 K); nothing was rejected" \
	eval '[[ $stale == "as "*\"EvaporatorTemperature\"*" | d 80 | $rejected" ]]'
echo "# StaleProperties EvaporatorTemperature PacketsRejected: $stale"
pairs=$(station_busctl call org.stationd1 $CS0 $I Parameters)
check "Parameters: the 231 pairs as sent, 4711 7 and 4712 8 among them, 1057 not" eval \
	'[ "$(awk "{ print \$2 }" <<<"$pairs")" = 231 ] && grep -q " 4711 7 " <<<"$pairs " &&
	 grep -q " 4712 8 " <<<"$pairs " && ! grep -q " 1057 [0-9]* " <<<"$pairs "'
sim sim411 "include 1057"

section "alarms at the vendor's levels"
sim sim411 "alarm 47"
check "alarm 47 is \"Autofill filling\" at warning level" poll 5 eval \
	'[ "$(gets $CS0 AlarmName AlarmLevel AlarmLevelName)" = "s \"Autofill filling\" | q 2 | s \"warning\"" ]'
check "... in the journal at priority 4 (LOG_WARNING)" poll 5 \
	journal_has 4 "cryostream CS0: alarm 47 (warning): Autofill filling"
check "... and no Fault for a warning" eval '! fault $CS0 alarm'
sim sim411 "alarm 54"
check "alarm 54 \"Regen complete\" (information): in the journal at priority 6 (LOG_INFO), no Fault" \
	poll 5 eval 'journal_has 6 "cryostream CS0: alarm 54 (information): Regen complete" && ! fault $CS0 alarm'
sim sim411 "alarm 15"
check "alarm 15 \"Brownout\" (error): in the journal at priority 3 (LOG_ERR), a Fault 'alarm'" \
	poll 5 eval 'journal_has 3 "cryostream CS0: alarm 15 (error): Brownout" && fault $CS0 alarm'
sim sim411 "alarm 36"
check "alarm 36 \"High temp error\" (fatal): in the journal at priority 2 (LOG_CRIT)" poll 5 \
	journal_has 2 "cryostream CS0: alarm 36 (fatal): High temp error"
check "... and a second Fault 'alarm'" poll 5 eval \
	'[ "$(grep "\"path\":\"$CS0\"" "$work/monitor.log" | grep -c "\"data\":\[\"alarm\"")" = 2 ]'
sim sim411 "alarm 0"

section "corrupt packets: counted, nothing else changes"
check "1057 again: nothing stale" poll 5 eval '[ "$(get $CS0 StaleProperties)" = "as 0" ]'
sim sim411 "silence 0"
sleep 0.5
# Connected turns false after the silence timeout, which a slow guest may
# reach meanwhile: the next section's subject.
mapfile -t steady < <(awk '$2 == "property" && $1 !~ /^\.(Packets|MissingParameters|Connected)/ {
	sub(/^\./, "", $1); print $1 }' <<<"$intro")
allprops() { station_busctl get-property org.stationd1 $CS0 $I "${steady[@]}"; }
before=$(allprops)
received=$(get $CS0 PacketsReceived)
rejected=$(get $CS0 PacketsRejected)
expect_eq "every intact packet the simulator sent was received" "$received" \
	"t $(sim_state sim411 valid)"
sim sim411 "corrupt-now 3"
check "3 corrupt packets counted in PacketsRejected" poll 5 eval \
	'[ "$(get $CS0 PacketsRejected)" = "t $((${rejected#t } + 3))" ]'
expect_eq "... by reason: checksum 3" "$(by_reason $CS0 checksum)" 3
expect_eq "... and not as received" "$(get $CS0 PacketsReceived)" "$received"
expect_eq "... and every other property as it was" "$(allprops)" "$before"

section "silence (since the corrupt packets): a command times out, the daemon serves others; recovery"
check "silence: Connected=false" poll 10 eval '[ "$(get $CS0 Connected)" = "b false" ]'
check "... a Fault signal 'disconnected'" poll 5 fault $CS0 disconnected
received_before=$(sim_state sim411 received)
call $CS0 $I Hold >"$work/hold.out" &
hold=$!
sleep 0.3
check "while Hold waits for its confirmation, the daemon answers others" eval \
	'kill -0 $hold 2>/dev/null && [ "$(get $CS1 ControllerNumber)" = "q 369" ]'
wait $hold
check "Hold while no status comes: org.stationd1.Error.Timeout after the command timeout" \
	grep -q "no status packet confirmed hold within 4 s" "$work/hold.out"
expect_eq "... though the simulator got it" "$(sim_state sim411 received)" "$((received_before + 1))"
sim sim411 "short 1"
sim sim411 resume-status
check "packets again: Connected=true" poll 10 eval '[ "$(get $CS0 Connected)" = "b true" ]'
expect_eq "the first, cut to 102 bytes, counted by reason \"length\"" "$(by_reason $CS0 length)" 1

section "a command the controller counts as missed (shut down, it ignores Hold)"
expect_eq "Stop is confirmed (run mode Shutdown OK)" "$(call $CS0 $I Stop; echo "rc=$?")" "rc=0"
call $CS0 $I Hold >"$work/hold.out"
check "Hold while shut down: the controller counted it missed, and the call says so" \
	grep -q "the controller counted hold as missed (parameter 1073)" "$work/hold.out"
grep -q "counted hold as missed" "$work/hold.out" || sed 's/^/# hold: /' "$work/hold.out"
expect_eq "CommandsMissed counts it" "$(get $CS0 CommandsMissed)" "q $(sim_state sim411 missed)"

section "CS1's checksums, failing for 10 s"
sleep $((corrupt_since + 11 > SECONDS ? corrupt_since + 11 - SECONDS : 0))
check "every CS1 packet failing its checksum for 10 s: one journal warning naming 'checksum ignore'" \
	poll 5 eval '[ "$(grep -c "CS1: every status packet for [0-9]* s failed its checksum.*checksum ignore" "$work/journal.log")" = 1 ]'
sim sim369 "corrupt 0"
check "CS1 connected again" poll 10 eval '[ "$(get $CS1 Connected)" = "b true" ]'

section "polkit: org.stationd1.cryostream.command, scoped by its details"
pk=/usr/lib/polkit-1/polkitd
if [ ! -x "$pk" ]; then
	not_ok "polkitd is installed (package polkitd)"
else
	mount -t tmpfs tmpfs /etc/polkit-1/rules.d
	mount -t tmpfs tmpfs /usr/share/polkit-1/actions
	chmod 0755 /etc/polkit-1/rules.d
	cp "$STATIOND_TOP/polkit/org.stationd1.policy" /usr/share/polkit-1/actions/
	# nobody: CS1's commands but Stop, nothing of CS0's.
	cat >/etc/polkit-1/rules.d/50-stationd-cryostream.rules <<'EOF'
polkit.addRule(function(action, subject) {
	if (action.id == "org.stationd1.cryostream.command" && subject.user == "nobody" &&
	    action.lookup("device") == "CS1" && action.lookup("method") != "Stop")
		return polkit.Result.YES;
});
EOF
	# polkitd owns its name on the station's bus: its bus policy, reloaded.
	sed -i "s|</busconfig>|  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>\n</busconfig>|" \
		"$STATION_DIR/bus.conf"
	station_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
	DBUS_SYSTEM_BUS_ADDRESS=$STATION_BUS_ADDRESS "$pk" --no-debug >"$work/polkitd.log" 2>&1 &
	scenario_pids+=" $!"
	polkit_up() {
		[ "$(station_busctl call org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus NameHasOwner s org.freedesktop.PolicyKit1)" = "b true" ]
	}
	check "polkitd owns org.freedesktop.PolicyKit1 on the bus" poll 30 polkit_up
	received_before=$(sim_state sim369 received)
	expect_eq "polkit: a rule on device CS1 lets nobody's Turbo off through, confirmed" \
		"$(nobody $CS1 Turbo false; get $CS1 TurboMode)" $'()\nb false'
	out=$(nobody $CS1 Stop)
	check "polkit: nobody's Stop on CS1 (the method detail) is refused, naming the action" \
		grep -q "AccessDenied: not authorized for org.stationd1.cryostream.command" <<<"$out"
	grep -q AccessDenied <<<"$out" || echo "# nobody's Stop got: ${out//$'\n'/ }"
	out=$(nobody $CS0 Cool 150.0)
	check "polkit: nobody's Cool on CS0 (the device detail) is refused" \
		grep -q "AccessDenied: not authorized for org.stationd1.cryostream.command" <<<"$out"
	grep -q AccessDenied <<<"$out" || echo "# nobody's Cool got: ${out//$'\n'/ }"
	expect_eq "... and of those only the Turbo reached a simulator" \
		"$(sim_state sim369 received)" "$((received_before + 1))"
fi

section "end"
stop_sims
station_stop_daemon
expect_eq "stationd stops cleanly" "$?" 0
exit "$scenario_failed"
