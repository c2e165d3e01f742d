#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the systemd-mode VM (tests/vm/run.sh --systemd), started by
# the initramfs after switch_root onto the host's root (read-only 9p):
# it makes the host root a machine of its own, installs the station in
# it, and hands PID 1 over to systemd.
#
#   - writable overlays (tmpfs upper layers) on /etc, /var, /usr and
#     /root; tmpfs on /tmp; an empty fstab, the host's services that do
#     not belong in the test machine masked;
#   - the station and its simulators: the tree the host staged with
#     `make install install-sim DESTDIR=...` and depmod (run.sh; its
#     /lib/modules/$(uname -r) links Debian's modules in the kernel image),
#     unpacked onto the overlays (systemd-sysusers runs at boot);
#   - the harness's units in /etc/systemd/system: stationd-vm.target (the
#     kernel command line boots it: systemd.unit=stationd-vm.target)
#     with, in run mode, stationd-vm-runner.service (runs the scenarios,
#     tests/vm/systemd-runner.sh) or, in shell mode, a root login on the
#     console (serial-getty@ttyS0 with autologin; logging out powers the
#     guest off);
#   - the setup hooks of the run (VM_SETUP), sourced last;
#   - exec /lib/systemd/systemd.
#
# A failure before systemd runs is reported on the harness's channel
# (@@fatal, as guest-runner.sh does) and powers the guest off.
set -u
conf=${1:-}
channel=/dev/ttyS1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

kmsg() { echo "stationd-vm: $*" >/dev/kmsg; }
fatal() {
	echo "stationd-vm: FATAL: $*" >/dev/console
	kmsg "FATAL: $*"
	printf '@@fatal %s\n' "$*" >"$channel"
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
}

stty -F "$channel" raw -echo 2>/dev/null
[ -r "$conf" ] || fatal "run configuration '$conf' not readable"
# shellcheck source=/dev/null
. "$conf" || fatal "run configuration '$conf' failed"

# ------------------------------------------------------------ file system
# overlayfs is a module, and /lib/modules has none yet: from the image.
kabi=$(uname -r)
[ -d /sys/module/overlay ] || insmod "$VM_IMAGE/lib/modules/$kabi/kernel/fs/overlayfs/overlay.ko" ||
	fatal "overlayfs module loaded from $VM_IMAGE"
mount -t tmpfs -o mode=0755 tmpfs /run || fatal "tmpfs on /run"
state=/run/stationd-vm
mkdir -p "$state"
# The overlays' upper layers live on a tmpfs of their own, out of sight.
ovl=/dev/.stationd-overlay
mkdir -p "$ovl" && mount -t tmpfs -o mode=0700 tmpfs "$ovl" || fatal "tmpfs for the overlays"
# The host's root stays reachable: the run directory, the repository and
# the kernel image may live under a directory an overlay or tmpfs covers.
mkdir -p /dev/.hostroot && mount --bind / /dev/.hostroot || fatal "binding the host root"
for d in /etc /var /usr /root; do
	mkdir -p "$ovl/upper$d" "$ovl/work$d"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$ovl/upper$d,workdir=$ovl/work$d" "$d" ||
		fatal "overlay on $d"
