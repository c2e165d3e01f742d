#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xvme-plant against the real plant interface of xvme-sim in debugfs:
# what the CLI writes is what the simulator holds, what it prints is what
# the simulator reports, and a refused command changes nothing.
# timeout: 180
set -u

plant=${STATIOND_BUILD:-$(cd "$(dirname "$0")/../../.." && pwd)/build}/bin/xvme-plant
debugfs=/sys/kernel/debug
root=$debugfs/xvme-sim

# shellcheck source=tests/vm/scenario-lib.sh
. "$(dirname "$0")/../scenario-lib.sh"
# expect "description" expected-output command...: exact stdout, status 0
expect() {
	local what=$1 want=$2 got
	shift 2
	if got=$("$@" 2>&1) && [ "$got" = "$want" ]; then
		ok "$what"
	else
		not_ok "$what"
		echo "#   wanted: $want"
		echo "#   got:    $got"
	fi
}
# refuse "description" status stderr-pattern command...
refuse() {
	local what=$1 status=$2 pattern=$3 got rc
	shift 3
	got=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$status" ] && [[ $got == *"$pattern"* ]]; then
		ok "$what"
	else
		not_ok "$what"
		echo "#   wanted status $status and: $pattern"
		echo "#   got status $rc: $got"
	fi
}

if [ ! -x "$plant" ]; then
	echo "Bail out! $plant is not built"
	exit 1
fi
mountpoint -q $debugfs || mount -t debugfs debugfs $debugfs
if ! modprobe xvme-sim cards=240@0x0400,260@0x0800,560@0x0c00; then
	echo "Bail out! modprobe xvme-sim failed"
	exit 1
fi
ok "modprobe xvme-sim with a 240, a 260 and a 560"

