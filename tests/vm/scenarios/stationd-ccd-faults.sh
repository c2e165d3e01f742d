#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Faults on the CCD lines (issue 13), injected through ccd-sim's control
# FIFO, each ending as the seed and the spec say, with exact counters:
# lost ACKs resent with the same number and acted on once; a duplicate
# frame acted on once; corrupt frames (a bad field, SHORTMSG, LONGMSG)
# refused and resent; a NACK counted; no response -> LinkTimeout at the
# resend limit and RESEND counted; a hung mechanism -> Timeout; a setting
# the controller refuses -> ControllerError and not retried; a
# spontaneous INS mid-run -> the run ends controller-reset; the
# discipline detached and attached again -> the link goes down and comes
# back through /sys/class/unet; two CCDs on two lines at once; and
# polkitd deciding org.stationd1.ccd.control by its device and method
# details, a refused call sending nothing.
# timeout: 420
# shellcheck disable=SC2317,SC2016 # helpers run through check, wait_for and eval
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/ccd-lib.sh"

scenario_begin stationd-ccd-faults
chmod 0755 "$work"
trap 'ccd_dump_on_failure; ccd_lib_stop; scenario_cleanup' EXIT

modprobe n_unet || { not_ok "modprobe n_unet"; exit 1; }
# A second CCD: the example chip on a controller named CCD2.
mkdir -p "$work/profiles"
# CCD1 gives up on a silent mechanism after 3 s instead of 10 (the hang below).
# A settings operation's own limit 30 s, so LinkTimeout at the resend
# limit (5 s) cannot be mistaken for it.
{ cat "$STATIOND_TOP/daemon/examples/ccd/TEK5"; echo "STARTACTION_FAIL = 3"; echo "SETTINGS_FAIL = 30"; } \
	>"$work/profiles/TEK5"
sed 's/^CCDNAME *=.*/CCDNAME = TEK6/; s/^UNET_REMOTE *=.*/UNET_REMOTE = CCD2/' \
	"$STATIOND_TOP/daemon/examples/ccd/TEK5" >"$work/profiles/TEK6"
ccd_start_sim CCD1 "$work/profiles/TEK5" "$work" -s 60 --first-number 0x1000 || exit 1
ccd_start_sim CCD2 "$work/profiles/TEK6" "$work" -s 60 || exit 1
ccd_station_conf >"$work/station.conf" <<EOF
ccd CCD1 {
	tty $(ccd_tty CCD1)
	profile TEK5
	profile-dir "$work/profiles"
	data-dir "$work/fits1"
	data-socket "$work/CCD1.data"
}
ccd CCD2 {
	tty $(ccd_tty CCD2)
	profile TEK6
	profile-dir "$work/profiles"
	data-dir "$work/fits2"
}
EOF
scenario_station_up "the station comes up with two ccds" -c "$work/station.conf" -s 60
scenario_monitor
wait_for 20 eval '[ "$(ccd_prop CCD2 Link)" = "s \"up\"" ]'
counter() { ccd_prop "$1" "$2" | cut -d' ' -f2; }

# ---- two CCDs at once
ccd_call CCD1 Setup s "" >"$work/setup1.out" 2>&1 &
setup1=$!
ccd_call CCD2 Setup s "" >"$work/setup2.out" 2>&1 &
setup2=$!
wait "$setup1" "$setup2"
expect_eq "CCD1 initialized" "$(ccd_prop CCD1 Initialized)" "b true"
expect_eq "CCD2 initialized, at the same time" "$(ccd_prop CCD2 Initialized)" "b true"
expect_eq "CCD2's profile" "$(ccd_prop CCD2 Profile)" 's "TEK6"'
ccd_call CCD1 SetExposureTime u 2000 >/dev/null
ccd_call CCD2 SetExposureTime u 3000 >/dev/null
r1=$(ccd_call CCD1 StartRun ss SKY "one")
r2=$(ccd_call CCD2 StartRun ss FLAT "two")
expect_eq "each its own run number" "$r1 $r2" "u 1 u 1"
wait_for 60 eval '[ "$(grep -c "\"member\":\"RunEnded\"" "$work/monitor.log")" -ge 2 ]'
check "both runs complete" eval '[ "$(grep -c "\"data\":\[\"complete\"" "$work/monitor.log")" -eq 2 ]'
check "CCD1's file has the pixels" eval '[ "$(ccd_fits_key "$work/fits1/r0000001.fit" NAXIS)" = 2 ]'
check "CCD2's (no data socket) the header alone" eval '[ "$(ccd_fits_key "$work/fits2/r0000001.fit" NAXIS)" = 0 ]'
check "fitsverify accepts both" eval 'fitsverify -q -e "$work/fits1/r0000001.fit" | grep -q "verification OK" && fitsverify -q -e "$work/fits2/r0000001.fit" | grep -q "verification OK"'

