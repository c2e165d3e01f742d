#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bus API of stationd (issue 5, scenario 8, and every method): the
# simulated station (station-lib.sh) with operator-group "users" on a
# system-type bus carrying the project's policy.
#  - introspection shows the Autofill, Detector and Manifold interfaces;
#    the tree has every detector and manifold of the configuration;
#  - each command works for root and changes what it should (Preset and
#    Presets, Avoid/Unavoid and Status, Delay and NextFillUSec, Fill
#    FillStarted, Cancel FillEnded, Clear), PropertiesChanged is seen;
#  - bad arguments get InvalidArgs naming the bad part, and no state
#    changes (GetManagedObjects before and after);
#  - nobody gets AccessDenied naming the action, a member of the operator
#    group may intervene; a manual-fill key makes every command ManualFill;
#  - every authorized call leaves one audit entry in the journal (uid,
#    action, method, arguments, outcome), a refused one none;
#  - with polkitd on the bus, polkit decides per operation: a rule grants
#    nobody org.stationd1.autofill.schedule for detector 7 (the targets
#    detail) and not .override nor .fill; the example rules file grants
#    its groups their tier.
# timeout: 600
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-bus
chmod 0755 "$work"	# the bus socket is below it: nobody must reach it
bus_cleanup() {
	umount /etc/polkit-1/rules.d /usr/share/polkit-1/actions /etc/group 2>/dev/null
	scenario_cleanup
}
trap bus_cleanup EXIT

sed 's/operator-group "stationd-operator"/operator-group "users"/' \
	"$STATIOND_TOP/daemon/examples/station.conf" >"$work/station.conf"
cp "$STATIOND_TOP/daemon/examples/cards.conf" "$work/"
# No noise: an idle station's state is constant, so "no state change" can
# be checked by comparing GetManagedObjects. Slow detector fills: a fill
# is still running when the scenario cancels it.
scenario_station_up "the simulated station comes up (operator-group users)" \
	-c "$work/station.conf" -d "$work/run" -s 60 -p "--noise 0 --detector-fill 6000" --no-daemon
scenario_journal
station_start_daemon_journaled
check "stationd is on the bus, logging to the journal" station_wait_ready 60
addr=$STATION_BUS_ADDRESS
users_gid=$(getent group users | cut -d: -f3)

# call [setpriv args --] Method args...: gdbus prints the D-Bus error name
call() {
	local as=()
	if [ "$1" = as ]; then
		as=(setpriv "${@:2:4}")
		shift 5
	fi
	local method=$1
	shift
	"${as[@]}" gdbus call --address "$addr" --dest org.stationd1 \
		--object-path /org/stationd1/autofill \
		--method "org.stationd1.Autofill.$method" "$@" 2>&1
}
NOBODY=(as --reuid=65534 --regid=65534 --clear-groups --)
# Not nobody: the polkit rule below grants nobody, not this user.
OPERATOR=(as --reuid=2 --regid=2 "--groups=$users_gid" --)
prop() {
	station_busctl get-property org.stationd1 "/org/stationd1/$1" "org.stationd1.$2" "$3"
}
# prop_is <object> <interface> <property> <value>: for wait_for, which
# must re-read the property at every try
prop_is() { [ "$(prop "$1" "$2" "$3")" = "$4" ]; }
prop_has() { grep -q "\"$4\"" <<<"$(prop "$1" "$2" "$3")"; }
objects() {
	station_busctl call --json=short org.stationd1 /org/stationd1 \
		org.freedesktop.DBus.ObjectManager GetManagedObjects
}

gdbus monitor --address "$addr" --dest org.stationd1 >"$work/monitor.log" 2>&1 &
scenario_pids+=" $!"
sleep 1
AUDIT_ID=5d891230ed1b4c14aa3023584bb8d84e	# MESSAGE_ID: an authorized privileged call
# audits <pattern>: how many audit entries match (the fields in the order
# log.c sends them)
audits() { grep "MESSAGE_ID=$AUDIT_ID" "$work/journal.log" | grep -c -- "$1"; }

