#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# n_unet transmit path: SYN payload EOT on the line, EINVAL refusals
# with nothing sent, partial writes without interleaving, XON
# keep-alive on an idle line, XOFF holding output until XON.
# timeout: 300
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
rc=0
unet_load_or_bail
"$peer" write || rc=1
"$peer" xon || rc=1
exit $rc
