#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# n_unet on a real serial port, attached with ldattach as in production:
# /dev/unetN is a child of the tty's device and its uevent names the tty.
# Needs a UART nobody else uses, named by UNET_SERIAL_TTY (e.g. ttyS2
# with a third QEMU "-serial null"); the harness itself talks over ttyS1
# and the console is ttyS0, so without it the scenario is skipped.
# timeout: 120
# shellcheck disable=SC2317 # gone() is called through check()
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
tty=${UNET_SERIAL_TTY:-}
if [ -z "$tty" ]; then
	echo "ok - ldattach on a UART # SKIP UNET_SERIAL_TTY not set (no spare UART)"
	exit 0
fi
if ! grep -q "^${tty#ttyS}: uart:16550" /proc/tty/driver/serial 2>/dev/null; then
	echo "not ok - $tty is a UART"
	exit 1
fi
rc=0
unet_load_or_bail

ldattach -d -7 -e -1 -s 9600 29 "/dev/$tty" 2>/dev/null &
ldattach_pid=$!
name=
for _ in $(seq 50); do
	for d in /sys/class/unet/*; do
		[ "$(cat "$d/tty" 2>/dev/null)" = "$tty" ] && name=${d##*/}
	done
	[ -n "$name" ] && break
	sleep 0.1
done
check "ldattach 29 /dev/$tty creates a unet device (${name:-none})" test -n "$name" || {
	kill "$ldattach_pid"
	exit 1
}
check "its parent is the $tty device" \
	test "$(readlink -f "/sys/class/unet/$name/device")" = \
	"$(readlink -f "/sys/class/tty/$tty")" || rc=1
check "its uevent carries UNET_TTY=$tty" grep -qx "UNET_TTY=$tty" "/sys/class/unet/$name/uevent" || rc=1

kill "$ldattach_pid"
wait "$ldattach_pid" 2>/dev/null
gone() {
	for _ in $(seq 50); do
		[ -e "/sys/class/unet/$name" ] || return 0
		sleep 0.1
	done
	return 1
}
check "closing $tty removes $name" gone || rc=1
exit $rc