# ---- introspection and the tree
# listed <.Member>: a line of $intro starts with it and a space, matched by
# the shell (a grep per member is a process each, slow under TCG)
listed() { [[ $'\n'$intro == *$'\n'"$1 "* ]]; }
intro=$(station_busctl introspect --list org.stationd1 /org/stationd1/autofill 2>&1)
missing=""
for m in .Fill .Preset .Delay .Avoid .Unavoid .Cancel .Clear .State .FillingCount .Alarm \
	.Inhibited .Detectors .Manifolds .FillStarted .FillEnded .Fault; do
	listed "$m" || missing="$missing $m"
done
expect_eq "introspect /org/stationd1/autofill: every method, property and signal" "$missing" ""
check "introspect: Preset takes sass, FillEnded carries utttsd" \
	grep -qE '^\.Preset +method +sass' <<<"$intro"
grep -qE '^\.FillEnded +signal +utttsd' <<<"$intro" || not_ok "FillEnded signature"
intro=$(station_busctl introspect --list org.stationd1 /org/stationd1/detector/7 2>&1)
missing=""
for m in .Number .Manifold .ExhaustVolts .ReferenceVolts .ValveOpen .ValveChangedUSec \
	.NextFillUSec .DelayUSec .Presets .Status .MaxFillUSec .ClosureDelayUSec; do
	listed "$m" || missing="$missing $m"
done
expect_eq "introspect /org/stationd1/detector/7: every property" "$missing" ""
intro=$(station_busctl introspect --list org.stationd1 /org/stationd1/manifold/B 2>&1)
missing=""
for m in .Name .Detectors .ExhaustVolts .ReferenceVolts .InputValveOpen .OutputValveOpen \
	.ValveChangedUSec .OpenDetectorValves .OverfullDetectors .Status .MaxFillUSec \
	.ClosureDelayUSec; do
	listed "$m" || missing="$missing $m"
done
expect_eq "introspect /org/stationd1/manifold/B: every property" "$missing" ""
tree=$(station_busctl tree --list org.stationd1)
expect_eq "tree: 72 detector objects" "$(grep -c '^/org/stationd1/detector/[0-9]' <<<"$tree")" 72
expect_eq "tree: 12 manifold objects" "$(grep -c '^/org/stationd1/manifold/[A-Z]' <<<"$tree")" 12
expect_eq "detector 7 is on manifold B" "$(prop detector/7 Detector Manifold)" 's "B"'
expect_eq "manifold B lists its detectors" "$(prop manifold/B Manifold Detectors)" \
	"au 6 7 8 9 10 11 12"
check "detector 7: ExhaustVolts is a reading in volts" \
	grep -qE '^d [0-9]+\.[0-9]+$' <<<"$(prop detector/7 Detector ExhaustVolts)"
managed=$(objects)
expect_eq "GetManagedObjects: 72 detectors, 12 manifolds, the autofill" \
	"$(grep -oE '"/org/stationd1/(detector/[0-9]+|manifold/[A-Z]+|autofill)":' <<<"$managed" | wc -l)" 85
check "GetManagedObjects: detector 7's properties" \
	grep -qE '"/org/stationd1/detector/7":\{.*"org.stationd1.Detector":\{"Number":\{"type":"u","data":7\}' \
	<<<"$managed"

# ---- each command, as root
# Preset times hours away: a preset that fires mid-scenario starts a fill
# nobody asked for (fixed times failed when the run reached them).
P0=$(date -d '+3 hours' +%H:%M) P1=$(date -d '+6 hours' +%H:%M)
P2=$(date -d '+6 hours 23 minutes' +%H:%M) P3=$(date -d '+9 hours' +%H:%M)
# presets_as <HH:MM>...: the Presets property busctl prints (ascending)
presets_as() {
	local sorted
	sorted=$(printf '"%s"\n' "$@" | sort | tr '\n' ' ')
	echo "as $# ${sorted% }"
}
out=$(call Preset 7 "['$P1', '$P2']" replace)
expect_eq "root: Preset 7 $P1 $P2 replace" "$out" "()"
expect_eq "Presets of detector 7 read back" "$(prop detector/7 Detector Presets)" \
	"$(presets_as "$P1" "$P2")"
