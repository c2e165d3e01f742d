#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# The xvme bus core and the simulated crate, without card drivers: the
# crate and card devices and every attribute of them, the slot scan and
# its slot 0 rule, a card with a corrupt ID PROM, the debugfs plant
# files, bad module parameters, and unload/reload cycles that must leave
# no device, debugfs entry, interrupt or module reference behind.
# Runs in the VM guest (tests/vm/run.sh), as root.
set -u
# shellcheck source=tests/vm/scenario-lib.sh
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"

bus=/sys/bus/xvme/devices
plant=/sys/kernel/debug/xvme-sim
cards=240@0x0400,260@0x0800,560@0x0c00,560@0x1000:bad-id

mod_loaded() { [ -d "/sys/module/${1//-/_}" ]; }
unload_all() {
	local m
	for m in xvme240 xvme260 xvme560 xvme-gpio xvme-sim xvme; do
		mod_loaded "$m" && rmmod "$m"
	done
	! mod_loaded xvme
}
# the crate device name (xvme<N>) of the only crate
crate() {
	local d
	for d in "$bus"/xvme*; do
		case ${d##*/} in
		*-*) ;;
		xvme\*) return 1 ;;
		*) echo "${d##*/}"; return 0 ;;
		esac
	done
	return 1
}
devices() { ls "$bus" 2>/dev/null | sort | tr '\n' ' '; }
# writing must fail (a precise error), e.g. fails_to_write 'x' file
fails_to_write() { ! printf '%s' "$1" 2>/dev/null >"$2"; }
# interrupt descriptors of the crates' VME vectors (allocated, requested or not)
sim_irqs() { grep -lx xvme /sys/kernel/irq/*/chip_name 2>/dev/null | wc -l; }
# every trace of a crate: devices, plant, interrupts, regmaps, parent
nothing_left() {
	[ -z "$(devices)" ] && [ ! -e "$plant" ] && [ "$(sim_irqs)" = 0 ] &&
		! ls /sys/kernel/debug/regmap 2>/dev/null | grep -q xvme &&
		! ls /sys/bus/platform/devices 2>/dev/null | grep -q '^xvme-sim'
}

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
# Card drivers of other scenarios would bind: this one tests the core.
check "no xvme module loaded at the start" unload_all

# ------------------------------------------------------------ the crate
check "modprobe xvme-sim cards=$cards" modprobe xvme-sim "cards=$cards"
check "xvme-sim took no reference on itself" \
	test "$(</sys/module/xvme_sim/refcnt)" = 0
expect_eq "xvme is held by xvme-sim only" \
	"$(</sys/module/xvme/refcnt)" 1
c=$(crate) || c=none
expect_eq "one crate, xvme0" "$c" xvme0
expect_eq "crate and card devices are exactly those present" "$(devices)" \
	"$c $c-0400 $c-0800 $c-0c00 $c-1000 "
expect_eq "crate backend" "$(<$bus/$c/backend)" sim
expect_eq "crate parent is the sim's platform device" \
	"$(basename "$(dirname "$(readlink -f $bus/$c)")")" \
	"$(basename "$(readlink -f /sys/bus/platform/devices/xvme-sim.*)")"
expect_eq "scan lists exactly the responding slots" "$(<$bus/$c/scan)" \
"0x0400 240 VMEIDXYC240A
0x0800 260 VMEIDXYC260A
0x0c00 560 VMEIDXYC560A
0x1000 unknown VMEIDXYC???A"
expect_eq "slots_absent counts the 59 empty slots (0x0000 not probed)" \
	"$(<$bus/$c/slots_absent)" 59
expect_eq "a VME interrupt (vector) for the card that can interrupt, the 240" \
	"$(sim_irqs)" 1
expect_eq "no register maps while no driver is bound" \
	"$(ls /sys/kernel/debug/regmap | grep -c "$c-")" 0
# 63 slots of 32 bus cycles each, bus errors on a real bridge: root's
expect_eq "scan is readable by root only (0400)" "$(stat -c %a $bus/$c/scan)" 400
check "scan refuses a user without privileges" \
	sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups cat $bus/$c/scan >/dev/null 2>&1"

# ------------------------------------------------------------ the cards
# attributes: model address id selftest led
expect_card() {
	local dev=$1 model=$2 addr=$3 id=$4 selftest=$5 led=$6
	local d=$bus/$c-$dev
	expect_eq "$c-$dev model" "$(<"$d/model")" "$model"
	expect_eq "$c-$dev address" "$(<"$d/address")" "$addr"
	expect_eq "$c-$dev id" "$(<"$d/id")" "$id"
	expect_eq "$c-$dev selftest" "$(<"$d/selftest")" "$selftest"
	expect_eq "$c-$dev led" "$(<"$d/led")" "$led"
	expect_eq "$c-$dev modalias" "$(<"$d/modalias")" "xvme:m$model"
	expect_eq "$c-$dev is a child of the crate" \
		"$(basename "$(dirname "$(readlink -f "$d")")")" "$c"
	expect_eq "$c-$dev uevent" "$(grep ^XVME_ "$d/uevent" | tr '\n' ' ')" \
		"XVME_MODEL=$model XVME_ADDRESS=$addr "
}
# No driver knows the LEDs of these cards: "unknown" (cards-selftest
# reads them with the drivers bound).
expect_card 0400 240 0x0400 VMEIDXYC240A pass unknown
expect_card 0800 260 0x0800 VMEIDXYC260A pass unknown
expect_card 0c00 560 0x0c00 VMEIDXYC560A pass unknown
expect_card 1000 unknown 0x1000 'VMEIDXYC???A' 'fail: ID PROM not ASCII' unknown
check "the bad-id card stays unbound" test ! -e $bus/$c-1000/driver
check "the bad card's failure is in the kernel log" \
	sh -c "dmesg | grep -q 'card at 0x1000: fail: ID PROM not ASCII'"
expect_eq "card attribute files" "$(ls $bus/$c-0400 | tr '\n' ' ')" \
	"address id led modalias model power retest selftest subsystem uevent "
check "read-only attributes refuse writes" fails_to_write 240 $bus/$c-0400/model

# -------------------------------------------------------------- retest
check "retest of a good card" sh -c "echo 1 > $bus/$c-0400/retest"
expect_eq "retest: pass" "$(<$bus/$c-0400/selftest)" pass
check "retest refuses 0" fails_to_write 0 $bus/$c-0400/retest
check "retest refuses garbage" fails_to_write banana $bus/$c-0400/retest
echo bad-id >$plant/$c-0c00/fault
check "retest of a card whose ID PROM went bad" \
	sh -c "echo 1 > $bus/$c-0c00/retest"
expect_eq "it fails and says why" "$(<$bus/$c-0c00/selftest)" \
	"fail: ID PROM not ASCII"
echo none >$plant/$c-0c00/fault
echo 1 >$bus/$c-0c00/retest
expect_eq "repaired: retest passes" "$(<$bus/$c-0c00/selftest)" pass

# ---------------------------------------------------------------- plant
expect_eq "plant directories per card" "$(ls $plant | tr '\n' ' ')" \
	"$c-0400 $c-0800 $c-0c00 $c-1000 "
expect_eq "240 plant files" "$(ls $plant/$c-0400 | tr '\n' ' ')" \
	"fault flags irq_inputs ports present "
expect_eq "260 plant files" "$(ls $plant/$c-0800 | tr '\n' ' ')" \
	"fault present relays "
expect_eq "560 plant files" "$(ls $plant/$c-0c00 | tr '\n' ' ')" \
	"ain fault present range "

zeros="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
expect_eq "ain reads 32 zeros after load" "$(<$plant/$c-0c00/ain)" "$zeros"
echo "3 -2500" >$plant/$c-0c00/ain
expect_eq "ain: one channel written" \
	"$(cut -d' ' -f1-5 <$plant/$c-0c00/ain)" "0 0 0 -2500 0"
all=$(seq -s ' ' -10000 500 5500)
echo "$all" >$plant/$c-0c00/ain
expect_eq "ain: all 32 channels in one write" "$(<$plant/$c-0c00/ain)" "$all"
check "ain refuses channel 32" fails_to_write "32 1" $plant/$c-0c00/ain
check "ain refuses 31 values" fails_to_write "$(seq -s ' ' 1 31)" \
	$plant/$c-0c00/ain
check "ain refuses a non-number" fails_to_write "1 1x" $plant/$c-0c00/ain
check "ain refuses 40 V" fails_to_write "1 40000" $plant/$c-0c00/ain
expect_eq "ain unchanged by refused writes" "$(<$plant/$c-0c00/ain)" "$all"
exec 3>$plant/$c-0c00/ain
for v in 100 200 300; do echo "0 $v" >&3; done
exec 3>&-
expect_eq "ain: repeated writes on one open file" \
	"$(cut -d' ' -f1 <$plant/$c-0c00/ain)" 300

expect_eq "range is bipolar by default" "$(<$plant/$c-0c00/range)" bipolar
echo unipolar >$plant/$c-0c00/range
expect_eq "range: unipolar" "$(<$plant/$c-0c00/range)" unipolar
check "range refuses other words" fails_to_write sideways $plant/$c-0c00/range
expect_eq "range unchanged" "$(<$plant/$c-0c00/range)" unipolar

expect_eq "relays all off after load" "$(<$plant/$c-0800/relays)" 0x00000000
check "relays is read only" fails_to_write 1 $plant/$c-0800/relays

echo 0x1122334455667788 >$plant/$c-0400/ports
expect_eq "ports: inputs show the plant" "$(<$plant/$c-0400/ports)" \
	0x1122334455667788
check "ports refuses a non-number" fails_to_write 0xzz $plant/$c-0400/ports
check "ports refuses 65 bits" fails_to_write 0x1ffffffffffffffff \
	$plant/$c-0400/ports
expect_eq "ports unchanged" "$(<$plant/$c-0400/ports)" 0x1122334455667788
echo 0x81 >$plant/$c-0400/irq_inputs
expect_eq "irq_inputs" "$(<$plant/$c-0400/irq_inputs)" 0x81
check "irq_inputs refuses 9 bits" fails_to_write 0x100 $plant/$c-0400/irq_inputs
expect_eq "flags 0 after reset" "$(<$plant/$c-0400/flags)" 0x00

expect_eq "fault none at load" "$(<$plant/$c-0800/fault)" none
echo absent >$plant/$c-0800/fault
expect_eq "fault: absent" "$(<$plant/$c-0800/fault)" absent
expect_eq "the absent card leaves the scan" "$(cat $bus/$c/scan | cut -c1-6 | tr '\n' ' ')" \
	"0x0400 0x0c00 0x1000 "
expect_eq "slots_absent counts it" "$(<$bus/$c/slots_absent)" 60
check "fault refuses unknown names" fails_to_write stuck $plant/$c-0800/fault
check "fault refuses a fault of another model" fails_to_write adc-stuck \
	$plant/$c-0800/fault
expect_eq "fault unchanged" "$(<$plant/$c-0800/fault)" absent
echo none >$plant/$c-0800/fault
expect_eq "back in the scan" "$(cat $bus/$c/scan | cut -c1-6 | tr '\n' ' ')" \
	"0x0400 0x0800 0x0c00 0x1000 "
expect_eq "slots_absent follows the last scan" "$(<$bus/$c/slots_absent)" 59

# ------------------------------------------------------------- unload
check "rmmod xvme-sim" rmmod xvme-sim
check "nothing left: devices, debugfs, interrupts, platform device" nothing_left
expect_eq "xvme has no users" "$(</sys/module/xvme/refcnt)" 0

# ------------------------------------------------------ bad parameters
for bad in 999@0x0400 240@0x0401 240@0x0400,260@0x0400 240@0x0400:adc-stuck \
	560@0x0400:sticky 240@0x0400, 240@0x0400:irq8 260@0x0800:irq2; do
	check "modprobe refuses cards=$bad" \
		sh -c "! modprobe xvme-sim cards=$bad 2>/dev/null"
	check "and leaves nothing behind ($bad)" nothing_left
done
check "the reason is logged" \
	sh -c "dmesg | grep -q 'xvme-sim: card \"999@0x0400\": model must be 240, 260 or 560'"

# ------------------------------------------------------------- slot 0
modprobe xvme-sim cards=240@0x0000,260@0x0400
c=$(crate) || c=none
expect_eq "slot0 default: the card at 0x0000 is not probed" "$(devices)" \
	"$c $c-0400 "
expect_eq "slot0 default: scan" "$(<$bus/$c/scan)" "0x0400 260 VMEIDXYC260A"
expect_eq "slot0 default: 62 absent of 63 probed" \
	"$(<$bus/$c/slots_absent)" 62
rmmod xvme-sim
modprobe xvme-sim cards=240@0x0000,260@0x0400 slot0=1
c=$(crate) || c=none
expect_eq "slot0=1: the card at 0x0000 is found" "$(devices)" \
	"$c $c-0000 $c-0400 "
expect_eq "slot0=1: scan" "$(<$bus/$c/scan)" \
"0x0000 240 VMEIDXYC240A
0x0400 260 VMEIDXYC260A"
expect_eq "slot0=1: 62 absent of 64 probed" "$(<$bus/$c/slots_absent)" 62
rmmod xvme-sim

# -------------------------------------------------------------- reload
# A crate is released only after all its cards are (they hold it), and
# only its release frees the crate index: xvme0 every time means no crate
# or card device leaked; nothing_left covers interrupts and regmaps.
reloads_clean() {
	local i
	for i in $(seq 1 3); do
		modprobe xvme-sim "cards=$cards" || return 1
		[ "$(crate)" = xvme0 ] || { echo "# cycle $i: crate $(crate)"; return 1; }
		cat $bus/xvme0/scan >/dev/null || return 1
		rmmod xvme-sim || return 1
		nothing_left || { echo "# cycle $i: left $(devices)"; return 1; }
	done
}
check "3 more load/unload cycles, each leaving nothing behind" reloads_clean
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	check "kmemleak finds nothing of xvme" \
		sh -c "! grep -q xvme /sys/kernel/debug/kmemleak"
fi
check "rmmod xvme" rmmod xvme
check "the bus is gone" test ! -e /sys/bus/xvme

exit "$scenario_failed"
