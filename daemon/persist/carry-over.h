/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run state across a change of the configuration. The run state of a
 * station (each detector's and manifold's state area: AVOID, latched
 * errors, schedules, a fill that was running; each detector's preset
 * times) belongs to the detector's number and the manifold's name, not to
 * the configuration that was in force when it was saved: a backup of
 * another configuration (another Cryostream timeout, a detector added or
 * moved to another valve) gives each detector and manifold that still
 * exists its run state back, and only the run state of those that no
 * longer exist is dropped.
 *
 * A pure function on two stations (daemon/config/station.h), used at
 * start-up (backup.c: a backup of another configuration) and by a reload
 * (the running station into the new one).
 */
#ifndef STATIOND_PERSIST_CARRY_OVER_H
#define STATIOND_PERSIST_CARRY_OVER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/config/station.h"

struct carry_over {
	size_t n_detectors, n_manifolds;	/* carried over */
	size_t n_new_detectors, n_new_manifolds;	/* only in the new one: fresh */
	/* In the old station only: their run state is dropped. */
	uint32_t *dropped_detectors;		/* numbers, ascending */
	size_t n_dropped_detectors;
	char (*dropped_manifolds)[MANIFOLD_NAME_MAX + 1];	/* names, in order */
	size_t n_dropped_manifolds;
};

/*
 * Copy the run state of every detector (state area, preset times) and
 * manifold (state area) of @from into the one of the same number or name
 * in @to (both sorted, as loaded or compiled); what @to has alone keeps
 * its own (a fresh start). Say in @ret what was carried and dropped.
 * -ENOMEM, with @to unchanged.
 */
int carry_over_run_state(struct station *to, const struct station *from, struct carry_over *ret);

void carry_over_done(struct carry_over *c);

#endif