check "PropertiesChanged of detector 7 carries the Presets" wait_for 10 \
	grep -q "/org/stationd1/detector/7: org.freedesktop.DBus.Properties.PropertiesChanged ('org.stationd1.Detector', {.*'Presets': <\[$(presets_as "$P1" "$P2" | cut -d' ' -f3- | tr '"' "'" | sed "s/' '/', '/")\]>" \
	"$work/monitor.log"
out=$(call Preset 7 "['$P0']" add)
expect_eq "root: Preset 7 $P0 add" "$out" "()"
expect_eq "Presets merged" "$(prop detector/7 Detector Presets)" "$(presets_as "$P0" "$P1" "$P2")"
next=$(prop detector/7 Detector NextFillUSec | cut -d' ' -f2)
check "NextFillUSec is the next preset (µs since the epoch)" \
	test "$next" -gt "$(($(date +%s) * 1000000))" -a "$next" -le "$((($(date +%s) + 86400) * 1000000))"

out=$(call Delay 7 "uint32 30")
expect_eq "root: Delay 7 30" "$out" "()"
delayed=$(prop detector/7 Detector NextFillUSec | cut -d' ' -f2)
expect_eq "Delay moved NextFillUSec by 30 minutes" "$((delayed - next))" 1800000000
expect_eq "DelayUSec reads 30 minutes" "$(prop detector/7 Detector DelayUSec)" "t 1800000000"
check "Status has \"delayed\"" grep -q '"delayed"' <<<"$(prop detector/7 Detector Status)"
out=$(call Cancel 7)
expect_eq "root: Cancel 7" "$out" "()"
expect_eq "Cancel dropped the delay" "$(prop detector/7 Detector DelayUSec)" "t 0"

out=$(call Avoid 7)
expect_eq "root: Avoid 7" "$out" "()"
check "Status has \"avoided\"" grep -q '"avoided"' <<<"$(prop detector/7 Detector Status)"
check "PropertiesChanged: Status of detector 7 with avoided" wait_for 10 \
	grep -q "/org/stationd1/detector/7: .*PropertiesChanged ('org.stationd1.Detector', {.*'Status': <\[.*'avoided'" \
	"$work/monitor.log"
out=$(call Fill 7 "''")
check "Fill of an avoided detector: MayNotFill naming it" \
	grep -q "org.stationd1.Error.MayNotFill: detector 7 may not fill: it is avoided" <<<"$out"
out=$(call Unavoid 7)
expect_eq "root: Unavoid 7" "$out" "()"
check "Unavoid clears \"avoided\"" sh -c "! busctl --address='$addr' get-property org.stationd1 \
	/org/stationd1/detector/7 org.stationd1.Detector Status | grep -q avoided"

out=$(call Fill 7 "''")
expect_eq "root: Fill 7 now" "$out" "()"
check "FillStarted 7 seen on the bus" wait_for 60 \
	grep -q "org.stationd1.Autofill.FillStarted (uint32 7," "$work/monitor.log"
# FillStarted comes with the purge; the valve opens once the manifold is full.
check "detector 7: ValveOpen once manifold B is purged" wait_for 60 \
	prop_is detector/7 Detector ValveOpen "b true"
expect_eq "FillingCount reads 1" "$(prop autofill Autofill FillingCount)" "u 1"
check "PropertiesChanged: detector 7's ValveOpen" grep -q \
	"/org/stationd1/detector/7: .*PropertiesChanged ('org.stationd1.Detector', {.*'ValveOpen': <true>" \
	"$work/monitor.log"
check "PropertiesChanged: FillingCount of the autofill" grep -q \
	"/org/stationd1/autofill: .*PropertiesChanged ('org.stationd1.Autofill', {.*'FillingCount': <uint32 1>" \
	"$work/monitor.log"
check "PropertiesChanged: manifold B's input valve" grep -q \
	"/org/stationd1/manifold/B: .*PropertiesChanged ('org.stationd1.Manifold', {.*'InputValveOpen': <true>" \
	"$work/monitor.log"
