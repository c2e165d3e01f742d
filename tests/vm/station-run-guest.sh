# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Guest half of `make run` (host half: tests/vm/station-run.sh), in the
# systemd VM (tests/vm/run.sh --systemd --shell), where `make install`
# and `make install-sim` have put the station and its simulators.
#
# Sourced by tests/vm/systemd-boot.sh as a setup hook, before systemd
# starts: writes the station's configuration to /etc/stationd/ (the
# example with two Cryostreams, or what the options say), the simulators'
# settings (/etc/stationd/station-sim.env) and makes the boot target want
# station-sim.target - the simulated crate, whose cards then bring the
# card drivers and stationd.service up through udev, the LN2 plant and
# the Cryostream simulators, all services. Interactive: root's login
# shell on the console prints what to type. Batch (the host's standard
# input is no terminal, as in CI): station-run-batch.service waits for
# the station, shows it and powers the guest off instead.
#
# The host passes a file on the kernel command line,
# stationd.station_run=<file>, holding STATION_RUN_MODE (interactive or
# batch) and STATION_UP_ARGS (an array: -c CONFIG, -n N, -s SCALE, -p
# PLANT-ARGS, as station-up(1) takes them).
#
# Run as `bash station-run-guest.sh --batch` by station-run-batch.service.

station_run_config() {
	local conf="" arg args scale=60 plant="" etc=/etc/stationd
	local doc=/usr/share/doc/stationd/examples
	read -r -a args </proc/cmdline
	for arg in "${args[@]}"; do
		case $arg in
		stationd.station_run=*) conf=${arg#*=} ;;
		esac
	done
	STATION_RUN_MODE=interactive STATION_UP_ARGS=()
	# shellcheck source=/dev/null
	[ -n "$conf" ] && [ -r "$conf" ] && . "$conf"

	mkdir -p "$etc"
	# The example with the CCD includes the one with two Cryostreams,
	# which includes the 72-detector one. CCD1's line is the guest's
	# ttyS2, wired to ttyS3 where its controller (ccd-sim@CCD1) is: the
	# site's udev rule marks ttyS2, udev starts unet-attach@ttyS2
	# (udev/README.md), and stationd finds /dev/unet/by-tty/ttyS2.
	cp "$doc/cards.conf" "$etc/" && cp "$doc/station.conf" "$etc/detectors.conf" &&
		sed 's/^include "station.conf"/include "detectors.conf"/' \
			"$doc/station-cryostream.conf" >"$etc/station-cryostream.conf" &&
		sed 's/^\ttty ttyS1$/\ttty ttyS2/' "$STATIOND_TOP/daemon/examples/station-ccd.conf" \
			>"$etc/station.conf" &&
		cp -r "$STATIOND_TOP/daemon/examples/ccd" "$etc/" || return 1
	mkdir -p /etc/udev/rules.d
	echo 'SUBSYSTEM=="tty", KERNEL=="ttyS2", ENV{STATIOND_UNET}="1"' \
		>/etc/udev/rules.d/60-stationd-ccd.rules
	set -- "${STATION_UP_ARGS[@]}"
	while [ $# -gt 0 ]; do
		case $1 in
		-c) [ -r "$2" ] || { echo "make run: cannot read $2"; return 1; }
		    # (its includes stay where they are, next to it)
		    printf 'include "%s"\n' "$(realpath "$2")" >"$etc/station.conf"; shift ;;
		-n) "$STATIOND_TOP/daemon/examples/generate-station" -n "$2" >"$etc/station.conf" || return 1
		    shift ;;
		-s) scale=$2; shift ;;
		-p) plant=$2; shift ;;
		*) echo "make run: RUN_ARGS: '$1' is not one of -c CONFIG, -n N, -s SCALE, -p PLANT-ARGS"
		   return 1 ;;
		esac
		shift
	done
	printf 'STATION_SIM_SCALE=%s\nLN2_PLANT_ARGS="%s"\nCCD_SIM_LINES="ttyS2:ttyS3"\n' \
		"$scale" "$plant" >"$etc/station-sim.env"

	ln -sf /lib/systemd/system/station-sim.target /etc/systemd/system/stationd-vm.target.wants/
	if [ "$STATION_RUN_MODE" = batch ]; then
		# No login: the batch service on the console instead.
		rm -f /etc/systemd/system/stationd-vm.target.wants/serial-getty@ttyS0.service
		cat >/etc/systemd/system/station-run-batch.service <<EOF
[Unit]
Description=make run (batch): show the station, power off
After=station-sim.target

