#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# XVME-560 through IIO: 32 inputs set in the plant read back within one
# LSB in both jumper ranges; label and iio_info; an adc-stuck fault gives
# ETIMEDOUT, a counted timeout, the red LED and a kernel log line naming
# the card, and clearing it recovers; adc-error gives EIO. The regmap
# dump leaves DATA alone.
# timeout: 300
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

if ! cards_load "560@0x0c00,560@0x1000:unipolar"; then
	not_ok "xvme-sim with two XVME-560 and the drivers load"
	cards_exit
fi
ok "xvme-sim with two XVME-560 and the drivers load"
bip=$(card 0x0c00)
uni=$(card 0x1000)

# adc_range_check <card> <range> <first mV> <step mV>: all 32 channels
adc_range_check() {
	local c=$1 range=$2 first=$3 step=$4 iio values=() ch bad=0
	iio=$(card_iio "$c") || { not_ok "$range: IIO device labelled $c"; return; }
	ok "$range: IIO device $(basename "$iio") labelled $c"
	expect_eq "$range: plant range" "$(cat "$(card_plant "$c")/range")" "$range"
	for ch in $(seq 0 31); do values+=($((first + ch * step))); done
	echo "${values[*]}" >"$(card_plant "$c")/ain"
	local offset scale
	offset=$(cat "$iio/in_voltage_offset")
	scale=$(cat "$iio/in_voltage_scale")
	echo "# $range: offset $offset scale $scale mV"
	for ch in $(seq 0 31); do
		local raw
		raw=$(cat "$iio/in_voltage${ch}_raw") || { bad=$((bad + 1)); continue; }
		# within one LSB (= scale) of what the plant drives
		if ! awk -v r="$raw" -v o="$offset" -v s="$scale" -v want="${values[ch]}" \
			'BEGIN { d = (r + o) * s - want; if (d < 0) d = -d; exit !(d <= s) }'; then
			echo "# $range ch$ch: raw $raw -> $(awk -v r="$raw" -v o="$offset" -v s="$scale" 'BEGIN { print (r + o) * s }') mV, plant ${values[ch]} mV"
			bad=$((bad + 1))
		fi
	done
	expect_eq "$range: 32 channels read within one LSB of the plant" "$bad" 0
}

adc_range_check "$bip" bipolar -9990 644
expect_eq "bipolar: offset -2048" "$(cat "$(card_iio "$bip")/in_voltage_offset")" -2048
expect_eq "bipolar: scale 20000/4096 mV" "$(cat "$(card_iio "$bip")/in_voltage_scale")" 4.882812500
adc_range_check "$uni" unipolar 5 322
expect_eq "unipolar: offset 0" "$(cat "$(card_iio "$uni")/in_voltage_offset")" 0
expect_eq "unipolar: scale 10000/4096 mV" "$(cat "$(card_iio "$uni")/in_voltage_scale")" 2.441406250

# The jumper is read from the card: moving it changes offset and scale.
echo unipolar >"$(card_plant "$bip")/range"
expect_eq "jumper moved: offset follows" "$(cat "$(card_iio "$bip")/in_voltage_offset")" 0
echo bipolar >"$(card_plant "$bip")/range"

# The register map the driver describes: the debugfs dump shows the
# registers the card decodes and never reads DATA (reading it clears DONE).
regs=/sys/kernel/debug/regmap/$bip-d16/registers
expect_eq "regmap dump of $bip: CSR and CHAN only (DATA is precious, the rest undecoded)" \
	"$(cut -d: -f1 "$regs" 2>/dev/null | tr '\n' ' ')" "80 82 "

info=$(iio_info 2>&1)
check "iio_info lists the xvme560 devices" grep -q "xvme560" <<<"$info"
check "iio_info shows voltage31" grep -q "voltage31" <<<"$info"
check "iio_info shows the label $bip" grep -q "$bip" <<<"$info"

# --- conversion timeout
iio=$(card_iio "$bip")
plant=$(card_plant "$bip")
expect_eq "before the fault: selftest" "$(card_attr "$bip" selftest)" pass
expect_eq "before the fault: LED green" "$(card_attr "$bip" led)" green
expect_eq "before the fault: no timeouts" "$(card_attr "$bip" conversion_timeouts)" 0
log_mark
echo adc-stuck >"$plant/fault"
out=$(read_errno "$iio/in_voltage3_raw")
check "adc-stuck: read fails with ETIMEDOUT ($out)" grep -q "timed out" <<<"$out"
expect_eq "adc-stuck: conversion_timeouts counted" "$(card_attr "$bip" conversion_timeouts)" 1
expect_eq "adc-stuck: LED red" "$(card_attr "$bip" led)" red
check "adc-stuck: kernel log names card and channel" \
	grep -q "$bip: AD conversion timeout on channel 3" <<<"$(log_since_mark)"
read_errno "$iio/in_voltage4_raw" >/dev/null
expect_eq "adc-stuck: second timeout counted" "$(card_attr "$bip" conversion_timeouts)" 2
expect_eq "adc-stuck: the other card is unaffected" "$(card_attr "$uni" led)" green

echo none >"$plant/fault"
echo "3 5000" >"$plant/ain"
out=$(read_errno "$iio/in_voltage3_raw")
expect_eq "fault cleared: read works again" "$out" $(((5000 + 10000) * 4096 / 20000))
expect_eq "fault cleared: LED green again" "$(card_attr "$bip" led)" green
expect_eq "fault cleared: counter keeps its history" "$(card_attr "$bip" conversion_timeouts)" 2

# --- conversion error
echo adc-error >"$plant/fault"
out=$(read_errno "$iio/in_voltage0_raw")
check "adc-error: read fails with EIO ($out)" grep -q "Input/output error" <<<"$out"
expect_eq "adc-error: conversion_errors counted" "$(card_attr "$bip" conversion_errors)" 1
expect_eq "adc-error: LED red" "$(card_attr "$bip" led)" red
echo none >"$plant/fault"
check "adc-error cleared: read works" readable "$iio/in_voltage0_raw"
expect_eq "adc-error cleared: LED green" "$(card_attr "$bip" led)" green

check "drivers and crate unload" cards_unload
cards_exit
