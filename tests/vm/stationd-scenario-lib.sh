# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the stationd VM scenarios that run the whole simulated
# station (station-lib.sh) and watch stationd on its bus: the parts every
# one of them repeats.
#
#   . "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"
#   scenario_begin stationd-bias     # $work, cleanup on exit
#   { station_conf_head 5min; station_conf_manifold ...; } >"$work/station.conf"
#   scenario_station_up "the station ... comes up" -c "$work/station.conf" -s 60
#   scenario_journal                 # stand-in journal: $work/journal.log
#   station_start_daemon_journaled; check "stationd is on the bus" station_wait_ready 60
#   scenario_monitor                 # stationd's signals: $work/monitor.log
#
# The cleanup stops the monitor and the journal, tears the station down
# (unless the scenario did: station_is_down=1) and removes $work.
. "$STATIOND_TOP/tests/vm/scenario-lib.sh"
. "$STATIOND_TOP/tests/vm/station-lib.sh"

# Background helpers (monitor, journal) the cleanup stops.
scenario_pids=""
scenario_journal_socket=/run/systemd/journal/socket
# shellcheck disable=SC2034 # set by a scenario that took the station down itself
station_is_down=""

scenario_cleanup() {
	local p
	for p in $scenario_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$station_is_down" ] || station_down >/dev/null 2>&1
	rm -rf "$work"
	[ -z "${scenario_journal_started:-}" ] || rm -f "$scenario_journal_socket"
}

# scenario_begin <name>: a fresh work directory $work (/tmp/<name>.XXXXXX),
# removed with everything else the scenario started when it exits.
scenario_begin() {
	work=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	trap scenario_cleanup EXIT
}

# scenario_station_up <description> <station_up options...>: station_up
# as one TAP line; if it fails, its errors as comments and the scenario
# ends there (nothing else can be checked without the station).
scenario_station_up() {
	local what=$1
	shift
	if ! station_up "$@" 2>"$work/up.err"; then
		not_ok "$what"
		sed 's/^/# /' "$work/up.err"
		exit 1
	fi
	ok "$what"
}

# datagram_log <socket> <file>: every datagram on a unix socket one line in
# the file. Run it in the background: exec makes the listener the job's own
# process, so killing $! stops it.
datagram_log() {
	exec /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(65536).decode().replace("\n", " ") + "\n")
        f.flush()
' "$1" "$2"
}

# scenario_journal: a stand-in journal for stationd, a socket where
# journald's is, logging each entry as one line of $work/journal.log.
# station_start_daemon_journaled then starts stationd as systemd starts a
# service, $JOURNAL_STREAM naming its stderr, so it logs structured entries.
scenario_journal() {
	scenario_journal_started=1
	mkdir -p "${scenario_journal_socket%/*}"
	datagram_log "$scenario_journal_socket" "$work/journal.log" &
	scenario_pids+=" $!"
	wait_for 10 test -S "$scenario_journal_socket"
	touch "$STATION_DAEMON_LOG"
}

station_start_daemon_journaled() {
	station_start_daemon JOURNAL_STREAM="$(stat -c %d:%i "$STATION_DAEMON_LOG")"
}

# scenario_monitor: every message to or from org.stationd1 (its signals
# above all), one JSON line each, appended to $work/monitor.log.
scenario_monitor() {
	busctl --address="$STATION_BUS_ADDRESS" monitor --json=short org.stationd1 \
		>>"$work/monitor.log" 2>&1 &
	scenario_pids+=" $!"
	wait_for 10 test -s "$work/monitor.log"
}

# ---------------------------------------------------------------- configurations
#
# The hand-written stations of the scenarios are wired on one simulated
# crate: the TTL card xvme0-0400 (inputs, the dewar inhibit, the alarm),
# the relay card xvme0-0800 and the ADC card xvme0-0c00, and whatever more
# cards a scenario names. Each scenario keeps its own values (fill times,
# backup interval, presets) in its own calls.

# station_conf_head <backup-interval> [<card>...]: the card lines (the three
# above, then each extra "<type> @ <address>") and the station block.
station_conf_head() {
	local backup=$1
	shift
	printf 'card %s\n' "240 @ xvme0-0400" "260 @ xvme0-0800" "560 @ xvme0-0c00" "$@"
	station_cat <<EOF
station {
	scan-rate 10Hz
	backup-interval $backup
	dewar-inhibit xvme0-0400:port7.0
	alarm xvme0-0400:flag0
}
EOF
}

# station_conf_manifold <name> <sensor> <input-valve> <output-valve>
#                       <manual-fill-key> <max-fill> <closure-delay>
station_conf_manifold() {
	station_cat <<EOF
manifold $1 {
	sensor $2
	input-valve $3
	output-valve $4
	manual-fill-key $5
	reference 1.5V
	max-fill $6
	closure-delay $7
}
EOF
}

