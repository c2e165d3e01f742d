#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Power-on tests of the three cards as diagnostics see them: pass and
# green for healthy cards; bad-id, no-reset-clear and a stuck ADC fail
# with their reasons in "selftest", red LEDs (a card no driver binds:
# "unknown") and a kernel log line; a failed card with a known model
# still binds. "retest" is refused with
# EBUSY while lines are requested and passes once the fault is gone.
# The drivers are loaded by the cards' MODALIAS, as udev does.
# timeout: 300
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

log_mark
if ! cards_load_by_modalias "240@0x0400,260@0x0800:no-reset-clear,560@0x0c00,560@0x1000:bad-id,560@0x1400:adc-stuck"; then
	not_ok "xvme-sim with five cards loads, drivers by the cards' MODALIAS"
	cards_exit
fi
ok "xvme-sim with five cards loads, drivers by the cards' MODALIAS"
ttl=$(card 0x0400)
rel=$(card 0x0800)
adc=$(card 0x0c00)
badid=$(card 0x1000)
stuck=$(card 0x1400)
driver_of() { basename "$(readlink "/sys/bus/xvme/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }
log=$(log_since_mark)

expect_eq "240: selftest pass" "$(card_attr "$ttl" selftest)" pass
expect_eq "240: LED green" "$(card_attr "$ttl" led)" green
expect_eq "240: bound to xvme240" "$(driver_of "$ttl")" xvme240
expect_eq "560: selftest pass" "$(card_attr "$adc" selftest)" pass
expect_eq "560: LED green" "$(card_attr "$adc" led)" green

sel=$(card_attr "$badid" selftest)
check "bad-id: selftest fails with the ID PROM reason ($sel)" grep -q "^fail: ID PROM" <<<"$sel"
expect_eq "bad-id: no driver, so nobody knows its LEDs" "$(card_attr "$badid" led)" unknown
expect_eq "bad-id: no driver binds a card of unknown model" "$(driver_of "$badid")" ""
check "bad-id: kernel log names the card" grep -q "0x1000: fail: ID PROM" <<<"$log"

sel=$(card_attr "$rel" selftest)
check "no-reset-clear: selftest fails: outputs not cleared ($sel)" \
	grep -q "^fail: outputs not cleared by reset" <<<"$sel"
expect_eq "no-reset-clear: still bound to xvme260" "$(driver_of "$rel")" xvme260
check "no-reset-clear: kernel log names the card" \
	grep -q "$rel: power-on test: fail: outputs not cleared" <<<"$log"
expect_eq "260: no LEDs" "$(card_attr "$rel" led)" off
expect_eq "no-reset-clear: relays left de-energized" \
	"$(cat "$(card_plant "$rel")/relays")" 0x00000000

sel=$(card_attr "$stuck" selftest)
check "adc-stuck: selftest fails: test conversion timed out ($sel)" \
	grep -q "^fail: test conversion timed out" <<<"$sel"
expect_eq "adc-stuck: LED red" "$(card_attr "$stuck" led)" red
expect_eq "adc-stuck: still bound to xvme560" "$(driver_of "$stuck")" xvme560
check "adc-stuck: IIO device present for diagnostics" has_iio "$stuck"

# retest: refused while a line is requested, runs on an idle card
chip=$(card_chip "$ttl")
stdbuf -oL gpiomon --rising-edge "$chip" 64 >/dev/null &
mon=$!
irq0_used() { gpioinfo "$chip" | grep -q '"irq0" *"gpiomon"'; }
wait_for 5 irq0_used
out=$(retest "$ttl")
check "240: retest refused with EBUSY while irq0 is monitored ($out)" grep -qi busy <<<"$out"
stop TERM "$mon"
check "240: retest of the idle card runs" retest "$ttl"
expect_eq "240: selftest still pass" "$(card_attr "$ttl" selftest)" pass

echo none >"$(card_plant "$stuck")/fault"
check "adc-stuck repaired: retest runs" retest "$stuck"
expect_eq "adc-stuck repaired: selftest pass" "$(card_attr "$stuck" selftest)" pass
expect_eq "adc-stuck repaired: LED green" "$(card_attr "$stuck" led)" green

echo absent >"$(card_plant "$adc")/fault"
check "560 dead (bus errors): reading its LEDs fails" \
	bash -c "! cat /sys/bus/xvme/devices/$adc/led 2>/dev/null"
echo none >"$(card_plant "$adc")/fault"

echo adc-stuck >"$(card_plant "$adc")/fault"
check "healthy 560 gone stuck: retest runs" retest "$adc"
check "healthy 560 gone stuck: retest fails it" \
	grep -q "^fail: test conversion timed out" <<<"$(card_attr "$adc" selftest)"
echo none >"$(card_plant "$adc")/fault"

check "retest: writing 0 is refused" bash -c "! echo 0 >/sys/bus/xvme/devices/$ttl/retest 2>/dev/null"

check "drivers and crate unload" cards_unload
cards_exit
