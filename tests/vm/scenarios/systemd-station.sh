#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot: systemd
# The station as on a real machine (issue 15): systemd as PID 1, udevd,
# the system bus, logind and polkitd, the station installed by `make
# install` in the guest (tests/vm/systemd-boot.sh), the example station
# with two Cryostreams in /etc/stationd/.
#  - installed: stationd.service is the installed unit running
#    /usr/sbin/stationd; user stationd and group stationd-operator exist;
#    the generator's drop-in allows CS0's address;
#  - `modprobe xvme-sim cards=...` alone: udev loads the three card
#    drivers by modalias, the gpiochips get group stationd, and
#    stationd.service starts by SYSTEMD_WANTS; it runs as user stationd
#    with no capability; its journal entries carry CARD=;
#  - a member of group stationd-full logged in (a logind session, the
#    example polkit rules installed) may intervene with busctl; a user
#    outside the group may read but not intervene;
#  - `systemctl stop stationd` during a fill closes every valve (the
#    plant's valve log, the relay latches); the fill's entries carry
#    DETECTOR= and MANIFOLD=;
#  - D-Bus activation: busctl on the stopped station starts it, and the
#    fill the stop interrupted is due at once (stationd(8)): A fills again;
#  - `systemctl restart` during a fill closes every open valve, and the
#    new stationd takes up the interrupted fill;
#  - `systemctl kill -s KILL` during a fill: every relay de-energized by
#    the kernel before systemd restarts it;
#  - a stationd stopped with SIGSTOP is killed by the watchdog and
#    restarted;
#  - `systemctl reload` (ExecReload=, SIGHUP) with a broken configuration
#    is refused: file:line:col of the error in the journal, the same
#    process, the old configuration, STATUS= says so; a good one after
#    it is applied;
#  - a relay card pulled out and put back while it runs under systemd:
#    hotplug seen by the unprivileged daemon, its lines held again;
#  - the sandbox holds: a probe run in stationd.service's own sandbox
#    (an ExecStartPre= drop-in) writes only in the state directory, sees
#    no other user's process, has no capability; CS1's simulator at
#    10.1.2.2 connects (its status packets let in); IPAddressDeny=any with
#    the generator's allow-list: UDP to CS1's 10.1.2.2 (a configured
#    address on the guest's network, 10.1.2.0/24 on lo) goes out, to
#    10.1.2.3 on the same network is refused with EPERM by systemd's BPF
#    filter (the same send outside the sandbox works); SocketBindDeny=any
#    only where systemd has BPF_FRAMEWORK (Debian 12's 252 has not: then
#    a TAP SKIP that says so, and binding port 40000 must still work, so
#    the SKIP goes stale the day it is enforced).
# timeout: 600
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/station-lib.sh"

work=$(mktemp -d /tmp/systemd-station.XXXXXX)
chmod 0755 "$work"
cleanup() {
	ip addr del 10.1.2.1/24 dev lo 2>/dev/null
	rm -f /run/systemd/system/stationd.service.d/probe.conf
	systemctl daemon-reload
	rm -rf "$work"
}
trap cleanup EXIT

bus() { busctl --no-pager "$@"; }
state() { bus get-property org.stationd1 /org/stationd1 org.stationd1.Manager State 2>/dev/null; }
ready() { [ "$(state)" = 's "ok"' ] || [[ $(state) == 's "'* ]]; }
prop() { systemctl show -P "$1" stationd.service; }
active() { [ "$(systemctl is-active stationd.service)" = active ]; }
main_pid() { prop MainPID; }
valve_log=/run/station-sim/valves.log

# ---- the installed station
etc=/etc/stationd
doc=/usr/share/doc/stationd/examples
# The example's two Cryostreams on a 12-detector station (manifolds A
# and B, three cards): the 72-detector example's scan keeps TCG busy
# enough to starve the watchdog on a loaded host.
"$STATIOND_TOP/daemon/examples/generate-station" -n 12 >"$etc/detectors.conf" &&
	sed 's/^include "station.conf"/include "detectors.conf"/' "$doc/station-cryostream.conf" >"$etc/station.conf"
