// SPDX-License-Identifier: GPL-2.0
/*
 * The fill sequence of one manifold, after the Eurogam specification:
 *
 *   1. open the manifold input AND output valves (purge the air out)
 *   2. wait until the manifold is full (its exhaust sensor at the output
 *      crosses its reference) or its maximum fill time (-> underfull)
 *   3. open the valves of the detectors due
 *   4. close the manifold output valve
 *   5. each detector: wait until full (its exhaust sensor crosses its
 *      reference) or its maximum fill time (-> underfull)
 *   6. close that detector's valve
 *   7. close the manifold input when no detector valve of it is open
 *
 * Detectors that fall due while the manifold purges join that purge;
 * those that fall due during step 5 wait for the next one. LN2 at an
 * exhaust whose valve is closed is OVERFULL (overfull-watch.c): the
 * manifold input is closed, its fills are aborted and no new fill starts
 * there until the condition is gone and CLEARed.
 */
#include <errno.h>

#include "daemon/autofill/engine-internal.h"

static int64_t seconds_usec(uint32_t s)
{
	return (int64_t)s * USEC_PER_SEC;
}

bool manifold_inhibited(const struct engine *e, uint32_t m)
{
	const struct manifold_run *mr = &e->manifolds[m];

	if (mr->overfull)
		return true;
	for (uint32_t i = 0; i < mr->n_members; i++)
		if (e->detectors[mr->members[i]].overfull)
			return true;
	return false;
}

static bool manifold_unavailable(const struct engine *e, uint32_t m)
{
	const struct manifold_run *mr = &e->manifolds[m];

	return mr->sensor_failed || mr->input_failed || mr->valve_failed ||
	       mr->input.close_failed || mr->output.close_failed;
}

static bool detector_unavailable(const struct detector_run *dr)
{
	return dr->sensor_failed || dr->input_failed || dr->valve_failed ||
	       dr->valve.close_failed;
}

/* May this detector start a fill now, as far as it alone is concerned? */
bool detector_may_fill(const struct engine *e, uint32_t d)
{
	const struct detector_run *dr = &e->detectors[d];

	return !dr->avoided && !dr->bias_shutdown && !detector_unavailable(dr) &&
	       !manifold_inhibited(e, e->station->detectors[d].manifold) &&
	       !manifold_unavailable(e, e->station->detectors[d].manifold);
}

static void fill_started(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono)
{
	struct detector_run *dr = &e->detectors[d];

	schedule_fill_started(&dr->schedule, now_usec / USEC_PER_SEC);
	dr->phase = DETECTOR_PHASE_PURGE_WAIT;
	dr->fill_start_usec = now_usec;
	dr->fill_start_mono = now_mono;
	dr->lowest_mv = dr->mv_valid ? dr->mv : FILL_LOWEST_NONE;
	if (e->observer && e->observer->fill_started)
		e->observer->fill_started(e->observer_userdata, d, now_usec);
}

static void fill_recorded(struct engine *e, uint32_t d, const struct fill_record *rec)
{
	fill_history_add(&e->detectors[d].history, rec);
	if (e->observer && e->observer->fill_ended)
		e->observer->fill_ended(e->observer_userdata, d, rec);
}

/*
 * A detector's fill is over: close its valve and record the fill; its
 * exhaust is watched again once the valve is closed (overfull-watch.c).
 * The manifold is settled by the caller (manifold_fill_settle()).
 */
void detector_fill_end(struct engine *e, uint32_t d, enum fill_result result,
		       int64_t now_usec, int64_t now_mono)
{
	struct detector_run *dr = &e->detectors[d];
	struct fill_record rec;

	if (dr->phase == DETECTOR_PHASE_IDLE)
		return;
	valve_close(e, &dr->valve, d, ENGINE_NO_INDEX);
	dr->phase = DETECTOR_PHASE_IDLE;
	rec = (struct fill_record) {
		.start_usec = dr->fill_start_usec,
		.end_usec = now_usec,
		.duration_usec = now_mono > dr->fill_start_mono ? (uint64_t)(now_mono - dr->fill_start_mono) : 0,
		.result = result,
		.lowest_mv = dr->lowest_mv,
	};
	fill_recorded(e, d, &rec);
	dr->lowest_mv = FILL_LOWEST_NONE;
}

