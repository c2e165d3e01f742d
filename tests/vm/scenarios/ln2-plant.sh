#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ln2-plant against the real simulated crate and card drivers: relays
# energized with gpioset are valves the plant sees; the purge and the fill
# show as falling exhaust voltages through IIO; the valve log records the
# sequence; control commands reach the TTL inputs (gpioget), a dead sensor
# reads full scale, a card fault makes the conversion fail; SIGTERM exits 0.
# timeout: 300
# shellcheck disable=SC2317 # helpers are called through check and wait_for
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

if ! cards_load "240@0x0400,260@0x0800,560@0x0c00"; then
	not_ok "xvme-sim with a 240, a 260 and a 560 and the drivers load"
	cards_exit
fi
ok "xvme-sim with a 240, a 260 and a 560 and the drivers load"
ttl=$(card 0x0400) rel=$(card 0x0800) adc=$(card 0x0c00)
relchip=$(card_chip "$rel") ttlchip=$(card_chip "$ttl")
iio=$(card_iio "$adc")
work=$(mktemp -d /tmp/ln2-plant.XXXXXX)
conf=$work/station.conf log=$work/valves.log ctl=$work/control

# One manifold, two detectors; the crate index comes from the bus.
cat >"$conf" <<EOF
card 240 @ $ttl
card 260 @ $rel
card 560 @ $adc
station {
	scan-rate 10Hz
	backup-interval 5min
	dewar-inhibit $ttl:port7.0
	alarm $ttl:flag0
}
manifold A {
	sensor $adc:6
	input-valve $rel:6
	output-valve $rel:7
	manual-fill-key $ttl:port0.6
	reference 1.5V
	max-fill 5min
	closure-delay 30s
}
detector 1 {
	manifold A
	sensor $adc:0
	valve $rel:0
	bias-shutdown $ttl:port0.0
	reference 1.5V
	max-fill 20min
	closure-delay 60s
}
detector 2 {
	manifold A
	sensor $adc:1
	valve $rel:1
	bias-shutdown $ttl:irq1
	reference 1.5V
	max-fill 20min
	closure-delay 60s
}
EOF

# mv <channel>: the channel's voltage through IIO, in whole millivolts
adc_mv() {
	local raw offset scale
	raw=$(cat "$iio/in_voltage$1_raw") || return 1
	offset=$(cat "$iio/in_voltage_offset")
	scale=$(cat "$iio/in_voltage_scale")
	awk -v r="$raw" -v o="$offset" -v s="$scale" 'BEGIN { printf "%d\n", (r + o) * s }'
}
mv_below() { local v; v=$(adc_mv "$1") && [ "$v" -lt "$2" ]; }
mv_above() { local v; v=$(adc_mv "$1") && [ "$v" -gt "$2" ]; }
events() { cut -d' ' -f3- "$log" | paste -sd';'; }
send() { echo "$*" >"$ctl"; }

ln2-plant -c "$conf" -s 60 --noise 0 -l "$log" --control "$ctl" >"$work/out" 2>"$work/err" &
plant=$!
check "ln2-plant starts: control FIFO created" wait_for 10 test -p "$ctl"
check "exhaust sensors read warm (2.5 V) through IIO" wait_for 10 mv_above 0 2400
check "manifold sensor reads warm" mv_above 6 2400

# Purge: input and output open; the 60 s purge takes a second at 60x.
gpioset --mode=signal "$relchip" 6=1 7=1 &
holder=$!
check "purge: manifold sensor falls below the 1.5 V reference" wait_for 20 mv_below 6 1500
check "purge: detector 1 exhaust stays warm" mv_above 0 2400
stop TERM $holder
# The plant samples the latches at 20 Hz: let it see the input close
# before the next holder energizes it again, or the log merges the two.
check "purge ended: the plant saw the manifold input close" \
	wait_for 10 grep -q "close manifold A input" "$log"

# Fill detector 1 (level 0.6: 240 s, 4 s at 60x) with the input open.
gpioset --mode=signal "$relchip" 6=1 0=1 &
holder=$!
check "fill: detector 1 exhaust falls below the reference" wait_for 30 mv_below 0 1500
check "fill: detector 2 (valve closed) stays warm" mv_above 1 2400
stop TERM $holder
check "closed: detector 1 exhaust warms again" wait_for 30 mv_above 0 1500

expect_eq "valve log: the sequence as the relays were driven" "$(events)" \
	"open manifold A input;open manifold A output;close manifold A output;close manifold A input;open manifold A input;open detector 1;close detector 1;close manifold A input"

# Inputs through the control FIFO reach the card drivers.
send "bias 1 on"
send "key A on"
port0() { gpioget "$ttlchip" 0 6; }
port0_is() { [ "$(port0)" = "$1" ]; }
check "bias 1 on, key A on: gpioget port0.0, port0.6 read 1 1" wait_for 10 port0_is "1 1"
send "bias 1 off"
send "key A off"
check "bias 1 off, key A off: read 0 0" wait_for 10 port0_is "0 0"
irq_is() { [ "$(cat "$(card_plant "$ttl")/irq_inputs")" = "$1" ]; }
send "bias 2 on"
check "bias 2 on: irq input 1 high" wait_for 10 irq_is 0x02

# Faults.
send "dead-sensor 2"
check "dead sensor: detector 2 reads full scale" wait_for 10 mv_above 1 9900
send "clear"
check "clear: detector 2 reads warm again" wait_for 10 mv_below 1 2600
send "card-fault $adc adc-error"
adc_fails() { ! cat "$iio/in_voltage0_raw" >/dev/null 2>&1; }
check "card-fault adc-error: the conversion fails" wait_for 10 adc_fails
send "card-fault $adc none"
check "card-fault none: the conversion works" wait_for 10 mv_above 0 2400
send "frobnicate"
check "a bad command gets an error reply" wait_for 10 grep -q "^error: frobnicate: unknown command" "$work/out"
check "ln2-plant still running" kill -0 $plant

kill -TERM $plant
wait $plant
expect_eq "SIGTERM: ln2-plant exits 0" "$?" 0
if [ "$scenario_failed" != 0 ]; then
	sed 's/^/# ln2-plant: /' "$work/err"
fi
rm -rf "$work"
cards_unload
cards_exit