done
mount -t tmpfs -o mode=1777 tmpfs /tmp || fatal "tmpfs on /tmp"
for p in "$STATIOND_TOP" "$VM_IMAGE" "$VM_INSTALL" "$(dirname "$conf")"; do
	case $p/ in
	/tmp/*)
		mkdir -p "$p" && mount --bind "/dev/.hostroot$p" "$p" ||
			fatal "keeping $p visible over the tmpfs on /tmp" ;;
	esac
done

# The host's configuration is the lower layer: what would start on the
# host must not start here, and fstab describes the host's disks. No
# per-user service managers either (a login's user@.service): a minute
# of CPU each under TCG, and nothing here needs them.
echo "# stationd test VM: the root is the host's, over 9p" >/etc/fstab
echo stationd-vm >/etc/hostname
for unit in systemd-timesyncd.service systemd-pstore.service e2scrub_reap.service \
	e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	fstrim.timer man-db.timer postgresql.service getty@tty1.service remote-fs.target \
	systemd-networkd.service systemd-resolved.service ssh.service cron.service \
	systemd-modules-load.service modprobe@drm.service modprobe@loop.service \
	modprobe@dm_mod.service modprobe@fuse.service user@.service; do
	ln -sf /dev/null "/etc/systemd/system/$unit"
done
# Generators run at boot and at every daemon-reload (systemd-station
# makes several): the host's that have nothing to find here are masked,
# each a process, or a scan of /etc/init.d or the disks, for nothing
# under TCG. The station's own (stationd-generator) stays, and so do
# fstab's and those reading the kernel command line (systemd.mask=,
# systemd.run=, ... in STATIOND_VM_APPEND); the console's login in shell
# mode is wanted explicitly (below), not by the getty generator.
mkdir -p /etc/systemd/system-generators
for g in postgresql-generator systemd-sysv-generator systemd-rc-local-generator \
	systemd-gpt-auto-generator systemd-cryptsetup-generator systemd-integritysetup-generator \
	systemd-veritysetup-generator systemd-hibernate-resume-generator \
	systemd-system-update-generator systemd-getty-generator; do
	ln -sf /dev/null "/etc/systemd/system-generators/$g"
done
# udev's coldplug would load a driver for every device of QEMU's PC and
# every CPU feature (kvm, floppy, IDE, crypto, ...): minutes under TCG on
# a busy host, for nothing the station uses.
for m in kvm kvm_amd kvm_intel floppy pcspkr ata_piix ata_generic pata_acpi \
	psmouse serio_raw joydev evdev mousedev aesni_intel ghash_clmulni_intel \
	crc32_pclmul crct10dif_pclmul polyval_clmulni sha1_ssse3 sha256_ssse3 \
	sha512_ssse3 powernow_k8 i2c_piix4 button drm bochs qemu_fw_cfg sg \
	parport_pc ppdev intel_rapl_msr amd64_edac edac_mce_amd intel_pmc_bxt \
	iTCO_wdt watchdog rapl tiny_power_button; do
	echo "blacklist $m"
done >/etc/modprobe.d/stationd-vm.conf

# ------------------------------------------------------------ the install
# The host ran `make install install-sim DESTDIR=$VM_INSTALL` and depmod
# on that tree, whose /lib/modules/$(uname -r) links Debian's modules
# (run.sh); here it goes onto the overlays as a package manager would put
# it (systemd-sysusers then runs at boot, from the installed sysusers.d).
# The directories that exist keep theirs: / itself is read-only.
log=$state/install.log
if ! (cd "$VM_INSTALL" && tar -cf - -- *) |
	tar -C / -xf - --keep-directory-symlink --no-overwrite-dir --no-same-owner 2>"$log"; then
	kmsg "the install failed: $(tail -n 3 "$log" | tr '\n' ' ')"
	fatal "installing $VM_INSTALL on the overlays failed"
fi
[ -e "/lib/modules/$kabi/modules.dep" ] || fatal "no modules.dep in /lib/modules/$kabi after the install"
kmsg "installed: $(find "$VM_INSTALL" ! -type d | wc -l) files from $VM_INSTALL"

# ------------------------------------------------------------ units
units=/etc/systemd/system
cat >"$units/stationd-vm.target" <<EOF
[Unit]
Description=stationd test VM
Requires=basic.target
After=basic.target
Wants=systemd-logind.service
AllowIsolate=yes
EOF
mkdir -p "$units/stationd-vm.target.wants"
if [ "$VM_MODE" = shell ]; then
	mkdir -p "$units/serial-getty@ttyS0.service.d"
	cat >"$units/serial-getty@ttyS0.service.d/stationd-vm.conf" <<EOF
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %I \$TERM
Environment=TERM=${VM_TERM:-vt100}
Restart=no
ExecStopPost=/bin/systemctl --no-block poweroff
EOF
	ln -sf /lib/systemd/system/serial-getty@.service \
		"$units/stationd-vm.target.wants/serial-getty@ttyS0.service"
else
	cat >"$units/stationd-vm-runner.service" <<EOF
[Unit]
Description=stationd VM scenarios
After=basic.target dbus.socket systemd-logind.service systemd-udev-trigger.service

[Service]
Type=exec
ExecStart=/bin/bash $STATIOND_TOP/tests/vm/systemd-runner.sh $conf
StandardInput=null
StandardOutput=journal
TimeoutStartSec=infinity
EOF
	ln -sf ../stationd-vm-runner.service "$units/stationd-vm.target.wants/"
fi

# ------------------------------------------------------------ setup hooks
# (their output: on the channel in a run, on the console for a shell)
hook_out=$channel
[ "$VM_MODE" = shell ] && hook_out=/dev/console
for hook in "${VM_SETUP[@]}"; do
	kmsg "setup hook $hook"
	# shellcheck source=/dev/null
	. "$hook" >"$hook_out" 2>&1 || fatal "setup hook $hook failed"
done

kmsg "starting systemd"
# (--unit= on systemd's own command line: the kernel command line's
# systemd.unit= was not honoured when systemd is exec'd here)
exec /lib/systemd/systemd --system --unit=stationd-vm.target
