# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The simulated station, brought up in one call: the xvme-sim crate(s)
# holding the station's cards, the three card drivers, ln2-plant on the
# crate, a private system-type D-Bus carrying the project's bus policy
# (dbus/org.stationd1.conf), and stationd on that bus. Used by
# tests/sim/station-up (the command line), `make run` and VM scenarios.
#
# In a scenario:
#
#   . "$STATIOND_TOP/tests/vm/station-lib.sh"
#   trap station_down EXIT
#   station_up -s 60 -p "--noise 0" || exit 1     # options as station-up(1)
#   busctl --address="$STATION_BUS_ADDRESS" tree org.stationd1
#   echo "status A" >"$STATION_PLANT_CTL"          # plant control, replies
#   grep "open detector 1" "$STATION_VALVE_LOG"    # in $STATION_PLANT_LOG
#
# station_up [-c CONFIG | -n N] [-s SCALE] [-d DIR] [-p PLANT-ARGS]
#            [--no-plant] [--no-daemon] [--cryostream-sim] [--ccd-sim]
#   -c CONFIG   station configuration (text); default the example station
#               without Cryostreams (station.conf; station-up's default
#               is station-cryostream.conf, the same with two Cryostreams)
#   -n N        an N-detector station from daemon/examples/generate-station
#   -s SCALE    ln2-plant time scale (default 60: a 10-minute fill in 10 s)
#   -d DIR      run directory (default /run/stationd-sim); replaced
#   -p ARGS     more ln2-plant options, word-split ("--noise 0 --level 0.3")
#   --no-plant  no ln2-plant: the caller drives the crate's inputs itself
#   --no-daemon everything but stationd: start it with station_start_daemon
#   --cryostream-sim  one cryostream-sim per `cryostream` statement of the
#               configuration, on the loopback address it names (or a free
#               one), at the plant's time scale; logs in
#               $STATION_DIR/cryostream-<name>.log. Not the default: a
#               scenario may run its own simulators on those addresses.
#   --ccd-sim   one ccd-sim per `ccd` statement, on a pseudo-terminal with
#               n_unet attached by ldattach (9600 7E1, INPCK), its profile
#               and data socket the statement's, at the plant's time
#               scale; stationd runs a copy of the configuration whose ccd
#               statements name those terminals (`tty ptsN`). Log, control
#               FIFO and pty link in $STATION_DIR/ccd-<name>.{log,ctl,tty}.
# On success it exports DBUS_SYSTEM_BUS_ADDRESS and sets (and writes to
# $STATION_DIR/station.env, which station_down and station-up --down read):
#   STATION_DIR STATION_CONFIG STATION_DATABASE STATION_STATE_DIR
#   STATION_BUS_ADDRESS STATION_BUS_PID STATION_PLANT_PID STATION_DAEMON_PID
#   STATION_VALVE_LOG STATION_PLANT_CTL STATION_PLANT_LOG STATION_DAEMON_LOG
#   STATION_RELAY_CARDS (the XVME-260 card names) STATION_SCALE
#   STATION_CRYOSTREAMS ("CS0=411@127.0.0.2 ..." simulated) and
#   STATION_CRYOSTREAM_PIDS; with --ccd-sim STATION_CCDS ("CCD1=pts3 ...")
#   STATION_CCD_PIDS STATION_LDATTACH_PIDS, and STATION_DAEMON_CONFIG (what
#   stationd runs: the configuration with each CCD's line the simulator's)
# On failure it says why on stderr, tears down what it started, returns 1.
#
# station_start_daemon [VAR=value...]  stationd in the background (env
#                       added), stderr appended to $STATION_DAEMON_LOG
# station_wait_ready [SECONDS]  until it answers on the bus (default
#                       $STATION_READY_TIMEOUT, else 120; station_up too)
# station_manager_state the Manager's State as busctl prints it: s "ok"
# station_crates DB     "<crate> <xvme-sim cards= list>" per crate
# station_stop_daemon   SIGTERM, wait (15 s, then SIGKILL); returns
#                       stationd's exit status when it is our child
# station_down          stationd stopped (valves closed), Cryostream
#                       simulators, plant, bus, modules unloaded; says
#                       whether every relay was off
# station_cryostreams DB  "<name> <number> <address|-> <status-port>
#                       <command-port>" per configured Cryostream
# station_relays_off    true when every relay of the station is off
# station_busctl ARGS   busctl on the station's bus
# station_plant_ask CMD  a command to ln2-plant's control pipe; prints
#                       its reply (fails after 10 s without one)
# station_ccds DB       "<name> <profile file|-> <data socket|-> <host name>"
#                       per configured CCD
# station_start_ccd_sim NAME PROFILE [ccd-sim options]  one simulated CCD
#                       controller on a pty with n_unet attached (what
#                       --ccd-sim does per ccd statement)
# station_ccd_ask NAME CMD  a command to that CCD's simulator (ccd-sim(1)
#                       control commands); prints its reply
station_top=${STATIOND_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
station_build=${STATIOND_BUILD:-$station_top/build}
station_plant_root=/sys/kernel/debug/xvme-sim
# The example station with its two Cryostreams and its CCD camera: what
# `make run` shows.
# shellcheck disable=SC2034 # station-up's default
station_example_config=$station_top/daemon/examples/station-ccd.conf

station_say() { echo "station: $*" >&2; }

station_busctl() { busctl --address="$STATION_BUS_ADDRESS" "$@"; }

# station_cat: standard input (a here-document) to standard output, as
# cat(1) copies it, by the shell: a process is slow under TCG
station_cat() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
	done
}