check "PropertiesChanged: manifold B's ExhaustVolts as LN2 reaches its exhaust" grep -q \
	"/org/stationd1/manifold/B: .*PropertiesChanged ('org.stationd1.Manifold', {.*'ExhaustVolts': <" \
	"$work/monitor.log"
out=$(call Fill 7 "''")
check "Fill of a filling detector: AlreadyFilling" \
	grep -q "org.stationd1.Error.AlreadyFilling: detector 7 is already filling" <<<"$out"
# ... but a later time is a later fill (issue 10): it skips the next preset.
at=$(date -d '+4 hours' +%H:%M)
out=$(call Fill 7 "'$at'")
expect_eq "root: Fill 7 $at during its fill: accepted" "$out" "()"
later=$(prop detector/7 Detector NextFillUSec | cut -d' ' -f2)
check "  ... NextFillUSec is $at, past the $P0 preset" test "$later" -gt "$next"
out=$(call Cancel 7)
expect_eq "root: Cancel 7 during its fill" "$out" "()"
expect_eq "  ... Cancel dropped the Fill at $at: NextFillUSec is the $P0 preset again" \
	"$(prop detector/7 Detector NextFillUSec | cut -d' ' -f2)" "$next"
check "FillEnded 7 \"cancelled\" seen on the bus" wait_for 10 \
	grep -q "org.stationd1.Autofill.FillEnded (uint32 7, uint64 [0-9]*, uint64 [0-9]*, uint64 [0-9]*, 'cancelled'," \
	"$work/monitor.log"
check "the valves of manifold B close" wait_for 30 station_relays_off
expect_eq "detector 7: ValveOpen false" "$(prop detector/7 Detector ValveOpen)" "b false"
check "ValveChangedUSec set" test "$(prop detector/7 Detector ValveChangedUSec | cut -d' ' -f2)" -gt 0
out=$(call Clear all)
expect_eq "root: Clear all" "$out" "()"
expect_eq "Alarm off after Clear" "$(prop autofill Autofill Alarm)" "b false"
wait_for 10 prop_is autofill Autofill State 's "ok"'
expect_eq "State ok" "$(prop autofill Autofill State)" 's "ok"'

# ---- bad arguments: InvalidArgs naming the part, nothing changes
sleep 1	# let the last PropertiesChanged settle
# An idle station scanned at 10 Hz: unchanged values emit nothing.
n0=$(grep -c PropertiesChanged "$work/monitor.log")
sleep 3
expect_eq "idle for 3 s (30 scans): no PropertiesChanged for unchanged values" \
	"$(($(grep -c PropertiesChanged "$work/monitor.log") - n0))" 0
before=$(objects)
bad() {	# bad <description> <expected message part> <Method> <args...>
	local what=$1 part=$2 out
	shift 2
	out=$(call "$@")
	if grep -q "org.freedesktop.DBus.Error.InvalidArgs: .*$part" <<<"$out"; then
		ok "InvalidArgs: $what"
	else
		not_ok "InvalidArgs: $what"
		echo "#   got: $out"
	fi
}
bad 'targets "0"' '"0" at column 1' Avoid 0
bad 'targets "M"' 'manifold M is not configured' Avoid M
bad 'targets "1-"' '"1-" at column 3' Avoid 1-
bad 'targets "73"' 'detector 73 is not configured' Avoid 73
bad 'targets "1,1"' '' Unavoid 1,1
bad 'time "25:00"' '"25:00"' Preset 7 "['25:00']" replace
bad 'Fill at "7:5"' '"7:5"' Fill 7 "'7:5'"
bad 'mode "sideways"' 'mode "sideways"' Preset 7 "['12:00']" sideways
bad 'five presets' '' Preset 7 "['01:00', '02:00', '03:00', '04:00', '05:00']" replace
bad 'Delay 0 minutes' '1 to 1440 minutes' Delay 7 "uint32 0"
bad 'Delay 1441 minutes' '1 to 1440 minutes' Delay 7 "uint32 1441"
out=$(call Avoid)
check "a missing argument is refused by the bus layer" grep -q "InvalidArgs\|Error" <<<"$out"
expect_eq "bad arguments: GetManagedObjects unchanged" "$(objects)" "$before"

