#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The simulated station as `make run` brings it up: tests/sim/station-up
# with no configuration given (the 72-detector, 12-manifold example with
# two Cryostreams and the CCD CCD1, daemon/examples/station-ccd.conf). The
# CCD's simulator runs on a pty with n_unet attached, stationd's copy of
# the configuration names that pty as CCD1's line, and the controller has
# heard the discipline's keep-alive and said INS. The autofill
# objects and both Cryostream objects are on the bus; busctl introspect
# shows CS0's complete interface (its properties exactly those of
# dbus/org.stationd1.Cryostream.xml, its methods with their signatures);
# each simulator started for the configuration connects as the controller
# it is configured as, and a Cool reaches it. Torn down in the middle of
# a fill: every relay off, no stationd, ln2-plant or cryostream-sim left,
# the modules unloaded, no ccd-sim or ldattach left. First, with CS0's
# command address taken by
# another program: station-up fails saying so and leaves nothing behind.
# The whole station comes up and down twice; under TCG on a loaded host
# that took 265 s before the CCD joined it (ccd-sim, ldattach, a second
# configuration), so the limit leaves room above the 300 s default.
# timeout: 420
# shellcheck disable=SC2317,SC2016 # helpers run through check, wait_for and eval
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/station-lib.sh"

dir=/run/stationd-station-up
up=$STATIOND_TOP/tests/sim/station-up
I=org.stationd1.Cryostream
CS0=/org/stationd1/cryostream/CS0
CS1=/org/stationd1/cryostream/CS1
xml=$STATIOND_TOP/dbus/org.stationd1.Cryostream.xml
blocker=""
cleanup() {
	[ -n "$blocker" ] && kill "$blocker" 2>/dev/null
	[ -r "$dir/station.env" ] && "$up" --down -d "$dir" >/dev/null 2>&1
}
trap cleanup EXIT

project_modules() {
	local m loaded=""
	for m in xvme xvme_sim xvme_gpio xvme240 xvme260 xvme560 n_unet; do
		[ -d "/sys/module/$m" ] && loaded="$loaded $m"
	done
	echo "$loaded"
}

# ---- CS0's address busy: a precise error, nothing left running
"$STATIOND_BUILD/bin/cryostream-sim" -n 7 -b 127.0.0.2:30305 -t 127.0.0.1:9 \
	</dev/null >"$dir.blocker" 2>&1 &
blocker=$!
# Bound once it says ready (no fixed sleep: too short on a loaded host).
wait_for 20 station_log_has "$dir.blocker" '^ready'
"$up" -d "$dir" >/dev/null 2>"$dir.err"
rc=$?
expect_eq "127.0.0.2:30305 taken: station-up exits 1" "$rc" 1
check "... naming CS0's simulator and its address" \
	grep -q "cryostream-sim for CS0 (number 411, 127.0.0.2:30305) did not start" "$dir.err"
check "... and why (the simulator's bind error)" grep -q "binding 127.0.0.2:30305" "$dir.err"
[ $rc -eq 1 ] || sed 's/^/# /' "$dir.err"
check "... no station.env, no ln2-plant, no other cryostream-sim" eval \
	'[ ! -e "$dir/station.env" ] && ! pgrep -x ln2-plant >/dev/null &&
	 [ "$(pgrep -x cryostream-sim)" = "$blocker" ]'
expect_eq "... the modules unloaded again" "$(project_modules)" ""
kill "$blocker"
wait "$blocker" 2>/dev/null
blocker=""

# ---- the station make run shows

out=$("$up" -d "$dir" 2>"$dir.err")
rc=$?
if [ $rc -ne 0 ]; then
	not_ok "station-up with the default configuration comes up"
	sed 's/^/# /' "$dir.err"
	exit 1
fi
ok "station-up with the default configuration comes up"
# shellcheck source=/dev/null
. "$dir/station.env"
bus() { busctl --address="$STATION_BUS_ADDRESS" "$@"; }
get() { bus get-property org.stationd1 "$1" $I "$2" 2>/dev/null; }

expect_eq "the default configuration is the example with Cryostreams and a CCD" \
	"$STATION_CONFIG" "$(realpath "$STATIOND_TOP/daemon/examples/station-ccd.conf")"
