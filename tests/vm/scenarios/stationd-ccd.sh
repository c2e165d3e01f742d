#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The SCCD server in the full daemon (issue 13): the simulated station
# with a ccd-sim controller on a pseudo-terminal, the real n_unet
# discipline attached with ldattach (9600 7E1, as in production), stationd
# and org.stationd1.Ccd on the station's bus. Setup from the example
# profile; every setting converges and is AlreadyThere when repeated; a
# RUN with PAUSE/CONTINUE and a FINISH, its FITS file with the pixels
# (fitsverify, OBJECT, RUN, EXPTIME); Clear and Readout; BIAS and DARK
# use DAR; ABORT; the
# shutter open/close and jammed/unjam; SyncClock with the TIM dialogue;
# Reset -> INS -> Initialized false -> Setup again; an unprivileged caller
# and bad arguments refused with nothing sent on the line.
# timeout: 900
# shellcheck disable=SC2317,SC2016 # helpers run through check, wait_for and eval
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/ccd-lib.sh"

scenario_begin stationd-ccd
chmod 0755 "$work"
trap 'ccd_dump_on_failure; ccd_lib_stop; scenario_cleanup' EXIT

modprobe n_unet || { not_ok "modprobe n_unet"; exit 1; }
# One controller at 60 times real time: a 1 s exposure takes 17 ms.
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
scenario_station_up "the station comes up with ccd CCD1 on $(ccd_tty CCD1)" -c "$work/station.conf" -s 60 \
	--no-daemon
# At debug level (SYSTEMD_LOG_LEVEL, as systemd's daemons take it) stationd
# logs every frame it receives with its fields.
station_start_daemon SYSTEMD_LOG_LEVEL=debug
check "stationd is on the bus" station_wait_ready 60
scenario_monitor

P=/org/stationd1/ccd/CCD1
runs_ended() { grep -c '"member":"RunEnded"' "$work/monitor.log"; }
check "the object is published" eval 'station_busctl tree org.stationd1 | grep -q "$P"'
wait_for 20 eval '[ "$(ccd_prop CCD1 Link)" = "s \"up\"" ]'
expect_eq "Link is up once the discipline's device is open" "$(ccd_prop CCD1 Link)" 's "up"'
expect_eq "not Initialized before Setup" "$(ccd_prop CCD1 Initialized)" "b false"

# ---- refused without a word on the line
before=$(ccd_rx_commands CCD1)
expect_eq "a setting before Setup: NotInitialized" "$(ccd_error CCD1 SetExposureTime 1000)" \
	org.stationd1.Error.NotInitialized
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl --address="$STATION_BUS_ADDRESS" \
	call org.stationd1 "$P" org.stationd1.Ccd Setup s "" 2>&1)
check "nobody's Setup is refused with AccessDenied" grep -qi "access denied" <<<"$out"
expect_eq "Setup of a missing profile: InvalidArgs" "$(ccd_error CCD1 Setup "'NOPE'")" \
	org.freedesktop.DBus.Error.InvalidArgs
sleep 1
expect_eq "nothing was sent on the line for them" "$(ccd_rx_commands CCD1)" "$before"

# ---- Setup and settings
check "Setup from the configured profile returns" ccd_call CCD1 Setup s ""
expect_eq "Initialized" "$(ccd_prop CCD1 Initialized)" "b true"
expect_eq "Profile" "$(ccd_prop CCD1 Profile)" 's "TEK5"'
check "SYSTEMD_LOG_LEVEL=debug: stationd logs each frame it receives (Setup's replies)" \
	wait_for 10 grep -qE '^stationd: ccd CCD1: received [A-Z] [A-Z0-9]+ -> [A-Z0-9]+ #[0-9A-F]{4}' \
	"$STATION_DAEMON_LOG"
expect_eq "ReadoutSpeed from the profile" "$(ccd_prop CCD1 ReadoutSpeed)" 's "STANDARD"'
expect_eq "Format from the profile" "$(ccd_prop CCD1 Format)" \
	"(uub(buuuu)(buuuu)) 1 1 false false 0 0 0 0 false 0 0 0 0"
check "SetReadoutSpeed FAST" ccd_call CCD1 SetReadoutSpeed s FAST
expect_eq "ReadoutSpeed FAST" "$(ccd_prop CCD1 ReadoutSpeed)" 's "FAST"'
check "SetClearSpeed NORMAL" ccd_call CCD1 SetClearSpeed s NORMAL
check "SetPreflash 100" ccd_call CCD1 SetPreflash u 100
check "SetExposureTime 2000" ccd_call CCD1 SetExposureTime u 2000
expect_eq "ExposureTime" "$(ccd_prop CCD1 ExposureTime)" "u 2000"
check "SetFormat: binning 2x2 and window 1" \
	ccd_call CCD1 SetFormat "uub(buuuu)(buuuu)" 2 2 false true 101 101 600 500 false 0 0 0 0