# ---- who may intervene (no polkitd yet: uid 0 or the operator group)
out=$(call "${NOBODY[@]}" Avoid 7)
if grep -q "org.freedesktop.DBus.Error.AccessDenied: operator interventions need uid 0 or group \"users\" (no polkit): org.stationd1.autofill.override" <<<"$out"; then
	ok "nobody: Avoid 7 refused with AccessDenied naming the action"
else
	not_ok "nobody: Avoid 7 refused with AccessDenied naming the action"
	echo "#   got: $out"
fi
out=$(call "${NOBODY[@]}" Preset 7 "['01:00']" replace)
check "nobody: Preset refused (org.stationd1.autofill.schedule)" \
	grep -q "AccessDenied: .*: org.stationd1.autofill.schedule" <<<"$out"
out=$(call "${NOBODY[@]}" Fill 7 "''")
check "nobody: Fill refused (org.stationd1.autofill.fill)" \
	grep -q "AccessDenied: .*: org.stationd1.autofill.fill" <<<"$out"
out=$(call "${NOBODY[@]}" Avoid 0)
check "nobody with a bad argument: AccessDenied first" grep -q AccessDenied <<<"$out"
expect_eq "nobody: GetManagedObjects unchanged" "$(objects)" "$before"
expect_eq "audit: no entry for nobody's refused calls" "$(audits "CALLER_UID=65534 ")" 0
check "nobody may read properties" setpriv --reuid=65534 --regid=65534 --clear-groups \
	busctl --address="$addr" get-property org.stationd1 /org/stationd1/detector/7 \
	org.stationd1.Detector Status
out=$(call "${OPERATOR[@]}" Avoid 7)
expect_eq "a member of group users: Avoid 7 allowed" "$out" "()"
check "operator's Avoid took effect" grep -q '"avoided"' <<<"$(prop detector/7 Detector Status)"
out=$(call "${OPERATOR[@]}" Unavoid 7)
expect_eq "a member of group users: Unavoid 7 allowed" "$out" "()"

# ---- the audit trail: one entry per authorized call, after it ran
check "audit: root's Preset, once, with the action, arguments and outcome" wait_for 5 \
	test "$(audits "MESSAGE=audit: uid 0 .*CALLER_UID=0 CALLER_PID=[0-9]* OBJECT_PID=[0-9]* .*ACTION=org.stationd1.autofill.schedule OBJECT_PATH=/org/stationd1/autofill METHOD=Preset ARGUMENTS=\"7\", \[\"$P1\", \"$P2\"\], \"replace\" RESULT=accepted")" = 1
expect_eq "audit: the operator's Avoid 7 (uid 2, org.stationd1.autofill.override)" \
	"$(audits "CALLER_UID=2 .*ACTION=org.stationd1.autofill.override .*METHOD=Avoid ARGUMENTS=\"7\" RESULT=accepted")" 1
expect_eq "audit: root's Fill 7 now (org.stationd1.autofill.fill)" \
	"$(audits "ACTION=org.stationd1.autofill.fill .*METHOD=Fill ARGUMENTS=\"7\", \"\" RESULT=accepted")" 1
expect_eq "audit: an authorized call the engine refused, with the error" \
	"$(audits "METHOD=Delay ARGUMENTS=\"7\", 1441 RESULT=org.freedesktop.DBus.Error.InvalidArgs")" 1
expect_eq "audit: Fill of a filling detector, AlreadyFilling" \
	"$(audits "METHOD=Fill .*RESULT=org.stationd1.Error.AlreadyFilling")" 1
# Calls so far by root and the operator, each audited once: Preset 2 + 3
# bad, Delay 1 + 2 bad, Cancel 2, Avoid 2 + 4 bad, Unavoid 2 + 1 bad,
# Fill 4 + 1 bad, Clear 1.
expect_eq "audit: every authorized call once (25 so far)" "$(audits "")" 25

