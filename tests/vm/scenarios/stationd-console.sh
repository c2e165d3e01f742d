#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The autofill console (stationd-console(1), issue 14) on a real terminal:
# tmux runs it against the real daemon on the simulated station, the
# scenario types (send-keys) and reads the screen (capture-pane).
#  - the top line: state and a clock that ticks; the error line;
#  - SHOW at its three levels, and the keys that move between them:
#    Up/Down (manifold), Left/Right (detector), Tab (toggle), Esc (back);
#  - HELP and its topics; mistakes named for a person;
#  - FILL of a manifold asks YES/NO: NO does nothing, YES fills (the
#    plant's valves open, FillStarted), and the display follows the fill
#    from PropertiesChanged (FIL/PUR, then ok) without being asked;
#  - the input timeout drops a half-typed line and an unanswered YES/NO;
#  - the error line shows the underfull of a valve the plant sticks shut,
#    and "(cleared)" after CLEAR;
#  - ADMIN: CARDS, CONNECTIONS, SPARE, SCAN (the kernel's slot probe),
#    CONVERT and TEST through stationd (a card in use is let go for its
#    test and used again after);
#  - as nobody: VIEW ONLY on the top line and the prompt, interventions
#    refused at once with nothing sent, SHOW still working; QUIT ends it.
# timeout: 700
# shellcheck disable=SC2317,SC2016 # helpers run through check, wait_for and eval
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-console

# Manifolds A (detectors 1-3) and B (4, 5); detector 5 gives up after 8 s.
{
	station_conf_head 5min
	crate_manifold A 8 8 6 30s 2s
	crate_manifold B 10 10 7 30s 2s
	crate_detector 1 A 0 60s 3s
	crate_detector 2 A 1 60s 3s
	crate_detector 3 A 2 60s 3s
	crate_detector 4 B 3 60s 3s
	crate_detector 5 B 4 8s 3s
} >"$work/station.conf"

# Outside $work (mode 0700): nobody's console must reach the bus socket.
# An empty dewar fills in 20 s (1200 simulated s at 60x), a half-full one
# in 10: long enough for the display to be seen following a fill. A fill
# only waited for starts 90 % full (2 s).
scenario_station_up "the station (crate, drivers, ln2-plant, bus, stationd) comes up" \
	-c "$work/station.conf" -s 60 -d /run/stationd-console -p "--noise 0 --detector-fill 1200"
scenario_monitor

sock=$work/tmux.sock
tmux_() { tmux -S "$sock" "$@"; }
scenario_pids_cleanup() { tmux_ kill-server 2>/dev/null; }
trap 'scenario_pids_cleanup; scenario_cleanup' EXIT

# A console in tmux session $1 (100x32), run by the rest of the line.
console_start() {
	local session=$1
	shift
	tmux_ new-session -d -s "$session" -x 100 -y 32 \
		"env DBUS_SYSTEM_BUS_ADDRESS=$STATION_BUS_ADDRESS TERM=screen $* 2>$work/$session.err"
}
screen_of() { tmux_ capture-pane -p -t "$1" 2>/dev/null; }
# on <session> <regex>: the screen shows a line matching it (an extended
# regular expression, as grep -E takes it), matched by the shell: a grep
# per poll is a process more, slow under TCG
on() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && return 0
	done < <(screen_of "$1")
	return 1
}
line_of() { screen_of "$1" | sed -n "$2p"; }
# type <session> <text>: typed, then Enter (one tmux client for both)
type_line() {
	tmux_ send-keys -t "$1" -l "$2" ';' send-keys -t "$1" Enter
}
key() { tmux_ send-keys -t "$1" "$2"; }
# shows <description> <session> <regex> [seconds]: one TAP line, the
# screen on failure
shows() {
	if wait_for "${4:-20}" on "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		screen_of "$2" | sed 's/^/#   | /'
	fi
}
started() { grep -c "\"member\":\"FillStarted\",\"payload\":{\"type\":\"ut\",\"data\":\[$1," "$work/monitor.log"; }
fill_of_ended() { fill_ended "$1" "$2"; }

# The operator's console keeps a line for a minute: on a loaded machine a
# step of this scenario can take longer than a short timeout, which has a
# console of its own below.
console_start c stationd-console --input-timeout=60
shows "the console starts: AUTOFILL, state OK, nothing filling, alarm off" c \
	'^ AUTOFILL  OK  filling 0  alarm off' 60
clock1=$(line_of c 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}')
sleep 2
clock2=$(line_of c 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}')
check "the clock is on the top line and ticks ($clock1, then $clock2)" \
	test -n "$clock1" -a -n "$clock2" -a "$clock1" != "$clock2"
shows "the error line: no errors" c '^ No errors\.$'
shows "SHOW, top level: manifold A with detectors 1-3, all ok" c \
	'^A +ok +- +- +[0-9.]+ +1 ok +2 ok +3 ok'
