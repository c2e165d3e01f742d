#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 10 000 frames with 1 % random corruption through n_unet: delivered +
# dropped == sent, each drop in its own counter, none delivered twice.
# UNET_SEED picks another corruption pattern.
# timeout: 900
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
unet_load_or_bail
"$peer" stress 10000