# station_conf_detector <number> <manifold> <sensor> <valve> <bias-shutdown>
#                       <max-fill> <closure-delay> [<statement>...]
station_conf_detector() {
	local line
	station_cat <<EOF
detector $1 {
	manifold $2
	sensor $3
	valve $4
	bias-shutdown $5
	reference 1.5V
	max-fill $6
	closure-delay $7
EOF
	for line in "${@:8}"; do
		printf '\t%s\n' "$line"
	done
	echo "}"
}

# On the three cards of the head alone, a manifold or detector wired to
# one channel: its exhaust sensor on that ADC channel, its valve on that
# relay (a manifold's output valve on the next), its bias-shutdown or
# manual-fill-key input on that bit of TTL port 0.
# crate_manifold <name> <sensor-channel> <input-relay> <key-bit> <max-fill> <closure-delay>
crate_manifold() {
	station_conf_manifold "$1" "xvme0-0c00:$2" "xvme0-0800:$3" "xvme0-0800:$(($3 + 1))" \
		"xvme0-0400:port0.$4" "$5" "$6"
}

# crate_detector <number> <manifold> <channel> <max-fill> <closure-delay> [<statement>...]
crate_detector() {
	station_conf_detector "$1" "$2" "xvme0-0c00:$3" "xvme0-0800:$3" "xvme0-0400:port0.$3" \
		"$4" "$5" "${@:6}"
}

# ---------------------------------------------------------------- stationd, seen from outside

# autofill <method> [<argument>...]: org.stationd1.Autofill.<method> called
# with gdbus (arguments in GVariant text: "'A'"); prints the reply, or the
# D-Bus error the scenario greps for.
autofill() {
	gdbus call --address "$STATION_BUS_ADDRESS" --dest org.stationd1 \
		--object-path /org/stationd1/autofill --method "org.stationd1.Autofill.$1" "${@:2}"
}
# a call that must succeed: gdbus prints the empty reply "()"
autofill_ok() { autofill "$@" >/dev/null; }

# prop <object> <interface> <property>: as busctl prints it ("u 1", "b true")
prop() { station_busctl get-property org.stationd1 "$1" "$2" "$3" 2>/dev/null; }
status_of() { prop "/org/stationd1/detector/$1" org.stationd1.Detector Status; }
# has_status <detector> <flag>: the detector's Status carries "<flag>"
has_status() { [[ $(status_of "$1") == *\""$2"\"* ]]; }
# alarm_is <true|false>
alarm_is() { [ "$(prop /org/stationd1/autofill org.stationd1.Autofill Alarm)" = "b $1" ]; }

# Signals in $work/monitor.log (scenario_monitor).
# fault_seen <kind> <detector> <manifold>: a Fault signal for them
fault_seen() {
	grep -q "\"member\":\"Fault\",\"payload\":{\"type\":\"suss\",\"data\":\[\"$1\",$2,\"$3\"" \
		"$work/monitor.log"
}
# fill_ended <detector> <result>: a FillEnded signal ("full", "underfull", ...)
fill_ended() {
	grep -q "\"member\":\"FillEnded\",\"payload\":{\"type\":\"utttsd\",\"data\":\[$1,[0-9]*,[0-9]*,[0-9]*,\"$2\"" \
		"$work/monitor.log"
}

# entry <pattern>: a stand-in journal entry matches (scenario_journal)
entry() { grep -q -- "$1" "$work/journal.log"; }

# plant <command...>: to ln2-plant's control pipe (its replies are in
# $STATION_PLANT_LOG)
plant() { echo "$*" >"$STATION_PLANT_CTL"; }
# relay_on <n>: relay <n> of the relay card xvme0-0800 is energized
relay_on() { (($(cat "$station_plant_root/xvme0-0800/relays") & (1 << $1))); }

# ---------------------------------------------------------------- stationctl, checked

# ctl <args...>: stationctl without a terminal or a pager; $out is its
# stdout, $err its stderr, $rc its exit status.
ctl() {
	out=$(stationctl --no-pager "$@" 2>"$work/ctl.err" </dev/null)
	rc=$?
	err=""
	scenario_read err "$work/ctl.err"
}
# ctl_ok <description> <args...>: one TAP line, ok when it exits 0
ctl_ok() {
	local what=$1
	shift
	ctl "$@"
	if [ "$rc" = 0 ]; then
		ok "$what"
	else
		not_ok "$what"
		echo "#   stationctl $*: exit $rc: $err"
	fi
}
# ctl_exit <description> <status> <stderr pattern> <args...>: ok when it
# exits with that status and an error message matching the pattern (grep -E)
ctl_exit() {
	local what=$1 want=$2 pattern=$3
	shift 3
	ctl "$@"
	if [ "$rc" = "$want" ] && text_matches "$err" "$pattern"; then
		ok "$what"
	else
		not_ok "$what"
		echo "#   stationctl $*: exit $rc (want $want): $err"
	fi
}
# out_line <line>: $out has exactly this line (grep -qxF), and out_has
# <regex>: a line of $out matches the extended regular expression (grep
# -qE); both by the shell, as a grep is a process, slow under TCG
out_line() { [[ $'\n'$out$'\n' == *$'\n'"$1"$'\n'* ]]; }
out_has() { text_matches "$out" "$1"; }
# json <python expression on j>: $out parsed as JSON, the expression's
# value printed; fails when $out is not JSON
json() {
	local status value
	if [ -z "${json_py_PID:-}" ]; then
		python3 -c 'import json, sys; j = json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' \
			"$1" <<<"$out"
		return
	fi
	printf '%s\n' "$out" >"$work/json.in"
	printf '%s' "$1" >"$work/json.expr"
	echo >&"${json_py[1]}" || return 1
	IFS= read -r status <&"${json_py[0]}" || return 1
	scenario_read value "$work/json.out"
	printf '%s\n' "$value"
	return "$status"
}
# json_server: the json calls that follow ask one python3 (a coprocess)
# instead of starting one each: under TCG its start-up takes seconds.
# Call it from the scenario's own shell, not from a $(...).
json_server() {
	coproc json_py {
		exec python3 -c '
import json, sys, traceback
for request in sys.stdin:
    try:
        j = json.loads(open(sys.argv[1]).read())
        expr = open(sys.argv[2]).read()
        value, status = str(eval(expr, {"json": json, "sys": sys, "j": j})) + "\n", 0
    except Exception:
        traceback.print_exc()
        value, status = "", 1
    with open(sys.argv[3], "w") as f:
        f.write(value)
    print(status, flush=True)
' "$work/json.in" "$work/json.expr" "$work/json.out"
	}
	scenario_pids+=" $json_py_PID"
}
