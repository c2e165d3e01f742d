// SPDX-License-Identifier: GPL-2.0
/*
 * The overfull watch. The seed: "if nitrogen is detected after a fill is
 * completed (allowing for closure delay) the overfull error must be
 * indicated". Not one look at the closure delay but a watch at every
 * scan: LN2 at the exhaust of a detector whose valve is closed and whose
 * fill is not running (idle between fills, cancelled, avoided, in bias
 * shutdown, while its neighbours fill or purge) is a valve stuck open;
 * LN2 at a manifold's output sensor while its output valve is closed and
 * no purge runs is an output valve stuck open. The watch starts a closure
 * delay after the valve's last confirmed closure (a close that failed and
 * was retried counts from the retry that worked), and a closure delay
 * after a manual fill ended (LN2 poured by hand has to drain too).
 *
 * An overfull closes the manifold input (its fail-safe shut-off), aborts
 * the manifold's running fills with a manifold error and inhibits the
 * manifold while it persists (manifold_inhibited()). Only a debounced
 * reading counts as LN2 (exhaust-reading.c).
 */
#include "daemon/autofill/engine-internal.h"

static int64_t watched_from(const struct engine *e, const struct valve *v, uint32_t closure_delay_s)
{
	int64_t since = v->closed_mono > e->manual_fill_end_mono ? v->closed_mono :
			e->manual_fill_end_mono;

	return since + (int64_t)closure_delay_s * USEC_PER_SEC;
}

static bool detector_watched(const struct engine *e, uint32_t d, int64_t now_mono)
{
	const struct detector_run *dr = &e->detectors[d];

	return dr->phase == DETECTOR_PHASE_IDLE && !dr->valve.open &&
	       now_mono >= watched_from(e, &dr->valve, e->station->detectors[d].closure_delay_s);
}

static bool manifold_watched(const struct engine *e, uint32_t m, int64_t now_mono)
{
	const struct manifold_run *mr = &e->manifolds[m];

	return mr->phase != MANIFOLD_PHASE_PURGING && !mr->output.open &&
	       now_mono >= watched_from(e, &mr->output, e->station->manifolds[m].closure_delay_s);
}

static long long seconds_since(int64_t now_mono, int64_t since_mono)
{
	return (long long)((now_mono - since_mono) / USEC_PER_SEC);
}

static void overfull_found(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	/* The input is the fail-safe shut-off of the whole manifold. */
	manifold_fill_abort(e, m, FILL_RESULT_ABORTED, true, now_usec, now_mono);
	/* An avoided detector's overfull raises no alarm of its own, but the
	 * fills it aborted (manifold error) of others do. */
	if (engine_has_unclear_errors(e))
		alarm_set(e, true);
}

void overfull_watch(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		struct detector_run *dr = &e->detectors[d];
		const struct detector *conf = &e->station->detectors[d];
		uint32_t m = conf->manifold;

		if (dr->overfull) {	/* an unreadable sensor does not prove it gone */
			dr->overfull_persists = detector_sensor_cold(e, d) || dr->sensor_failed;
			continue;
		}
		if (!detector_watched(e, d, now_mono) || !detector_sensor_cold(e, d))
			continue;
		dr->overfull = true;
		dr->overfull_persists = true;
		overfull_found(e, m, now_usec, now_mono);
		engine_raise_fault(e, ENGINE_FAULT_OVERFULL, d, m, 0,
				   "detector %u: overfull, LN2 at its exhaust %llds after its valve closed "
				   "(closure delay %us); manifold %s input closed and its fills inhibited",
				   conf->number, seconds_since(now_mono, dr->valve.closed_mono),
				   conf->closure_delay_s, e->station->manifolds[m].name);
	}

	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		struct manifold_run *mr = &e->manifolds[m];
		const struct manifold *conf = &e->station->manifolds[m];

		if (mr->overfull) {
			mr->overfull_persists = manifold_sensor_cold(e, m) || mr->sensor_failed;
			continue;
		}
		if (!manifold_watched(e, m, now_mono) || !manifold_sensor_cold(e, m))
			continue;
		mr->overfull = true;
		mr->overfull_persists = true;
		overfull_found(e, m, now_usec, now_mono);
		engine_raise_fault(e, ENGINE_FAULT_OVERFULL, ENGINE_NO_INDEX, m, 0,
				   "manifold %s: overfull, LN2 at its output %llds after the output valve "
				   "closed (closure delay %us); input closed and its fills inhibited",
				   conf->name, seconds_since(now_mono, mr->output.closed_mono),
				   conf->closure_delay_s);
	}
}
