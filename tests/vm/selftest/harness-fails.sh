#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the VM harness: one passing and one failing TAP line.
echo "ok 1 - this line passes"
echo "not ok 2 - this line fails"
