# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Guest half of `make run` (host half: tests/vm/station-run.sh): a setup
# hook the VM's PID 1 (guest-runner.sh) sources before its root shell.
# It brings the simulated station up with tests/sim/station-up and writes
# the login shell's ~/.bash_profile, which exports DBUS_SYSTEM_BUS_ADDRESS
# and prints what to type. In batch mode (the host's standard input is no
# terminal, as in CI) it shows the banner and the object tree, tears the
# station down and powers the guest off instead of starting a shell.
#
# The host passes a file on the kernel command line,
# stationd.station_run=<file>, holding STATION_RUN_MODE (interactive or
# batch) and STATION_UP_ARGS (an array, station-up's options).
station_run_console=/dev/ttyS0

station_run_main() {
	local conf="" arg args out rc
	read -r -a args </proc/cmdline
	for arg in "${args[@]}"; do
		case $arg in
		stationd.station_run=*) conf=${arg#*=} ;;
		esac
	done
	STATION_RUN_MODE=interactive STATION_UP_ARGS=()
	# shellcheck source=/dev/null
	[ -n "$conf" ] && [ -r "$conf" ] && . "$conf"

	export PATH=$STATIOND_BUILD/bin:$STATIOND_TOP/tests/sim:$PATH
	echo "make run: bringing up the simulated station: station-up ${STATION_UP_ARGS[*]}"
	out=$(station-up "${STATION_UP_ARGS[@]}")
	rc=$?
	cd "$STATIOND_TOP" || return 1
	if [ $rc -ne 0 ]; then
		echo "make run: FAILED: station-up exited with status $rc (see the messages above)"
		[ "$STATION_RUN_MODE" = batch ] && halt_guest
		echo "make run: here is a root shell to look around; 'exit' powers the VM off"
		station_run_profile ""
		return 0
	fi
	printf '%s\n' "$out"
	eval "$(grep '^export DBUS_SYSTEM_BUS_ADDRESS=' <<<"$out")"
	# shellcheck source=/dev/null
	. /run/stationd-sim/station.env
	station_run_profile "$out"
	if [ "$STATION_RUN_MODE" = batch ]; then
		station_run_banner
		echo "\$ busctl tree --list org.stationd1 | head -n 12"
		busctl tree --list org.stationd1 2>&1 | head -n 12
		station_run_show_cryostream
		echo "make run: station up ($(busctl tree --list org.stationd1 2>/dev/null | wc -l) objects on the bus)"
		echo "make run: standard input is not a terminal: no shell; tearing down"
		station-up --down
		echo "make run: done"
		halt_guest
	fi
}

# Batch mode: the first Cryostream's interface, as a user would see it.
station_run_show_cryostream() {
	local cs
	cs=$(stationd-compile dump "$STATION_DATABASE" |
		awk '$1 == "cryostream" && $3 == "{" { print $2; exit }')
	[ -n "$cs" ] || return 0
	echo "\$ busctl introspect org.stationd1 /org/stationd1/cryostream/$cs"
	# The console is a terminal, but a batch run's output goes to a log:
	# no pager waiting for a key, no colour escapes.
	SYSTEMD_COLORS=0 busctl --no-pager introspect org.stationd1 "/org/stationd1/cryostream/$cs" 2>&1
}

