#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cards leaving while userspace holds their lines, as the fail-safe
# expects to survive it:
# - gpiomon holding irq0..irq7 of an XVME-240 (gpiolib-cdev has handlers
#   on the child interrupts) across a card pulled out (present=0), an
#   unbind through sysfs, and an rmmod of the driver (refused while held)
#   and of the crate: the kernel log stays clean (no remove_proc_entry
#   warning, no free of an already-free or stale interrupt), nothing of
#   the child interrupts is left once gpiomon is gone, and the card put
#   back delivers edges again;
# - a gpioset holding relays SIGKILLed while its card is pulled, the two
#   interleaved many times in both orders: the relays end de-energized,
#   the driver's module count returns to 0 every time (no reference leaked
#   or dropped twice) and the driver unloads at the end.
# timeout: 400
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

crate_cards="240@0x0400,260@0x0800,240@0x0c00"
if ! cards_load "$crate_cards"; then
	not_ok "xvme-sim with two XVME-240, an XVME-260 and the drivers load"
	cards_exit
fi
ok "xvme-sim with two XVME-240, an XVME-260 and the drivers load"
ttl=$(card 0x0400) rel=$(card 0x0800) ttl2=$(card 0x0c00)

splat='WARNING|remove_proc_entry|already-free|Trying to free|BUG|Oops|KASAN|Call Trace|refcount_t|underflow'
log_clean() { ! log_since_mark | grep -Eq "$splat"; }
refcnt_is() { [ "$(cat "/sys/module/$1/refcnt")" = "$2" ]; }
present() { echo "$2" >"$(card_plant "$1")/present"; }
# child interrupt descriptors of the 240s, and proc entries of gpiomon's
xvme240_irqs() { grep -lx xvme240 /sys/kernel/irq/*/chip_name 2>/dev/null | wc -l; }
gpiomon_procs() { find /proc/irq -maxdepth 2 -name gpiomon 2>/dev/null | wc -l; }

# monitor <card>: gpiomon on irq0..7 in the background; sets mon and events
monitor() {
	local chip
	chip=$(card_chip "$1")
	rm -f "${events:-}"
	events=$(mktemp)
	stdbuf -oL gpiomon --rising-edge "$chip" 64 65 66 67 68 69 70 71 >"$events" 2>&1 &
	mon=$!
	held8() { gpioinfo "$chip" | grep -c '"irq[0-7]" *"gpiomon"' | grep -qx 8; }
	wait_for 60 held8
}
edge_seen() {
	echo 0x00 >"$(card_plant "$1")/irq_inputs"
	echo 0x10 >"$(card_plant "$1")/irq_inputs"
	wait_for 60 grep -q 'RISING EDGE' "$events"
}

# ---------------------------------------------- 1. pulled with irqs held
log_mark
check "gpiomon holds irq0..irq7 of $ttl" monitor "$ttl"
check "an edge on irq4 reaches gpiomon" edge_seen "$ttl"
check "$ttl pulled out while gpiomon holds its interrupts" present "$ttl" 0
check "its device left the bus" test ! -e "/sys/bus/xvme/devices/$ttl"
check "the kernel log stays clean at the removal" log_clean
# gpiomon holds dead handles now (or has seen ENODEV from one and exits)
stop KILL "$mon"
check "gpiomon gone: the kernel log stays clean" log_clean
check "gpiomon gone: no interrupt of its left (proc entries)" wait_for 60 eval '[ "$(gpiomon_procs)" = 0 ]'
check "gpiomon gone: the pulled card's child interrupts are gone too" \
	wait_for 60 eval '[ "$(xvme240_irqs)" = 0 ]'
check "$ttl put back" present "$ttl" 1
check "the card put back delivers edges again" eval 'monitor "$ttl" && edge_seen "$ttl"'
stop TERM "$mon"

# ------------------------------------------ 2. unbound with irqs held
log_mark
check "gpiomon holds irq0..irq7 of $ttl again" monitor "$ttl"
check "unbind $ttl from xvme240 through sysfs" \
	sh -c "echo $ttl >/sys/bus/xvme/drivers/xvme240/unbind"
check "the kernel log stays clean at the unbind" log_clean
stop KILL "$mon"
check "gpiomon gone: the kernel log stays clean" log_clean
check "bind it again" sh -c "echo $ttl >/sys/bus/xvme/drivers/xvme240/bind"
check "the card bound again delivers edges" eval 'monitor "$ttl" && edge_seen "$ttl"'

# ---------------------------------------- 3. rmmod with irqs held
log_mark
check "rmmod xvme240 refused while gpiomon holds irq lines" \
	bash -c "! rmmod xvme240 2>/dev/null"
check "$ttl still bound after the refused unload" \
	test -e "/sys/bus/xvme/devices/$ttl/driver"
check "the edge still arrives" edge_seen "$ttl"
stop KILL "$mon"
check "xvme240 has no users once gpiomon is gone" wait_for 60 refcnt_is xvme240 0

# ---------------------------- 4. SIGKILLed holders and pulled cards, interleaved
# Either order, and the two at once: the holder's release may come
# before, during or after the removal. Each card pulled under a held line
# keeps its GPIO numbers until reboot (6.1 gpiolib's leak, see
# Documentation/xvme/gpio-hotplug.rst): 6 cycles leak at most 672 of the
# 1024, leaving room for the scenarios after this one in the same boot.
cycles=6
interleave() {
	local i holder mon2 first
	for i in $(seq 1 $cycles); do
		gpioset --mode=signal "$(card_chip "$rel")" 0=1 17=1 &
		holder=$!
		relays_held() { [ "$(cat "$(card_plant "$rel")/relays")" = 0x00020001 ]; }
		wait_for 60 relays_held || {
			echo "# cycle $i: relays not held ($(cat "$(card_plant "$rel")/relays"))"
			gpioinfo "$(card_chip "$rel")" | head -n 4 | sed 's/^/# /'
			dmesg | tail -n 15 | sed 's/^/# dmesg: /'
			return 1
		}
		monitor "$ttl2" || {
			echo "# cycle $i: irqs not held"
			sed 's/^/# gpiomon: /' "$events"
			gpioinfo "$(card_chip "$ttl2")" | grep irq | sed 's/^/# /'
			dmesg | tail -n 15 | sed 's/^/# dmesg: /'
			return 1
		}
		mon2=$mon
		case $((i % 3)) in
		0) kill -KILL "$holder" "$mon2"; present "$rel" 0; present "$ttl2" 0 ;;
		1) present "$rel" 0; present "$ttl2" 0; kill -KILL "$holder" "$mon2" ;;
		2) { kill -KILL "$holder" "$mon2" & } ; present "$ttl2" 0 & present "$rel" 0; wait ;;
		esac
		wait "$holder" "$mon2" 2>/dev/null
		[ "$(cat "$(card_plant "$rel")/relays")" = 0x00000000 ] ||
			{ echo "# cycle $i: relays not de-energized"; return 1; }
		present "$rel" 1 && present "$ttl2" 1 || { echo "# cycle $i: not put back"; return 1; }
		for m in xvme240 xvme260; do
			wait_for 60 refcnt_is "$m" 0 ||
				{ echo "# cycle $i: $m refcnt $(cat /sys/module/$m/refcnt)"; return 1; }
		done
		log_clean || { echo "# cycle $i: kernel log"; log_since_mark | grep -E "$splat" | head -5 | sed 's/^/# /'; return 1; }
	done
}
# (bash reports every SIGKILLed job on stderr: not news here)
interleave_quietly() { interleave 2>/dev/null; }
log_mark
check "$cycles cycles: holders SIGKILLed while their cards are pulled, module counts back to 0 each time" interleave_quietly
relay3() {
	local h
	gpioset --mode=signal "$(card_chip "$rel")" 3=1 &
	h=$!
	relays_are() { [ "$(cat "$(card_plant "$rel")/relays")" = "$1" ]; }
	if ! wait_for 60 relays_are 0x00000008; then
		echo "# relays $(cat "$(card_plant "$rel")/relays") with gpioset holding relay3"
		gpiodetect | sed 's/^/# /'
		stop KILL "$h"
		return 1
	fi
	stop KILL "$h" || :	# the status of a killed job: not a failure
	wait_for 60 relays_are 0x00000000
}
check "the relay card put back works: relay3 energized and released" relay3
check "the kernel log stays clean" log_clean
check "the drivers and the crate unload" cards_unload
cards_exit
