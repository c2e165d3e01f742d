#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The card objects of stationd (issue 14): the real daemon on the
# simulated station, whose crate holds a card more than its configuration
# names (an XVME-260 at 0x1000).
#  - stationctl list-cards and show CARD against the configuration: who
#    uses each card, each line and what it does, the spare lines; --json
#    parsed back; the interface's properties and methods are those of
#    dbus/org.stationd1.Card.xml;
#  - Convert of an ADC channel, SelfTest of the relay card stationd uses
#    (let go for the test, used again after), refused for nobody;
#  - the card the configuration does not name pulled out of its slot
#    (xvme-sim's debugfs present): InterfacesRemoved, stationctl knows it
#    no more (exit 5); put back: InterfacesAdded, its power-on test again;
#  - the configured ADC pulled out: Present false by PropertiesChanged,
#    the object kept with its configured model; put back: present, test
#    passed, LED green;
#  - conversions that time out (the plant's card fault adc-stuck): the
#    counter and the red LED published with no device event (the periodic
#    re-read), the LED green again after the next good conversion.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-card-objects

# Manifolds A (detectors 1-3) and B (4, 5) on the three cards of the crate.
{
	station_conf_head 5min
	crate_manifold A 8 8 6 30s 2s
	crate_manifold B 10 10 7 30s 2s
	crate_detector 1 A 0 60s 3s
	crate_detector 2 A 1 60s 3s
	crate_detector 3 A 2 60s 3s
	crate_detector 4 B 3 60s 3s
	crate_detector 5 B 4 60s 3s
} >"$work/station.conf"
{
	cat "$work/station.conf"
	echo "card 260 @ xvme0-1000"
} >"$work/crate.conf"

scenario_station_up "the station (a crate with a card more, drivers, ln2-plant, bus) comes up" \
	-c "$work/crate.conf" -s 60 -d /run/stationd-card-objects -p "--noise 0" --no-daemon
STATION_CONFIG=$work/station.conf
station_start_daemon
check "stationd is on the bus, the card at 0x1000 not in its configuration" station_wait_ready 120
scenario_monitor


ctl_ok "list-cards exits 0" --no-legend list-cards
expect_eq "list-cards: the three configured cards and the other one" \
	"$(awk '{ print $1, $2, $3, $4, $5, $6 }' <<<"$out" | tr '\n' '|')" \
	"xvme0-0400 XVME-240 yes yes pass green|xvme0-0800 XVME-260 yes yes pass off|xvme0-0c00 XVME-560 yes yes pass green|xvme0-1000 XVME-260 no yes pass off|"
expect_eq "list-cards: who uses each card" \
	"$(awk '{ print $1, $9, $10 }' <<<"$out" | tr '\n' '|')" \
	"xvme0-0400 1-5 A,B|xvme0-0800 1-5 A,B|xvme0-0c00 1-5 A,B|xvme0-1000 - -|"
ctl_ok "show xvme0-0c00 exits 0" show xvme0-0c00
check "show xvme0-0c00: the ADC, configured, present, passed" eval \
	"grep -qx 'Card xvme0-0c00 (XVME-560)' <<<\"\$out\" && grep -qx '   Configured: yes' <<<\"\$out\" &&
	 grep -qx '      Present: yes' <<<\"\$out\" && grep -qx '    Self-test: pass' <<<\"\$out\" &&
	 grep -qx '      ID PROM: VMEIDXYC560A' <<<\"\$out\""
check "show xvme0-0c00: its channels (sensor of detector 4 on 3, of manifold B on 10)" eval \
	"grep -qE '^ +3 +sensor of detector 4$' <<<\"\$out\" && grep -qE '^ +10 +sensor of manifold B$' <<<\"\$out\""
expect_eq "show xvme0-0c00: 25 spare channels, 5 first" \
	"$(sed -n 's/^        Spare: //p' <<<"$out" | wc -w) $(sed -n 's/^        Spare: //p' <<<"$out" | cut -d' ' -f1)" "25 5"