expect_eq "Format" "$(ccd_prop CCD1 Format)" \
	"(uub(buuuu)(buuuu)) 2 2 false true 101 101 600 500 false 0 0 0 0"
before=$(ccd_rx_commands CCD1)
expect_eq "the same speed again: AlreadyThere" "$(ccd_error CCD1 SetReadoutSpeed "'fast'")" \
	org.stationd1.Error.AlreadyThere
expect_eq "the same format again: AlreadyThere" \
	"$(ccd_error CCD1 SetFormat 2 2 false "(true, 101, 101, 600, 500)" "(false, 0, 0, 0, 0)")" \
	org.stationd1.Error.AlreadyThere
expect_eq "a window outside the chip: InvalidArgs" \
	"$(ccd_error CCD1 SetFormat 1 1 true "(true, 1, 1, 2000, 10)" "(false, 0, 0, 0, 0)")" \
	org.freedesktop.DBus.Error.InvalidArgs
expect_eq "binning over BIN_MAX: InvalidArgs" \
	"$(ccd_error CCD1 SetFormat 9 1 false "(false, 0, 0, 0, 0)" "(false, 0, 0, 0, 0)")" \
	org.freedesktop.DBus.Error.InvalidArgs
expect_eq "an unknown speed: InvalidArgs" "$(ccd_error CCD1 SetReadoutSpeed "'TURBO'")" \
	org.freedesktop.DBus.Error.InvalidArgs
expect_eq "an unknown run type: InvalidArgs" "$(ccd_error CCD1 StartRun "'EXPOSE'" "''")" \
	org.freedesktop.DBus.Error.InvalidArgs
expect_eq "an unknown shutter move: InvalidArgs" "$(ccd_error CCD1 MoveShutter "'ajar'")" \
	org.freedesktop.DBus.Error.InvalidArgs
sleep 1
expect_eq "nothing was sent for them" "$(ccd_rx_commands CCD1)" "$before"
check "back to the full frame" \
	ccd_call CCD1 SetFormat "uub(buuuu)(buuuu)" 1 1 false false 0 0 0 0 false 0 0 0 0

# ---- Clear and Readout on their own, each returning when the controller confirms
check "Clear returns" ccd_call CCD1 Clear
check "the controller cleared (CLR201 done)" grep -q " tx S CCD1>SYS [0-9A-F]* .*CLR201(1,0)" "$(ccd_log CCD1)"
check "Readout returns" ccd_call CCD1 Readout
check "the controller read out (RED201 done)" grep -q " tx S CCD1>SYS [0-9A-F]* .*RED201(1,0)" "$(ccd_log CCD1)"

# ---- a RUN with PAUSE, CONTINUE and FINISH
ccd_call CCD1 SetExposureTime u 3600000 >/dev/null	# 1 h: 60 s at 60x
out=$(ccd_call CCD1 StartRun ss RUN "M31 field")
expect_eq "StartRun returns the run number" "$out" "u 1"
wait_for 20 eval '[ "$(ccd_prop CCD1 Phase)" = "(us) 3 \"exposing\"" ]'
expect_eq "exposing" "$(ccd_prop CCD1 Phase)" '(us) 3 "exposing"'
check "Pause while exposing" ccd_call CCD1 Pause
expect_eq "paused" "$(ccd_prop CCD1 Phase)" '(us) 4 "paused"'
expect_eq "Pause while paused: WrongState" "$(ccd_error CCD1 Pause)" org.stationd1.Error.WrongState
check "Continue while paused" ccd_call CCD1 Continue
check "Finish while exposing" ccd_call CCD1 Finish
wait_for 60 eval 'runs_ended | grep -qx 1'
check "RunEnded complete with its file" grep -q '"member":"RunEnded","payload":{"type":"sus","data":\["complete",[0-9]*,"[^"]*/r0000001.fit"' "$work/monitor.log"
check "RunStarted 1 RUN M31 field" grep -q '"member":"RunStarted","payload":{"type":"uss","data":\[1,"RUN","M31 field"' "$work/monitor.log"
fits=$work/fits/r0000001.fit
check "the FITS file exists" test -s "$fits"
check "fitsverify accepts it" eval 'fitsverify -q -e "$fits" | grep -q "verification OK"'
check "OBJECT and RUN in its header" eval 'ccd_fits_key "$fits" OBJECT | grep -q "M31 field" && ccd_fits_key "$fits" RUN | grep -q "^1$"'
check "EXPTIME 3600 s and the pixels of the full frame" eval 'ccd_fits_key "$fits" EXPTIME | grep -q "^3600" && ccd_fits_key "$fits" NAXIS1 | grep -q "^1124$"'
expect_eq "RunNumber" "$(ccd_prop CCD1 RunNumber)" "u 1"
check "the run number is on disk" eval 'grep -qx 1 "$STATION_STATE_DIR/ccd-CCD1.run"'

