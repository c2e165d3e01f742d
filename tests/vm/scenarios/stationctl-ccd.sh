#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stationctl ccd (issue 14): the seed's SCCD client programs (SETUP,
# SETTINGS, RUN and its aliases, GLANCE, BIAS, DARK, RUNKICK, SHUTTER, the
# RTC synchronisation, RESET) against the real daemon and a ccd-sim
# controller on the real n_unet discipline, as stationd-ccd.sh brings them
# up. Each verb's exit status and output, and the controller's state it
# leaves (read back over the bus, not through stationctl); mistakes named
# with nothing sent on the line; a reset asked YES/NO; nobody refused with
# exit 4. The server's own behaviour is stationd-ccd.sh's.
# timeout: 240
# shellcheck disable=SC2317,SC2016 # helpers run through check, wait_for and eval
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/ccd-lib.sh"

scenario_begin stationctl-ccd
chmod 0755 "$work"
trap 'ccd_dump_on_failure; ccd_lib_stop; scenario_cleanup' EXIT
start=$SECONDS

modprobe n_unet || { not_ok "modprobe n_unet"; exit 1; }
# 60 times real time: a 1 s exposure takes 17 ms.
ccd_start_sim CCD1 "$STATIOND_TOP/daemon/examples/ccd/TEK5" "$work" -s 60 || exit 1
ccd_station_conf >"$work/station.conf" <<EOF
ccd CCD1 {
	tty $(ccd_tty CCD1)
	profile TEK5
	profile-dir "$STATIOND_TOP/daemon/examples/ccd"
	data-dir "$work/fits"
	data-socket "$work/CCD1.data"
}
EOF
scenario_station_up "the station comes up with ccd CCD1" -c "$work/station.conf" -s 60
wait_for 20 eval '[ "$(ccd_prop CCD1 Link)" = "s \"up\"" ]'

# ---- reading
ctl_ok "ccd CCD1 status exits 0" ccd CCD1 status
check "status: link up, setup needed" eval 'grep -q "^ *Link: up$" <<<"$out" && grep -q "^ *Setup: needed" <<<"$out"'
ctl_ok "status shows the CCD" status
check "status: CCD1 not set up" grep -qE '^ +CCD1: link up, not set up, idle' <<<"$out"
ctl_exit "an unknown CCD: exit 5 naming it" 5 '"CCD9" is not configured' ccd CCD9 status

# ---- mistakes: named, exit 2, nothing on the line
before=$(ccd_rx_commands CCD1)
ctl_exit "an unknown action: exit 2" 2 '"expose" is not a CCD action' ccd CCD1 expose
ctl_exit "a bad exposure time: exit 2 naming the column" 2 \
	"exposure time \"1,5\": ',' at column 2 is not a digit" ccd CCD1 run 1,5
ctl_exit "a bad window: exit 2" 2 'window 1: X1 < X2' ccd CCD1 settings window 1 50 10 40 20
ctl_exit "a bad speed: exit 2" 2 'expected SLOW, STANDARD or FAST' \
	ccd CCD1 settings readout-speed TURBO
ctl_exit "a setting before setup: NotInitialized from the daemon, exit 1" 1 '.' \
	ccd CCD1 settings exptime 2
ctl_exit "reset without a terminal or --yes: not done" 1 'confirm with --yes' ccd CCD1 reset
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups stationctl --no-pager ccd CCD1 setup \
	2>&1 </dev/null)
rc=$?
check "nobody's setup: exit 4, naming the action" eval \
	"[ $rc = 4 ] && grep -q 'org.stationd1.ccd.control' <<<\"\$out\""
sleep 1
expect_eq "nothing was sent on the line for them" "$(ccd_rx_commands CCD1)" "$before"

# ---- setup and settings
ctl_ok "setup exits 0" ccd CCD1 setup
expect_eq "Initialized" "$(ccd_prop CCD1 Initialized)" "b true"
ctl_ok "settings readout-speed fast" ccd CCD1 settings readout-speed fast
expect_eq "ReadoutSpeed FAST" "$(ccd_prop CCD1 ReadoutSpeed)" 's "FAST"'
ctl_ok "settings bin 2" ccd CCD1 settings bin 2
ctl_ok "settings window 1 101 101 600 500" ccd CCD1 settings window 1 101 101 600 500
ctl_ok "settings enable-windows" ccd CCD1 settings enable-windows
expect_eq "Format: 2x2, window 1 enabled" "$(ccd_prop CCD1 Format)" \
	"(uub(buuuu)(buuuu)) 2 2 true true 101 101 600 500 false 0 0 0 0"
ctl_exit "the same setting again: AlreadyThere, exit 1" 1 '.' ccd CCD1 settings bin 2 2
ctl_exit "a window outside the chip: the daemon's InvalidArgs, exit 2" 2 '.' \
	ccd CCD1 settings window 2 1 1 5000 10
