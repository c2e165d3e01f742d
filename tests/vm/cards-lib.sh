# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests/vm/scenarios/cards-*.sh (and tests/bench/cards.sh's
# guest part) inside the VM guest: load the simulated crate and the card
# drivers, find a card's sysfs, plant, IIO and gpiochip, print TAP.
top=${STATIOND_TOP:?STATIOND_TOP unset: run through tests/vm/run.sh}
build=${STATIOND_BUILD:-$top/build}
debugfs=/sys/kernel/debug
plant_root=$debugfs/xvme-sim

# ok, not_ok, check, expect_eq, wait_for and scenario_failed
# shellcheck source=tests/vm/scenario-lib.sh
. "$top/tests/vm/scenario-lib.sh"

cards_exit() { exit "$scenario_failed"; }

cards_mount_debugfs() {
	mountpoint -q "$debugfs" || mount -t debugfs none "$debugfs"
}

# modprobe does not reload a loaded module with new parameters: start
# from no crate, whatever an earlier scenario left behind.
cards_fresh_crate() {
	cards_mount_debugfs || return 1
	cards_unload 2>/dev/null
	if [ -d /sys/module/xvme_sim ]; then
		echo "# xvme-sim is loaded and cannot be unloaded"
		return 1
	fi
}

# cards_load "<xvme-sim cards= list>": the crate, then all three drivers
# (modprobe through the harness's /lib/modules: xvme and industrialio
# come in as dependencies).
cards_load() {
	cards_fresh_crate || return 1
	modprobe xvme-sim "cards=$1" || return 1
	modprobe -a xvme240 xvme260 xvme560
}

# cards_load_by_modalias "<cards= list>": the crate, then for every card
# the driver its uevent MODALIAS names, as udev would load it. A card of
# unknown model (xvme:munknown) has none.
cards_load_by_modalias() {
	local d alias
	cards_fresh_crate || return 1
	modprobe xvme-sim "cards=$1" || return 1
	for d in /sys/bus/xvme/devices/xvme*-*; do
		alias=$(cat "$d/modalias") || return 1
		[ "$alias" = xvme:munknown ] && continue
		modprobe "$alias" || return 1
	done
}

cards_unload() {
	local m rc=0
	for m in xvme240 xvme260 xvme560 xvme-gpio xvme-sim xvme; do
		[ -d "/sys/module/${m//-/_}" ] || continue
		rmmod "$m" || rc=1
	done
	return $rc
}

# card <addr as 0x0c00>: the card's device name, e.g. xvme0-0c00
card() {
	local d
	for d in /sys/bus/xvme/devices/xvme*-"${1#0x}"; do
		[ -e "$d" ] && { basename "$d"; return 0; }
	done
	return 1
}
card_sysfs() { echo "/sys/bus/xvme/devices/$1"; }
card_plant() { echo "$plant_root/$1"; }
card_attr() { cat "/sys/bus/xvme/devices/$1/$2"; }

has_iio() { card_iio "$1" >/dev/null; }

# the IIO device directory whose label is the card name
card_iio() {
	local d
	for d in /sys/bus/iio/devices/iio:device*; do
		[ "$(cat "$d/label" 2>/dev/null)" = "$1" ] && { echo "$d"; return 0; }
	done
	return 1
}

# the gpiochip (gpiochipN) whose label is the card name
card_chip() {
	gpiodetect | sed -n "s/^\(gpiochip[0-9]*\) \[$1\] .*/\1/p"
}

# read a file and print "errno-text" on failure (for ETIMEDOUT checks)
read_errno() {
	local out
	if out=$(cat "$1" 2>&1); then echo "$out"; else echo "ERR: ${out##*: }"; fi
}

# stop <signal> <pid>: signal a background holder and reap it quietly
stop() {
	kill -"$1" "$2"
	wait "$2"
} 2>/dev/null

# retest <card>: write 1 to its retest attribute; prints the error text
retest() {
	local err
	err=$( (echo 1 >"/sys/bus/xvme/devices/$1/retest") 2>&1) && return 0
	echo "${err##*: }"
	return 1
}

readable() { cat "$1" >/dev/null; }
readable_line() { gpioget "$1" "$2" >/dev/null; }

# kernel log lines since a marker written by log_mark
log_mark() {
	cards_mark="cards-mark-$RANDOM-$$"
	echo "$cards_mark" >/dev/kmsg
}
log_since_mark() {
	dmesg | sed -n "/$cards_mark/,\$p"
}
