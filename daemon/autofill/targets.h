/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `targets` argument of autofill commands, shared by the D-Bus
 * methods, stationctl and the operator console:
 *
 *   7          one detector
 *   A          every detector on manifold A (names are 1-2 letters,
 *              upper or lower case)
 *   1-6        a range of detectors
 *   1,3,7-9,B  any list of the above, separated by commas (spaces around
 *              items are allowed)
 *   all        every detector (alone)
 *
 * Every detector named must be configured (a range may not span a missing
 * number), and no detector may be named twice. Errors name the bad part
 * and its 1-based column, e.g.
 *   "7-x" at column 3: 'x' is not a detector number
 */
#ifndef STATIOND_AUTOFILL_TARGETS_H
#define STATIOND_AUTOFILL_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/station.h"

#define TARGETS_TEXT_MAX 4096	/* longer arguments are refused */

struct target_set {
	uint32_t *detectors;	/* indexes into station->detectors, ascending */
	size_t n_detectors;
	/* The seed's confirmation rule: a manifold, `all` or more than one
	 * detector asks the operator YES/NO first. */
	bool needs_confirmation;
};

void target_set_done(struct target_set *t);

/*
 * Parse `text` against a sorted station. Returns 0; -EINVAL with a message
 * in error (when non-NULL) naming the bad part; -ENOMEM. On error *ret is
 * left empty.
 */
int targets_parse(const struct station *s, const char *text, struct target_set *ret,
		  char *error, size_t error_size);

#endif
