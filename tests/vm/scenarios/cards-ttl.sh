#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# XVME-240 through the gpio character device (Debian's gpiod): line
# names, plant levels read by gpioget, plant edges on irq3 counted by
# gpiomon -r (exactly those edges), falling/both edges refused, per-port
# direction conflict EBUSY with a log line, outputs and flags seen by the
# plant, byte writes that keep the neighbouring port; the register dump
# and the vector programmed into IVR.
# timeout: 300
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

if ! cards_load "240@0x0400"; then
	not_ok "xvme-sim with an XVME-240 and the drivers load"
	cards_exit
fi
ok "xvme-sim with an XVME-240 and the drivers load"
ttl=$(card 0x0400)
chip=$(card_chip "$ttl")
plant=$(card_plant "$ttl")
ports_low16() { printf '0x%04x' $(($(cat "$plant/ports") & 0xffff)); }
ports_low16_is() { [ "$(ports_low16)" = "$1" ]; }
ports_bit_set() { [ $((($(cat "$plant/ports") >> $1) & 1)) = 1 ]; }
flags_are() { [ "$(cat "$plant/flags")" = "$1" ]; }

check "gpiochip labelled $ttl ($chip)" test -n "$chip"
info=$(gpioinfo "$chip")
expect_eq "gpioinfo: 80 lines" "$(grep -c '^[[:space:]]*line ' <<<"$info")" 80
expect_eq "gpioinfo: port0.0..port7.7" "$(grep -cE '"port[0-7]\.[0-7]"' <<<"$info")" 64
expect_eq "gpioinfo: irq0..irq7 inputs" "$(grep -cE '"irq[0-7]" .* input' <<<"$info")" 8
expect_eq "gpioinfo: flag0..flag7 outputs" "$(grep -cE '"flag[0-7]" .* output' <<<"$info")" 8

# The register map the driver describes: the ID PROM's odd bytes and the
# registers 0x80..0x8f but the write-only ICR; the card's vector in IVR.
regs=/sys/kernel/debug/regmap/$ttl-d8/registers
expect_eq "regmap dump of $ttl: ID PROM odd bytes, then IIR..IMR and IVR..PORT7" \
	"$(cut -d: -f1 "$regs" 2>/dev/null | tr '\n' ' ')" \
	"$( (seq 1 2 63; seq 128 131; seq 133 143) | xargs printf "%02x ")"
vector=$(awk -F': ' '$1 == "85" { print $2 }' "$regs")
expect_eq "IVR holds the card's vector, 0x40 + slot" "$vector" 41

# --- inputs: plant levels read by gpioget (ports are inputs after reset)
echo 0x00000000a5000000 >"$plant/ports"
expect_eq "plant drives port3 = 0xa5: gpioget port3.0..7" \
	"$(gpioget "$chip" 24 25 26 27 28 29 30 31)" "1 0 1 0 0 1 0 1"
echo 0x000000005a000000 >"$plant/ports"
expect_eq "plant drives port3 = 0x5a: gpioget port3.0..7" \
	"$(gpioget "$chip" 24 25 26 27 28 29 30 31)" "0 1 0 1 1 0 1 0"
echo 0 >"$plant/ports"

# --- edges on irq3 (offset 67): each rising edge once, nothing else
events=$(mktemp)
stdbuf -oL gpiomon --rising-edge "$chip" 67 >"$events" &
mon=$!
nevents() { grep -c 'RISING EDGE' "$events"; }
nevents_is() { [ "$(nevents)" = "$1" ]; }
irq3_used() { gpioinfo "$chip" | grep -q '"irq3" *"gpiomon"'; }
check "gpiomon -r holds irq3" wait_for 60 irq3_used
edges=25
for i in $(seq 1 $edges); do
	echo 0x08 >"$plant/irq_inputs"
	wait_for 60 nevents_is "$i" || break
	echo 0x00 >"$plant/irq_inputs"
	echo 0x20 >"$plant/irq_inputs"	# irq5: not monitored
	echo 0x00 >"$plant/irq_inputs"
done
sleep 0.5
stop TERM "$mon"
expect_eq "plant raised $edges edges on irq3: gpiomon -r reported exactly $edges" \
	"$(nevents)" "$edges"
expect_eq "no falling-edge events reported" "$(grep -c 'FALLING' "$events")" 0
check "every event is on offset 67" bash -c "! grep -v 'offset: 67' '$events' | grep -q EDGE"
rm -f "$events"

out=$(timeout 30 gpiomon --falling-edge --num-events=1 "$chip" 67 2>&1)
check "falling-edge request refused (EINVAL: $out)" grep -q "Invalid argument" <<<"$out"
out=$(timeout 30 gpiomon --num-events=1 "$chip" 67 2>&1)
check "both-edges request refused (EINVAL: $out)" grep -q "Invalid argument" <<<"$out"
out=$(timeout 30 gpiomon --rising-edge --num-events=1 "$chip" 0 2>&1)
check "port lines have no edge events ($out)" grep -qi "no such device" <<<"$out"

# --- per-port direction
gpioset --mode=signal "$chip" 16=1 &
holder=$!
check "gpioset port2.0=1: plant sees the output" wait_for 60 ports_bit_set 16
log_mark
out=$(gpioget "$chip" 17 2>&1)
check "port2.1 as input while port2.0 is an output: EBUSY ($out)" \
	grep -q "Device or resource busy" <<<"$out"
check "the kernel log says why" \
	grep -q "$ttl: port2.1 cannot be an input: port2 is an output" <<<"$(log_since_mark)"
check "another port still reads as input" readable_line "$chip" 40
stop TERM "$holder"
check "port2.0 released: port2.1 may be an input now" readable_line "$chip" 17

# --- byte writes keep the neighbouring port (ports 0 and 1 share a register)
gpioset --mode=signal "$chip" 0=1 8=1 9=1 &
holder=$!
check "ports 0 and 1 outputs: plant sees 0x0301" wait_for 60 ports_low16_is 0x0301
stop TERM "$holder"
gpioset --mode=signal "$chip" 0=0 3=1 &
holder=$!
check "writing port 0 keeps port 1: plant sees 0x0308" wait_for 60 ports_low16_is 0x0308
stop TERM "$holder"

# --- flags
gpioset --mode=signal "$chip" 75=1 72=1 &
holder=$!
check "gpioset flag3 flag0: plant flags 0x09" wait_for 60 flags_are 0x09
stop TERM "$holder"
out=$(gpioget "$chip" 72 2>&1)
check "flags are outputs only: gpioget refused ($out)" grep -q "Invalid argument" <<<"$out"

check "drivers and crate unload" cards_unload
cards_exit
