# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the CCD scenarios: ccd-sim controllers on pseudo-terminals
# with the n_unet discipline attached (ldattach, 9600 7E1 as in
# production), and the calls, properties and FITS keywords the checks
# read. Needs station-lib.sh (the station's bus) and scenario-lib.sh.
#
#   ccd_start_sim CCD1 PROFILE DIR [ccd-sim options]   (modprobe n_unet first)
#   ccd_tty CCD1            the pty's kernel name for the ccd statement (pts3)
#   ccd_call CCD1 Method [sig args...]   org.stationd1.Ccd, root's call
#   ccd_prop CCD1 Property  as busctl get-property prints it
#   ccd_sim_do CCD1 "jam"   a control command (ccd-sim(1)); waits for its reply
#   ccd_lib_stop            every simulator and ldattach started here

ccd_lib_pids=""

# The ccd-sim of this build (or $CCD_SIM).
ccd_sim_prog() { echo "${CCD_SIM:-$(station_prog ccd-sim)}"; }

ccd_start_sim() {
	local name=$1 profile=$2 dir=$3 tty kname i
	shift 3
	"$(ccd_sim_prog)" -p "$profile" -L "$dir/$name.tty" -l "$dir/$name.log" \
		--control "$dir/$name.ctl" -d "$dir/$name.data" "$@" >"$dir/$name.out" 2>&1 &
	ccd_lib_pids+=" $!"
	for i in $(seq 100); do
		grep -q '^ready ' "$dir/$name.out" 2>/dev/null && break
		sleep 0.1
	done
	tty=$(sed -n 's/^ready tty=\([^ ]*\).*/\1/p' "$dir/$name.out")
	[ -n "$tty" ] || { echo "# ccd-sim $name did not start: $(cat "$dir/$name.out")"; return 1; }
	eval "ccd_dir_$name=\$dir"
	# The control FIFO stays open for writing here (fd 7 + n).
	eval "exec {ccd_ctl_$name}>\"\$dir/\$name.ctl\""
	ldattach -d -s 9600 -7 -e -1 -i INPCK "${UNET_LDISC:-29}" "$tty" >/dev/null 2>&1 &
	ccd_lib_pids+=" $!"
	# The kernel names /dev/pts/3 "pts3".
	kname=$(sed 's|^/dev/pts/|pts|; s|^/dev/||' <<<"$tty")
	wait_for 10 eval "grep -lx '$kname' /sys/class/unet/*/tty >/dev/null 2>&1" ||
		{ echo "# no unet device for $tty"; return 1; }
}

ccd_tty() {
	local dir="ccd_dir_$1"
	readlink -f "${!dir}/$1.tty" | sed 's|^/dev/pts/|pts|'
}

ccd_log() { local dir="ccd_dir_$1"; echo "${!dir}/$1.log"; }

ccd_call() {
	local name=$1 method=$2
	shift 2
	station_busctl --timeout=120 call org.stationd1 "/org/stationd1/ccd/$name" \
		org.stationd1.Ccd "$method" "$@"
}

ccd_prop() {
	station_busctl get-property org.stationd1 "/org/stationd1/ccd/$1" org.stationd1.Ccd "$2" \
		2>/dev/null
}

# C frames the controller heard (each command stationd sent, resends included).
ccd_rx_commands() { grep -c ' rx C ' "$(ccd_log "$1")"; }

ccd_sim_do() {
	local fd="ccd_ctl_$1" log before
	log=$(ccd_log "$1")
	before=$(grep -c '^[0-9.]* control ' "$log")
	echo "$2" >&"${!fd}"
	wait_for 10 eval '[ "$(grep -c "^[0-9.]* control " "$log")" -gt "$before" ]'
}

# ccd_fits_key FILE KEY: the value of a keyword of the primary header.
ccd_fits_key() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read(2880 * 8)
for i in range(0, len(data), 80):
    card = data[i:i + 80].decode("ascii", "replace")
    if card[:8].strip() == sys.argv[2] and card[8:10] == "= ":
        value = card[10:].split(" /")[0].strip()
        print(value.strip("'").strip())
        break
    if card.startswith("END "):
        break
PY
}

ccd_lib_stop() {
	local p
	for p in $ccd_lib_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ccd_lib_pids=""
}

# ccd_gdbus CCD1 Method 'gvariant args'...: gdbus's output of the call,
# "GDBus.Error:<name>: <message>" when it fails ($CCD_CALLER: a command
# prefix to call as another user, e.g. setpriv).
ccd_gdbus() {
	local name=$1 method=$2
	shift 2
	# shellcheck disable=SC2086 # the prefix is words
	${CCD_CALLER:-} gdbus call --address "$STATION_BUS_ADDRESS" --dest org.stationd1 \
		--object-path "/org/stationd1/ccd/$name" --method "org.stationd1.Ccd.$method" "$@" 2>&1
}

# ccd_error CCD1 Method 'gvariant args'...: the D-Bus error name of a call
# that fails ("org.stationd1.Error.AlreadyThere"), or "ok".
ccd_error() {
	local out
	if out=$(ccd_gdbus "$@"); then
		echo ok
	else
		sed -n 's/.*GDBus\.Error:\([A-Za-z0-9_.]*\):.*/\1/p' <<<"$out" | head -n 1
	fi
}

# After a failed check: the daemon's last words, as TAP comments.
ccd_dump_on_failure() {
	[ "${scenario_failed:-0}" = 0 ] && return
	tail -n 40 "$STATION_DAEMON_LOG" 2>/dev/null | sed 's/^/# daemon: /'
}

# ccd_station_conf: the smallest station to carry the ccd statements that
# follow on standard input (three cards, one manifold, one detector): the
# CCD scenarios are about the CCDs, and a big station only slows the VM.
ccd_station_conf() {
	station_conf_head 5min
	station_conf_manifold A xvme0-0c00:6 xvme0-0800:6 xvme0-0800:7 xvme0-0400:port0.6 5min 30s
	station_conf_detector 1 A xvme0-0c00:0 xvme0-0800:0 xvme0-0400:port0.0 20min 60s
	cat
}