# A program of this build, whether or not $PATH has build/bin first.
station_prog() {
	if [ -x "$station_build/bin/$1" ]; then
		echo "$station_build/bin/$1"
	else
		command -v "$1"
	fi
}

# Alive and not a zombie (a child we have not reaped yet). Read by the
# shell: this is polled, and every process started is slow under TCG.
station_pid_alive() {
	local st
	[ -n "${1:-}" ] || return 1
	{ IFS= read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# station_sleep <seconds>: sleep without a process (an exec is slow under
# TCG): read times out on a pipe nobody writes to, whose write end this
# shell holds too, so it never ends (opened once per shell).
station_sleep() {
	[ -n "${station_sleep_fd:-}" ] || exec {station_sleep_fd}<> <(:)
	read -r -t "$1" -u "$station_sleep_fd" _ || :
}

# station_log_has <file> <regex>: a line of the file matches the extended
# regular expression (grep -E), read by the shell: it is polled, and a
# grep a poll is slow under TCG
station_log_has() {
	local line
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ $2 ]] && return 0
	done <"$1"
	return 1
}

# station_wait <seconds> <command...>: poll every 0.1 s, or, when a try
# takes longer, after as long again: polling must not take the CPU from
# what it waits for (a process costs a good part of a second under TCG)
station_wait() {
	local deadline=$((SECONDS + $1)) start pause
	shift
	until start=${EPOCHREALTIME//[!0-9]/}; "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		pause=$((${EPOCHREALTIME//[!0-9]/} - start))
		[ $pause -ge 100000 ] || pause=100000
		printf -v pause '%d.%06d' $((pause / 1000000)) $((pause % 1000000))
		station_sleep "$pause"
	done
}

# ---------------------------------------------------------------- the crate

# The crate lines of a compiled station: "<crate-number> <cards= list>"
# per crate (tests/sim/station-sim-setup, shared with station-sim.target).
station_crates() {
	STATIOND_COMPILE=$(station_prog stationd-compile) "$station_top/tests/sim/station-sim-setup" crates "$1"
}

# modprobe, or insmod from the build tree where the running kernel's
# module directory does not have the project's modules (a machine that
# is not the test VM).
station_modprobe() {
	local m=$1 ko
	shift
	if modinfo "$m" >/dev/null 2>&1; then
		modprobe "$m" "$@"
		return
	fi
	ko=$(find "$station_top/kernel" -name "$m.ko" | head -n 1)
	if [ -z "$ko" ]; then
		station_say "module $m: not installed and not built (make modules)"
		return 1
	fi
	case $m in
	xvme-sim | xvme240 | xvme260 | xvme560)
		[ -d /sys/module/xvme ] || station_modprobe xvme || return 1 ;;
	esac
	[ "$m" = xvme560 ] && { modprobe industrialio || return 1; }
	insmod "$ko" "$@"
}

