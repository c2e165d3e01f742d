#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stationd on the example station's simulated crate, the three card
# drivers and ln2-plant, with a private system-type bus carrying the
# project's bus policy: READY/STATUS/WATCHDOG reach $NOTIFY_SOCKET; the
# Manager's State and Version on the bus (readable by anyone); the daemon
# holds the relay lines; a preset fill energizes relays and SIGTERM
# de-energizes them and exits 0; the interrupted fill resumes after a
# restart from the primary backup; kill -9 during it leaves every relay off;
# a card missing from the crate makes only its detectors unavailable.
# timeout: 420
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/cards-lib.sh"
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

work=$(mktemp -d /tmp/stationd-core.XXXXXX)
chmod 0755 "$work"	# the bus socket is in it: nobody must reach it
daemon="" plant="" notify="" journal="" monitor="" bus_pid=""
cleanup() {
	local p
	for p in $daemon $plant $notify $journal $monitor; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
	rm -rf "$work" /run/systemd/journal/socket
	cards_unload
}
trap cleanup EXIT

example=$STATIOND_TOP/daemon/examples
cards=$(sed -n 's/.*modprobe xvme-sim cards=//p' "$example/cards.conf")
if ! cards_load "$cards"; then
	not_ok "xvme-sim with the example station's cards and the drivers load"
	cards_exit
fi
ok "xvme-sim with the example station's cards and the drivers load"
relay_cards="$(card 0x0800) $(card 0x1000) $(card 0x1c00)"
relchip=$(card_chip "$(card 0x0800)")

# The example station without its daily presets (a run at 06:00 or 18:00
# would fill manifolds A and B too); detector 1 gets a preset a minute or
# two ahead once the daemon runs (chosen then, so a slow start cannot make
# it the past).
cp "$example/cards.conf" "$work/"
sed '/^[[:space:]]*preset /d' "$example/station.conf" >"$work/station.conf"
conf=$work/station.conf

# A system-type bus with the default deny policy of a system bus and the
# project's policy file included (station-lib.sh).
station_bus_spawn "$work"
bus_pid=$(cat "$work/bus.pid")
addr=$(cat "$work/bus.addr")
export DBUS_SYSTEM_BUS_ADDRESS=$addr
check "private system bus with the org.stationd1 policy runs" test -S "$work/bus"

datagram_log "$work/notify" "$work/notify.log" &
notify=$!
wait_for 10 test -S "$work/notify"

# Empty dewars at 20x: a fill lasts about 30 s (600 simulated s), long
# enough for the checks made while it runs, the SIGTERM, the restart and
# the kill -9 while the resumed fill still runs (a dewar full by then
# would end the resumed fill at its first reading, before any valve).
ln2-plant -c "$conf" -s 20 --level 0 --noise 0 -l "$work/valves.log" >"$work/plant.out" 2>&1 &
plant=$!

state=$work/state
# start_daemon [VAR=value...]: stationd in the background, stderr to a log
start_daemon() {
	env "$@" NOTIFY_SOCKET="$work/notify" WATCHDOG_USEC=2000000 \
		stationd -c "$conf" -s "$state" 2>>"$work/stationd.log" &
	daemon=$!
}

prop() {
	busctl --address="$addr" get-property org.stationd1 /org/stationd1 \
		org.stationd1.Manager "$1" 2>/dev/null
}
state_is() { [ "$(prop State)" = "s \"$1\"" ]; }
relays_off() {
	local c
	for c in $relay_cards; do
		[ "$(relays "$c")" = 0x00000000 ] || return 1
	done
}
relays_on() { ! relays_off; }
relays() { cat "$(card_plant "$1")/relays"; }
relays_now() {
	local c
	for c in $relay_cards; do printf '%s=%s ' "$c" "$(relays "$c")"; done
}

start_daemon
check "stationd: READY=1 with a STATUS= line" wait_for 60 grep -q "READY=1.*STATUS=Running" "$work/notify.log"
check "State reads \"ok\"" wait_for 30 state_is ok
# The version the daemon was built with is the Makefile's STATIOND_VERSION.
want_version=$(sed -n 's/^STATIOND_VERSION := //p' "$STATIOND_TOP/Makefile")
expect_eq "Version reads the daemon's version ($want_version, from the Makefile)" \
	"$(prop Version)" "s \"$want_version\""
intro=$(busctl --address="$addr" introspect --list org.stationd1 /org/stationd1 2>&1)
check "introspect: org.stationd1.Manager with State and Version" \
	grep -q '^\.State *property *s' <<<"$intro"
check "introspect: ObjectManager at /org/stationd1" \
	grep -q '^org.freedesktop.DBus.ObjectManager' <<<"$intro"
# quietly <command...>: its status only (a reply is not a TAP line)
quietly() { "$@" >/dev/null; }
check "GetManagedObjects answers" quietly busctl --address="$addr" call org.stationd1 /org/stationd1 \
	org.freedesktop.DBus.ObjectManager GetManagedObjects
check "policy: nobody may read State" quietly setpriv --reuid=65534 --regid=65534 --clear-groups \
	busctl --address="$addr" get-property org.stationd1 /org/stationd1 org.stationd1.Manager State
denied=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl --address="$addr" \
	set-property org.stationd1 /org/stationd1 org.stationd1.Manager State s ok 2>&1)