# ---- lost ACKs: resent with the same number, acted on once
r0=$(counter CCD1 Retransmissions)
check "the Retransmissions counter reads" test -n "$r0"
ccd_sim_do CCD1 "drop-acks 2"
check "SetExposureTime with two ACKs lost" ccd_call CCD1 SetExposureTime u 4000
# The controller acts on the first copy and answers at once, so the call
# can return before the resends: they go on until an ACK arrives (one
# second apart), hence the waits. Two ACKs lost: two resends, three copies.
check "Retransmissions: two resends counted" wait_for 10 \
	eval '[ "$(counter CCD1 Retransmissions)" -ge "$((r0 + 2))" ]'
msgno=$(grep ' rx C SYS>CCD1 [0-9A-F]* EXP101(1,4000)' "$(ccd_log CCD1)" | head -n 1 | awk '{print $5}')
heard() { grep -c " rx C SYS>CCD1 $msgno EXP101(1,4000)" "$(ccd_log CCD1)"; }
wait_for 10 eval '[ "$(heard)" -ge 3 ]'
expect_eq "the controller heard that number three times" "$(heard)" 3
expect_eq "ExposureTime" "$(ccd_prop CCD1 ExposureTime)" "u 4000"

# ---- a duplicated frame: acknowledged twice, acted on once
d0=$(counter CCD1 Duplicates)
ccd_sim_do CCD1 "duplicate 1"
check "SetPreflash with the controller's next frame doubled" ccd_call CCD1 SetPreflash u 50
wait_for 5 eval '[ "$(counter CCD1 Duplicates)" -gt "$d0" ]'
expect_eq "one duplicate counted" "$(( $(counter CCD1 Duplicates) - d0 ))" 1

# ---- corrupt frames: refused, the controller resends
f0=$(counter CCD1 RejectedFrames) s0=$(counter CCD1 ShortMsg) l0=$(counter CCD1 LongMsg)
ccd_sim_do CCD1 "corrupt 1 field"
check "SetPreflash through a corrupt message number" ccd_call CCD1 SetPreflash u 60
expect_eq "one frame refused by the decoder" "$(( $(counter CCD1 RejectedFrames) - f0 ))" 1
ccd_sim_do CCD1 "corrupt 1 short"
check "SetPreflash through a short frame" ccd_call CCD1 SetPreflash u 70
expect_eq "SHORTMSG from the discipline" "$(( $(counter CCD1 ShortMsg) - s0 ))" 1
ccd_sim_do CCD1 "corrupt 1 long"
check "SetPreflash through a long frame" ccd_call CCD1 SetPreflash u 80
expect_eq "LONGMSG from the discipline" "$(( $(counter CCD1 LongMsg) - l0 ))" 1

# ---- a NACK
n0=$(counter CCD1 Nacks)
ccd_sim_do CCD1 "nack 1"
check "SetPreflash through a NACK" ccd_call CCD1 SetPreflash u 90
expect_eq "one NACK counted" "$(( $(counter CCD1 Nacks) - n0 ))" 1

# ---- no response: LinkTimeout at the resend limit, RESEND counted
e0=$(counter CCD1 Resend)
ccd_sim_do CCD1 "silent 30"
start=$(date +%s)
out=$(ccd_error CCD1 SetPreflash 100)
took=$(( $(date +%s) - start ))
expect_eq "a silent controller: LinkTimeout" "$out" org.stationd1.Error.LinkTimeout
check "after the 5 resends (5 s), not the operation's own 30 s (${took} s)" eval '[ "$took" -ge 5 ] && [ "$took" -lt 30 ]'
expect_eq "RESEND counted once" "$(( $(counter CCD1 Resend) - e0 ))" 1
expect_eq "Link resending" "$(ccd_prop CCD1 Link)" 's "resending"'
ccd_sim_do CCD1 respond
check "SetPreflash once it answers again" ccd_call CCD1 SetPreflash u 100
wait_for 5 eval '[ "$(ccd_prop CCD1 Link)" = "s \"up\"" ]'
expect_eq "Link up again" "$(ccd_prop CCD1 Link)" 's "up"'

# ---- a hung mechanism, a refused setting
ccd_sim_do CCD1 "hang CLR"
start=$(date +%s)
out=$(ccd_error CCD1 Clear)
took=$(( $(date +%s) - start ))
expect_eq "a hung clear: Timeout" "$out" org.stationd1.Error.Timeout
check "after the profile's STARTACTION_FAIL 3 s, not the default 10 s (${took} s)" eval '[ "$took" -ge 2 ] && [ "$took" -lt 10 ]'
ccd_sim_do CCD1 "unhang CLR"
ccd_sim_do CCD1 "error RSP 0x04"
out=$(ccd_gdbus CCD1 SetReadoutSpeed SLOW)
check "a refused setting: ControllerError naming hardware-fault ($out)" \
	grep -q "GDBus.Error:org.stationd1.Error.ControllerError: .*hardware-fault" <<<"$out"
