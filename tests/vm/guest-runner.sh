#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM, started by the initramfs after switch_root onto the
# host's root (read-only 9p). Makes the guest usable (tmpfs where writes
# are needed, /lib/modules/$(uname -r) with Debian's and the project's
# modules, devpts, debugfs, lo up), runs the setup hooks, then either every
# scenario named in the run configuration or an interactive shell, and
# powers the guest off.
#
# The scenarios run in tests/vm/scenario-loop.sh (shared with the systemd
# boot), which speaks the protocol to the host on the second serial port
# (/dev/ttyS1).
set -u
conf=${1:-}

channel=/dev/ttyS1
emit() { printf '%s\n' "$*" >&3; }
kmsg() { echo "stationd-vm: $*" >/dev/kmsg; }
halt_guest() {
	sync
	/bin/busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}
fatal() {
	echo "stationd-vm: FATAL: $*" >/dev/console
	kmsg "FATAL: $*"
	emit "@@fatal $*"
	halt_guest
}

exec 3>"$channel" || fatal "cannot open $channel"
stty -F "$channel" raw -echo 2>/dev/null
[ -r "$conf" ] || fatal "run configuration '$conf' not readable"
# shellcheck source=/dev/null
. "$conf" || fatal "run configuration '$conf' failed"

# ------------------------------------------------------------ file system
# Not /root: the cache with Debian's modules usually lives under it.
# The repository, the module tree (with links into the kernel image in
# the cache) or this run's directory may live under
# one of the directories that get a tmpfs (a CI clone in /tmp): the host's
# root stays reachable under /dev/.hostroot and those paths are bound back
# at their own place on top of the tmpfs.
mkdir -p /dev/.hostroot && mount --bind / /dev/.hostroot || fatal "binding the host root"
for d in /tmp /run /var/tmp /var/lib /var/log /var/cache; do
	mount -t tmpfs -o mode=0755 tmpfs "$d" || fatal "tmpfs on $d"
	for p in "$STATIOND_TOP" "$VM_MODULES" "$VM_IMAGE" "$(dirname "$conf")"; do
		case $p/ in
		"$d"/*)
			mkdir -p "$p" && mount --bind "/dev/.hostroot$p" "$p" ||
				fatal "keeping $p visible over the tmpfs on $d" ;;
		esac
	done
done
chmod 1777 /tmp /var/tmp
mkdir -p /dev/pts /dev/shm /run/lock
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts || fatal "devpts"
mount -t tmpfs -o mode=1777 tmpfs /dev/shm || fatal "tmpfs on /dev/shm"
mount -t debugfs debugfs /sys/kernel/debug || fatal "debugfs"
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null

# /lib/modules/<kabi> exists on the host (linux-headers puts build/ there);
# the host prepared a tree of Debian's modules plus ours, depmod done.
kabi=$(uname -r)
[ -d "/lib/modules/$kabi" ] || fatal "/lib/modules/$kabi missing on the host (linux-headers-$kabi not installed?)"
mount --bind "$VM_MODULES/lib/modules/$kabi" "/lib/modules/$kabi" ||
	fatal "bind-mounting the module tree"

hostname stationd-vm
ip link set lo up 2>/dev/null || /bin/busybox ip link set lo up || fatal "bringing lo up"

export STATIOND_TOP STATIOND_BUILD
# The spare UART the host gives the guest (see run.sh).
export UNET_SERIAL_TTY=ttyS2
export PATH=$STATIOND_BUILD/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp/home LANG=C.UTF-8 TERM=${VM_TERM:-vt100}
{ mkdir -p "$HOME" && cd "$HOME"; } || fatal "home directory $HOME"

# ------------------------------------------------------------ setup hooks
for hook in "${VM_SETUP[@]}"; do
	kmsg "setup hook $hook"
	# shellcheck source=/dev/null
	. "$hook" >&3 2>&1 || fatal "setup hook $hook failed"
done

# Processes alive now (setup hooks may start daemons) survive scenarios;
# anything a scenario leaves behind is killed after it.
declare -A keep
for p in /proc/[0-9]*; do keep[${p#/proc/}]=1; done

kill_leftovers() {
	local p pid comm
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ -n "${keep[$pid]:-}" ] && continue
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		# Kernel threads have no executable.
		readlink "$p/exe" >/dev/null 2>&1 || continue
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		kill -KILL "$pid" 2>/dev/null &&
			emit "# killed leftover process $pid ($comm)"
	done
}

# The project's modules a scenario leaves loaded are unloaded after it, so
# the next one starts from a clean kernel; a splat while unloading still
# counts against the scenario that left them.
project_modules=()
for ko in "/lib/modules/$kabi"/extra/*.ko; do
	[ -e "$ko" ] || continue
	m=$(basename "$ko" .ko)
	project_modules+=("${m//-/_}")
done

# What an at-power-off scenario leaves is for the power-off (run.sh).
after_scenario() {
	grep -q '^# *at-power-off:' "$1" && return 0
	kill_leftovers
	unload_leftover_modules
}

unload_leftover_modules() {
	local m pass loaded=() left=()
	for m in "${project_modules[@]}"; do
		[ -d "/sys/module/$m" ] && loaded+=("$m")
	done
	[ ${#loaded[@]} -gt 0 ] || return 0
	emit "# left loaded, unloaded by the harness: ${loaded[*]}"
	# Users before the modules they use: retry until nothing moves.
	for pass in 1 2 3 4; do
		for m in "${loaded[@]}"; do
			[ -d "/sys/module/$m" ] && rmmod "$m" 2>/dev/null
		done
	done
	for m in "${loaded[@]}"; do
		[ -d "/sys/module/$m" ] && left+=("$m")
	done
	[ ${#left[@]} -eq 0 ] || emit "# could not unload: ${left[*]}"
}

if [ "$VM_MODE" = shell ]; then
	kmsg "interactive shell"
	echo "stationd VM: root shell; 'exit' (or Ctrl-D) powers off. Repo: $STATIOND_TOP" >/dev/console
	setsid -c /bin/bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	halt_guest
fi

# shellcheck source=tests/vm/scenario-loop.sh
. "$STATIOND_TOP/tests/vm/scenario-loop.sh"
run_scenarios
kmsg "all scenarios done, powering off"
halt_guest
