#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# n_unet receive path and attributes over a pty pair (TIOCSETD, and
# ldattach as on a serial port): noise, split
# writes, every kind of spoilt frame, EOVERFLOW/EAGAIN, overruns,
# counters equal to what was injected, validated sysfs limits.
# timeout: 300
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
rc=0
unet_load_or_bail
"$peer" framing || rc=1
"$peer" sysfs || rc=1
"$peer" ldattach || rc=1
exit $rc