/* A running fill whose exhaust is (debounced) cold is full: end it. */
bool detector_fill_full(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono)
{
	if (e->detectors[d].phase != DETECTOR_PHASE_FILLING || !detector_sensor_cold(e, d))
		return false;
	detector_fill_end(e, d, FILL_RESULT_FULL, now_usec, now_mono);
	return true;
}

/* After detector fills ended: close what no fill needs any more. */
void manifold_fill_settle(struct engine *e, uint32_t m, int64_t now_usec)
{
	struct manifold_run *mr = &e->manifolds[m];
	bool waiting = false, filling = false;

	for (uint32_t i = 0; i < mr->n_members; i++) {
		const struct detector_run *dr = &e->detectors[mr->members[i]];

		waiting = waiting || dr->phase == DETECTOR_PHASE_PURGE_WAIT;
		/* Not valve.open: a detector valve that failed to close is
		 * exactly when the input, the manifold's shut-off, must close. */
		filling = filling || dr->phase == DETECTOR_PHASE_FILLING;
	}
	if (mr->phase == MANIFOLD_PHASE_PURGING && !waiting) {
		valve_close(e, &mr->output, ENGINE_NO_INDEX, m);
		valve_close(e, &mr->input, ENGINE_NO_INDEX, m);
		mr->phase = MANIFOLD_PHASE_IDLE;
	} else if (mr->phase == MANIFOLD_PHASE_FILLING && !filling) {
		valve_close(e, &mr->input, ENGINE_NO_INDEX, m);
		mr->phase = MANIFOLD_PHASE_IDLE;
	}
}

/* End every fill of a manifold and close its valves (fault, manual fill). */
void manifold_fill_abort(struct engine *e, uint32_t m, enum fill_result result, bool manifold_error,
			 int64_t now_usec, int64_t now_mono)
{
	struct manifold_run *mr = &e->manifolds[m];

	for (uint32_t i = 0; i < mr->n_members; i++) {
		uint32_t d = mr->members[i];

		if (e->detectors[d].phase == DETECTOR_PHASE_IDLE)
			continue;
		if (manifold_error)
			e->detectors[d].manifold_error = true;
		detector_fill_end(e, d, result, now_usec, now_mono);
	}
	valve_close(e, &mr->output, ENGINE_NO_INDEX, m);
	valve_close(e, &mr->input, ENGINE_NO_INDEX, m);
	mr->phase = MANIFOLD_PHASE_IDLE;
}

/* Start the fills that are due on an idle or purging manifold. */
static unsigned start_due_fills(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	struct manifold_run *mr = &e->manifolds[m];
	int64_t now_s = now_usec / USEC_PER_SEC;
	unsigned started = 0;

	if (e->fills_held)
		return 0;	/* they stay due (engine_hold_fills()) */
	for (uint32_t i = 0; i < mr->n_members; i++) {
		uint32_t d = mr->members[i];
		struct detector_run *dr = &e->detectors[d];

		if (dr->phase != DETECTOR_PHASE_IDLE || !schedule_is_due(&dr->schedule, now_s))
			continue;
		if (dr->avoided || dr->bias_shutdown) {
			/* Skipped, not postponed: the next preset stays the next fill. */
			schedule_fill_started(&dr->schedule, now_s);
			continue;
		}
		if (detector_unavailable(dr) || manifold_unavailable(e, m))
			continue;	/* stays due until the hardware is back */
		if (manifold_inhibited(e, m)) {
			struct fill_record rec = {
				.start_usec = now_usec, .end_usec = now_usec,
				.result = FILL_RESULT_ABORTED, .lowest_mv = FILL_LOWEST_NONE,
			};

			schedule_fill_started(&dr->schedule, now_s);
			dr->manifold_error = true;
			fill_recorded(e, d, &rec);
			engine_raise_fault(e, ENGINE_FAULT_MANIFOLD_INHIBITED, d, m, 0,
					   "detector %u: fill aborted, manifold %s is overfull",
					   e->station->detectors[d].number, e->station->manifolds[m].name);
			continue;
		}
		fill_started(e, d, now_usec, now_mono);
		started++;
	}
	return started;
}

