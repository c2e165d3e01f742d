// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path: the exhausts of running fills read between scans. A
 * detector's fill must end when LN2 reaches its exhaust, and every
 * millisecond after that is LN2 pouring out of it; at the station scan
 * (10 Hz) the valve closes up to a scan period plus the scan's own
 * conversions late. So the daemon reads the exhausts that matter now,
 * those of filling detectors and purging manifolds, at a rate of their
 * own (exhaust-sample-rate, 100 Hz) with engine_sample_filling(), and the
 * valve closes in the call whose conversions confirm the crossing (the
 * debounce's confirming readings are taken at once, exhaust-reading.c).
 * An idle station has none: the fast path costs nothing then.
 *
 * Only the readings and the "full" rule run here. Maximum fill times,
 * inputs, the overfull watch, valves that failed to close and the outputs
 * stay with the scan, which reads the same sensors first (engine.c).
 * A sample that only changed a reading publishes that object's view; one
 * that ended a fill or a purge, or raised a fault, publishes them all.
 */
#include "daemon/autofill/engine-internal.h"

bool detector_sample_filling(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono)
{
	detector_sample(e, d, now_usec, now_mono);
	return detector_fill_full(e, d, now_usec, now_mono);
}

/* Has anything but a reading changed (a phase, a failure, the alarm)? */
struct sample_mark {
	unsigned phase;
	bool failed, alarm;
};

static struct sample_mark detector_mark(const struct engine *e, uint32_t d)
{
	const struct detector_run *dr = &e->detectors[d];

	return (struct sample_mark) { dr->phase, dr->sensor_failed, e->alarm.wanted };
}

static struct sample_mark manifold_mark(const struct engine *e, uint32_t m)
{
	const struct manifold_run *mr = &e->manifolds[m];

	return (struct sample_mark) { mr->phase, mr->sensor_failed, e->alarm.wanted };
}

static bool mark_differs(struct sample_mark a, struct sample_mark b)
{
	return a.phase != b.phase || a.failed != b.failed || a.alarm != b.alarm;
}

/* One filling detector; true if more than its reading changed. */
static bool sample_detector(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono)
{
	struct sample_mark before = detector_mark(e, d);

	detector_sample(e, d, now_usec, now_mono);
	if (detector_fill_full(e, d, now_usec, now_mono) ||
	    e->detectors[d].phase != DETECTOR_PHASE_FILLING)
		/* The last fill of its manifold closes the input. */
		manifold_fill_settle(e, e->station->detectors[d].manifold, now_usec);
	return mark_differs(before, detector_mark(e, d));
}

/* One purging manifold; true if more than its reading changed. */
static bool sample_manifold(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	struct sample_mark before = manifold_mark(e, m);

	manifold_sample(e, m, now_usec, now_mono);
	manifold_purge_full(e, m, now_usec, now_mono);
	return mark_differs(before, manifold_mark(e, m));
}

static bool fast_path_open(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	if (e->shut_down || e->manual_fill)
		return false;
	e->now_usec = now_usec;
	e->now_mono = now_mono;
	return true;
}

void engine_sample_filling(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	bool changed = false;

	if (!fast_path_open(e, now_usec, now_mono))
		return;
	/* Manifolds first: a purge that ends opens detector valves, which
	 * are read from the next call on (LN2 has not reached them yet). */
	for (uint32_t m = 0; m < e->station->n_manifolds; m++)
		if (e->manifolds[m].phase == MANIFOLD_PHASE_PURGING) {
			if (sample_manifold(e, m, now_usec, now_mono))
				changed = true;
			else
				engine_publish_manifold(e, m);
		}
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		if (e->detectors[d].phase != DETECTOR_PHASE_FILLING ||
		    e->detectors[d].valve_open_mono == now_mono)
			continue;
		if (sample_detector(e, d, now_usec, now_mono))
			changed = true;
		else
			engine_publish_detector(e, d);
	}
	if (changed)
		engine_publish(e);
}

void engine_sample_detector(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono)
{
	if (d >= e->station->n_detectors || !fast_path_open(e, now_usec, now_mono))
		return;
	if (e->detectors[d].phase != DETECTOR_PHASE_FILLING) {
		detector_sample(e, d, now_usec, now_mono);
		engine_publish(e);
		return;
	}
	if (sample_detector(e, d, now_usec, now_mono))
		engine_publish(e);
	else
		engine_publish_detector(e, d);
}