# CS1 on a network of its own rather than on loopback (the guest's
# 10.1.2.0/24, on lo: 10.1.2.3 is routed there too), so that
# IPAddressDeny=any, not a missing route, is what refuses the rest.
sed -i '/^cryostream CS1 {/a\	address 10.1.2.2' "$etc/station.conf"
ip addr add 10.1.2.1/24 dev lo
# Slow detector fills: valves stay open long enough to stop stationd in
# the middle of a fill.
echo 'LN2_PLANT_ARGS="--noise 0 --detector-fill 6000"' >"$etc/station-sim.env"
systemctl daemon-reload	# the generator reads the configuration now there
expect_eq "stationd.service is the installed unit" "$(prop FragmentPath)" /lib/systemd/system/stationd.service
check "its ExecStart is the installed /usr/sbin/stationd" \
	eval "[[ \"\$(prop ExecStart)\" == *'path=/usr/sbin/stationd '* ]] && [ -x /usr/sbin/stationd ]"
check "systemd-sysusers made user stationd and group stationd-operator" \
	eval "id -u stationd >/dev/null && getent group stationd-operator >/dev/null"
check "the generator allows CS0's address 127.0.0.2 (IPAddressAllow)" \
	eval "[[ \"\$(prop IPAddressAllow)\" == *127.0.0.2* ]]"
check "... and CS1's 10.1.2.2" eval "[[ \"\$(prop IPAddressAllow)\" == *10.1.2.2* ]]"
expect_eq "nothing has started stationd yet (no card)" "$(systemctl is-active stationd.service)" inactive

# ---- modprobe xvme-sim: udev does the rest
compile=/usr/bin/stationd-compile
"$compile" -q compile "$etc/station.conf" "$work/station.db"
read -r _ cards < <(/usr/libexec/stationd/station-sim-setup crates "$work/station.db")
# shellcheck disable=SC2034 # read by station_relays_off (station-lib.sh)
STATION_RELAY_CARDS=$("$compile" dump "$work/station.db" | awk '$1 == "card" && $2 == 260 { print $4 }' | tr '\n' ' ')
check "modprobe xvme-sim cards=$cards" modprobe xvme-sim "cards=$cards"
drivers_loaded() { [ -d /sys/module/xvme240 ] && [ -d /sys/module/xvme260 ] && [ -d /sys/module/xvme560 ]; }
check "udev loads xvme240, xvme260 and xvme560 by modalias" wait_for 60 drivers_loaded
udevadm settle --timeout=30
chips=$(for c in /sys/bus/xvme/devices/xvme0-*/gpiochip[0-9]*; do
	[ -e "$c/dev" ] && echo "/dev/${c##*/}"; done | sort -u)
expect_eq "every card's gpiochip is group stationd, mode 0660" \
	"$(for c in $chips; do stat -c '%G %a' "$c"; done | sort -u)" "stationd 660"
check "stationd.service is started by SYSTEMD_WANTS: systemctl is-active stationd" wait_for 60 active
check "stationd answers on the system bus" wait_for 60 ready
pid=$(main_pid)
expect_eq "it runs as user stationd" "$(ps -o user= -p "$pid")" stationd
expect_eq "with no capability (effective, permitted, bounding)" \
	"$(awk '/^Cap(Eff|Prm|Bnd):/ { print $2 }' "/proc/$pid/status" | sort -u)" 0000000000000000
journal_has() { journalctl -u stationd.service -o json --no-pager | grep -q "$1"; }
check "journalctl -u stationd -o json: the cards' entries carry CARD=" wait_for 10 journal_has '"CARD":"xvme0-0800"'