station_unload_modules() {
	local m rc=0 unload=()
	for m in xvme240 xvme260 xvme560 xvme-gpio xvme-sim xvme; do
		[ -d "/sys/module/${m//-/_}" ] && unload+=("$m")
	done
	# One rmmod, in this order (a process each is slow under TCG).
	if [ ${#unload[@]} -gt 0 ] && ! rmmod "${unload[@]}"; then
		for m in "${unload[@]}"; do
			[ -d "/sys/module/${m//-/_}" ] && { station_say "cannot unload $m"; rc=1; }
		done
	fi
	# A pty's discipline lets go of n_unet once its tty is released.
	if [ -n "${STATION_UNET_LOADED:-}" ] && [ -d /sys/module/n_unet ] &&
		! station_wait 5 rmmod n_unet 2>/dev/null && ! rmmod n_unet; then
		station_say "cannot unload n_unet"
		rc=1
	fi
	STATION_UNET_LOADED=""
	return $rc
}

# xvme-sim with every crate of the station, then the three card drivers.
station_load_crates() {
	local lines n params=() crate list
	lines=$(station_crates "$1") || return 1
	[ -n "$lines" ] || { station_say "$1: no cards"; return 1; }
	n=$(wc -l <<<"$lines")
	while read -r crate list; do
		if [ "$crate" = 0 ]; then
			params+=("cards=$list")
		elif modinfo -p xvme-sim 2>/dev/null | grep -q "^cards$crate:"; then
			params+=("cards$crate=$list")
		else
			station_say "the station needs crate xvme$crate: this xvme-sim has one crate only"
			return 1
		fi
	done <<<"$lines"
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug || return 1
	# modprobe does not reload a loaded module with new parameters.
	station_unload_modules || return 1
	station_modprobe xvme-sim "${params[@]}" || { station_say "xvme-sim does not load"; return 1; }
	if ! station_modprobe_drivers; then
		station_say "the card drivers do not load"
		return 1
	fi
	# The XVME-260s of the crate lines ("260@0x0800" in crate 0 is
	# xvme0-0800), and the cards counted, by the shell.
	local card cards=0
	STATION_RELAY_CARDS=""
	while read -r crate list; do
		for card in ${list//,/ }; do
			cards=$((cards + 1))
			[ "${card%%@*}" = 260 ] || continue
			card=${card#*@0x}
			STATION_RELAY_CARDS+="xvme$crate-${card%%:*} "
		done
	done <<<"$lines"
	station_say "xvme-sim: $cards cards in $n crate(s); drivers loaded"
}

# The three card drivers: one modprobe where the kernel's module
# directory has them (each process is slow under TCG), else one by one.
station_modprobe_drivers() {
	if modinfo xvme240 >/dev/null 2>&1; then
		modprobe -a xvme240 xvme260 xvme560
		return
	fi
	station_modprobe xvme240 && station_modprobe xvme260 && station_modprobe xvme560
}

station_relays_off() {
	local c v
	for c in $STATION_RELAY_CARDS; do
		v=$(cat "$station_plant_root/$c/relays" 2>/dev/null) || return 1
		[ "$v" = 0x00000000 ] || return 1
	done
}

# Relays energized now, "xvme0-0800=0x000000c0 ..." (empty if none).
station_relays_on() {
	local c v
	for c in $STATION_RELAY_CARDS; do
		v=$(cat "$station_plant_root/$c/relays" 2>/dev/null) || continue
		[ "$v" = 0x00000000 ] || printf '%s=%s ' "$c" "$v"
	done
}

# ---------------------------------------------------------------- cryostreams

# The Cryostream controllers of a compiled station, one line each:
# "<name> <number> <address or -> <status-port> <command-port>".
station_cryostreams() {
	STATIOND_COMPILE=$(station_prog stationd-compile) "$station_top/tests/sim/station-sim-setup" cryostreams "$1"
}

# One cryostream-sim per configured controller, on loopback, where
# station-sim-setup's plan puts it: its command address is the one the
# configuration names, or else the next loopback address no other
# controller uses (stationd learns it from the status packets); the
# status packets go to stationd on 127.0.0.1; a controller configured as
# number 0 (stationd takes whatever number it hears first) is simulated
# as number 1. The simulators run at the plant's time scale. stdin is
# /dev/null: their faults are injected with signals (SIGUSR1 silence
# on/off, SIGUSR2 one corrupt packet), see cryostream-sim(1). All are
# started, then each is waited for: under TCG each takes seconds.
station_start_cryostreams() {
	local plan name number address sport cport pid log prog sim_pids=()
	plan=$(STATIOND_COMPILE=$(station_prog stationd-compile) \
		"$station_top/tests/sim/station-sim-setup" cryostream-plan "$STATION_DATABASE") || return 1
	STATION_CRYOSTREAMS="" STATION_CRYOSTREAM_PIDS=""
	[ -n "$plan" ] || return 0
	prog=$(station_prog cryostream-sim)
	while read -r name number address sport cport; do
		setsid "$prog" -n "$number" -b "$address:$cport" -t "127.0.0.1:$sport" \
			-s "$STATION_SCALE" </dev/null >"$STATION_DIR/cryostream-$name.log" 2>&1 &
		sim_pids+=("$!")
		STATION_CRYOSTREAM_PIDS+="$! "
		STATION_CRYOSTREAMS+="$name=$number@$address "
	done <<<"$plan"
	while read -r name number address sport cport; do
		pid=${sim_pids[0]}
		sim_pids=("${sim_pids[@]:1}")
		log=$STATION_DIR/cryostream-$name.log
		if ! station_wait 10 eval "station_log_has '$log' '^ready' || ! station_pid_alive $pid" ||
			! station_pid_alive "$pid"; then
			station_say "cryostream-sim for $name (number $number, $address:$cport) did not start:"
			sed 's/^/  /' "$log" >&2
			return 1
		fi
	done <<<"$plan"
	station_say "cryostream-sim: ${STATION_CRYOSTREAMS% }"
}

station_stop_cryostreams() {
	local pid
	for pid in ${STATION_CRYOSTREAM_PIDS:-}; do
		station_pid_alive "$pid" || continue
		kill -TERM "$pid" 2>/dev/null
		if ! station_wait 10 eval "! station_pid_alive $pid"; then
			station_say "cryostream-sim $pid did not stop on SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	STATION_CRYOSTREAM_PIDS=""
}

# ---------------------------------------------------------------- CCDs

# The CCD controllers of a compiled station, one line each:
# "<name> <profile file or -> <data socket or -> <host name>"; with no
# argument, of the dump on standard input.
station_ccds() {
	if [ $# -gt 0 ]; then
		"$(station_prog stationd-compile)" dump "$1" | station_ccds
		return
	fi
	awk '
		function unquote(s) { gsub(/^"|"$/, "", s); return s }
		$1 == "ccd" && $3 == "{" { name = $2; profile = ""; dir = ""; sock = "-"; host = "SYS" }
		name != "" && $1 == "profile" { profile = $2 }
		name != "" && $1 == "profile-dir" { dir = unquote($2) }
		name != "" && $1 == "data-socket" { sock = unquote($2) }
		name != "" && $1 == "host-name" { host = $2 }
		name != "" && $1 == "}" {
			print name, profile == "" ? "-" : dir "/" profile, sock, host
			name = ""
		}'
}

# The unet device on tty <ptsN>, once the discipline made it.
station_unet_of() {
	local d t
	for d in /sys/class/unet/*; do
		read -r t 2>/dev/null <"$d/tty" || continue
		[ "$t" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# station_start_ccd_sim NAME PROFILE [ccd-sim options...]: ccd-sim for
# the CCD NAME on a pty (link, log, control FIFO and output in
# $STATION_DIR/ccd-NAME.{tty,log,ctl,out}) at the station's time scale,
# with ldattach attaching n_unet to the slave as an operator would on a
# serial port (9600 7E1, INPCK). Appends "NAME=ptsN" to STATION_CCDS and
# the pids to STATION_CCD_PIDS and STATION_LDATTACH_PIDS.
station_start_ccd_sim() {
	local name=$1 profile=$2 out=$STATION_DIR/ccd-$1.out pid tty ldpid
	shift 2
	if [ ! -d /sys/module/n_unet ]; then
		station_modprobe n_unet || { station_say "n_unet does not load"; return 1; }
		STATION_UNET_LOADED=1
	fi
	setsid "$(station_prog ccd-sim)" -p "$profile" -s "$STATION_SCALE" \
		-L "$STATION_DIR/ccd-$name.tty" -l "$STATION_DIR/ccd-$name.log" \
		--control "$STATION_DIR/ccd-$name.ctl" "$@" </dev/null >"$out" 2>&1 &
	pid=$!
	STATION_CCD_PIDS+="$pid "
	if ! station_wait 10 eval "station_log_has '$out' '^ready tty=' || ! station_pid_alive $pid" ||
		! station_pid_alive "$pid"; then
		station_say "ccd-sim for $name ($profile) did not start:"
		sed 's/^/  /' "$out" >&2
		return 1
	fi
	tty=""
	station_log_has "$out" '^ready tty=/dev/pts/([0-9]*) ' && tty=pts${BASH_REMATCH[1]}
	setsid ldattach -d -s 9600 -7 -e -1 -i INPCK "${UNET_LDISC:-29}" "/dev/pts/${tty#pts}" \
		</dev/null >>"$out" 2>&1 &
	ldpid=$!
	STATION_LDATTACH_PIDS+="$ldpid "
	if ! station_wait 10 station_unet_of "$tty" >/dev/null; then
		station_say "ldattach ${UNET_LDISC:-29} /dev/pts/${tty#pts} made no unet device for $name:"
		sed 's/^/  /' "$out" >&2
		return 1
	fi
	STATION_CCDS+="$name=$tty "
}

# One ccd-sim per configured CCD, with the statement's profile, data
# socket (its directory made) and host name; then the configuration
# stationd runs (station_ccd_config).
station_start_ccds() {
	local dump lines name profile sock host data
	dump=$("$(station_prog stationd-compile)" dump "$STATION_DATABASE") || return 1
	lines=$(station_ccds <<<"$dump")
	STATION_CCDS="" STATION_CCD_PIDS="" STATION_LDATTACH_PIDS=""
	[ -n "$lines" ] || return 0
	while read -r name profile sock host; do
		if [ "$profile" = - ]; then
			station_say "ccd $name has no profile: ccd-sim needs one (a profile key)"
			return 1
		fi
		data=()
		if [ "$sock" != - ]; then
			mkdir -p "$(dirname "$sock")" || return 1
			data=(-d "$sock")
		fi
		station_start_ccd_sim "$name" "$profile" --host "$host" "${data[@]}" || return 1
	done <<<"$lines"
	station_say "ccd-sim: ${STATION_CCDS% }"
	station_ccd_config <<<"$dump"
}

# The configuration stationd runs: the station's (its dump on standard
# input), its ccd statements naming the simulators' terminals instead of
# their tty or device. stationd reports what does not compile.
station_ccd_config() {
	local map=${STATION_CCDS% }
	awk -v map="$map" '
		BEGIN { n = split(map, pairs, " ")
			for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); tty[kv[1]] = kv[2] } }
		$1 == "ccd" && $3 == "{" { name = $2; print; print "\ttty " tty[name]; next }
		name != "" && ($1 == "tty" || $1 == "device") { next }
		$1 == "}" { name = "" }
		{ print }' >"$STATION_DIR/station-ccd-sim.conf" || return 1
	STATION_DAEMON_CONFIG=$STATION_DIR/station-ccd-sim.conf
}

station_stop_ccds() {
	local pid
	for pid in ${STATION_LDATTACH_PIDS:-} ${STATION_CCD_PIDS:-}; do
		station_pid_alive "$pid" || continue
		kill -TERM "$pid" 2>/dev/null
		if ! station_wait 10 eval "! station_pid_alive $pid"; then
			station_say "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) did not stop on SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	STATION_LDATTACH_PIDS="" STATION_CCD_PIDS=""
}

# A control command to the named CCD's simulator; its reply, from its log.
station_ccd_ask() {
	local log=$STATION_DIR/ccd-$1.log before
	before=$(wc -l <"$log")
	echo "$2" >"$STATION_DIR/ccd-$1.ctl"
	station_wait 10 eval "tail -n +$((before + 1)) '$log' | grep -q ' control '" || return 1
	tail -n +$((before + 1)) "$log" | grep ' control ' | head -n 1 | sed 's/^[0-9.]* control //'
}

# ---------------------------------------------------------------- plant, bus, daemon

station_start_plant() {
	local extra=()
	read -r -a extra <<<"${STATION_PLANT_ARGS:-}"
	STATION_VALVE_LOG=$STATION_DIR/valves.log
	STATION_PLANT_CTL=$STATION_DIR/plant.ctl
	STATION_PLANT_LOG=$STATION_DIR/plant.log
	setsid "$(station_prog ln2-plant)" -c "$STATION_CONFIG" -s "$STATION_SCALE" \
		-l "$STATION_VALVE_LOG" --control "$STATION_PLANT_CTL" "${extra[@]}" \
		</dev/null >"$STATION_PLANT_LOG" 2>&1 &
	STATION_PLANT_PID=$!
	if ! station_wait 30 test -p "$STATION_PLANT_CTL" || ! station_pid_alive "$STATION_PLANT_PID"; then
		station_say "ln2-plant did not start:"
		sed 's/^/  /' "$STATION_PLANT_LOG" >&2
		return 1
	fi
}

# ln2-plant answers each control command with one line of its log.
station_plant_ask() {
	local before
	before=$(wc -l <"$STATION_PLANT_LOG")
	echo "$*" >"$STATION_PLANT_CTL"
	station_wait 10 test "$(wc -l <"$STATION_PLANT_LOG")" -gt "$before" || return 1
	tail -n 1 "$STATION_PLANT_LOG"
}

# station_bus_config <dir>: a bus of type system, listening on <dir>/bus,
# with a system bus's default-deny policy and the project's policy file:
# what stationd meets on a real machine.
station_bus_config() {
	station_cat <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "https://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$1/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <include>$station_top/dbus/org.stationd1.conf</include>
</busconfig>
XML
}

# station_bus_spawn <dir>: dbus-daemon on station_bus_config, forked once
# it listens; in <dir>: bus.conf, bus.addr (its address), bus.pid, bus.log
# (its errors). Fails, saying why on stderr, if it does not start.
station_bus_spawn() {
	station_bus_config "$1" >"$1/bus.conf" || return 1
	if ! dbus-daemon --config-file="$1/bus.conf" --fork \
		--print-address=3 --print-pid=4 3>"$1/bus.addr" 4>"$1/bus.pid" \
		</dev/null 2>"$1/bus.log"; then
		station_say "dbus-daemon did not start:"
		sed 's/^/  /' "$1/bus.log" >&2
		return 1
	fi
}

# The station's private bus, in $STATION_DIR.
station_start_bus() {
	station_bus_spawn "$STATION_DIR" || return 1
	read -r STATION_BUS_PID <"$STATION_DIR/bus.pid"
	IFS= read -r STATION_BUS_ADDRESS <"$STATION_DIR/bus.addr"
	export DBUS_SYSTEM_BUS_ADDRESS=$STATION_BUS_ADDRESS
}

# shellcheck disable=SC2120 # the arguments are optional
station_start_daemon() {
	local stationd
	stationd=$(station_prog stationd)
	# The environment set in the background subshell, which becomes
	# setsid, then stationd: no env(1) process (slow under TCG).
	(
		# shellcheck disable=SC2163 # the arguments are VAR=value words
		[ $# -eq 0 ] || export "$@"
		exec setsid "$stationd" -c "${STATION_DAEMON_CONFIG:-$STATION_CONFIG}" \
			-s "$STATION_STATE_DIR" </dev/null >>"$STATION_DAEMON_LOG" 2>&1
	) &
	STATION_DAEMON_PID=$!
	station_write_env
}

station_manager_state() {
	station_busctl get-property org.stationd1 /org/stationd1 org.stationd1.Manager State 2>/dev/null
}

# stationd owns org.stationd1 and answers; false at once if it died.
station_daemon_answers() {
	station_pid_alive "$STATION_DAEMON_PID" || return 2
	station_manager_state >/dev/null
}

# shellcheck disable=SC2120 # the timeout is optional
station_wait_ready() {
	local limit=${1:-${STATION_READY_TIMEOUT:-120}} r named=""
	local deadline=$((SECONDS + limit))
	while :; do
		station_daemon_answers
		r=$?
		[ $r -eq 0 ] && return 0
		if [ $r -eq 2 ]; then
			wait "$STATION_DAEMON_PID" 2>/dev/null
			station_say "stationd exited during start-up:"
			tail -n 20 "$STATION_DAEMON_LOG" | sed 's/^/  /' >&2
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			station_say "stationd is not on the bus after $limit s:"
			tail -n 20 "$STATION_DAEMON_LOG" | sed 's/^/  /' >&2
			return 1
		fi
		# Until stationd owns its name, one gdbus waits for it up to a
		# second rather than a busctl every poll taking the CPU stationd
		# starts with; then (or with no gdbus) a poll every 0.2 s.
		if [ -n "$named" ] || ! command -v gdbus >/dev/null; then
			station_sleep 0.2
		elif gdbus wait --address "$STATION_BUS_ADDRESS" --timeout 1 org.stationd1 \
			>/dev/null 2>&1; then
			named=1
		fi
	done
}

station_stop_daemon() {
	local pid=${STATION_DAEMON_PID:-} rc=0
	[ -n "$pid" ] || return 0
	STATION_DAEMON_PID=""
	station_pid_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	if ! station_wait 15 eval "! station_pid_alive $pid"; then
		station_say "stationd did not stop within 15 s of SIGTERM: SIGKILL (the kernel releases its relays)"
		kill -KILL "$pid" 2>/dev/null
		station_wait 5 eval "! station_pid_alive $pid"
	fi
	# Our child: its exit status; otherwise we cannot know it.
	wait "$pid" 2>/dev/null
	rc=$?
	[ $rc -eq 127 ] && rc=0
	return $rc
}

station_write_env() {
	[ -n "${STATION_DIR:-}" ] && [ -d "$STATION_DIR" ] || return 0
	local v
	for v in STATION_DIR STATION_CONFIG STATION_DATABASE STATION_STATE_DIR \
		STATION_BUS_ADDRESS STATION_BUS_PID STATION_PLANT_PID STATION_DAEMON_PID \
		STATION_VALVE_LOG STATION_PLANT_CTL STATION_PLANT_LOG STATION_DAEMON_LOG \
		STATION_RELAY_CARDS STATION_SCALE STATION_CRYOSTREAMS \
		STATION_CRYOSTREAM_PIDS STATION_CCDS STATION_CCD_PIDS STATION_LDATTACH_PIDS \
		STATION_UNET_LOADED STATION_DAEMON_CONFIG; do
		printf '%s=%q\n' "$v" "${!v:-}"
	done >"$STATION_DIR/station.env"
}

# ---------------------------------------------------------------- up and down

station_up() {
	local config="" detectors="" daemon=1 plant=1 cryostreams="" ccds=""
	STATION_DIR=/run/stationd-sim STATION_SCALE=60 STATION_PLANT_ARGS=""
	STATION_DAEMON_PID="" STATION_PLANT_PID="" STATION_BUS_PID="" STATION_RELAY_CARDS=""
	STATION_BUS_ADDRESS="" STATION_CRYOSTREAMS="" STATION_CRYOSTREAM_PIDS=""
	STATION_CCDS="" STATION_CCD_PIDS="" STATION_LDATTACH_PIDS="" STATION_UNET_LOADED=""
	STATION_DAEMON_CONFIG=""
	while [ $# -gt 0 ]; do
		case $1 in
		-c) config=${2:?-c needs a file}; shift ;;
		-n) detectors=${2:?-n needs a number}; shift ;;
		-s) STATION_SCALE=${2:?-s needs a factor}; shift ;;
		-d) STATION_DIR=${2:?-d needs a directory}; shift ;;
		-p) STATION_PLANT_ARGS=${2?-p needs arguments}; shift ;;
		--no-daemon) daemon="" ;;
		--no-plant) plant="" ;;
		--cryostream-sim) cryostreams=1 ;;
		--ccd-sim) ccds=1 ;;
		*) station_say "unknown option '$1'"; return 1 ;;
		esac
		shift
	done
	if [ -n "$config" ] && [ -n "$detectors" ]; then
		station_say "-c and -n exclude each other"
		return 1
	fi
	if [ -n "$detectors" ] && ! [[ $detectors =~ ^[1-9][0-9]*$ ]]; then
		station_say "-n: '$detectors' is not a number of detectors"
		return 1
	fi
	if [ -e "$STATION_DIR/station.env" ]; then
		station_say "a station is up in $STATION_DIR already (station-up --down first)"
		return 1
	fi
	# The bus socket lives here: only root may enter.
	# shellcheck disable=SC2174 # the mode is the deepest directory's
	rm -rf "$STATION_DIR" && mkdir -p -m 0755 "$STATION_DIR" || return 1
	STATION_STATE_DIR=$STATION_DIR/state
	STATION_DAEMON_LOG=$STATION_DIR/stationd.log
	STATION_DATABASE=$STATION_DIR/station.db

	if [ -n "$detectors" ]; then
		if ! { mkdir -p "$STATION_DIR/config" &&
			"$station_top/daemon/examples/generate-station" -n "$detectors" \
				-o "$STATION_DIR/config"; }; then
			station_say "generate-station -n $detectors failed"
			return 1
		fi
		config=$STATION_DIR/config/station.conf
	fi
	STATION_CONFIG=$(realpath "${config:-$station_top/daemon/examples/station.conf}") || return 1
	# Compiled once: errors are shown as file:line:col before anything
	# is loaded, and the crate is derived from the compiled cards.
	"$(station_prog stationd-compile)" -q compile "$STATION_CONFIG" "$STATION_DATABASE" ||
		{ station_say "$STATION_CONFIG does not compile"; return 1; }

	if ! { station_load_crates "$STATION_DATABASE" &&
		{ [ -z "$plant" ] || station_start_plant; } &&
		{ [ -z "$cryostreams" ] || station_start_cryostreams; } &&
		{ [ -z "$ccds" ] || station_start_ccds; } &&
		station_start_bus; }; then
		station_down_quiet
		return 1
	fi
	station_write_env
	if [ -n "$daemon" ]; then
		# shellcheck disable=SC2119 # no extra environment here
		station_start_daemon
		# shellcheck disable=SC2119 # the default timeout
		station_wait_ready || { station_down_quiet; return 1; }
	fi
	station_write_env
}

# Tear down what station_up started, whatever state it is in. Valves
# first: stationd closes them on SIGTERM; the kernel does if it is killed.
station_down() {
	local rc=0 on
	if [ -z "${STATION_DIR:-}" ] && [ -r /run/stationd-sim/station.env ]; then
		# shellcheck source=/dev/null
		. /run/stationd-sim/station.env
	fi
	[ -n "${STATION_DIR:-}" ] || { station_say "no station is up"; return 1; }
	station_stop_daemon || station_say "stationd exited with status $?"
	on=$(station_relays_on)
	if [ -n "$on" ]; then
		station_say "relays still energized after stationd stopped: $on"
		rc=1
	elif [ -n "${STATION_RELAY_CARDS:-}" ] && [ -d "$station_plant_root" ]; then
		station_say "every valve closed"
	fi
	station_stop_cryostreams
	station_stop_ccds
	if station_pid_alive "${STATION_PLANT_PID:-}"; then
		kill -TERM "$STATION_PLANT_PID"
		station_wait 10 eval "! station_pid_alive $STATION_PLANT_PID"
		wait "$STATION_PLANT_PID" 2>/dev/null
	fi
	if station_pid_alive "${STATION_BUS_PID:-}"; then
		kill -TERM "$STATION_BUS_PID"
		station_wait 10 eval "! station_pid_alive $STATION_BUS_PID"
	fi
	STATION_PLANT_PID="" STATION_BUS_PID=""
	station_unload_modules && station_say "modules unloaded" || rc=1
	rm -f "$STATION_DIR/station.env"
	return $rc
}

station_down_quiet() { station_down >/dev/null 2>&1; }
