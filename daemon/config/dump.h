/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A station back as configuration text. The text compiles to the same
 * database byte for byte (symbols, comments and includes of the original
 * are gone; values are written in canonical units). Run state is not
 * configuration and is not written.
 */
#ifndef STATIOND_CONFIG_DUMP_H
#define STATIOND_CONFIG_DUMP_H

#include <stdio.h>

#include "daemon/config/station.h"

/* Returns 0 or -EIO when the stream fails. */
int config_dump(const struct station *s, FILE *f);

#endif