ctl_ok "settings window 1 off" ccd CCD1 settings window 1 off
ctl_ok "settings disable-windows" ccd CCD1 settings disable-windows
ctl_ok "settings bin 1" ccd CCD1 settings bin 1
expect_eq "back to the full frame" "$(ccd_prop CCD1 Format)" \
	"(uub(buuuu)(buuuu)) 1 1 false false 0 0 0 0 false 0 0 0 0"
ctl_ok "settings preflash 0.1" ccd CCD1 settings preflash 0.1
expect_eq "Preflash 100 ms" "$(ccd_prop CCD1 Preflash)" "u 100"
ctl_ok "settings (show)" ccd CCD1 settings
check "settings shows the speed and the preflash" eval 'grep -q "^Readout speed: FAST$" <<<"$out" && grep -q "Preflash: 0.100 s" <<<"$out"'
ctl_ok "--json status" --json=short ccd CCD1 status
expect_eq "--json: Initialized and the readout speed" \
	"$(json '(j["Initialized"], j["ReadoutSpeed"], j["Format"]["BinX"])')" "(True, 'FAST', 1)"

# ---- runs: set the exposure, start, wait for the end
ctl_ok "run arc 2 'Cu-Ar lamp' runs to its end" ccd CCD1 run arc 2 "Cu-Ar lamp"
check "it printed the run number and the file" eval 'grep -q "^Run 1 started: ARC \"Cu-Ar lamp\"$" <<<"$out" && grep -qE "^complete after [0-9.]+ s: .*/r0000001.fit$" <<<"$out"'
expect_eq "ExposureTime 2000 ms" "$(ccd_prop CCD1 ExposureTime)" "u 2000"
check "its FITS file says ARC and the title" eval 'ccd_fits_key "$work/fits/r0000001.fit" OBSTYPE | grep -q ARC && ccd_fits_key "$work/fits/r0000001.fit" OBJECT | grep -q "Cu-Ar lamp"'
ctl_ok "bias" ccd CCD1 bias
check "bias is run 2, complete" eval 'grep -q "^Run 2 started: BIAS" <<<"$out" && grep -q "^complete" <<<"$out"'
ctl_ok "glance 1" ccd CCD1 glance 1
check "a glance has no run number" eval 'grep -q "^GLANCE started" <<<"$out" && grep -q "^complete" <<<"$out"'
expect_eq "RunNumber still 2" "$(ccd_prop CCD1 RunNumber)" "u 2"

# ---- runkick on a run left running (--no-block)
ctl_ok "dark 3600 --no-block returns once started" --no-block ccd CCD1 dark 3600 "long dark"
check "it printed run 3" grep -q "^Run 3 started: DARK \"long dark\"$" <<<"$out"
wait_for 20 eval '[ "$(ccd_prop CCD1 Phase)" = "(us) 3 \"exposing\"" ]'
ctl_ok "runkick pause" ccd CCD1 runkick pause
expect_eq "paused" "$(ccd_prop CCD1 Phase)" '(us) 4 "paused"'
ctl_exit "runkick pause again: WrongState, exit 1" 1 '.' ccd CCD1 runkick pause
ctl_ok "status while paused" ccd CCD1 status
check "status: paused, elapsed shown" grep -qE '^ +Phase: paused, [0-9]+\.[0-9]{3} s elapsed$' <<<"$out"
ctl_ok "runkick continue" ccd CCD1 runkick continue
ctl_ok "runkick abort" ccd CCD1 runkick abort
wait_for 20 eval '[ "$(ccd_prop CCD1 Phase | cut -d" " -f2)" != 3 ]'
ctl_exit "runkick without a run: exit 1" 1 '.' ccd CCD1 runkick finish
# A run that ends aborted: exit 1 with its result.
(
	wait_for 30 eval '[ "$(ccd_prop CCD1 Phase | cut -d" " -f2)" = 3 ]'
	stationctl ccd CCD1 runkick abort
) >/dev/null 2>&1 &
kicker=$!
ctl_exit "a run aborted while waited for: exit 1" 1 '' ccd CCD1 run 3600
wait "$kicker"
check "...its result printed" grep -q "^aborted after" <<<"$out"

# ---- shutter, clock, reset
ctl_ok "shutter open" ccd CCD1 shutter open
expect_eq "Shutter open" "$(ccd_prop CCD1 Shutter)" 's "open"'
ctl_ok "shutter close" ccd CCD1 shutter close
expect_eq "Shutter closed" "$(ccd_prop CCD1 Shutter)" 's "closed"'
ctl_ok "sync-rtc" ccd CCD1 sync-rtc
check "LastSync is set" eval '[ "$(ccd_prop CCD1 LastSync)" != "t 0" ]'
ctl_ok "reset --yes" --yes ccd CCD1 reset
expect_eq "Initialized false after reset" "$(ccd_prop CCD1 Initialized)" "b false"
echo "# at $((SECONDS - start)) s"