# ---- manual fill: every intervention refused
echo "key B on" >"$STATION_PLANT_CTL"
check "key B on: State manual-fill" wait_for 20 \
	prop_is autofill Autofill State 's "manual-fill"'
check "manifold B Status has manual-fill" wait_for 5 \
	prop_has manifold/B Manifold Status manual-fill
sleep 0.5
before=$(objects)
out=$(call Avoid 7)
check "manual fill: root's Avoid refused with ManualFill" \
	grep -q "org.stationd1.Error.ManualFill: manual fill" <<<"$out"
out=$(call Preset 20 "['01:00']" replace)
check "manual fill: Preset of another manifold refused too" grep -q ManualFill <<<"$out"
expect_eq "manual fill: GetManagedObjects unchanged" "$(objects)" "$before"
echo "key B off" >"$STATION_PLANT_CTL"
check "key B off: State leaves manual-fill" wait_for 20 \
	eval '! prop_is autofill Autofill State "s \"manual-fill\""'
out=$(call Avoid 7)
expect_eq "key off: Avoid 7 accepted again" "$out" "()"
call Unavoid 7 >/dev/null

# ---- polkit: polkitd on the bus decides, per operation
pk=/usr/lib/polkit-1/polkitd
if [ ! -x "$pk" ]; then
	not_ok "polkitd is installed (package polkitd)"
else
	mount -t tmpfs tmpfs /etc/polkit-1/rules.d
	mount -t tmpfs tmpfs /usr/share/polkit-1/actions
	cp "$STATIOND_TOP/polkit/org.stationd1.policy" /usr/share/polkit-1/actions/
	# nobody: the schedule of detector 7 (the targets detail), nothing else.
	cat >/etc/polkit-1/rules.d/50-stationd-test.rules <<'EOF'