check "station-up says: 72 detectors on 12 manifolds, 2 Cryostream(s), 1 CCD(s)" \
	grep -q "^# simulated station up: 72 detectors on 12 manifolds, 2 Cryostream(s), 1 CCD(s)" \
	<<<"$out"
check "station-up names each simulator: CS0 = controller 411 at 127.0.0.2" \
	grep -q "^#   cryostream-sim pid [0-9]*: CS0 = controller 411 at 127.0.0.2" <<<"$out"
check "... and CS1 = controller 369 on the next free loopback address" \
	grep -q "^#   cryostream-sim pid [0-9]*: CS1 = controller 369 at 127.0.0.3" <<<"$out"
check "station-up ends with the bus address to export" \
	eval '[ "$(tail -n 1 <<<"$out")" = "export DBUS_SYSTEM_BUS_ADDRESS='"'"'$STATION_BUS_ADDRESS'"'"'" ]'
sims=0
for pid in $STATION_CRYOSTREAM_PIDS; do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = cryostream-sim ] && sims=$((sims + 1))
done
expect_eq "two cryostream-sim processes run" "$sims" 2

# ---- the CCD: ccd-sim on a pty, n_unet attached, stationd told so
ccd_tty=${STATION_CCDS#CCD1=}
ccd_tty=${ccd_tty%% *}
check "station-up names CCD1's simulator and its terminal ($ccd_tty)" \
	grep -q "^#   ccd-sim    pid [0-9]*: CCD1 on /dev/pts/${ccd_tty#pts} with n_unet" <<<"$out"
expect_eq "one ccd-sim process runs" "$(cat "/proc/${STATION_CCD_PIDS%% *}/comm" 2>/dev/null)" \
	ccd-sim
check "its pty link names $ccd_tty" \
	test "$(readlink "$STATION_DIR/ccd-CCD1.tty")" = "/dev/pts/${ccd_tty#pts}"
unet_dev=$(grep -lx "$ccd_tty" /sys/class/unet/*/tty 2>/dev/null)
check "n_unet is attached to it (${unet_dev:-no unet device})" test -n "$unet_dev"
check "stationd runs a configuration whose CCD1 is on $ccd_tty" eval \
	'[ "$STATION_DAEMON_CONFIG" = "$STATION_DIR/station-ccd-sim.conf" ] &&
	 awk "/^ccd CCD1 /{c=1} c && \$1==\"tty\" {print \$2; exit}" "$STATION_DAEMON_CONFIG" |
	 grep -qx "$ccd_tty"'
check "with CCD1's profile and data socket" eval \
	'grep -q "profile TEK5" "$STATION_DAEMON_CONFIG" &&
	 grep -q "data-socket \"/run/stationd/CCD1.data\"" "$STATION_DAEMON_CONFIG"'
check "the controller heard the discipline and said INS" \
	wait_for 10 grep -q ' tx S CCD1>SYS [0-9A-F]* INS200(1)' "$STATION_DIR/ccd-CCD1.log"
check "its control FIFO answers" eval \
	'station_ccd_ask CCD1 status | grep -q "status: ok .*phase 0 idle"'

tree=$(bus tree --list org.stationd1 2>&1)
expect_eq "72 detector objects" "$(grep -c '^/org/stationd1/detector/[0-9]*$' <<<"$tree")" 72
expect_eq "manifolds A-L" "$(grep '^/org/stationd1/manifold/' <<<"$tree" |
	sed 's|.*/||' | sort | tr -d '\n')" ABCDEFGHIJKL
check "the autofill object" grep -qx /org/stationd1/autofill <<<"$tree"
check "the Cryostream objects CS0 and CS1" eval \
	'grep -qx $CS0 <<<"$tree" && grep -qx $CS1 <<<"$tree"'

intro=$(bus introspect --list org.stationd1 $CS0 2>&1)
check "introspect CS0: the org.stationd1.Cryostream interface" \
	grep -q "^$I *interface" <<<"$intro"
# Names taken from the XML, so a renamed property fails here too.
for name in GasTemperature SetPoint TargetTemperature PhaseName RunModeName Connected \
	ControllerNumber AlarmName LN2Level PacketsRejectedByReason; do
	grep -q "<property name=\"$name\"" "$xml" || missing_xml="${missing_xml:-} $name"
	grep -q "^\.$name *property " <<<"$intro" || missing="${missing:-} $name"
done
expect_eq "the XML declares GasTemperature, SetPoint, PhaseName ..." "${missing_xml:-}" ""
expect_eq "introspect CS0 lists them as properties" "${missing:-}" ""
xml_props=$(sed -n 's/.*<property name="\([A-Za-z0-9]*\)".*/\1/p' "$xml" | sort)
bus_props=$(awk '$2 == "property" { sub(/^\./, "", $1); print $1 }' <<<"$intro" | sort)
expect_eq "introspect CS0: exactly the XML's $(wc -l <<<"$xml_props") properties" \
	"$bus_props" "$xml_props"
xml_methods=$(sed -n 's/.*<method name="\([A-Za-z0-9]*\)".*/\1/p' "$xml" | sort)
bus_methods=$(awk -v i=$I '$2 == "interface" { here = $1 == i }
	here && $2 == "method" { sub(/^\./, "", $1); print $1 }' <<<"$intro" | sort)
expect_eq "introspect CS0: exactly the XML's methods" "$bus_methods" "$xml_methods"
check "introspect CS0: Cool takes d, Ramp dd, History u -> a(tddd)" eval \
	'grep -q "^\.Cool *method *d " <<<"$intro" && grep -q "^\.Ramp *method *dd " <<<"$intro" &&
	 grep -q "^\.History *method *u *a(tddd)" <<<"$intro"'
check "introspect CS0: the Fault signal" grep -q "^\.Fault *signal " <<<"$intro"

check "CS0 connected to its simulator" wait_for 20 eval '[ "$(get $CS0 Connected)" = "b true" ]'
check "CS1 connected to its simulator" wait_for 20 eval '[ "$(get $CS1 Connected)" = "b true" ]'
expect_eq "CS0 hears controller 411" "$(get $CS0 ControllerNumber)" "q 411"
expect_eq "CS1 hears controller 369" "$(get $CS1 ControllerNumber)" "q 369"
expect_eq "CS1's commands go to its simulator's address" "$(get $CS1 CommandAddress)" \
	's "127.0.0.3:30305"'
reply=$(bus --timeout=30 call org.stationd1 $CS0 $I Cool d 120 2>&1)
expect_eq "Cool 120 on CS0 is confirmed by its simulator" "$?:$reply" "0:"
check "CS0's TargetTemperature reads 120 K" eval \
	'awk -v v="$(get $CS0 TargetTemperature | cut -d" " -f2)" "BEGIN { exit !(v > 119.999 && v < 120.001) }"'

# ---- down in the middle of a fill
bus call org.stationd1 /org/stationd1/autofill org.stationd1.Autofill Fill ss A "" >/dev/null 2>&1
check "a fill of manifold A opens valves (the plant's valve log)" \
	wait_for 30 grep -q "open" "$STATION_VALVE_LOG"
pids="$STATION_DAEMON_PID $STATION_PLANT_PID $STATION_BUS_PID $STATION_CRYOSTREAM_PIDS"
pids+=" $STATION_CCD_PIDS $STATION_LDATTACH_PIDS"
down=$("$up" --down -d "$dir" 2>&1)
rc=$?
expect_eq "station-up --down exits 0" "$rc" 0
check "... every valve closed (every relay latch of the crate read 0)" \
	grep -q "every valve closed" <<<"$down"
check "... modules unloaded" grep -q "modules unloaded" <<<"$down"
[ $rc -eq 0 ] || echo "# ${down//$'\n'/$'\n'# }"
left=""
for pid in $pids; do
	[ -d "/proc/$pid" ] && left="$left $pid($(cat "/proc/$pid/comm" 2>/dev/null))"
done
expect_eq "no stationd, ln2-plant, dbus-daemon, cryostream-sim, ccd-sim or ldattach of it left" \
	"$left" ""
expect_eq "no cryostream-sim process at all" "$(pgrep -x cryostream-sim)" ""
expect_eq "no ccd-sim process at all" "$(pgrep -x ccd-sim)" ""
expect_eq "no project module loaded" "$(project_modules)" ""
check "station.env removed" test ! -e "$dir/station.env"
exit "$scenario_failed"
