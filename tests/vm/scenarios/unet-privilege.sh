#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Attaching n_unet needs CAP_NET_ADMIN (as n_gsm): a user without it who
# opens a pty cannot attach the discipline, by TIOCSETD or ldattach(8),
# so cannot use up the 256 unet minors or make udev create
# /dev/unet/by-tty/ links. root still can.
# timeout: 120
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
rc=0
unet_load_or_bail

# nobody cannot read the build tree under every layout: run a copy.
unpriv=/tmp/unet-peer-unprivileged
install -m 0755 "$peer" "$unpriv" || rc=1
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	--bounding-set=-all "$unpriv" unprivileged || rc=1
rm -f "$unpriv"

# The same attach as root works (and leaves nothing behind).
root_attaches() { "$peer" cycle 1 >/dev/null; }
check "root attaches and detaches" root_attaches || rc=1
exit $rc