# The crate's index depends on what ran before: take it from the bus.
crate=
for c in /sys/bus/xvme/devices/xvme[0-9]*; do
	case ${c##*/} in *-*) ;; *) crate=${c##*/} ;; esac
done
c240=$crate-0400 c260=$crate-0800 c560=$crate-0c00

expect "list names the three cards" "$c240
$c260
$c560" "$plant" list
ln -sfn $root /tmp/plant-root
expect "XVME_SIM_PLANT_ROOT names the root" "$c240
$c260
$c560" env XVME_SIM_PLANT_ROOT=/tmp/plant-root "$plant" list
refuse "--root wins over XVME_SIM_PLANT_ROOT" 1 "cannot open plant root /nowhere" \
	env XVME_SIM_PLANT_ROOT=/tmp/plant-root "$plant" --root /nowhere list
rm -f /tmp/plant-root

# ---- XVME-560 analogue inputs
check "ain-set 3 -1500" "$plant" "$c560" ain-set 3 -1500
expect "ain reads channel 3 back" "-1500" \
	bash -c "'$plant' $c560 ain | cut -d' ' -f4"
expect "debugfs agrees with the CLI" "$(cat "$root/$c560/ain")" "$plant" "$c560" ain

all=$(seq -s ' ' -3100 200 3100)
# shellcheck disable=SC2086 # 32 separate arguments
check "ain-set-all sets 32 inputs in one write" "$plant" "$c560" ain-set-all $all
expect "ain reads all 32 back" "$all" "$plant" "$c560" ain
check "over-range input is taken (the conversion clamps)" \
	"$plant" "$c560" ain-set 31 30000
refuse "channel 32 is refused" 2 "channel '32' is not a number 0..31" \
	"$plant" "$c560" ain-set 32 0
refuse "30001 mV is refused" 2 "outside the simulator's input range" \
	"$plant" "$c560" ain-set 0 30001
expect "refused commands changed nothing" "${all% *} 30000" "$plant" "$c560" ain

check "range unipolar" "$plant" "$c560" range unipolar
expect "range reads unipolar" unipolar "$plant" "$c560" range
check "range bipolar" "$plant" "$c560" range bipolar
expect "range reads bipolar" bipolar cat "$root/$c560/range"

# ---- XVME-240 ports, interrupt inputs, flags
# Port 0 is an input after reset; output ports show their latches.
check "ports 0xa5 drives port 0" "$plant" "$c240" ports 0xa5
expect "port 0 reads 0xa5" 0xa5 \
	bash -c "printf '0x%02x\n' \$(( \$('$plant' $c240 ports) & 0xff ))"
check "irq-inputs 0x01" "$plant" "$c240" irq-inputs 0x01
expect "irq-inputs reads 0x01" 0x01 "$plant" "$c240" irq-inputs
check "pulse 3" "$plant" "$c240" pulse 3
check "pulse 0 (an input already high)" "$plant" "$c240" pulse 0
expect "pulses leave the levels as they were" 0x01 "$plant" "$c240" irq-inputs
refuse "pulse 8 is refused" 2 "interrupt input '8' is not a number 0..7" \
	"$plant" "$c240" pulse 8
expect "flags read 0x00 after power-on" 0x00 "$plant" "$c240" flags

# A pulse is exactly one rising edge, whatever the input's level was: the
# XVME-240 driver's gpiochip reports them (irq0..irq7 are lines 64..71).
# shellcheck disable=SC2317 # called through wait_for
monitoring() { [ "$(gpioinfo "$chip" | grep -c '"gpiomon"')" = 2 ]; }
# shellcheck disable=SC2317
edges_are() { [ "$(grep -c 'RISING EDGE' "$events")" = "$1" ]; }
chip=
if modprobe xvme240; then
	chip=$(gpiodetect | sed -n "s/^\(gpiochip[0-9]*\) \[$c240\].*/\1/p")
fi
if [ -n "$chip" ]; then
	events=$(mktemp)
	stdbuf -oL gpiomon --rising-edge "$chip" 64 67 >"$events" &
	mon=$!
	check "gpiomon watches irq0 and irq3 of $chip" wait_for 10 monitoring
	check "pulse 3 (low) and pulse 0 (high)" \
		bash -c "'$plant' $c240 pulse 3 && '$plant' $c240 pulse 0"
	wait_for 10 edges_are 2
	sleep 0.5
	kill "$mon"
	wait "$mon" 2>/dev/null
	expect "gpiomon saw exactly one rising edge per pulse" \
		"$(printf 'offset: 67\noffset: 64')" \
		sed -n 's/.*\(offset: *[0-9]*\).*/\1/p' "$events"
	rm -f "$events"
else
	not_ok "the XVME-240 driver binds and its gpiochip is labelled $c240"
fi

# ---- XVME-260 relays: all off after probe (valves closed)
expect "relays read all off" 0x00000000 "$plant" "$c260" relays

# ---- faults, seen by the bus as well as the plant file
scan=/sys/bus/xvme/devices/$crate/scan
check "fault absent on the 240" "$plant" "$c240" fault absent
expect "fault reads absent" absent "$plant" "$c240" fault
check "the crate scan no longer sees the 240" \
	bash -c "! grep -q '^0x0400 ' $scan"
check "fault none on the 240" "$plant" "$c240" fault none
check "the crate scan sees the 240 again" grep -q '^0x0400 240 ' "$scan"
refuse "unknown fault is refused" 2 "unknown fault 'melt'" \
	"$plant" "$c560" fault melt
expect "refused fault changed nothing" none "$plant" "$c560" fault

# ---- errors a user meets
refuse "ain on a 240 says which card has it" 1 "no 'ain' plant file (not an XVME-560?)" \
	"$plant" "$c240" ain
refuse "an empty slot is no card" 1 "no such card" \
	"$plant" "$crate-1000" fault

check "rmmod xvme240 and xvme-sim" modprobe -r xvme240 xvme-sim
refuse "no plant root once unloaded" 1 "cannot open plant root" "$plant" list
exit 0
