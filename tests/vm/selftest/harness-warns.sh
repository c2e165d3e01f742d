#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the VM harness: passes by itself, but puts a WARNING into
# the kernel log, which the host must report against this scenario.
echo "<4>WARNING: stationd harness self-test (this splat is expected)" >/dev/kmsg
echo "ok 1 - warning written to the kernel log"
