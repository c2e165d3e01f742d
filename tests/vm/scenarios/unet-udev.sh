#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# udev/60-unet.rules with a real systemd-udevd in the guest: attaching
# n_unet creates /dev/unet/by-tty/<tty> -> /dev/unetN from the uevent's
# UNET_TTY, detaching removes it.
# timeout: 180
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
udevd=/lib/systemd/systemd-udevd
if [ ! -x $udevd ] || ! command -v udevadm >/dev/null; then
	echo "ok - by-tty link # SKIP systemd-udevd not installed"
	exit 0
fi
rc=0
unet_load_or_bail

mkdir -p /run/udev/rules.d
cp "$top/udev/60-unet.rules" /run/udev/rules.d/
started_udevd=0
if ! udevadm control --ping 2>/dev/null; then
	$udevd --daemon && started_udevd=1
fi
check "systemd-udevd running" udevadm control --ping || exit 1
udevadm control --reload

out=/run/unet-udev-hold.$$
"$peer" hold >"$out" &
holder=$!
for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
read -r name tty <"$out"
udevadm settle --timeout=10
link=/dev/unet/by-tty/$tty
if [ -n "$name" ] && [ -L "$link" ] && [ "$(readlink -f "$link")" = "/dev/$name" ]; then
	echo "ok - $link -> /dev/$name"
else
	echo "not ok - /dev/unet/by-tty/<tty> link for ${name:-nothing} on ${tty:-?}"
	find /dev/unet -ls 2>&1 | sed 's/^/# /'
	udevadm info "/sys/class/unet/$name" 2>&1 | sed 's/^/# /'
	rc=1
fi
if udevadm info "/sys/class/unet/$name" 2>/dev/null | grep -q "UNET_TTY=$tty"; then
	echo "ok - uevent carries UNET_TTY=$tty"
else
	echo "not ok - uevent carries UNET_TTY=$tty"; rc=1
fi

kill "$holder"
wait "$holder" 2>/dev/null
udevadm settle --timeout=10
check "link removed on detach" test ! -e "$link" || rc=1

rm -f "$out" /run/udev/rules.d/60-unet.rules
if [ $started_udevd = 1 ]; then
	udevadm control --exit
fi
exit $rc
