#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, scenario 9, card hotplug, and one journal entry per card that is
# out of use (issue 10 item 14). Three manifolds, each on cards of
# its own (A: relay xvme0-0800, ADC xvme0-0c00; B: relay xvme0-1000, ADC
# xvme0-1400; C: ADC xvme0-1800, relay xvme0-1c00; one TTL card for all):
#   - at start the ADC of C is out of its slot and the ADC of B fails its
#     power-on test (a conversion error): each is one error in the journal
#     with CARD=, the error's text and the detectors and manifold it takes
#     out, and no entry per detector; their Status carries "unavailable"
#     and "card-unavailable", the State is fill-error (not crashed), FILL
#     of them is refused, and a fill of A runs to the end;
#   - both put right and put back while stationd runs: their detectors are
#     available again;
#   - A's relay card, whose lines stationd holds, is pulled out: the kernel
#     survives it, the journal has the fault with CARD=, a Fault signal
#     "valve" comes, A's detectors are unavailable, a fill of B completes;
#   - put back: stationd holds the new chip's lines, A fills again;
#   - the TTL card pulled and put back: every detector unavailable, then
#     available, the alarm output resumed;
#   - at the end every module unloads: nothing pinned by the held lines.
# First, the crates of a big station: the 1000-detector generated station's
# cards in two simulated crates (cards= and cards1=), every card bound,
# the plant reachable in crate xvme1.
# timeout: 420
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/stationd-scenario-lib.sh"

scenario_begin stationd-cards

# manifold <name> <adc> <relay> <port>: a manifold and its two detectors
# (numbered from <first>), sensors on channels 0, 1 and 6 of its ADC,
# valves on relays 0, 1, 6 and 7 of its relay card, inputs on one port.
manifold() {
	local m=$1 adc=$2 relay=$3 port=$4 first=$5 d
	station_conf_manifold "$m" "$adc:6" "$relay:6" "$relay:7" "xvme0-0400:port$port.6" 60s 2s
	for d in 0 1; do
		station_conf_detector "$((first + d))" "$m" "$adc:$d" "$relay:$d" \
			"xvme0-0400:port$port.$d" 90s 2s
	done
}
{
	station_conf_head 5min "260 @ xvme0-1000" "560 @ xvme0-1400" "560 @ xvme0-1800" \
		"260 @ xvme0-1c00"
	manifold A xvme0-0c00 xvme0-0800 0 1
	manifold B xvme0-1400 xvme0-1000 1 3
	manifold C xvme0-1800 xvme0-1c00 2 5
} >"$work/station.conf"