# ---- BIAS and DARK use DAR; ABORT
ccd_call CCD1 SetExposureTime u 1000 >/dev/null
expect_eq "BIAS is run 2" "$(ccd_call CCD1 StartRun ss BIAS "")" "u 2"
wait_for 30 eval 'runs_ended | grep -qx 2'
check "the BIAS went out as DAR" grep -q " rx C .*DAR101" "$(ccd_log CCD1)"
expect_eq "its exposure was set to 0" "$(ccd_prop CCD1 ExposureTime)" "u 0"
check "its file says OBSTYPE BIAS" eval 'ccd_fits_key "$work/fits/r0000002.fit" OBSTYPE | grep -q BIAS'
ccd_call CCD1 SetExposureTime u 3600000 >/dev/null
expect_eq "DARK is run 3" "$(ccd_call CCD1 StartRun ss DARK "dark")" "u 3"
wait_for 20 eval '[ "$(ccd_prop CCD1 Phase)" = "(us) 3 \"exposing\"" ]'
check "Abort while exposing" ccd_call CCD1 Abort
wait_for 20 eval 'runs_ended | grep -qx 3'
check "RunEnded aborted, no file" grep -q '"member":"RunEnded","payload":{"type":"sus","data":\["aborted",[0-9]*,""' "$work/monitor.log"
expect_eq "Abort without a run: WrongState" "$(ccd_error CCD1 Abort)" org.stationd1.Error.WrongState

# ---- the shutter
check "MoveShutter open" ccd_call CCD1 MoveShutter s open
expect_eq "Shutter open" "$(ccd_prop CCD1 Shutter)" 's "open"'
ccd_sim_do CCD1 jam
out=$(ccd_call CCD1 MoveShutter s close 2>&1)
check "a jammed shutter: ControllerError naming hardware-fault" grep -q "hardware-fault" <<<"$out"
expect_eq "Shutter jammed" "$(ccd_prop CCD1 Shutter)" 's "jammed"'
expect_eq "ShutterOk false" "$(ccd_prop CCD1 ShutterOk)" "b false"
check "MoveShutter unjam" ccd_call CCD1 MoveShutter s unjam
expect_eq "Shutter closed after unjam" "$(ccd_prop CCD1 Shutter)" 's "closed"'
expect_eq "ShutterOk again" "$(ccd_prop CCD1 ShutterOk)" "b true"

# ---- the clock
check "SyncClock returns" ccd_call CCD1 SyncClock
check "the controller asked TIM (UTC200, TIM200)" eval '[ "$(ccd_prop CCD1 TimeRequests | cut -d" " -f2)" -ge 2 ]'
check "LastSync is set" eval '[ "$(ccd_prop CCD1 LastSync)" != "t 0" ]'

# ---- Reset -> INS -> Setup again
check "Reset returns once acknowledged" ccd_call CCD1 Reset
expect_eq "Initialized false after Reset" "$(ccd_prop CCD1 Initialized)" "b false"
wait_for 30 eval 'grep -q "\"member\":\"ControllerReset\"" "$work/monitor.log"'
check "ControllerReset signal after the INS" grep -q '"member":"ControllerReset"' "$work/monitor.log"
check "Setup again" ccd_call CCD1 Setup s ""
expect_eq "Initialized again" "$(ccd_prop CCD1 Initialized)" "b true"
check "the settings are the profile's again" eval '[ "$(ccd_prop CCD1 ReadoutSpeed)" = "s \"STANDARD\"" ]'

check "the daemon still answers for the autofill" eval 'station_manager_state | grep -q "\""'
introspect=$(station_busctl introspect org.stationd1 "$P" org.stationd1.Ccd)
check "introspection shows the interface's methods, signals and properties" eval '[ "$(grep -cE "^\\.(Setup|SetFormat|StartRun|MoveShutter|SyncClock|Reset|RunEnded|Format|Resend) " <<<"$introspect")" -eq 9 ]'
