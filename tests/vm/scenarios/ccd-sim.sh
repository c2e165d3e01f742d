#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ccd-sim alone against the real n_unet discipline: the simulator on a
# pty (TEK5's profile, at 10 times real time), the discipline attached to
# its slave with ldattach, and tests/vm/ccd-sim-check playing the host on
# /dev/unetN: INS at start and its resend, ACKs and duplicates, statuses,
# a run with its phases, the silence while reading out and the pixels on
# the data socket, every fault of the control FIFO as the host sees it on
# the line (and as the discipline counts it), RES and the time service.
# timeout: 240
# shellcheck disable=SC2317 # cleanup runs from the EXIT trap
. "$STATIOND_TOP/tests/vm/unet-lib.sh"
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
unet_load_or_bail
work=$(mktemp -d)
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$work"
	rmmod n_unet 2>/dev/null
}
trap cleanup EXIT

"$build/bin/ccd-sim" -p "$top/daemon/examples/ccd/TEK5" -s 10 --auto-sync 0 \
	-L "$work/tty" -l "$work/log" --control "$work/ctl" -d "$work/data" \
	>"$work/out" 2>&1 &
sim_pid=$!
check "ccd-sim starts on a pty" wait_for 10 grep -q '^ready tty=/dev/pts/' "$work/out" || {
	sed 's/^/# /' "$work/out"
	exit 1
}
check "its --pty-link names the slave" \
	test "$(readlink "$work/tty")" = "$(sed -n 's/^ready tty=\([^ ]*\) .*/\1/p' "$work/out")"
# Time for it to (not) say anything before the host is there.
sleep 0.5
"$build/bin/ccd-sim-check" "$work/tty" "$work/ctl" "$work/log" "$work/data" || scenario_failed=1

check "ccd-sim is still running" kill -0 "$sim_pid"
# The log tells what happened, one line per event.
check "the log shows frames both ways" grep -q ' rx C SYS>CCD1 ' "$work/log"
check "the log shows each fault injected" \
	eval "grep -q 'fault drop-acks' '$work/log' && grep -q 'fault ignore-acks' '$work/log' &&
	      grep -q 'fault duplicate' '$work/log' && grep -q 'fault corrupt' '$work/log' &&
	      grep -q 'fault nack' '$work/log' && grep -q 'fault silent' '$work/log'"
check "the log shows the read-out's pixels sent" grep -q 'data read-out 1: sent' "$work/log"
kill -TERM "$sim_pid"
wait "$sim_pid"
expect_eq "SIGTERM ends ccd-sim with status 0" "$?" 0
sim_pid=""
check "its pty link is gone" test ! -e "$work/tty"
exit "$scenario_failed"
