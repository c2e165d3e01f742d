#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload the crate and the three drivers 20 times with lines in
# use in between (relays held then SIGKILLed, an edge monitor, ADC reads):
# every cycle unloads cleanly, the gpiochip, IIO and crate numbers are
# reused (a leaked device would keep its number), and the kmalloc caches
# do not grow (by more than SLUB's per-CPU accounting slack). The harness fails the run on any kernel warning or splat.
# timeout: 900
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

cycles=20
crate_cards="240@0x0400,260@0x0800,560@0x0c00"

# Live objects per slab cache: "<cache> <objects> <objects per slab>".
# Dropping the dentry and inode caches and shrinking every cache first
# (per-CPU slabs back to the lists) leaves what is really allocated, up
# to SLUB counting a per-CPU slab taken again meanwhile as fully in use:
# up to one slab per CPU and cache, whatever was freed.
slab_snapshot() {
	local f
	sync
	echo 2 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f" 2>/dev/null; done
	awk 'NR > 2 { print $1, $2, $5 }' /proc/slabinfo | sort
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
	for m in xvme240 xvme260 xvme560 xvme_gpio xvme_sim xvme; do
		[ -d "/sys/module/$m" ] && { echo "# $m still loaded"; return 1; }
	done
	return 0
}

snap_before=$(mktemp) snap_after=$(mktemp)
failed_cycle=0
first=""
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
	[ "$i" = 2 ] && slab_snapshot >"$snap_before"
done
expect_eq "$cycles load/use/unload cycles complete (first failing cycle, 0 = none)" \
	"$failed_cycle" 0
if [ "$failed_cycle" = 0 ]; then
	ok "devices released every cycle: numbers reused ($first)"
else
	not_ok "devices released every cycle (stopped at cycle $failed_cycle)"
fi

# Driver and device structures come from kmalloc caches. A cache that
# grew by more than one slab per CPU over the cycles, and is still grown
# once things have settled, holds something every cycle left behind (for
# a driver-sized object, kmalloc-1k or larger, that is two objects per
# cycle). Settled: objects freed after a grace period (kfree_rcu, batched
# for up to seconds, longer when the guest is starved of CPU) and those
# of processes still exiting are not leaks, so a cache over its slack is
# counted again, up to three times 3 s apart, and its lowest count is
# the one judged. A leak stays; a transient does not.
cpus=$(nproc)
growth() {
	join "$snap_before" "$snap_after" |
		awk -v cpus="$cpus" '$1 ~ /^kmalloc-/ {
			d = $4 - $2; slack = $3 * cpus
			printf "%s %d %d\n", $1, d, slack
		}'
}
slab_snapshot >"$snap_after"
growth >"$snap_after.diff"
for retake in 1 2 3; do
	awk '$2 > $3 { n++ } END { exit !n }' "$snap_after.diff" || break
	sleep 3
	slab_snapshot >"$snap_after"
	growth | join "$snap_after.diff" - |
		awk '{ print $1, ($4 < $2 ? $4 : $2), $3 }' >"$snap_after.min"
	echo "# retake $retake: $(awk '$2 > $3 { printf "%s+%d ", $1, $2 }' "$snap_after.min")"
	mv "$snap_after.min" "$snap_after.diff"
done
echo "# kmalloc caches that grew most (objects, cache, allowed: one slab per CPU):"
awk '{ print $2, $1, $3 }' "$snap_after.diff" | sort -rn | head -n 5 | sed 's/^/#   /'
leaks=$(awk '$2 > $3 { printf "%s+%d ", $1, $2 }' "$snap_after.diff")
if [ -z "$leaks" ]; then
	ok "no kmalloc cache grew over $((cycles - 2)) cycles"
else
	not_ok "no kmalloc cache grew over $((cycles - 2)) cycles ($leaks)"
fi
rm -f "$snap_after.diff"
rm -f "$snap_before" "$snap_after"
cards_exit
