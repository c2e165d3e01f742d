#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# XVME-260 relays through the gpio character device (Debian's gpiod):
# gpioinfo names, gpioset -> plant, a released line and a SIGKILLed
# holder leave the relays de-energized, retest refused while lines are
# held, a held relay blocks module unload, a no-reset-clear card fails its self-test
# and refuses to energize until a retest passes.
# timeout: 300
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

if ! cards_load "260@0x0800,260@0x0c00:no-reset-clear"; then
	not_ok "xvme-sim with two XVME-260 and the drivers load"
	cards_exit
fi
ok "xvme-sim with two XVME-260 and the drivers load"
rel=$(card 0x0800)
bad=$(card 0x0c00)
chip=$(card_chip "$rel")
relays() { cat "$(card_plant "$1")/relays"; }
relays_are() { [ "$(relays "$1")" = "$2" ]; }

check "gpiochip labelled $rel ($chip)" test -n "$chip"
info=$(gpioinfo "$chip")
expect_eq "gpioinfo: 32 lines named relay0..relay31" \
	"$(grep -cE '"relay([0-9]|[12][0-9]|3[01])"' <<<"$info")" 32
expect_eq "gpioinfo: every line an output" "$(grep -c ' output ' <<<"$info")" 32
expect_eq "probe left every relay de-energized" "$(relays "$rel")" 0x00000000
check "relays are output only: gpioget refused" bash -c "! gpioget $chip 4 2>/dev/null"

# gpioset holds the line until signalled; the plant sees the relay.
gpioset --mode=signal "$chip" 5=1 &
holder=$!
check "gpioset relay5=1: plant sees it energized" wait_for 5 relays_are "$rel" 0x00000020
check "gpioinfo shows relay5 used by gpioset" \
	grep -q '"relay5" *"gpioset" *output' <<<"$(gpioinfo "$chip")"
out=$(retest "$rel")
check "retest refused with EBUSY while a line is held ($out)" grep -qi "busy" <<<"$out"
stop TERM "$holder"
check "holder exits: relay5 released and de-energized" wait_for 5 relays_are "$rel" 0x00000000

# A holder killed outright: the kernel releases its lines, they close.
gpioset --mode=signal "$chip" 3=1 7=1 20=1 31=1 &
holder=$!
check "gpioset 4 relays: plant sees 0x80100088" wait_for 5 relays_are "$rel" 0x80100088
stop KILL "$holder"
check "holder SIGKILLed: plant sees every relay de-energized" \
	wait_for 5 relays_are "$rel" 0x00000000

check "retest of the idle card passes" retest "$rel"
expect_eq "selftest after retest" "$(card_attr "$rel" selftest)" pass

# A held relay pins the driver: it cannot be unloaded under its user.
gpioset --mode=signal "$chip" 9=1 &
holder=$!
wait_for 5 relays_are "$rel" 0x00000200
check "rmmod xvme260 refused while relay9 is held" bash -c "! rmmod xvme260 2>/dev/null"
expect_eq "relay9 still energized after the refused unload" "$(relays "$rel")" 0x00000200
stop KILL "$holder"
check "holder gone: relay9 de-energized" wait_for 5 relays_are "$rel" 0x00000000

# --- a card whose outputs survive reset
expect_eq "no-reset-clear: self-test fails with the reason" \
	"$(card_attr "$bad" selftest | cut -c1-36)" "fail: outputs not cleared by reset ("
badchip=$(card_chip "$bad")
check "no-reset-clear: still bound, gpiochip $badchip present" test -n "$badchip"
log_mark
check "no-reset-clear: gpioset relay1=1 refused" bash -c "! gpioset $badchip 1=1 2>/dev/null"
expect_eq "no-reset-clear: nothing energized" "$(relays "$bad")" 0x00000000
check "no-reset-clear: kernel log says why" \
	grep -q "$bad: power-on test failed: refusing to energize" <<<"$(log_since_mark)"

echo none >"$(card_plant "$bad")/fault"
check "fault repaired: retest passes" retest "$bad"
expect_eq "fault repaired: selftest pass" "$(card_attr "$bad" selftest)" pass
gpioset --mode=signal "$badchip" 1=1 &
holder=$!
check "fault repaired: relay1 energizes" wait_for 5 relays_are "$bad" 0x00000002
stop KILL "$holder"
check "fault repaired: SIGKILL de-energizes" wait_for 5 relays_are "$bad" 0x00000000

check "drivers and crate unload" cards_unload
cards_exit