static void purge_start(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	struct manifold_run *mr = &e->manifolds[m];

	mr->phase = MANIFOLD_PHASE_PURGING;
	mr->purge_start_mono = now_mono;
	if (valve_open(e, &mr->input, ENGINE_NO_INDEX, m) < 0 ||
	    valve_open(e, &mr->output, ENGINE_NO_INDEX, m) < 0)
		manifold_fill_abort(e, m, FILL_RESULT_ABORTED, false, now_usec, now_mono);
}

/* Steps 3 and 4: the manifold is full (or timed out): detectors take over. */
static void purge_end(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	struct manifold_run *mr = &e->manifolds[m];

	for (uint32_t i = 0; i < mr->n_members; i++) {
		uint32_t d = mr->members[i];
		struct detector_run *dr = &e->detectors[d];

		if (dr->phase != DETECTOR_PHASE_PURGE_WAIT)
			continue;
		dr->phase = DETECTOR_PHASE_FILLING;
		dr->valve_open_mono = now_mono;
		if (valve_open(e, &dr->valve, d, m) < 0)
			detector_fill_end(e, d, FILL_RESULT_ABORTED, now_usec, now_mono);
	}
	mr->phase = MANIFOLD_PHASE_FILLING;
	valve_close(e, &mr->output, ENGINE_NO_INDEX, m);
	manifold_fill_settle(e, m, now_usec);
}

/* A purge whose manifold output is (debounced) cold is done: step 3. */
bool manifold_purge_full(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	if (e->manifolds[m].phase != MANIFOLD_PHASE_PURGING || !manifold_sensor_cold(e, m))
		return false;
	purge_end(e, m, now_usec, now_mono);
	return true;
}

void manifold_fill_step(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	const struct manifold *conf = &e->station->manifolds[m];
	struct manifold_run *mr = &e->manifolds[m];

	switch (mr->phase) {
	case MANIFOLD_PHASE_IDLE:
		if (start_due_fills(e, m, now_usec, now_mono) > 0)
			purge_start(e, m, now_usec, now_mono);
		break;

	case MANIFOLD_PHASE_PURGING:
		start_due_fills(e, m, now_usec, now_mono);
		/* Fills ended during the purge (a dead sensor, a bias
		 * shutdown): purge no longer than someone waits. */
		manifold_fill_settle(e, m, now_usec);
		if (mr->phase != MANIFOLD_PHASE_PURGING)
			break;
		if (manifold_purge_full(e, m, now_usec, now_mono)) {
			break;
		} else if (now_mono - mr->purge_start_mono >= seconds_usec(conf->max_fill_s)) {
			mr->underfull = true;
			engine_raise_fault(e, ENGINE_FAULT_UNDERFULL, ENGINE_NO_INDEX, m, 0,
					   "manifold %s: underfull, no LN2 at its output after %u s",
					   conf->name, conf->max_fill_s);
			/* The sequence goes on: each detector has its own limit. */
			purge_end(e, m, now_usec, now_mono);
		}
		break;

	case MANIFOLD_PHASE_FILLING:
		for (uint32_t i = 0; i < mr->n_members; i++) {
			uint32_t d = mr->members[i];
			struct detector_run *dr = &e->detectors[d];
			const struct detector *dconf = &e->station->detectors[d];

			if (dr->phase != DETECTOR_PHASE_FILLING || detector_fill_full(e, d, now_usec, now_mono))
				continue;
			if (now_mono - dr->valve_open_mono >= seconds_usec(dconf->max_fill_s)) {
				dr->underfull = true;
				detector_fill_end(e, d, FILL_RESULT_UNDERFULL, now_usec, now_mono);
				engine_raise_fault(e, ENGINE_FAULT_UNDERFULL, d, m, 0,
						   "detector %u: underfull, no LN2 at its exhaust after %u s",
						   dconf->number, dconf->max_fill_s);
			}
		}
		manifold_fill_settle(e, m, now_usec);
		break;
	}
}