# What to type, for the banner and the shell's profile.
station_run_banner() {
	local dump detectors manifolds cryostreams ccds cs ccd
	dump=$(stationd-compile dump "$STATION_DATABASE")
	detectors=$(grep -c '^detector ' <<<"$dump")
	manifolds=$(grep -c '^manifold ' <<<"$dump")
	cryostreams=$(grep -c '^cryostream ' <<<"$dump")
	ccds=$(grep -c '^ccd ' <<<"$dump")
	cat <<BANNER

=== the simulated station: $detectors detectors on $manifolds manifolds, $cryostreams Cryostream(s), $ccds CCD(s), plant time x$STATION_SCALE ===
stationd is on a private system bus; DBUS_SYSTEM_BUS_ADDRESS points at it.
Logs and the plant's files are in $STATION_DIR. Try:

  stationctl status                                state, alarm, next fills, faults
  stationctl list-detectors                        every detector (list-manifolds too)
  tail -f $STATION_VALVE_LOG &          every valve the plant sees move
  stationctl monitor &                             fills, faults, state changes
  stationctl --yes fill A                          fill manifold A now (or: fill A HH:MM)
  stationctl show 1                                a detector's state
  stationctl history 1                             its fills, with a plot of their durations
  stationctl list-cards                            the cards, their tests and LEDs, who uses them
  stationd-console                                 the autofill console (HELP; QUIT leaves it)
  busctl tree org.stationd1                        the objects, for generic tools
  busctl introspect org.stationd1 /org/stationd1/autofill
  echo "status 1" >$STATION_PLANT_CTL; tail -n 1 $STATION_PLANT_LOG
                                                   the plant's view of detector 1
BANNER
	# The first Cryostream the station configures (CS0 in the example),
	# simulated by cryostream-sim at the plant's time scale.
	cs=$(awk '$1 == "cryostream" && $3 == "{" { print $2; exit }' <<<"$dump")
	[ -n "$cs" ] && cat <<BANNER
  stationctl cryostream $cs                         the Cryostream
  stationctl cryostream $cs cool 120                cool the gas to 120 K (returns when confirmed)
  busctl introspect org.stationd1 /org/stationd1/cryostream/$cs   its whole interface
  busctl call org.stationd1 /org/stationd1/cryostream/$cs org.stationd1.Cryostream History u 60
                                                   the last minute: time, gas, set point, flow
BANNER
	[ -n "$cs" ] && [ -n "${STATION_CRYOSTREAM_PIDS:-}" ] && cat <<BANNER
  kill -USR1 ${STATION_CRYOSTREAM_PIDS%% *}
                                                   its simulator falls silent (Connected goes
                                                   false, a Fault signal); again: it resumes
BANNER
	# The first CCD (CCD1 in the example), its controller simulated by
	# ccd-sim on a pseudo-terminal with n_unet attached.
	ccd=$(awk '$1 == "ccd" && $3 == "{" { print $2; exit }' <<<"$dump")
	[ -n "$ccd" ] && [ -n "${STATION_CCD_PIDS:-}" ] && cat <<BANNER
  tail -f $STATION_DIR/ccd-$ccd.log &
                                                   the CCD controller's line: every frame both
                                                   ways, its mechanisms, faults and pixels
  echo status >$STATION_DIR/ccd-$ccd.ctl
                                                   its state (in that log); faults: ccd-sim(1)
BANNER
	# An exposure: setup, a run that prints its number, then its file.
	[ -n "$ccd" ] && cat <<BANNER
  stationctl ccd $ccd                               the CCD: link, setup, settings, last run
  stationctl ccd $ccd setup                         load its profile into the controller
  stationctl ccd $ccd run sky 30 "M31"              a 30 s exposure (0.5 s at x60): its run
                                                   number, then its FITS file (in
                                                   $STATION_STATE_DIR/ccd/$ccd)
  busctl introspect org.stationd1 /org/stationd1/ccd/$ccd   the same through org.stationd1.Ccd
BANNER
	cat <<BANNER
  station-up --down; station-up -n 1000            another station (station-up --help)
  exit                                             power the VM off

BANNER
}

# The login shell (bash -l) reads /etc/profile, which resets PATH, then
# this: PATH, the bus address and the banner again.
station_run_profile() {
	mkdir -p "$HOME"
	{
		# shellcheck disable=SC2016 # $PATH expands in the shell
		printf 'export PATH=%q:$PATH\n' "$STATIOND_BUILD/bin:$STATIOND_TOP/tests/sim"
		printf 'cd %q\n' "$STATIOND_TOP"
		if [ -n "$1" ]; then
			grep '^export DBUS_SYSTEM_BUS_ADDRESS=' <<<"$1"
			printf '. %q\n' "/run/stationd-sim/station.env"
			declare -f station_run_banner
			echo station_run_banner
		fi
	} >"$HOME/.bash_profile"
}

# shellcheck disable=SC2094 # the console is a terminal, not a file
station_run_main >"$station_run_console" 2>&1 <"$station_run_console"