shows "SHOW, top level: manifold B with detectors 4 and 5" c '^B +ok +- +- +[0-9.]+ +4 ok +5 ok'
shows "the prompt" c '^AUTOFILL>( |$)'

# ---------------------------------------------------------------- SHOW levels
type_line c "SHOW B"
shows "SHOW B: manifold level, its valves and detectors 4 and 5" c '^Manifold B: ok$'
shows "SHOW B: detector 4's line" c '^ +4 +[0-9.]+ V +closed '
key c Down
shows "Down: the next manifold (A, after B)" c '^Manifold A: ok$'
key c Up
shows "Up: back to manifold B" c '^Manifold B: ok$'
key c Tab
shows "Tab: detector level, the first detector of B" c '^Detector 4 \(manifold B\): ok$'
key c Right
shows "Right: the next detector, 5" c '^Detector 5 \(manifold B\): ok$'
key c Right
shows "Right: after the last, detector 1 of manifold A" c '^Detector 1 \(manifold A\): ok$'
key c Left
shows "Left: back to detector 5" c '^Detector 5 \(manifold B\): ok$'
key c Tab
shows "Tab: back to the manifold level of B" c '^Manifold B: ok$'
key c Escape
shows "Esc: the top level" c '^MF +STATUS +IN +OUT'
type_line c "s 2"
shows "S 2 (abbreviated): detector 2 in full" c '^Detector 2 \(manifold A\): ok$'
shows "...with its wiring on the three cards" c \
	'Wiring +bias-shutdown xvme0-0400:port0.1, valve xvme0-0800:1, sensor xvme0-0c00:1'
key c Escape

# ---------------------------------------------------------------- HELP, mistakes
type_line c "HELP"
shows "HELP: the commands and their abbreviations" c '^HELP: the commands'
shows "HELP lists CAncel" c '^  CAncel '
shows "HELP lists CLear" c '^  CLear '
type_line c "h fill"
shows "HELP FILL: its arguments" c '^FILL TARGETS \[HH:MM\]$'
type_line c "? syntax"
shows "? SYNTAX: the input line and the targets" c '^SYNTAX: the input line$'
type_line c "FLIL 7"
shows "a typing error is named" c '"FLIL" is not a command \(type HELP\)'
type_line c "C 7"
shows "an ambiguous abbreviation is named" c '"C" is ambiguous: CANCEL or CLEAR'
type_line c "FILL 1-x"
shows "bad targets are named with their column" c 'FILL: targets "1-x" at column [0-9]+'
type_line c "SHOW"

# ---------------------------------------------------------------- FILL, YES/NO
for d in 1 2 3; do plant "level $d 0.5"; done
type_line c "FILL A"
shows "FILL A asks first: 3 detectors, YES or NO" c 'FILL A: 3 detectors\. Confirm: YES or NO\?'
shows "...at the YES/NO prompt" c '^YES/NO>( |$)'
type_line c "NO"
shows "NO: nothing done" c 'Not confirmed: nothing done\.'
sleep 2
expect_eq "...and no fill started" "$(started 1)" 0
type_line c "f a"
shows "F A (abbreviated) asks too" c 'FILL a: 3 detectors\. Confirm: YES or NO\?'
type_line c "yes"
shows "YES: sent, and stationd accepted it" c 'FILL a: done\.'
check "FillStarted of detectors 1, 2, 3" wait_for 20 eval \
	'[ "$(started 1)" = 1 ] && [ "$(started 2)" = 1 ] && [ "$(started 3)" = 1 ]'
shows "the display follows the fill (detector 1 purging or filling)" c ' 1 (PUR|FIL) ' 30
check "the plant saw detector 1's valve open" wait_for 30 grep -q ' open detector 1$' "$STATION_VALVE_LOG"
check "the fill of 1, 2, 3 ends full" wait_for 60 eval \
	"fill_of_ended 1 full && fill_of_ended 2 full && fill_of_ended 3 full"
shows "...and the display shows them ok again, by itself" c '^A +ok +- +- +[0-9.]+ +1 ok +2 ok +3 ok' 30

# ---------------------------------------------------------------- input timeout
console_start t stationd-console --input-timeout=5
shows "a console with a 5 s input timeout starts" t '^AUTOFILL>( |$)' 60
tmux_ send-keys -t t -l "FIL"
shows "a half-typed line is on the prompt" t '^AUTOFILL> FIL$' 10
shows "after the input timeout it is dropped" t 'Input timed out: the line was dropped\.' 30
shows "...and the prompt is empty" t '^AUTOFILL> ?$'
type_line t "FILL B"
shows "FILL B asks YES/NO" t 'FILL B: 2 detectors\. Confirm: YES or NO\?'
shows "an unanswered YES/NO times out as NO" t 'Not confirmed in time: nothing done\.' 30
expect_eq "...and detectors 4 and 5 did not fill" "$(started 4)$(started 5)" 00
type_line t "QUIT"
check "QUIT ends that console" wait_for 20 eval "! tmux_ has-session -t t 2>/dev/null"
# Its unique name leaving the bus is not stationd leaving (it once was).
sleep 1
if on c 'NOT RUNNING|left the bus'; then
	not_ok "the other console leaving is not stationd leaving"
	screen_of c | sed -n '1,2s/^/#   | /p'