ctl_ok "show xvme0-0400 exits 0" show xvme0-0400
check "show xvme0-0400: the dewar inhibit and the alarm are the station's" eval \
	"grep -qE '^ +port7.0 +dewar-inhibit$' <<<\"\$out\" && grep -qE '^ +flag0 +alarm$' <<<\"\$out\""
ctl_ok "--json list-cards exits 0" --json=short list-cards
expect_eq "--json list-cards parsed back: names, configured, channels of each" \
	"$(json '[(c["Name"], c["Configured"], len(c["Channels"])) for c in j]')" \
	"[('xvme0-0400', True, 9), ('xvme0-0800', True, 9), ('xvme0-0c00', True, 7), ('xvme0-1000', False, 0)]"
intro=$(station_busctl introspect --list org.stationd1 /org/stationd1/card/0_0c00 2>&1)
documented=$(grep -o '<property name="[A-Za-z]*"' "$STATIOND_TOP/dbus/org.stationd1.Card.xml" |
	cut -d'"' -f2 | sort | tr '\n' ' ')
expect_eq "introspect: the Card properties are those of dbus/org.stationd1.Card.xml" \
	"$(grep -oE '^\.[A-Za-z]+ +property' <<<"$intro" | cut -c2- | awk '{ print $1 }' | sort | tr '\n' ' ')" \
	"$documented"
intro=$(station_busctl introspect --list org.stationd1 /org/stationd1/card/0_0c00 \
	org.stationd1.Card 2>&1)
expect_eq "introspect: its methods too" \
	"$(grep -oE '^\.[A-Za-z]+ +method' <<<"$intro" | cut -c2- | awk '{ print $1 }' | sort | tr '\n' ' ')" \
	"$(grep -o '<method name="[A-Za-z]*"' "$STATIOND_TOP/dbus/org.stationd1.Card.xml" | cut -d'"' -f2 | sort | tr '\n' ' ')"

# ADMIN: a conversion and a power-on test through stationd (root).
card_call() { station_busctl call org.stationd1 "/org/stationd1/card/$1" org.stationd1.Card "${@:2}" 2>&1; }
check "Convert(3) of the ADC: the code and the volts of detector 4's sensor" \
	grep -qE '^ud [0-9]+ [0-9]+\.?[0-9]*$' <<<"$(card_call 0_0c00 Convert u 3)"
check "Convert(32): InvalidArgs naming the channels" \
	grep -q 'an XVME-560 has channels 0-31' <<<"$(card_call 0_0c00 Convert u 32)"
check "Convert of the relay card: not supported" \
	grep -q 'only an XVME-560 converts' <<<"$(card_call 0_0800 Convert u 0)"
expect_eq "SelfTest() of the relay card stationd uses: pass (its lines let go, taken again)" \
	"$(card_call 0_0800 SelfTest)" 's "pass"'
check "...the relay card is in use again: its lines are stationd's" eval \
	"gpioinfo xvme0-0800 2>/dev/null | grep -q 'relay0.*\"stationd\"'"
# gdbus, not busctl: busctl prints every AccessDenied as "Access denied".
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups gdbus call --address "$STATION_BUS_ADDRESS" \
	--dest org.stationd1 --object-path /org/stationd1/card/0_0800 \
	--method org.stationd1.Card.SelfTest 2>&1)
if grep -q 'org.freedesktop.DBus.Error.AccessDenied: .*org.stationd1.admin' <<<"$out"; then
	ok "SelfTest() as nobody: AccessDenied naming org.stationd1.admin"
else
	not_ok "SelfTest() as nobody: AccessDenied naming org.stationd1.admin"
	echo "#   got: ${out//$'\n'/ }"
fi
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl --address="$STATION_BUS_ADDRESS" \
	call org.stationd1 /org/stationd1/detector/1 org.stationd1.Detector FillHistory u 0 2>&1)