expect_eq "ReadoutSpeed unchanged" "$(ccd_prop CCD1 ReadoutSpeed)" 's "STANDARD"'
before=$(grep -c ' rx C SYS>CCD1 [0-9A-F]* RSP101' "$(ccd_log CCD1)")
check "another setting" ccd_call CCD1 SetClearSpeed s NORMAL
expect_eq "does not send the refused speed again" \
	"$(grep -c ' rx C SYS>CCD1 [0-9A-F]* RSP101' "$(ccd_log CCD1)")" "$before"

# ---- a spontaneous INS mid-run
ccd_call CCD1 SetExposureTime u 3600000 >/dev/null
expect_eq "a long RUN starts" "$(ccd_call CCD1 StartRun ss RUN "glitch")" "u 2"
wait_for 20 eval '[ "$(ccd_prop CCD1 Phase)" = "(us) 3 \"exposing\"" ]'
ccd_sim_do CCD1 ins
wait_for 30 eval 'grep -q "\"data\":\[\"controller-reset\"" "$work/monitor.log"'
check "the run ends controller-reset" grep -q '"data":\["controller-reset"' "$work/monitor.log"
check "ControllerReset signal" grep -q '"member":"ControllerReset"' "$work/monitor.log"
expect_eq "Initialized false" "$(ccd_prop CCD1 Initialized)" "b false"
expect_eq "CCD2 is not disturbed" "$(ccd_prop CCD2 Initialized)" "b true"

# ---- the discipline detached and attached again (TIOCSETD on the
# controller's pty: N_TTY, then n_unet; ccd-sim and ldattach keep it open)
setldisc() {
	python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
fcntl.ioctl(fd, 0x5423, struct.pack("i", int(sys.argv[2])))  # TIOCSETD' "$1" "$2"
}
pty1=$(readlink -f "$work/CCD1.tty")
check "n_unet detached from $pty1" setldisc "$pty1" 0
wait_for 20 eval '[ "$(ccd_prop CCD1 Link)" = "s \"down\"" ]'
expect_eq "Link down when the discipline goes" "$(ccd_prop CCD1 Link)" 's "down"'
check "n_unet attached again" setldisc "$pty1" "${UNET_LDISC:-29}"
wait_for 30 eval '[ "$(ccd_prop CCD1 Link)" = "s \"up\"" ]'
expect_eq "Link up again, reopened through sysfs" "$(ccd_prop CCD1 Link)" 's "up"'
check "Setup over the new device" ccd_call CCD1 Setup s ""

# ---- polkitd decides org.stationd1.ccd.control by its details
pk=/usr/lib/polkit-1/polkitd
mount -t tmpfs tmpfs /etc/polkit-1/rules.d
mount -t tmpfs tmpfs /usr/share/polkit-1/actions
cp "$STATIOND_TOP/polkit/org.stationd1.policy" /usr/share/polkit-1/actions/
# nobody may set CCD2's exposure time, nothing else.
cat >/etc/polkit-1/rules.d/50-stationd-ccd.rules <<'RULES'
polkit.addRule(function(action, subject) {
	if (action.id == "org.stationd1.ccd.control" && subject.user == "nobody" &&
	    action.lookup("device") == "CCD2" && action.lookup("method") == "SetExposureTime")
		return polkit.Result.YES;
});
RULES
chmod 0755 /etc/polkit-1/rules.d
sed -i "s|</busconfig>|  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>\n</busconfig>|" \
	"$STATION_DIR/bus.conf"
station_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
DBUS_SYSTEM_BUS_ADDRESS=$STATION_BUS_ADDRESS "$pk" --no-debug >"$work/polkitd.log" 2>&1 &
ccd_lib_pids+=" $!"
check "polkitd owns org.freedesktop.PolicyKit1 on the bus" wait_for 30 eval \
	'[ "$(station_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s org.freedesktop.PolicyKit1)" = "b true" ]'
nobody() { CCD_CALLER="setpriv --reuid=65534 --regid=65534 --clear-groups" ccd_gdbus "$@"; }
before=$(ccd_rx_commands CCD1) exp1=$(ccd_prop CCD1 ExposureTime)
out=$(nobody CCD1 SetExposureTime 5000)
check "nobody's SetExposureTime on CCD1: AccessDenied naming org.stationd1.ccd.control ($out)" \
	grep -q "GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: not authorized for org.stationd1.ccd.control" <<<"$out"
sleep 1
expect_eq "nothing was sent to CCD1 for it" "$(ccd_rx_commands CCD1)" "$before"
expect_eq "CCD1's ExposureTime unchanged" "$(ccd_prop CCD1 ExposureTime)" "$exp1"
expect_eq "nobody's SetExposureTime on CCD2 (the rule's device and method)" \
	"$(nobody CCD2 SetExposureTime 5000)" "()"
expect_eq "CCD2's ExposureTime" "$(ccd_prop CCD2 ExposureTime)" "u 5000"
out=$(nobody CCD2 SetPreflash 10)
check "nobody's SetPreflash on CCD2: refused, another method ($out)" \
	grep -q "GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: not authorized for org.stationd1.ccd.control" <<<"$out"
