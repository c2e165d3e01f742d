#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the VM harness: never finishes; must be reported as a
# timeout, and the background child it leaves must not survive it.
# timeout: 5
echo "ok 1 - started"
sleep 1000 &
sleep 1000
