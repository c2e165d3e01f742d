#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot: systemd
# A CCD controller's serial line brought up as on a real station (issue
# 15): the harness wires the guest's ttyS2 and ttyS3 to each other
# (UNET_LINE_TTY, UNET_PEER_TTY); ttyS2 is the station's CCD line, ttyS3
# stands for the controller.
#  - the site marks ttyS2 (a rule of its own, ENV{STATIOND_UNET}="1", as
#    udev/README.md says): udev starts unet-attach@ttyS2.service, which
#    attaches n_unet with ldattach (9600 7E1, INPCK, the module's
#    discipline number): /dev/unetN appears, group stationd, with the
#    /dev/unet/by-tty/ttyS2 link;
#  - a frame the controller sends on ttyS3 (SYN ... EOT, 7E1) is read
#    from /dev/unetN by user stationd; a frame stationd's user writes
#    there arrives on ttyS3 framed, with the discipline's XON keep-alive;
#    another user may not open the device;
#  - the link comes up in stationd: a `ccd CCD1 { tty ttyS2 ... }`
#    statement, stationd.service (user stationd, its sandbox, the data
#    socket in its RuntimeDirectory /run/stationd) finds /dev/unetN by
#    hotplug: Link "up"; ccd-sim on ttyS3 is the controller: `stationctl
#    ccd CCD1 setup` goes through (frames both ways, Initialized);
#  - systemctl stop unet-attach@ttyS2 detaches the discipline: the frame
#    device goes away.
# timeout: 240
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
line=${UNET_LINE_TTY:-}
peer=${UNET_PEER_TTY:-}
if [ -z "$line" ] || [ -z "$peer" ]; then
	echo "not ok - the harness wires two serial ports to each other (UNET_LINE_TTY, UNET_PEER_TTY)"
	exit 1
fi
work=$(mktemp -d /tmp/systemd-unet.XXXXXX)
rule=/etc/udev/rules.d/60-stationd-ccd.rules
cleanup() {
	[ -n "${ccd_sim:-}" ] && kill "$ccd_sim" 2>/dev/null
	systemctl stop stationd.service 2>/dev/null
	[ -e "$work/station.conf" ] && cp "$work/station.conf" /etc/stationd/station.conf
	systemctl stop "unet-attach@$line.service" 2>/dev/null
	rm -f "$rule"
	udevadm control --reload
	rm -rf "$work"
}
trap cleanup EXIT