check "policy: the bus refuses nobody's Properties.Set" grep -qi "access denied\|AccessDenied" <<<"$denied"
check "WATCHDOG=1 at least twice in 3 s (WATCHDOG_USEC=2 s)" wait_for 10 \
	test "$(grep -c WATCHDOG=1 "$work/notify.log")" -ge 2
check "gpioinfo: relay0 of $(card 0x0800) held by stationd as output" \
	grep -q 'line *0:.*"stationd" *output' <<<"$(gpioinfo "$relchip")"
check "every relay de-energized while nothing fills" relays_off

gdbus monitor --address "$addr" --dest org.stationd1 >"$work/monitor.log" 2>&1 &
monitor=$!
in=$(( $(date +%S | sed 's/^0//') < 45 ? 1 : 2 ))
preset=$(date -d "+$in min" +%H:%M)
check "Preset 1 [$preset] replace is accepted" busctl --address="$addr" call org.stationd1 \
	/org/stationd1/autofill org.stationd1.Autofill Preset sass 1 1 "$preset" replace
echo "# detector 1 preset at $preset; now $(date +%H:%M:%S)"
check "the preset fill energizes relays (purge)" wait_for 200 relays_on
check "State reads \"filling\"" wait_for 10 state_is filling
check "STATUS= follows the state" wait_for 10 grep -q "STATUS=State filling" "$work/notify.log"
check "PropertiesChanged: State filling" wait_for 10 \
	grep -q "PropertiesChanged ('org.stationd1.Manager', {'State': <'filling'>}" "$work/monitor.log"
echo "# relays while filling: $(relays_now)"

kill -TERM "$daemon"
wait "$daemon"
expect_eq "SIGTERM during a fill: stationd exits 0" "$?" 0
daemon=""
check "after SIGTERM every relay is de-energized" relays_off
check "the primary and secondary backups were written" \
	test -s "$state/primary.db" -a -s "$state/secondary.db"
check "stopping: STOPPING=1 sent" grep -q "STOPPING=1" "$work/notify.log"

# The restart logs to a stand-in journal: a socket where journald's is,
# and $JOURNAL_STREAM naming stderr, as systemd sets it for a service.
mkdir -p /run/systemd/journal
datagram_log /run/systemd/journal/socket "$work/journal.log" &
journal=$!
wait_for 10 test -S /run/systemd/journal/socket
start_daemon JOURNAL_STREAM="$(stat -c %d:%i "$work/stationd.log")"
check "restart from the primary: the interrupted fill resumes at once" wait_for 60 relays_on
entry() { grep -q "$1" "$work/journal.log"; }
check "journal: the primary backup used, MESSAGE_ID of the configuration event" wait_for 10 \
	entry "MESSAGE=run state from the primary .*MESSAGE_ID=97efa9b74efa4b5dad7e0854477f0c71"
check "journal: a card found, with CARD=" \
	entry "MESSAGE=card xvme0-0800 (XVME-260) ready .*MESSAGE_ID=d8caed89733540b1bd0f8e0f9244254b CARD=xvme0-0800"
check "journal: fill started, with DETECTOR= and MANIFOLD=" wait_for 30 \
	entry "MESSAGE=detector 1: fill started .*MESSAGE_ID=04e3edd3eed640cbb9147bd5ff6aeb1a DETECTOR=1 MANIFOLD=A"
echo "# relays before kill -9: $(relays_now)"
kill -KILL "$daemon"
wait "$daemon" 2>/dev/null
daemon=""
check "kill -9 during a fill: the kernel de-energizes every relay" wait_for 5 relays_off
check "kill -9: no line is held by stationd any more" \
	sh -c "! gpioinfo '$relchip' | grep -q '\"stationd\"'"
check "ln2-plant still running" kill -0 "$plant"
kill -TERM "$plant"
wait "$plant" 2>/dev/null
plant=""

# A crate without the third ADC card (xvme0-2000): its detectors and
# manifolds are unavailable, the rest of the station runs.
if cards_load "${cards/,560@0x2000/}"; then
	state=$work/state-fresh	# no interrupted fill to resume
	start_daemon
	# One entry for the card, naming what it takes out (manifold L's
	# exhaust sensor is on it), not one per sensor.
	check "card missing: stationd logs it, naming manifold L" wait_for 30 \
		grep -qE "card xvme0-2000 \(XVME-560\): not found on the xvme bus: .*unavailable: .*manifolds? ([A-Z], )*L\b" \
		"$work/stationd.log"
	check "card missing: manifold L's Status carries \"card-unavailable\"" wait_for 30 eval \
		'[[ $(busctl --address="$addr" get-property org.stationd1 /org/stationd1/manifold/L org.stationd1.Manifold Status 2>/dev/null) == *card-unavailable* ]]'
	check "card missing: State reads \"fill-error\"" wait_for 30 state_is fill-error
	check "card missing: the other cards' relay lines are held" \
		grep -q 'line *0:.*"stationd" *output' <<<"$(gpioinfo "$(card_chip "$(card 0x0800)")")"
	kill -TERM "$daemon"
	wait "$daemon"
	expect_eq "card missing: SIGTERM exits 0" "$?" 0
	daemon=""
else
	not_ok "the crate without xvme0-2000 loads"
fi

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# stationd: /' "$work/stationd.log" | tail -n 40
	sed 's/^/# notify: /' "$work/notify.log" | tail -n 5
	[ -f "$work/journal.log" ] &&
		grep -ao 'MESSAGE=[^=]*' "$work/journal.log" | head -n 40 | sed 's/^/# journal: /'
fi
cards_exit