# ---- the plant, the operator
check "systemctl start ln2-plant.service (the plant on the crate)" systemctl start ln2-plant.service
check "its valve log exists" wait_for 20 test -e "$valve_log"
# (station-sim-crate, which the plant requires, starts a cryostream-sim@
# per Cryostream: CS1's sends from 10.1.2.2, which only the generator's
# IPAddressAllow= lets through to stationd.)
cs1_connected() { [ "$(bus get-property org.stationd1 /org/stationd1/cryostream/CS1 org.stationd1.Cryostream Connected 2>/dev/null)" = "b true" ]; }
check "CS1 at 10.1.2.2 (not loopback) connected: its packets pass the allow-list" wait_for 30 cs1_connected
# The site's rule: the installed example granting the specification's
# tiers to groups; op has the full tier, viewer none. Its logins here
# have no seat (no console in the VM): polkit calls them not local, and
# the example as shipped keeps interventions to the console.
groupadd stationd-full && useradd -M -N -d /tmp -G stationd-full op && useradd -M -N -d /tmp viewer
rules=/etc/polkit-1/rules.d/50-stationd.rules
install -m 0644 "$doc/stationd-tiers.rules.example" "$rules"
# as <user> <command...>: in a login session of its own (pam_systemd).
# busctl prints any AccessDenied as "Access denied": gdbus shows the
# daemon's reason.
as() { local u=$1; shift; su -s /bin/sh -l "$u" -c "$*" 2>&1; }
autofill_call="gdbus call --system -d org.stationd1 -o /org/stationd1/autofill -m org.stationd1.Autofill"
call() { as "$1" "$autofill_call.$2" "$3"; }
status7() { bus get-property org.stationd1 /org/stationd1/detector/7 org.stationd1.Detector Status; }
out=$(call op Avoid 7)
check "the example rule as shipped: op's Avoid from a session without a seat refused (console only)" \
	eval '[[ $out == *"not authorized for org.stationd1.autofill.override"* ]]'