# ---- a big station's crates: generate-station prints one cards= list per
# crate; the first is cards=, the second cards1= (crate xvme1).
mapfile -t lists < <("$STATIOND_TOP/daemon/examples/generate-station" -n 1000 --sim-cards)
expect_eq "generate-station -n 1000: two crates" "${#lists[@]}" 2
n_cards=$(( $(tr ',' '\n' <<<"${lists[0]},${lists[1]}" | wc -l) ))
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
station_unload_modules 2>/dev/null
if modprobe xvme-sim "cards=${lists[0]}" "cards1=${lists[1]}" &&
	modprobe -a xvme240 xvme260 xvme560; then
	ok "xvme-sim loads the 1000-detector station's $n_cards cards in crates xvme0 and xvme1"
	expect_eq "every card is a device on the xvme bus" \
		"$(find /sys/bus/xvme/devices/ -name 'xvme[01]-*' | wc -l)" "$n_cards"
	expect_eq "every card of both crates is bound to its driver" \
		"$(find /sys/bus/xvme/devices/xvme[01]-*/driver -maxdepth 0 | wc -l)" "$n_cards"
	# 2592 lines: more than the kernel's 1024 GPIO numbers (xvme-gpio.c)
	expect_eq "a gpiochip for each of the 36 relay and 18 TTL cards" \
		"$(gpiodetect | grep -c '\[xvme[01]-')" \
		"$(tr ',' '\n' <<<"${lists[0]},${lists[1]}" | grep -c '^2[46]0@')"
	first1=${lists[1]%%,*}		# 260@0x0400: the first card of xvme1
	first1=${first1#*@}
	first1=$(printf 'xvme1-%04x' "$((${first1%%:*}))")
	check "the plant reaches crate xvme1: xvme-plant $first1 fault" \
		eval "[ \"\$(xvme-plant $first1 fault)\" = none ]"
	check "cards of xvme1 are listed by xvme-plant list" eval "xvme-plant list | grep -q '^xvme1-'"
else
	not_ok "xvme-sim loads the 1000-detector station's $n_cards cards in crates xvme0 and xvme1"
fi
check "the two crates unload" station_unload_modules

scenario_station_up "the station (crate, drivers, ln2-plant, bus) comes up" \
	-c "$work/station.conf" -s 60 -d /run/stationd-cards -p "--noise 0" --no-daemon

plant=/sys/kernel/debug/xvme-sim
present() { echo "$2" >"$plant/$1/present"; }
card_dev() { echo "/sys/bus/xvme/devices/$1"; }
selftest() { cat "$(card_dev "$1")/selftest" 2>/dev/null; }

# ---- the crate as stationd will find it
check "xvme0-1800 pulled out of its slot: its device leaves the bus" \
	eval "present xvme0-1800 0 && [ ! -e $(card_dev xvme0-1800) ] && [ \"\$(cat $plant/xvme0-1800/present)\" = 0 ]"
check "xvme0-1400 with conversion errors, put in again: its power-on test fails" \
	eval "echo adc-error >$plant/xvme0-1400/fault && present xvme0-1400 0 && present xvme0-1400 1"
expect_eq "xvme0-1400: selftest names the failing stage" "$(selftest xvme0-1400)" \
	"fail: test conversion ended with ERR"

# The daemon logs to a stand-in journal (structured entries, as under systemd).
scenario_journal
station_start_daemon_journaled
check "stationd is on the bus" station_wait_ready 60

scenario_monitor

unavailable() { [[ $(status_of "$1") == *'"unavailable"'* ]]; }
available() { [[ $(status_of "$1") == "as "* ]] && ! unavailable "$1"; }
all() {
	local pred=$1 d
	shift
	for d in "$@"; do "$pred" "$d" || return 1; done
}
# fills_full <detector> <count>: FillEnded "full" seen that many times
fills_full() {
	[ "$(grep -c "\"member\":\"FillEnded\",\"payload\":{\"type\":\"utttsd\",\"data\":\[$1,[0-9]*,[0-9]*,[0-9]*,\"full\"" \
		"$work/monitor.log")" -ge "$2" ]
}
relays_held_by_stationd() {
	local chip
	chip=$(gpiodetect | sed -n "s/^\(gpiochip[0-9]*\) \[$1\] .*/\1/p")
	[ -n "$chip" ] && gpioinfo "$chip" | grep -q '"relay0" *"stationd" *output'
}
kernel_clean() { ! dmesg | sed -n "/$1/,\$p" | grep -Eq 'BUG:|WARNING:|Oops|KASAN|Call Trace'; }

# ---- scenario 9: absent and failed cards at start
check "journal: the absent card, with CARD=, the error's text and what it takes out" wait_for 10 \
	entry "MESSAGE=card xvme0-1800 (XVME-560): not found on the xvme bus: No such device; unavailable: detectors 5-6; manifold C PRIORITY=3 .* CARD=xvme0-1800 ERRNO=19"
check "journal: the failed power-on test, with CARD=xvme0-1400, its detectors and manifold" \
	entry "MESSAGE=card xvme0-1400 (XVME-560): power-on test: fail: test conversion ended with ERR: Input/output error; unavailable: detectors 3-4; manifold B .* CARD=xvme0-1400"
check "detectors 3-6 (cards failed or absent): Status carries \"unavailable\"" \
	wait_for 10 all unavailable 3 4 5 6
card_unavailable() { [[ $(status_of "$1") == *'"card-unavailable"'* ]]; }
check "... and \"card-unavailable\": a card is why" all card_unavailable 3 4 5 6
check "manifolds B and C: Status carries \"card-unavailable\"" eval \
	'[[ $(prop /org/stationd1/manifold/B org.stationd1.Manifold Status) == *card-unavailable* && $(prop /org/stationd1/manifold/C org.stationd1.Manifold Status) == *card-unavailable* ]]'
# One entry per card, not one per detector, sensor and valve.
expect_eq "journal: no warning of its own for a detector or manifold of those cards" \
	"$(grep -E 'PRIORITY=[0-4] .*(DETECTOR=[3-6]|MANIFOLD=[BC])' "$work/journal.log" | grep -c 'MESSAGE_ID=43694769bd49469a93ebbcc98c429580')" 0
check "the Manager's State is fill-error, not crashed: only those detectors are unavailable" \
	eval '[ "$(station_manager_state)" = "s \"fill-error\"" ]'
check "detectors 1 and 2 (their cards are fine) are available" all available 1 2
refused=$(autofill Fill "'3'" "''" 2>&1)
check "Fill(\"3\") is refused: its hardware is unavailable" grep -q "unavailable" <<<"$refused"
check "Fill(\"A\") is accepted" autofill_ok Fill "'A'" "''"
check "the fill of A ends full for detectors 1 and 2" wait_for 90 eval "fills_full 1 1 && fills_full 2 1"
check "every relay is off after it" wait_for 10 station_relays_off

# ---- both put right while stationd runs: available again
echo none >"$plant/xvme0-1400/fault"
check "xvme0-1400 repaired and put back: its power-on test passes" \
	eval "present xvme0-1400 0 && present xvme0-1400 1 && [ \"\$(selftest xvme0-1400)\" = pass ]"
check "xvme0-1800 put back" present xvme0-1800 1
check "journal: stationd opens them again (CARD=xvme0-1400, CARD=xvme0-1800)" wait_for 10 eval \
	"entry 'MESSAGE=card xvme0-1400 (XVME-560) ready.* CARD=xvme0-1400' && entry 'MESSAGE=card xvme0-1800 (XVME-560) ready.* CARD=xvme0-1800'"
check "detectors 3-6 are available again" wait_for 10 all available 3 4 5 6

# ---- hotplug: A's relay card, its lines held by stationd, pulled out
check "stationd holds xvme0-0800's relay lines" relays_held_by_stationd xvme0-0800
mark="stationd-cards-$RANDOM"
echo "$mark" >/dev/kmsg
check "xvme0-0800 pulled out of the running crate" present xvme0-0800 0
check "journal: the card left, with CARD=xvme0-0800 and what it takes out" wait_for 10 \
	entry "MESSAGE=card xvme0-0800 (XVME-260): left the crate (remove [a-z0-9:-]*): No such device; unavailable: detectors 1-2; manifold A .* CARD=xvme0-0800"
check "Fault signal \"valve\" for detector 1 on manifold A" wait_for 10 fault_seen valve 1 A
check "detectors 1 and 2 are unavailable" wait_for 10 all unavailable 1 2
check "detectors 3-6 are not" all available 3 4 5 6
check "Fill(\"B\") is accepted" autofill_ok Fill "'B'" "''"
check "the fill of B ends full for detectors 3 and 4" wait_for 90 eval "fills_full 3 1 && fills_full 4 1"
check "kernel: no warning, oops or KASAN report from the removal" kernel_clean "$mark"

# ---- put back: new chip, lines held again, A fills again
check "xvme0-0800 put back" present xvme0-0800 1
check "stationd holds the new chip's relay lines" wait_for 10 relays_held_by_stationd xvme0-0800
check "detectors 1 and 2 are available again" wait_for 10 all available 1 2
check "Fill(\"1-2\") is accepted" autofill_ok Fill "'1-2'" "''"
check "the fill ends full for detectors 1 and 2 again" wait_for 90 eval "fills_full 1 2 && fills_full 2 2"
check "kernel: no warning, oops or KASAN report from the re-insertion" kernel_clean "$mark"

# ---- the TTL card (every bias and key input, the dewar-inhibit and alarm
# outputs) pulled and put back: every detector is unavailable meanwhile,
# and the alarm the engine sounded for it is on at the card put back.
flag0_on() { (( $(cat "$plant/xvme0-0400/flags") & 1 )); }
check "the alarm output (flag0) is on: faults were raised and not cleared" flag0_on
check "xvme0-0400 (TTL) pulled out of the running crate" present xvme0-0400 0
check "journal: the card left, with CARD=xvme0-0400 and what it takes out" wait_for 10 \
	entry "MESSAGE=card xvme0-0400 (XVME-240): left the crate (remove [a-z0-9:-]*): No such device; unavailable: detectors 1-6; manifolds A, B, C; the dewar inhibit; the alarm .* CARD=xvme0-0400"
check "Fault signal \"input\" for detector 5 (its bias input)" wait_for 10 fault_seen input 5 C
check "every detector is unavailable" wait_for 10 all unavailable 1 2 3 4 5 6
check "xvme0-0400 put back" present xvme0-0400 1
check "every detector is available again" wait_for 10 all available 1 2 3 4 5 6
check "the alarm output (flag0) is on again at the card put back" wait_for 10 flag0_on
check "kernel: no warning, oops or KASAN report from the TTL card's round trip" kernel_clean "$mark"

station_down >"$work/down.log" 2>&1
rc=$?
station_is_down=1
check "stationd stopped with every valve closed" grep -q "every valve closed" "$work/down.log"
expect_eq "every module unloads (held lines pinned nothing)" "$rc" 0

if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# down: /' "$work/down.log"
	sed 's/^/# valves: /' "$STATION_VALVE_LOG" | tail -n 20
	grep -v PropertiesChanged "$work/monitor.log" | sed 's/^/# monitor: /' | tail -n 20
	sed 's/^/# journal: /' "$work/journal.log" | tail -n 30
	sed 's/^/# stationd: /' "$STATION_DAEMON_LOG" | tail -n 30
	dmesg | tail -n 30 | sed 's/^/# dmesg: /'
fi
exit "$scenario_failed"
