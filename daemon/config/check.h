/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Semantic checks of a parsed station, across statements: required keys,
 * declared cards of the right model, one function per channel, one
 * direction per XVME-240 port, references within the ADC's range,
 * manifold references and sizes. Leaves the station sorted and linked
 * when there are no errors.
 */
#ifndef STATIOND_CONFIG_CHECK_H
#define STATIOND_CONFIG_CHECK_H

#include "daemon/config/diagnostics.h"
#include "daemon/config/station.h"

/* Returns 0 (problems are in diagnostics) or -ENOMEM. */
int config_check(struct station *s, struct diagnostics *d);

#endif