echo "# $out"
# The site allows interventions away from the console (the example's
# switch); polkitd reloads its rules when they change.
sed -i 's/var consoleOnly = true;/var consoleOnly = false;/' "$rules"
sleep 2
out=$(call op Avoid 7)
expect_eq "consoleOnly = false: a member of stationd-full may: Avoid 7" "$out" "()"
check "detector 7 is avoided" eval '[[ $(status7) == *avoided* ]]'
# The viewer's Unavoid and its read of the Status in one login (each su
# is a logind session of its own: seconds under TCG).
out=$(as viewer "$autofill_call.Unavoid 7; echo @@; busctl get-property org.stationd1 /org/stationd1/detector/7 org.stationd1.Detector Status")
# shellcheck disable=SC2034 # read in a check's eval below
viewer_read=${out#*@@$'\n'}
out=${out%%$'\n'@@*}
if [[ $out == *"not authorized for org.stationd1.autofill.override"* ]]; then
	ok "a user outside the group may not: Unavoid refused ($out)"
else
	not_ok "a user outside the group may not: Unavoid refused (got: $out)"
fi
check "... and changes nothing" eval '[[ $(status7) == *avoided* ]]'
check "but may read: get-property Status" eval '[[ $viewer_read == "as "* ]]'
out=$(call op Unavoid 7)
expect_eq "the operator: Unavoid 7" "$out" "()"

# ---- systemctl stop during a fill
fill_a() { bus call org.stationd1 /org/stationd1/autofill org.stationd1.Autofill Fill ss A "" >/dev/null; }
relays_on() { [ -n "$(station_relays_on)" ]; }
check "Fill ss A: manifold A's valves open" eval 'fill_a && wait_for 30 relays_on'
echo "# energized: $(station_relays_on)"
lines_before=$(wc -l <"$valve_log")
check "systemctl stop stationd" systemctl stop stationd.service
check "every relay is de-energized" station_relays_off
check "the plant's valve log shows the valves closing" \
	eval "tail -n +$((lines_before + 1)) '$valve_log' | grep -q close"
expect_eq "stationd is inactive (a clean stop)" "$(systemctl is-active stationd.service)" inactive
journal=$(journalctl -u stationd.service -o json --no-pager)	# (read once for both)
check "the fill's journal entries carry MANIFOLD=A" grep -q '"MANIFOLD":"A"' <<<"$journal"
check "... and DETECTOR=" grep -q '"DETECTOR":"[0-9]*"' <<<"$journal"

# ---- D-Bus activation
out=$(as viewer busctl get-property org.stationd1 /org/stationd1 org.stationd1.Manager State)
check "busctl on the stopped station starts it (D-Bus activation): State $out" \
	eval '[[ $out == "s "* ]] && active'
check "the fill the stop interrupted is due at once: A's valves open again" wait_for 60 relays_on

# ---- systemctl restart during a fill: every open valve closed, then
# the new stationd (the valve log: each valve open before the restart
# has a close after it)
closed_since() {
	awk -v n="$1" '{ v = $4 " " $5 " " $6 " " $7 }
		NR <= n { st[v] = $3 }
		NR > n && $3 == "close" { closed[v] = 1 }
		END { for (v in st) if (st[v] == "open" && !(v in closed)) bad = 1; exit bad }' "$valve_log"
}
pid=$(main_pid)
check "a fill of A runs: valves open" relays_on
lines_before=$(wc -l <"$valve_log")
check "systemctl restart stationd" systemctl restart stationd.service
check "every valve open before the restart closed (the plant's valve log)" wait_for 10 closed_since "$lines_before"
check "a new stationd answers" eval 'wait_for 60 ready && [ "$(main_pid)" != "$pid" ]'
check "and takes up the interrupted fill: A's valves open again" wait_for 60 relays_on

# ---- SIGKILL: the kernel closes the valves, systemd restarts
restarts=$(prop NRestarts)
pid=$(main_pid)
check "a fill of A runs: valves open" relays_on
systemctl kill -s KILL stationd.service
check "systemctl kill -s KILL: every relay de-energized by the kernel" wait_for 2 station_relays_off
new_pid() { active && [ "$(main_pid)" != "$pid" ] && [ "$(main_pid)" != 0 ]; }
check "systemd restarts it (Restart=on-failure)" wait_for 30 new_pid
expect_eq "NRestarts counts it" "$(prop NRestarts)" "$((restarts + 1))"
check "the restarted stationd answers" wait_for 60 ready
check "Cancel A (the fill the kill interrupted, taken up again)" \
	eval 'wait_for 30 relays_on && bus call org.stationd1 /org/stationd1/autofill org.stationd1.Autofill Cancel s A && wait_for 30 station_relays_off'

# ---- the watchdog
restarts=$(prop NRestarts)
pid=$(main_pid)
kill -STOP "$pid"
check "SIGSTOP: the watchdog (WatchdogSec=10s) has it killed and restarted" wait_for 40 new_pid
expect_eq "NRestarts counts it" "$(prop NRestarts)" "$((restarts + 1))"
check "systemd logged the watchdog timeout" \
	eval "journalctl -u stationd.service --no-pager | grep -qi 'watchdog timeout'"
check "the restarted stationd answers" wait_for 60 ready

# ---- reload with a broken configuration (stationd(8), SIGHUP)
pid=$(main_pid)
expect_eq "stationd.service's ExecReload= sends SIGHUP" \
	"$(prop ExecReload | grep -o 'argv\[\]=[^;]*')" 'argv[]=/bin/kill -HUP $MAINPID '
cp "$etc/station.conf" "$work/good.conf"
bad_line=$(($(wc -l <"$work/good.conf") + 2))
printf 'cryostream CS9 {\n\tnumber banana\n}\n' >>"$etc/station.conf"
since=$(date '+%Y-%m-%d %H:%M:%S')
check "systemctl reload stationd (broken configuration) returns" systemctl reload stationd.service
config_error() { journalctl -u stationd.service --since "$since" --no-pager | grep -q "station.conf:$bad_line:[0-9]*: "; }
check "the error in the journal as $etc/station.conf:$bad_line:COL" wait_for 20 config_error
refused() { journalctl -u stationd.service --since "$since" --no-pager | grep -q 'reload refused'; }
check "and 'reload refused'" wait_for 20 refused
journalctl -u stationd.service --since "$since" --no-pager | grep 'station.conf:\|refused' | sed 's/^/# /'
expect_eq "stationd keeps running (same process)" "$(main_pid)" "$pid"
check "STATUS= says the reload was refused" eval "[[ \"\$(prop StatusText)\" == *'reload refused'* ]]"
check "with the old configuration (no cryostream CS9, CS1 still there)" \
	eval "! bus introspect org.stationd1 /org/stationd1/cryostream/CS9 >/dev/null 2>&1 &&
		bus introspect org.stationd1 /org/stationd1/cryostream/CS1 >/dev/null && ready"
# A good one after it is applied (CS1 dropped), then the old one again.
grep -v '^cryostream CS1 {' "$work/good.conf" | sed '/^\taddress 10.1.2.2$/,/^}$/d' >"$etc/station.conf"
since=$(date '+%Y-%m-%d %H:%M:%S')
cs1_gone() { ! bus introspect org.stationd1 /org/stationd1/cryostream/CS1 >/dev/null 2>&1; }
check "a good configuration then: reloaded, CS1 gone, the same process" \
	eval 'systemctl reload stationd.service && wait_for 20 cs1_gone && [ "$(main_pid)" = "$pid" ] && ready'
cp "$work/good.conf" "$etc/station.conf"
check "and back (CS1 again)" \
	eval 'systemctl reload stationd.service && wait_for 20 eval "! cs1_gone" && [ "$(main_pid)" = "$pid" ]'

# ---- a card pulled out and put back while it runs
plant=/sys/kernel/debug/xvme-sim
unavailable1() { [[ $(bus get-property org.stationd1 /org/stationd1/detector/1 org.stationd1.Detector Status) == *unavailable* ]]; }
held() {
	local chip
	chip=$(gpiodetect | sed -n 's/^\(gpiochip[0-9]*\) \[xvme0-0800\] .*/\1/p')
	[ -n "$chip" ] && gpioinfo "$chip" | grep -q '"stationd" *output'
}
echo 0 >"$plant/xvme0-0800/present"
check "relay card xvme0-0800 pulled: detector 1 unavailable" wait_for 30 unavailable1
echo 1 >"$plant/xvme0-0800/present"
check "put back: its new gpiochip is group stationd and stationd holds its lines" \
	eval "wait_for 30 held && udevadm settle && [ \"\$(stat -c %G /dev/\$(gpiodetect | sed -n 's/^\\(gpiochip[0-9]*\\) \\[xvme0-0800\\].*/\\1/p'))\" = stationd ]"
check "detector 1 available again" wait_for 30 eval '! unavailable1'

# ---- the sandbox: a probe in stationd.service's own sandbox
# (not under /tmp: the service's /tmp is its own)
probe=/run/stationd-probe.py
cat >"$probe" <<'PY'
import errno, os, socket, sys
out = open("/var/lib/stationd/probe.txt", "w")
def report(what, fn):
    try:
        fn()
        out.write(f"{what} ok\n")
    except OSError as e:
        out.write(f"{what} {errno.errorcode.get(e.errno, e.errno)}\n")
def write(path):
    with open(path, "w") as f:
        f.write("probe\n")
    os.unlink(path)
for d in ["/var/lib/stationd", "/etc/stationd", "/etc", "/usr/lib", "/var/lib", "/var/tmp",
          "/tmp", "/root", "/home", "/run", "/dev/shm", "/dev/mqueue", "/sys/kernel/debug/xvme-sim"]:
    report("write " + d, lambda d=d: write(d + "/probe"))
uids = set()
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            uids.add(os.stat("/proc/" + p).st_uid)
        except OSError:
            pass
out.write("proc-uids " + " ".join(str(u) for u in sorted(uids)) + "\n")
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith("CapEff:"):
            out.write("capeff " + line.split()[1] + "\n")
report("proc-sys", lambda: open("/proc/sys/kernel/hostname").read())
def udp_to(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", (addr, 30305))
def udp_bind(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
report("send 127.0.0.2", lambda: udp_to("127.0.0.2"))
report("send 10.1.2.2", lambda: udp_to("10.1.2.2"))
report("send 10.1.2.3", lambda: udp_to("10.1.2.3"))
report("bind 30304", lambda: udp_bind(30304))
report("bind 40000", lambda: udp_bind(40000))
report("inet6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
out.close()
PY
chmod 0644 "$probe"
mkdir -p /run/systemd/system/stationd.service.d
printf '[Service]\nExecStartPre=/usr/bin/python3 %s\n' "$probe" >/run/systemd/system/stationd.service.d/probe.conf
systemctl daemon-reload
systemctl restart stationd.service
# (The drop-in stays until the cleanup removes it and reloads: nothing
# starts stationd.service again before that, and a daemon-reload here
# would be one more run of every generator.)
result=/var/lib/stationd/probe.txt
if [ -s "$result" ]; then
	ok "the probe ran in stationd.service's sandbox"
	sed 's/^/# probe: /' "$result"
	# r <key>: the rest of the probe's line "<key> <result>" (read once,
	# no sed each)
	mapfile -t probe_lines <"$result"
	r() {
		local l
		for l in "${probe_lines[@]}"; do
			[[ $l == "$1 "* ]] && echo "${l#"$1 "}"
		done
	}
	expect_eq "it writes in its state directory" "$(r 'write /var/lib/stationd')" ok
	for d in /etc/stationd /etc /usr/lib /var/lib /var/tmp /tmp /root /home /run /dev/shm /dev/mqueue \
		/sys/kernel/debug/xvme-sim; do
		got=$(r "write $d")
		check "it cannot write in $d ($got)" test "$got" != ok
	done
	expect_eq "it sees no other user's process (ProtectProc=invisible)" "$(r proc-uids)" "$(id -u stationd)"
	expect_eq "no capability" "$(r capeff)" 0000000000000000
	check "no /proc/sys (ProcSubset=pid)" eval "[ \"\$(r proc-sys)\" != ok ]"
	expect_eq "UDP to CS0's 127.0.0.2 allowed" "$(r 'send 127.0.0.2')" ok
	expect_eq "UDP to CS1's 10.1.2.2 allowed (the generator's IPAddressAllow=)" "$(r 'send 10.1.2.2')" ok
	expect_eq "UDP to 10.1.2.3 refused by systemd's filter (IPAddressDeny=any): EPERM" \
		"$(r 'send 10.1.2.3')" EPERM
	check "... the same send outside the sandbox goes out (the route exists)" \
		python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("10.1.2.3", 30305))'
	expect_eq "binding the status port 30304 allowed" "$(r 'bind 30304')" ok
	if systemctl --version | grep -q '+BPF_FRAMEWORK'; then
		expect_eq "binding port 40000 refused (SocketBindDeny=any)" "$(r 'bind 40000')" EPERM
	elif [ "$(r 'bind 40000')" = ok ]; then
		ok "binding port 40000 refused (SocketBindDeny=any) # SKIP systemd $(systemctl --version | awk 'NR == 1 { print $2 }') is built -BPF_FRAMEWORK: SocketBind*= are not enforced"
	else
		not_ok "without BPF_FRAMEWORK binding port 40000 works (got $(r 'bind 40000')): the SKIP above is stale"
	fi
	check "no AF_INET6 socket (RestrictAddressFamilies)" eval "[ \"\$(r inet6)\" != ok ]"
else
	not_ok "the probe ran in stationd.service's sandbox"
	journalctl -u stationd.service -n 20 --no-pager | sed 's/^/# /'
fi
rm -f "$result" "$probe"
check "stationd runs again after the probe" eval 'wait_for 60 active && wait_for 60 ready'

# ---- the end: stopped, valves closed
check "systemctl stop stationd" systemctl stop stationd.service ln2-plant.service
check "every relay is de-energized" station_relays_off
exit "$scenario_failed"
