// SPDX-License-Identifier: GPL-2.0
/*
 * Holding new fills while the daemon waits for a safe moment: a reload
 * of the configuration (SIGHUP) or an exit after the system bus was lost
 * swaps or stops the engine only when no fill runs and no valve is open,
 * so that no valve that is legitimately open is closed for it. Held, the
 * engine starts no new fill (those that fall due stay due and start once
 * released, or in the engine that takes over); the fills already running
 * go on to their end, and every safety check keeps running.
 */
#include "daemon/autofill/engine-internal.h"

void engine_hold_fills(struct engine *e, bool hold)
{
	e->fills_held = hold;
}

/*
 * No fill runs, so no valve is legitimately open. A valve that could not
 * be closed belongs to no fill: waiting would not close it (its closing is
 * retried at every scan, and the release of its line at exit or reload
 * de-energizes it), so it does not keep the engine busy.
 */
bool engine_idle(const struct engine *e)
{
	for (uint32_t d = 0; d < e->station->n_detectors; d++)
		if (e->detectors[d].phase != DETECTOR_PHASE_IDLE)
			return false;
	for (uint32_t m = 0; m < e->station->n_manifolds; m++)
		if (e->manifolds[m].phase != MANIFOLD_PHASE_IDLE)
			return false;
	return true;
}