if grep -q '^a(tttsd) ' <<<"$out"; then
	ok "FillHistory as nobody: the bus lets it through, a read"
else
	not_ok "FillHistory as nobody: the bus lets it through, a read"
	echo "#   got: ${out//$'\n'/ }"
fi

card_present() { echo "$2" >"$station_plant_root/$1/present"; }
card_prop() { prop "/org/stationd1/card/$1" org.stationd1.Card "$2"; }
card_prop_is() { [ "$(card_prop "$1" "$2")" = "$3" ]; }
interfaces_signal() {
	grep "\"member\":\"Interfaces$1\"" "$work/monitor.log" |
		grep -q "\"data\":\[\"/org/stationd1/card/$2\""
}
card_present xvme0-1000 0
check "the other card pulled: InterfacesRemoved of /org/stationd1/card/0_1000" wait_for 20 \
	interfaces_signal Removed 0_1000
ctl_exit "show xvme0-1000 once pulled: exit 5" 5 'not a configured detector, manifold or card' \
	show xvme0-1000
ctl_ok "list-cards exits 0" --no-legend list-cards
expect_eq "list-cards: three cards" "$(awk '{ print $1 }' <<<"$out" | tr '\n' ' ')" \
	"xvme0-0400 xvme0-0800 xvme0-0c00 "
card_present xvme0-1000 1
check "put back: InterfacesAdded of /org/stationd1/card/0_1000" wait_for 20 \
	interfaces_signal Added 0_1000
check "put back: it passed its power-on test again" wait_for 20 card_prop_is 0_1000 SelfTest 's "pass"'

card_present xvme0-0c00 0
check "the ADC pulled: Present of /org/stationd1/card/0_0c00 goes false" wait_for 20 \
	card_prop_is 0_0c00 Present "b false"
check "...signalled by PropertiesChanged" \
	grep -q '"path":"/org/stationd1/card/0_0c00","interface":"org.freedesktop.DBus.Properties","member":"PropertiesChanged","payload":{"type":"sa{sv}as","data":\["org.stationd1.Card",{.*"Present":{"type":"b","data":false}' \
	"$work/monitor.log"
ctl_ok "show xvme0-0c00 while away exits 0" show xvme0-0c00
check "show xvme0-0c00: not present, still the configured XVME-560" eval \
	"grep -qx '      Present: no' <<<\"\$out\" && grep -qx 'Card xvme0-0c00 (XVME-560)' <<<\"\$out\""
check "no InterfacesRemoved for a configured card" eval "! interfaces_signal Removed 0_0c00"
card_present xvme0-0c00 1
check "the ADC back: Present true, self-test pass, LED green" wait_for 20 eval \
	"card_prop_is 0_0c00 Present 'b true' && card_prop_is 0_0c00 SelfTest 's \"pass\"' &&
	 card_prop_is 0_0c00 Led 's \"green\"'"

# Conversions that time out: counted, the LED red, both published
# without any device event (the periodic re-read).
plant "card-fault xvme0-0c00 adc-stuck"
check "adc-stuck: ConversionTimeouts grows and the LED turns red" wait_for 30 eval \
	"[ \"\$(card_prop 0_0c00 ConversionTimeouts)\" != 't 0' ] && card_prop_is 0_0c00 Led 's \"red\"'"
plant "card-fault xvme0-0c00 none"
check "fault gone: the next good conversion turns the LED green again" wait_for 30 \
	card_prop_is 0_0c00 Led 's "green"'
ctl_ok "show xvme0-0c00 exits 0" show xvme0-0c00
check "show xvme0-0c00 counts the timeouts" grep -qE '^  Conversions: [1-9][0-9]* timed out, 0 failed$' <<<"$out"


if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 30
	grep -E 'Interfaces|card' "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
fi
exit "$scenario_failed"
