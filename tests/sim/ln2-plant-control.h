/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plant's control language: one command per line, from the command
 * line (--do), the control FIFO or stdin. A detector is named by its
 * number ("3"), a manifold by its name ("A"), a manifold valve by
 * "<manifold>.input" or "<manifold>.output".
 *
 *   bias <detector> on|off          bias-shutdown input
 *   key <manifold> on|off           manual-fill key input
 *   stuck-open <valve>              valve passes LN2 whatever the relay
 *   stuck-closed <valve>            valve passes nothing whatever the relay
 *   unstick <valve>
 *   dead-sensor <detector|manifold> [<mV>]   reads <mV> (default 12000)
 *   revive-sensor <detector|manifold>
 *   supply empty|refill|<litres>    supply dewar contents
 *   level <detector> <0..1>         detector dewar level
 *   card-fault <card> <fault>       xvme-sim fault of a card (plant.h names)
 *   clear                           every valve and sensor fault
 *   status [<detector>|<manifold>]  one line of state
 *
 * Blank lines and lines starting with '#' do nothing. A refused command
 * changes nothing.
 */
#ifndef STATIOND_TESTS_SIM_LN2_PLANT_CONTROL_H
#define STATIOND_TESTS_SIM_LN2_PLANT_CONTROL_H

#include <stddef.h>

#include "tests/sim/ln2-plant-io.h"

/*
 * Run one command line. Returns 0 with a reply in @reply ("" for a
 * blank line or comment), or a negative errno with the reason in
 * @reply: -EINVAL for bad syntax or values, -ENOENT for an unknown
 * detector, manifold or card, or what the plant library returned.
 */
int ln2_control_execute(struct ln2_plant *p, const char *line,
			char *reply, size_t reply_size);

#endif
