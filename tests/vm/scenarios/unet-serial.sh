#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# n_unet on a real serial port, attached with ldattach as in production:
# /dev/unetN is a child of the tty's device and its uevent names the tty.
# Needs a second UART (QEMU -serial ... -serial null gives ttyS1);
# skipped when ttyS1 is not a UART in this VM.
# timeout: 120
# shellcheck disable=SC2317 # gone() is called through check()
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
if ! grep -q '^1: uart:16550' /proc/tty/driver/serial 2>/dev/null; then
	echo "ok - ldattach on ttyS1 # SKIP no UART at ttyS1 in this VM"
	exit 0
fi
rc=0
unet_load_or_bail

ldattach -d -7 -e -1 -s 9600 29 /dev/ttyS1 2>/dev/null &
ldattach_pid=$!
name=
for _ in $(seq 50); do
	for d in /sys/class/unet/*; do
		[ "$(cat "$d/tty" 2>/dev/null)" = ttyS1 ] && name=${d##*/}
	done
	[ -n "$name" ] && break
	sleep 0.1
done
check "ldattach 29 /dev/ttyS1 creates a unet device (${name:-none})" test -n "$name" || {
	kill "$ldattach_pid"
	exit 1
}
check "its parent is the ttyS1 device" \
	test "$(readlink -f "/sys/class/unet/$name/device")" = \
	"$(readlink -f /sys/class/tty/ttyS1)" || rc=1
check "its uevent carries UNET_TTY=ttyS1" grep -qx UNET_TTY=ttyS1 "/sys/class/unet/$name/uevent" || rc=1

kill "$ldattach_pid"
wait "$ldattach_pid" 2>/dev/null
gone() {
	for _ in $(seq 50); do
		[ -e "/sys/class/unet/$name" ] || return 0
		sleep 0.1
	done
	return 1
}
check "closing ttyS1 removes $name" gone || rc=1
exit $rc