else
	ok "the other console leaving is not stationd leaving"
fi

# ---------------------------------------------------------------- the error line
plant "stuck-closed 5"
type_line c "FILL 5"
shows "FILL 5 (one detector): no question, done" c 'FILL 5: done\.'
shows "the valve stuck shut: the error line shows the underfull" c \
	'^ Last error: [0-9]{2}:[0-9]{2}:[0-9]{2} underfull: ' 60
shows "...and the overview shows detector 5 UND" c '^B +.* 5 UND'
shows "the top line: FILL ERROR, alarm ON" c '^ AUTOFILL  FILL ERROR  filling 0  alarm ON'
plant "unstick 5"
type_line c "CLEAR 5"
shows "CLEAR 5: done" c 'CLEAR 5: done\.'
shows "the error line keeps the latest error, cleared" c '^ Last error: .*\(cleared\)$'
shows "the top line: OK, alarm off" c '^ AUTOFILL  OK  filling 0  alarm off'

# ---------------------------------------------------------------- ADMIN
type_line c "ADMIN"
shows "ADMIN: the mode on the top line and the prompt" c '^ADMIN>( |$)'
shows "...and on the top line" c '^ AUTOFILL  OK .* ADMIN '
type_line c "CARDS"
shows "CARDS: the ADC, configured, present, passed" c '^xvme0-0c00 +XVME-560 +yes +yes +pass '
type_line c "CONN 4"
shows "CONNECTIONS 4: its sensor on the ADC" c '^  sensor +xvme0-0c00:3 '
shows "...its valve on the relay card" c '^  valve +xvme0-0800:3 '
shows "...its bias input on the TTL card" c '^  bias-shutdown +xvme0-0400:port0.3 '
type_line c "SPARE xvme0-0c00"
shows "SPARE: 25 spare lines of the ADC" c '^xvme0-0c00 +XVME-560 +25: 5 6 7 9 11 '
type_line c "SCAN"
shows "SCAN: the kernel's probe of the crate, each card marked" c \
	'^  0x0c00 560 VMEIDXYC560A +configured$'
type_line c "CONV xvme0-0c00 3"
shows "CONVERT: one conversion of detector 4's sensor" c \
	'CONVERT xvme0-0c00 3: raw [0-9]+, [0-9]+\.[0-9]{3} V'
type_line c "CONV xvme0-0800 3"
shows "CONVERT on the relay card: refused, named" c 'xvme0-0800 is an XVME-260: only an XVME-560 converts'
type_line c "TEST xvme0-0800"
shows "TEST of the relay card stationd uses: pass" c 'TEST xvme0-0800: pass$' 30
plant "level 4 0.9"
type_line c "FILL 4"
shows "...and the relay card is used again: FILL 4 done" c 'FILL 4: done\.'
check "...its valve opens and the fill ends full" wait_for 60 fill_of_ended 4 full
type_line c "NORMAL"
shows "NORMAL: back to the autofill prompt" c '^AUTOFILL>( |$)'

# ---------------------------------------------------------------- view-only
console_start v setpriv --reuid=65534 --regid=65534 --clear-groups stationd-console
shows "as nobody: VIEW ONLY on the top line" v '^ AUTOFILL  OK .*  VIEW ONLY ' 60
shows "...and at the prompt" v '^VIEW ONLY>( |$)'
before=$(started 4)
type_line v "FILL 4"
shows "as nobody: FILL 4 is refused at once, plainly" v 'FILL refused: VIEW ONLY'
sleep 2
expect_eq "...and nothing was sent: no fill of 4 started" "$(started 4)" "$before"
type_line v "SHOW 4"
shows "as nobody: SHOW still works" v '^Detector 4 \(manifold B\): '
type_line v "ADMIN"
type_line v "TEST xvme0-0c00"
shows "as nobody: TEST is refused too" v 'TEST refused: VIEW ONLY'
type_line v "QUIT"
check "QUIT ends nobody's console" wait_for 20 eval "! tmux_ has-session -t v 2>/dev/null"
type_line c "q"
check "Q (abbreviated) ends the operator's console" wait_for 20 eval "! tmux_ has-session -t c 2>/dev/null"
check "the consoles wrote no errors" eval "! [ -s '$work/c.err' ] && ! [ -s '$work/v.err' ] && ! [ -s '$work/t.err' ]"

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 30
	cat "$work"/*.err 2>/dev/null | sed 's/^/# console: /'
fi
exit "$scenario_failed"
