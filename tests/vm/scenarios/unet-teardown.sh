#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# n_unet teardown: detach, hangup and tty removal while a reader blocks
# in read(), another in poll() and a writer on a full queue; a tty whose
# driver is closed while the discipline stays attached (nothing reaches
# the line until it is opened again); attach and detach 100 times; then a
# clean module unload, and the ldisc= module parameter (accepted and
# refused values).
# timeout: 600
# shellcheck disable=SC2317 # the checks are called through check()
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
rc=0
unet_load_or_bail
for mode in detach hangup close-master; do
	"$peer" teardown $mode || rc=1
done
"$peer" closed-tty || rc=1
"$peer" cycle 100 || rc=1

no_unet_devices() {
	[ -z "$(find /sys/class/unet -mindepth 1 -maxdepth 1 2>/dev/null)" ]
}
check "no unet device left after the tests" no_unet_devices || rc=1

unloads_cleanly() {
	rmmod n_unet && ! unet_loaded && [ ! -e /sys/class/unet ]
}
check "n_unet unloads cleanly, class gone" unloads_cleanly || rc=1

# Another free line discipline number (28, N_MCTP, unused here).
attaches_as_28() {
	unet_load ldisc=28 && UNET_LDISC=28 "$peer" cycle 3 >/dev/null &&
		rmmod n_unet
}
check "ldisc=28 registers and attaches as 28" attaches_as_28 || rc=1

for bad in 0 31 -1; do
	if unet_load ldisc=$bad 2>/dev/null; then
		echo "not ok - ldisc=$bad refused"
		rmmod n_unet
		rc=1
	else
		echo "ok - ldisc=$bad refused"
	fi
done
exit $rc
