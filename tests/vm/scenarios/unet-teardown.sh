#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# n_unet teardown: detach, hangup and tty removal while a reader blocks
# in read(), another in poll() and a writer on a full queue; attach and
# detach 100 times; then a clean module unload, and the ldisc= module
# parameter (accepted and refused values).
# timeout: 600
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
rc=0
unet_load && echo "ok - n_unet loads" || { echo "not ok - n_unet loads"; exit 1; }
for mode in detach hangup close-master; do
	"$peer" teardown $mode || rc=1
done
"$peer" cycle 100 || rc=1

n=$(ls /sys/class/unet 2>/dev/null | wc -l)
[ "$n" = 0 ] && echo "ok - no unet device left after the tests" ||
	{ echo "not ok - no unet device left after the tests ($n)"; rc=1; }
if rmmod n_unet && ! unet_loaded && [ ! -e /sys/class/unet ]; then
	echo "ok - n_unet unloads cleanly, class gone"
else
	echo "not ok - n_unet unloads cleanly, class gone"; rc=1
fi

# Another free line discipline number (28, N_MCTP, unused here).
if unet_load ldisc=28 && UNET_LDISC=28 "$peer" cycle 3 >/dev/null &&
	rmmod n_unet; then
	echo "ok - ldisc=28 registers and attaches as 28"
else
	echo "not ok - ldisc=28 registers and attaches as 28"; rc=1
fi
for bad in 0 31 -1; do
	if unet_load ldisc=$bad 2>/dev/null; then
		echo "not ok - ldisc=$bad refused"; rc=1; rmmod n_unet
	else
		echo "ok - ldisc=$bad refused"
	fi
done
exit $rc
