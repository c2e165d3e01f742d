#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM environment the harness promises to every scenario.
set -u
n=0
check() {
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/harness-env.out 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		sed 's/^/# /' /tmp/harness-env.out
	fi
}
kabi=$(uname -r)
echo "1..10"
check "running the kernel the modules are built for (${KABI:-$kabi})" \
	test -f "/lib/modules/$kabi/modules.dep"
check "a Debian module loads: modprobe industrialio" modprobe industrialio
check "/sys/bus/iio exists" test -d /sys/bus/iio
check "module unloads: modprobe -r industrialio" modprobe -r industrialio
check "project modules are in /lib/modules/$kabi/extra" \
	bash -c "ls /lib/modules/$kabi/extra/*.ko"
check "/tmp is writable" bash -c 'echo x >/tmp/harness-env.w && rm /tmp/harness-env.w'
check "the repository is readable at STATIOND_TOP" test -r "$STATIOND_TOP/tests/vm/run.sh"
check "the host root is read-only" bash -c "! touch /usr/harness-env-probe 2>/dev/null"
check "lo is up" bash -c 'ip -o link show lo | grep -q "UP"'
check "debugfs is mounted" test -d /sys/kernel/debug/block