[Service]
Type=oneshot
ExecStart=/bin/bash $STATIOND_TOP/tests/vm/station-run-guest.sh --batch
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStopPost=/bin/systemctl --no-block poweroff
EOF
		ln -sf ../station-run-batch.service /etc/systemd/system/stationd-vm.target.wants/
	else
		{
			declare -f station_run_banner
			printf 'cd %q\n' "$STATIOND_TOP"
			echo station_run_banner
		} >/root/.bash_profile
	fi
	echo "make run: the station's configuration is in $etc; station-sim.target brings it up"
}

# What to type (interactive), what is shown (batch).
station_run_banner() {
	cat <<'BANNER'

=== the simulated station under systemd: station-sim.target loaded the crate,
=== udev the card drivers and stationd.service; the plant and the Cryostream
=== simulators are services too. Try:

  systemctl status stationd                        the daemon and its STATUS= line
  journalctl -u stationd -f                        its journal (-o json: DETECTOR=, MANIFOLD=, CARD=)
  stationctl status                                state, alarm, next fills, faults
  stationctl monitor &                             fills, faults, state changes
  stationctl --yes fill A                          fill manifold A now (or: fill A HH:MM)
  tail -f /run/station-sim/valves.log &            every valve the plant sees move
  stationctl show 1                                a detector's state
  stationctl history 1                             its fills, with a plot of their durations
  stationctl list-cards                            the cards, their tests and LEDs, who uses them
  stationd-console                                 the autofill console (HELP; QUIT leaves it)
  stationctl cryostream CS0 cool 120               cool CS0's gas to 120 K
  stationctl ccd CCD1                              the CCD: link, setup, settings, last run
  stationctl ccd CCD1 setup                        load its profile into the controller
  stationctl ccd CCD1 run sky 30 "M31"             a 30 s exposure (0.5 s at x60), then its
                                                   FITS file (in /var/lib/stationd/ccd/CCD1)
  tail -f /run/station-sim/ccd-CCD1.log &          the CCD line: every frame both ways
  systemctl status unet-attach@ttyS2 ccd-sim@CCD1  its line discipline, its simulator
  busctl tree org.stationd1                        the objects, for generic tools
  busctl introspect org.stationd1 /org/stationd1/autofill
  systemctl list-units 'station*' 'ln2*' 'cryostream*'   the simulators' services
  systemctl kill -s USR1 cryostream-sim@CS0        silence CS0's simulator (again: resume)
  echo "status 1" >/run/station-sim/plant.ctl; journalctl -u ln2-plant -n 1
                                                   the plant's view of detector 1
  systemctl stop stationd                          every valve closes; `stationctl status`
                                                   (D-Bus activation) starts it again
  exit                                             power the VM off

BANNER
}

# Batch: wait for the station, show it, say whether it came up.
station_run_batch() {
	local deadline=$((SECONDS + ${STATION_RUN_WAIT:-300})) objects
	echo "make run: waiting for stationd.service"
	until [ "$(systemctl is-active stationd.service)" = active ] &&
		busctl get-property org.stationd1 /org/stationd1 org.stationd1.Manager State >/dev/null 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			echo "make run: FAILED: stationd is not up"
			SYSTEMD_COLORS=0 systemctl --no-pager status stationd.service station-sim-crate.service ln2-plant.service
			journalctl --no-pager -u stationd.service -n 30
			return 1
		fi
		sleep 1
	done
	station_run_banner
	echo "\$ systemctl status stationd"
	SYSTEMD_COLORS=0 systemctl --no-pager status stationd.service | head -n 12
	echo "\$ systemctl list-units 'station*' 'ln2*' 'cryostream*'"
	SYSTEMD_COLORS=0 systemctl --no-pager list-units 'station*' 'ln2*' 'cryostream*'
	echo "\$ busctl tree --list org.stationd1 | head -n 12"
	busctl --no-pager tree --list org.stationd1 | head -n 12
	echo "\$ busctl introspect org.stationd1 /org/stationd1/cryostream/CS0"
	SYSTEMD_COLORS=0 busctl --no-pager introspect org.stationd1 /org/stationd1/cryostream/CS0
	echo "\$ stationctl status"
	stationctl status 2>&1 | head -n 30
	echo "\$ stationctl ccd CCD1"
	stationctl --no-pager ccd CCD1 2>&1 | head -n 12
	echo "\$ journalctl -u stationd -n 5"
	SYSTEMD_COLORS=0 journalctl --no-pager -u stationd.service -n 5
	objects=$(busctl --no-pager tree --list org.stationd1 2>/dev/null | wc -l)
	echo "make run: station up ($objects objects on the bus, after $(cut -d' ' -f1 /proc/uptime) s of guest uptime)"
	echo "make run: standard input is not a terminal: no shell; powering off"
	echo "make run: done"
}

if [ "${1:-}" = --batch ]; then
	station_run_batch
	exit
fi
station_run_config
