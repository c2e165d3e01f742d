#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload the crate and the three drivers 20 times with lines in
# use in between (relays held then SIGKILLed, an edge monitor, ADC reads):
# every cycle unloads cleanly, the gpiochip, IIO and crate numbers are
# reused (a leaked device would keep its number), and the slab caches do
# not grow. The harness fails the run on any kernel warning or splat.
# timeout: 900
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

cycles=20
crate_cards="240@0x0400,260@0x0800,560@0x0c00"

# Live slab objects: shrinking first returns per-CPU slabs to the lists,
# so /proc/slabinfo's active count is what is really allocated.
slab_objects() {
	local f
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f" 2>/dev/null; done
	awk 'NR > 2 { s += $2 } END { print s }' /proc/slabinfo
}

# one cycle; prints "<gpiochips> <iio> <crate>" numbers used, or fails
cycle() {
	cards_load "$crate_cards" || { echo "# load failed"; return 1; }
	local ttl rel adc ttlchip relchip iio holder mon ch n
	ttl=$(card 0x0400) rel=$(card 0x0800) adc=$(card 0x0c00)
	ttlchip=$(card_chip "$ttl") relchip=$(card_chip "$rel")
	iio=$(card_iio "$adc") || { echo "# no IIO device"; return 1; }

	gpioset --mode=signal "$relchip" 0=1 17=1 &
	holder=$!
	gpiomon --rising-edge "$ttlchip" 67 >/dev/null &
	mon=$!
	for ch in 0 1 2 31; do
		readable "$iio/in_voltage${ch}_raw" || { echo "# ADC read failed"; return 1; }
	done
	relays_held() { [ "$(cat "$(card_plant "$rel")/relays")" = 0x00020001 ]; }
	irq3_used() { gpioinfo "$ttlchip" | grep -q '"irq3" *"gpiomon"'; }
	wait_for 5 relays_held || { echo "# relays not held"; return 1; }
	wait_for 5 irq3_used || { echo "# irq3 not monitored"; return 1; }
	echo 0x08 >"$(card_plant "$ttl")/irq_inputs"
	echo 0x00 >"$(card_plant "$ttl")/irq_inputs"

	kill -KILL "$holder" "$mon"
	wait "$holder" "$mon" 2>/dev/null
	[ "$(cat "$(card_plant "$rel")/relays")" = 0x00000000 ] ||
		{ echo "# relays not de-energized after SIGKILL"; return 1; }
	for m in xvme240 xvme260 xvme560; do
		n=$(cat "/sys/module/$m/refcnt")
		[ "$n" = 0 ] || { echo "# $m refcnt $n with no user"; return 1; }
	done
	numbers="${ttlchip#gpiochip} ${relchip#gpiochip} $(basename "$iio") ${ttl%%-*}"
	cards_unload || { echo "# unload failed"; return 1; }
	for m in xvme240 xvme260 xvme560 xvme_sim xvme; do
		[ -d "/sys/module/$m" ] && { echo "# $m still loaded"; return 1; }
	done
	return 0
}

failed_cycle=0
first="" before=0
for i in $(seq 1 $cycles); do
	if ! cycle; then
		failed_cycle=$i
		break
	fi
	[ "$i" = 1 ] && first=$numbers
	if [ "$numbers" != "$first" ]; then
		echo "# cycle $i used '$numbers', cycle 1 '$first': a device was not released"
		failed_cycle=$i
		break
	fi
	# Count from cycle 2: the first load brings caches and module
	# allocations that stay (industrialio, gpiolib's first users).
	[ "$i" = 2 ] && before=$(slab_objects)
done
expect_eq "$cycles load/use/unload cycles complete (first failing cycle, 0 = none)" \
	"$failed_cycle" 0
if [ "$failed_cycle" = 0 ]; then
	ok "devices released every cycle: numbers reused ($first)"
else
	not_ok "devices released every cycle (stopped at cycle $failed_cycle)"
fi

after=$(slab_objects)
growth=$((after - before))
echo "# live slab objects after cycle 2: $before, after cycle $cycles: $after (growth $growth)"
# A leak of even one small structure per cycle shows as >= 18 objects;
# allow some slack for unrelated allocations of the shell and the VM.
if [ "$growth" -lt 18 ]; then
	ok "no slab growth over $((cycles - 2)) cycles ($growth objects)"
else
	not_ok "no slab growth over $((cycles - 2)) cycles ($growth objects)"
fi
cards_exit
