#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Oxford Cryostream link in the full daemon (issue 12), its faults
# (cryostream-scenario-lib.sh: two simulated controllers, 411 with its
# address configured, 369 locked onto its first address): corrupt and
# short packets counted and nothing else changed; every packet of CS1
# failing its checksum for 10 s: one journal warning naming "checksum
# ignore"; silence and recovery, a command sent and timed out meanwhile
# while the daemon answers others; a command the controller counts as
# missed; polkitd with a rule that scopes org.stationd1.cryostream.command
# by its details (device CS1, any method but Stop). Then a second start
# with one controller as number 0: the number from the first packet, a
# conflict Fault when a second controller appears, a spoof rejected.
# timeout: 600
# shellcheck disable=SC2317,SC2016,SC2034 # helpers and variables used through check, poll and eval
. "$STATIOND_TOP/tests/vm/cryostream-scenario-lib.sh"

cryostream_scenario_begin stationd-cryostream-faults
intro=$(station_busctl introspect --list org.stationd1 $CS0 2>&1)

# CS1's packets all fail their checksum from now on; its warning is due
# after 10 s, checked below.
sim sim369 "corrupt 1000000"
corrupt_since=$SECONDS

section "corrupt packets: counted, nothing else changes"
sim sim411 "silence 0"
sleep 1.2
mapfile -t steady < <(awk '$2 == "property" && $1 !~ /^\.(Packets|MissingParameters)/ {
	sub(/^\./, "", $1); print $1 }' <<<"$intro")
allprops() { station_busctl get-property org.stationd1 $CS0 $I "${steady[@]}"; }
before=$(allprops)
received=$(get $CS0 PacketsReceived)
rejected=$(get $CS0 PacketsRejected)
expect_eq "every intact packet the simulator sent was received" "$received" \
	"t $(sim_state sim411 valid)"
sim sim411 "corrupt-now 3"
check "3 corrupt packets counted in PacketsRejected" poll 3 eval \
	'[ "$(get $CS0 PacketsRejected)" = "t $((${rejected#t } + 3))" ]'
check "... by reason: checksum 3" eval '[ "$(by_reason $CS0 checksum)" = 3 ]'
expect_eq "... and not as received" "$(get $CS0 PacketsReceived)" "$received"
expect_eq "... and every other property as it was" "$(allprops)" "$before"
sim sim411 "short 1"
sim sim411 resume-status
check "a packet cut to 102 bytes: counted by reason \"length\"" poll 5 eval \
	'[ "$(by_reason $CS0 length)" = 1 ]'

section "silence and recovery"
sim sim411 "silence 0"
check "silence: Connected=false" poll 15 eval '[ "$(get $CS0 Connected)" = "b false" ]'
check "silence: a Fault signal 'disconnected'" poll 5 fault $CS0 disconnected
# A command goes out even so, and times out; the daemon serves others
# while it waits.
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
check "the journal names the unconfirmed command" \
	grep -q "CS0: hold not confirmed within 4 s" "$work/journal.log"
sim sim411 resume-status
check "packets again: Connected=true" poll 10 eval '[ "$(get $CS0 Connected)" = "b true" ]'

section "a command the controller counts as missed (shut down, it ignores Hold)"
expect_eq "Stop is confirmed (run mode Shutdown OK)" "$(call $CS0 $I Stop; echo "rc=$?")" "rc=0"
call $CS0 $I Hold >"$work/hold.out"
check "Hold while shut down: the controller counted it missed, and the call says so at once" \
	grep -q "the controller counted hold as missed (parameter 1073)" "$work/hold.out"
grep -q "counted hold as missed" "$work/hold.out" || sed 's/^/# hold: /' "$work/hold.out"
expect_eq "CommandsMissed counts it" "$(get $CS0 CommandsMissed)" "q $(sim_state sim411 missed)"

section "CS1's checksums, failing for 10 s"
sleep $((corrupt_since + 11 > SECONDS ? corrupt_since + 11 - SECONDS : 0))
check "every CS1 packet failing its checksum for 10 s: one journal warning naming 'checksum ignore'" \
	poll 5 eval '[ "$(grep -c "CS1: every status packet for [0-9]* s failed its checksum.*checksum ignore" "$work/journal.log")" = 1 ]'
sim sim369 "corrupt 0"
check "CS1 connected again" poll 15 eval '[ "$(get $CS1 Connected)" = "b true" ]'

section "polkit: org.stationd1.cryostream.command, scoped by its details"
pk=/usr/lib/polkit-1/polkitd
# nobody <object> <method> [<GVariant argument>...]: gdbus prints the
# D-Bus error name, and asks for no interactive authorization
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups gdbus call --timeout 20 \
		--address "$STATION_BUS_ADDRESS" --dest org.stationd1 --object-path "$1" \
		--method "$I.$2" "${@:3}" 2>&1
}
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
	expect_eq "polkit: a rule on device CS1 lets nobody's Turbo off through" \
		"$(nobody $CS1 Turbo false)" "()"
	expect_eq "... confirmed: TurboMode of CS1 false" "$(get $CS1 TurboMode)" "b false"
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

section "number 0: the only controller, taken from the first packet"
sim sim369 "silence 0"
station_stop_daemon
STATION_CONFIG=$work/only.conf
station_start_daemon_journaled
check "second start: one cryostream configured as number 0" station_wait_ready 60
ONLY=/org/stationd1/cryostream/Only
check "number 0: connected to the only controller broadcasting" \
	poll 15 eval '[ "$(get $ONLY Connected)" = "b true" ]'
expect_eq "number 0: ControllerNumber taken from the first packet" \
	"$(get $ONLY ControllerNumber)" "q 411"
expect_eq "number 0: ConfiguredNumber stays 0" "$(get $ONLY ConfiguredNumber)" "q 0"
sim sim369 resume-status
check "a second controller appears: Fault 'conflict'" poll 10 fault $ONLY conflict
check "... counted in Conflicts, and 411 stays the one" eval \
	'[ "$(get $ONLY Conflicts)" != "t 0" ] && [ "$(get $ONLY ControllerNumber)" = "q 411" ]'
start_sim spoof0 411 127.0.0.4 --start-temperature 200
check "411's number from another address: rejected (\"source\"), a Fault" poll 10 eval \
	'[ "$(by_reason $ONLY source)" -ge 1 ] && fault $ONLY source'
expect_eq "... commands still go to the first address" "$(get $ONLY CommandAddress)" \
	's "127.0.0.2:30305"'

stop_sims
station_stop_daemon
expect_eq "stationd stops cleanly" "$?" 0
exit "$scenario_failed"
