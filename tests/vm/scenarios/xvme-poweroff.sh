#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail-safe at reboot, kexec and power-off: the crate stays powered while
# the host goes down, so the drivers' shutdown must leave every valve
# closed and the TTL card quiet, whatever the processes holding lines
# still do. This scenario energizes relays (held by gpioset, as stationd
# holds them), sets the alarm flag, an output port and edge interrupts on
# the TTL card, and leaves it all for the guest's power-off; the
# simulated crate then logs its latches, which the host checks: every
# relay 0, flags 0, no output port, interrupts masked and disabled.
# at-power-off: holders and modules stay for the power-off
# timeout: 300
. "$STATIOND_TOP/tests/vm/cards-lib.sh"

if ! cards_load "240@0x0400,260@0x0800,260@0x0c00"; then
	not_ok "xvme-sim with an XVME-240, two XVME-260 and the drivers load"
	cards_exit
fi
ok "xvme-sim with an XVME-240, two XVME-260 and the drivers load"
ttl=$(card 0x0400) rel=$(card 0x0800) rel2=$(card 0x0c00)
plant() { cat "$(card_plant "$1")/$2"; }
is() { [ "$(plant "$1" "$2")" = "$3" ]; }

# Holders that outlive the scenario (the harness leaves them running).
setsid gpioset --mode=signal "$(card_chip "$rel")" 0=1 5=1 17=1 31=1 </dev/null >/dev/null 2>&1 &
setsid gpioset --mode=signal "$(card_chip "$rel2")" 2=1 </dev/null >/dev/null 2>&1 &
setsid gpioset --mode=signal "$(card_chip "$ttl")" 72=1 40=1 </dev/null >/dev/null 2>&1 &
setsid gpiomon --rising-edge "$(card_chip "$ttl")" 64 65 66 67 68 69 70 71 </dev/null >/dev/null 2>&1 &
check "$rel: relays 0, 5, 17, 31 energized" wait_for 60 is "$rel" relays 0x80020021
check "$rel2: relay 2 energized" wait_for 60 is "$rel2" relays 0x00000004
check "$ttl: alarm flag0 on" wait_for 60 is "$ttl" flags 0x01
check "$ttl: port5.0 driven high" wait_for 60 eval '(( $(plant "$ttl" ports) >> 40 & 1 ))'
irqs_held() { gpioinfo "$(card_chip "$ttl")" | grep -c '"irq[0-7]" *"gpiomon"' | grep -qx 8; }
check "$ttl: gpiomon holds irq0..irq7" wait_for 60 irqs_held

# What the host must find in the log once the drivers shut down.
expect_at_power_off() { echo "stationd-vm: expect at power-off: $*" >/dev/kmsg; }
expect_at_power_off "xvme-sim: $rel at shutdown: relays 0x00000000\$"
expect_at_power_off "xvme-sim: $rel2 at shutdown: relays 0x00000000\$"
expect_at_power_off "xvme-sim: $ttl at shutdown: flags 0x00 pdr 0x00 ports 0x0000000000000000 imr 0x00 irq-enable 0\$"
ok "left energized for the power-off; the host checks the latches"
cards_exit