polkit.addRule(function(action, subject) {
	if (action.id == "org.stationd1.autofill.schedule" && subject.user == "nobody" &&
	    action.lookup("targets") == "7" && action.lookup("method") != "")
		return polkit.Result.YES;
	if (action.id.indexOf("org.stationd1.") == 0 && subject.user == "sys")
		return polkit.Result.AUTH_ADMIN;
});
EOF
	# The example rules file as shipped, but for ssh sessions too (the
	# callers here have no logind session), on groups of its own.
	sed 's/var consoleOnly = true;/var consoleOnly = false;/' \
		"$STATIOND_TOP/polkit/stationd-tiers.rules.example" \
		>/etc/polkit-1/rules.d/60-stationd-tiers.rules
	check "the example rules file has the consoleOnly switch" \
		grep -q "consoleOnly = false" /etc/polkit-1/rules.d/60-stationd-tiers.rules
	{ cat /etc/group; echo "stationd-limited:x:990:daemon"; echo "stationd-full:x:991:lp"; } \
		>"$work/group"
	mount --bind "$work/group" /etc/group
	chmod 0755 /etc/polkit-1/rules.d
	# polkitd owns its name on the station's bus: its bus policy, reloaded.
	sed -i "s|</busconfig>|  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>\n</busconfig>|" \
		"$STATION_DIR/bus.conf"
	station_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
	DBUS_SYSTEM_BUS_ADDRESS=$addr "$pk" --no-debug >"$work/polkitd.log" 2>&1 &
	scenario_pids+=" $!"
	polkit_up() {
		[ "$(station_busctl call org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus NameHasOwner s org.freedesktop.PolicyKit1)" = "b true" ]
	}
	check "polkitd owns org.freedesktop.PolicyKit1 on the bus" wait_for 30 polkit_up
	before=$(objects)
	out=$(call "${OPERATOR[@]}" Avoid 7)
	check "polkit: group users alone no longer suffices (AccessDenied naming the action)" \
		grep -q "AccessDenied: not authorized for org.stationd1.autofill.override" <<<"$out"
	[ "$out" = "()" ] && call Unavoid 7 >/dev/null
	expect_eq "polkit refusal: GetManagedObjects unchanged" "$(objects)" "$before"
	out=$(call as --reuid=3 --regid=3 --clear-groups -- Avoid 7)
	check "polkit: authentication needed, not allowed by the call: InteractiveAuthorizationRequired" \
		grep -q "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: authentication is needed for org.stationd1.autofill.override" <<<"$out"
	expect_eq "polkit: no state change for either" "$(objects)" "$before"

	# One action granted, the others not.
	out=$(call "${NOBODY[@]}" Avoid 7)
	check "polkit: nobody has no org.stationd1.autofill.override: Avoid 7 refused" \
		grep -q "AccessDenied: not authorized for org.stationd1.autofill.override" <<<"$out"
	out=$(call "${NOBODY[@]}" Fill 7 "''")
	check "polkit: nobody has no org.stationd1.autofill.fill: Fill 7 refused" \
		grep -q "AccessDenied: not authorized for org.stationd1.autofill.fill" <<<"$out"
	out=$(call "${NOBODY[@]}" Preset 8 "['02:00']" replace)
	check "polkit: the rule's targets detail: nobody's Preset 8 refused" \
		grep -q "AccessDenied: not authorized for org.stationd1.autofill.schedule" <<<"$out"
	expect_eq "polkit: nobody's refused calls changed nothing" "$(objects)" "$before"
	out=$(call "${NOBODY[@]}" Preset 7 "['$P3']" replace)
	expect_eq "polkit: a rule grants nobody org.stationd1.autofill.schedule for 7: Preset 7" \
		"$out" "()"
	expect_eq "nobody's Preset took effect" "$(prop detector/7 Detector Presets)" "as 1 \"$P3\""
	out=$(call "${NOBODY[@]}" Delay 7 "uint32 10")
	expect_eq "polkit: nobody's Delay 7 (the same action)" "$out" "()"
	out=$(call "${NOBODY[@]}" Cancel 7)
	expect_eq "polkit: nobody's Cancel 7 (the same action)" "$out" "()"
	expect_eq "audit: nobody's three accepted calls, none of the refused" \
		"$(audits "CALLER_UID=65534 .*ACTION=org.stationd1.autofill.schedule .*RESULT=accepted")/$(audits "CALLER_UID=65534 ")" 3/3

	# The example rules file: the limited tier fills and schedules, the
	# full tier also overrides, others get polkit's default.
	later=$(date -d '+12 hours' +%H:%M)
	out=$(call as --reuid=1 --regid=1 --clear-groups -- Fill 7 "'$later'")
	expect_eq "tiers: stationd-limited (daemon) may Fill 7 at $later" "$out" "()"
	out=$(call as --reuid=1 --regid=1 --clear-groups -- Cancel 7)
	expect_eq "tiers: stationd-limited may Cancel 7" "$out" "()"
	out=$(call as --reuid=1 --regid=1 --clear-groups -- Avoid 7)
	check "tiers: stationd-limited may not Avoid 7" \
		grep -q "AccessDenied: not authorized for org.stationd1.autofill.override" <<<"$out"
	out=$(call as --reuid=7 --regid=7 --clear-groups -- Avoid 7)
	expect_eq "tiers: stationd-full (lp) may Avoid 7" "$out" "()"
	out=$(call as --reuid=7 --regid=7 --clear-groups -- Unavoid 7)
	expect_eq "tiers: stationd-full may Unavoid 7" "$out" "()"
	out=$(call as --reuid=9 --regid=9 --clear-groups -- Fill 7 "'$later'")
	check "tiers: no group, no rule: Fill refused" \
		grep -q "AccessDenied: not authorized for org.stationd1.autofill.fill" <<<"$out"
	out=$(call Unavoid 7)
	expect_eq "polkit: root needs no rule" "$out" "()"
	check "polkitd compiled both rules files without an error" \
		sh -c "! grep -qi 'error' '$work/polkitd.log'"
	[ "$scenario_failed" = 0 ] || sed 's/^/# polkitd: /' "$work/polkitd.log" | tail -n 10
fi

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 30
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 10
	grep "MESSAGE_ID=$AUDIT_ID" "$work/journal.log" | sed 's/^/# audit: /' | tail -n 10
fi
exit "$scenario_failed"