unit=unet-attach@$line.service
unet_dev() {
	local d
	for d in /sys/class/unet/*; do
		[ "$(cat "$d/tty" 2>/dev/null)" = "$line" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# ---- the site's rule: ttyS2 carries a CCD controller
echo "SUBSYSTEM==\"tty\", KERNEL==\"$line\", ENV{STATIOND_UNET}=\"1\"" >"$rule"
udevadm control --reload
udevadm trigger --action=add "/sys/class/tty/$line"
udevadm settle --timeout=30
active() { [ "$(systemctl is-active "$unit")" = active ]; }
check "udev starts $unit for the marked port" wait_for 30 active
check "n_unet attached to $line: a frame device" wait_for 30 unet_dev
dev=$(unet_dev)
udevadm settle --timeout=30
expect_eq "/dev/$dev: group stationd, mode 0660" "$(stat -c '%G %a' "/dev/$dev" 2>&1)" "stationd 660"
expect_eq "/dev/unet/by-tty/$line -> /dev/$dev" "$(readlink -f "/dev/unet/by-tty/$line")" "/dev/$dev"
settings=$(stty -F "/dev/$line" -a 2>&1)
flags_set() {
	local f
	for f in "speed 9600 baud" cs7 parenb -parodd inpck; do
		grep -q -- "\(^\| \)${f}[ ;]" <<<"$settings" || return 1
	done
}
check "ldattach set $line to 9600 baud, 7 bits, even parity, input parity checking" flags_set
flags_set || sed 's/^/# /' <<<"$settings"

# ---- frames across the wire
stty -F "/dev/$peer" 9600 cs7 parenb -parodd raw -echo || not_ok "stty $peer"
frame='ACCD1      SYS       0042'	# an ACK: 25 characters, the minimum
read_as_stationd() {
	setpriv --reuid stationd --regid stationd --init-groups -- \
		timeout 10 dd if="/dev/$dev" bs=512 count=1 status=none >"$work/got" 2>"$work/err"
}
read_as_stationd &
reader=$!
sleep 1
printf '\x16%s\x04' "$frame" >"/dev/$peer"
wait "$reader"
expect_eq "a frame sent on $peer is one read of /dev/$dev by user stationd" "$(cat "$work/got")" "$frame"
[ -s "$work/err" ] && sed 's/^/# /' "$work/err"

timeout 5 cat "/dev/$peer" >"$work/wire" &
catcher=$!
sleep 0.5
reply='ASYS       CCD1      0043'
setpriv --reuid stationd --regid stationd --init-groups -- sh -c "printf '%s' '$reply' >/dev/$dev"
wait "$catcher"
check "a frame written by user stationd arrives on $peer as SYN ... EOT" \
	grep -q "$(printf '\x16')$reply$(printf '\x04')" "$work/wire"
check "with the XON keep-alive on the line" grep -q "$(printf '\x11')" "$work/wire"
useradd -M -N -d /tmp ccdviewer 2>/dev/null
check "another user may not open /dev/$dev" \
	eval "! setpriv --reuid ccdviewer --regid nogroup --clear-groups -- sh -c 'exec 3<>/dev/$dev' 2>/dev/null"

# ---- the link in stationd: a CCD on ttyS2, ccd-sim on ttyS3
# A 12-detector station (the crate loaded unless systemd-station left it
# so) with CCD1 on the marked line.
etc=/etc/stationd
[ -e "$etc/station.conf" ] && cp "$etc/station.conf" "$work/station.conf"
mkdir -p "$etc"
"$STATIOND_TOP/daemon/examples/generate-station" -n 12 >"$etc/detectors.conf"
cat >"$etc/station.conf" <<CONF
include "detectors.conf"
ccd CCD1 {
	tty $line
	profile TEK5
	profile-dir "$STATIOND_TOP/daemon/examples/ccd"
	data-socket "/run/stationd/CCD1.data"
}
CONF
if [ ! -d /sys/module/xvme_sim ]; then
	/usr/bin/stationd-compile -q compile "$etc/station.conf" "$work/station.db"
	read -r _ cards < <(/usr/libexec/stationd/station-sim-setup crates "$work/station.db")
	modprobe xvme-sim "cards=$cards"
fi
/usr/bin/ccd-sim -p "$STATIOND_TOP/daemon/examples/ccd/TEK5" -t "/dev/$peer" -s 60 \
	-l "$work/ccd-sim.log" -d /run/stationd/CCD1.data >"$work/ccd-sim.out" 2>&1 &
ccd_sim=$!
systemctl daemon-reload		# the generator reads the new configuration
check "systemctl restart stationd (the configuration with CCD1 on $line)" systemctl restart stationd.service
link() { busctl --no-pager get-property org.stationd1 /org/stationd1/ccd/CCD1 org.stationd1.Ccd Link 2>/dev/null; }
link_up() { [ "$(link)" = 's "up"' ]; }
check "stationd finds /dev/$dev by hotplug: CCD1's Link is up" wait_for 60 link_up
out=$(timeout 120 stationctl --no-pager ccd CCD1 setup 2>&1)
rc=$?
expect_eq "stationctl ccd CCD1 setup: frames both ways with ccd-sim on $peer (exit status)" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/# /' <<<"$out"; tail -n 20 "$work/ccd-sim.log" | sed 's/^/# ccd-sim: /'; }
expect_eq "CCD1 Initialized" \
	"$(busctl --no-pager get-property org.stationd1 /org/stationd1/ccd/CCD1 org.stationd1.Ccd Initialized)" "b true"
check "the data socket is in stationd's RuntimeDirectory, its own" \
	eval "[ \"\$(stat -c %U /run/stationd/CCD1.data)\" = stationd ]"
check "systemctl stop stationd" systemctl stop stationd.service
kill "$ccd_sim" 2>/dev/null; wait "$ccd_sim" 2>/dev/null; ccd_sim=""

# ---- detach
check "systemctl stop $unit" systemctl stop "$unit"
gone() { ! unet_dev >/dev/null; }
check "the frame device goes away" wait_for 20 gone
check "and its by-tty link" wait_for 20 test ! -e "/dev/unet/by-tty/$line"
exit "$scenario_failed"
