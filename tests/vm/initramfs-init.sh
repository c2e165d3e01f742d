#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the VM's initramfs (built by tests/vm/run.sh): load the 9p
# transport, mount the host's root read-only as the new root and hand over
# to the guest runner from the repository, which the kernel command line
# names (stationd.runner=<path> stationd.conf=<path>). Any failure powers
# the guest off; the host then reports that the VM did not boot.

/bin/busybox --install -s /bin
export PATH=/bin

die() {
	echo "stationd-initramfs: $*" >/dev/console
	echo "stationd-initramfs: $*" >/dev/kmsg
	poweroff -f
	sleep 60
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Order matters: each module needs the ones before it. modules.list holds
# the modules that are not built into this kernel, in that order.
while read -r m; do
	insmod "/modules/$m.ko" || die "insmod $m failed"
done </modules/modules.list

runner= conf=
for arg in $(cat /proc/cmdline); do
	case $arg in
	stationd.runner=*) runner=${arg#stationd.runner=} ;;
	stationd.conf=*) conf=${arg#stationd.conf=} ;;
	esac
done
[ -n "$runner" ] || die "no stationd.runner= on the kernel command line"

# cache=loose: the guest caches what it reads (programs, libraries), which
# makes a run about 2.5 times faster under TCG. The price: a host file
# changed during a run may be seen stale inside it.
mkdir -p /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /newroot ||
	die "mounting the host root over 9p failed"
[ -r "/newroot$runner" ] || die "$runner not found on the host root"

mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$runner" "$conf"
