# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests/vm/scenarios/unet-*.sh inside the VM guest.
top=${STATIOND_TOP:?STATIOND_TOP unset: run through tests/vm/run.sh}
build=${STATIOND_BUILD:-$top/build}
# shellcheck disable=SC2034 # used by the scenarios that source this
peer=$build/bin/unet-peer

# Load the freshly built n_unet (modprobe through the harness's
# /lib/modules; insmod of the build tree's module where there is none).
# Without parameters an already loaded module is fine.
# shellcheck disable=SC2120 # parameters are optional
unet_load() {
	[ $# = 0 ] && [ -d /sys/module/n_unet ] && return 0
	modprobe n_unet "$@" 2>/dev/null || insmod "$top/kernel/unet/n_unet.ko" "$@"
}

# The tests run over pseudo-terminals: make sure devpts is there.
if [ ! -e /dev/pts/ptmx ]; then
	mkdir -p /dev/pts
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
	[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
fi

unet_loaded() {
	[ -d /sys/module/n_unet ]
}

# Every scenario starts with this TAP line; nothing else makes sense
# without the module.
unet_load_or_bail() {
	# shellcheck disable=SC2119
	if unet_load; then
		echo "ok - n_unet loads"
	else
		echo "not ok - n_unet loads"
		exit 1
	fi
}

# ok/not ok line for a shell condition: check "description" command...
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		return 1
	fi
}
