// SPDX-License-Identifier: GPL-2.0
/*
 * The operator commands: FILL, PRESET, DELAY, AVOID, UNAVOID, CANCEL,
 * CLEAR. Each one checks everything first (manual fill, targets, times,
 * every target's schedule computed on a copy) and only then changes
 * state, so a refused command changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/autofill/engine-internal.h"
#include "daemon/autofill/targets.h"

static void target_set_donep(struct target_set *t)
{
	target_set_done(t);
}
#define _cleanup_target_set_ _cleanup_(target_set_donep)

/* The checks every command starts with; parses the targets. */
static int command_begin(struct engine *e, const char *targets, struct target_set *ret,
			 int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	char why[256] = "";
	int r;

	if (e->shut_down) {
		snprintf(error, error_size, "the autofill is shut down");
		return -ESHUTDOWN;
	}
	if (e->manual_fill) {
		snprintf(error, error_size, "manual fill in progress: operator interventions are refused");
		return -EBUSY;
	}
	r = targets_parse(e->station, targets ? targets : "", ret, why, sizeof(why));
	if (r < 0) {
		snprintf(error, error_size, "%s", why);
		return r;
	}
	e->now_usec = now_usec;
	e->now_mono = now_mono;
	return 0;
}

static uint32_t number_of(const struct engine *e, uint32_t d)
{
	return e->station->detectors[d].number;
}

/*
 * Why detector d may not fill at `next_fill` (epoch s), as the error FILL
 * gives for it alone, or 0 if it may. A detector filling now may be given
 * a later fill, not another one now.
 */
static int fill_refusal(const struct engine *e, uint32_t d, int64_t next_fill, int64_t now_s,
			char *why, size_t why_size)
{
	const struct detector_run *dr = &e->detectors[d];

	if (dr->phase != DETECTOR_PHASE_IDLE && next_fill <= now_s) {
		snprintf(why, why_size, "detector %u is already filling", number_of(e, d));
		return -EALREADY;
	}
	if (dr->phase != DETECTOR_PHASE_IDLE || detector_may_fill(e, d))
		return 0;
	snprintf(why, why_size, "detector %u may not fill: %s", number_of(e, d),
		 dr->avoided ? "it is avoided (UNAVOID first)" :
		 dr->bias_shutdown ? "bias shutdown (UNAVOID first)" :
		 manifold_inhibited(e, e->station->detectors[d].manifold) ?
		 "its manifold is overfull (CLEAR once LN2 is gone)" :
		 "its hardware is unavailable");
	return -ECANCELED;
}

/*
 * FILL of several detectors (a manifold, a range, all) fills those that
 * may fill and skips the others, as a preset fill does: AVOID, a bias
 * shutdown or an overfull manifold take a detector out of group fills
 * without blocking its neighbours. Only when no target may fill is the
 * command refused, with the first target's reason.
 */
int engine_fill(struct engine *e, const char *targets, const char *at,
		int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	_cleanup_free_ struct fill_schedule *next = NULL;
	_cleanup_free_ bool *skip = NULL;
	char first_refusal[256] = "";
	int first_refusal_error = 0;
	size_t n_skipped = 0;
	const char *why = NULL;
	int minute = -1;
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	if (at && *at) {
		uint16_t m;

		r = schedule_parse_clock_time(at, &m, &why);
		if (r < 0) {
			snprintf(error, error_size, "time \"%s\": %s", at, why);
			return -EINVAL;
		}
		minute = m;
	}
	next = calloc(t.n_detectors ? t.n_detectors : 1, sizeof(*next));
	skip = calloc(t.n_detectors ? t.n_detectors : 1, sizeof(*skip));
	if (!next || !skip)
		return -ENOMEM;
	for (size_t i = 0; i < t.n_detectors; i++) {
		uint32_t d = t.detectors[i];
		char refusal[256];

		next[i] = e->detectors[d].schedule;
		r = schedule_fill(&next[i], minute, now_usec / USEC_PER_SEC, &why);
		if (r < 0) {
			snprintf(error, error_size, "detector %u: %s", number_of(e, d), why);
			return r;
		}
		r = fill_refusal(e, d, next[i].next_fill, now_usec / USEC_PER_SEC,
				 refusal, sizeof(refusal));
		if (r < 0) {
			if (n_skipped++ == 0) {
				first_refusal_error = r;
				snprintf(first_refusal, sizeof(first_refusal), "%s", refusal);
			}
			skip[i] = true;
		}
	}
	if (n_skipped == t.n_detectors) {
		snprintf(error, error_size, "%s", first_refusal);
		return first_refusal_error;
	}
	for (size_t i = 0; i < t.n_detectors; i++)
		if (!skip[i])
			e->detectors[t.detectors[i]].schedule = next[i];
	/* Not an error: a note for the caller's log of what was left out. */
	if (n_skipped > 0)
		snprintf(error, error_size, "%zu of %zu detectors skipped; first: %s",
			 n_skipped, t.n_detectors, first_refusal);
	else if (error_size > 0)
		error[0] = '\0';
	engine_publish(e);
	return 0;
}

int engine_preset(struct engine *e, const char *targets, const char *const *times, size_t n_times,
		  const char *mode_text, int64_t now_usec, int64_t now_mono,
		  char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	_cleanup_free_ struct fill_schedule *next = NULL;
	uint16_t minutes[PRESETS_MAX];
	enum preset_mode mode = PRESET_REPLACE;
	const char *why = NULL;
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	if (mode_text && *mode_text && preset_mode_from_string(mode_text, &mode) < 0) {
		snprintf(error, error_size, "mode \"%s\": expected replace, add or clear", mode_text);
		return -EINVAL;
	}
	if (n_times > PRESETS_MAX) {
		snprintf(error, error_size, "%zu times given: at most %u preset times", n_times,
			 PRESETS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n_times; i++) {
		r = schedule_parse_clock_time(times[i], &minutes[i], &why);
		if (r < 0) {
			snprintf(error, error_size, "time %zu \"%s\": %s", i + 1, times[i], why);
			return -EINVAL;
		}
	}
	next = calloc(t.n_detectors ? t.n_detectors : 1, sizeof(*next));
	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < t.n_detectors; i++) {
		next[i] = e->detectors[t.detectors[i]].schedule;
		r = schedule_preset(&next[i], mode, minutes, n_times, now_usec / USEC_PER_SEC, &why);
		if (r < 0) {
			snprintf(error, error_size, "detector %u: %s", number_of(e, t.detectors[i]), why);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < t.n_detectors; i++)
		e->detectors[t.detectors[i]].schedule = next[i];
	engine_publish(e);
	return 0;
}

int engine_delay(struct engine *e, const char *targets, unsigned minutes,
		 int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	_cleanup_free_ struct fill_schedule *next = NULL;
	const char *why = NULL;
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	next = calloc(t.n_detectors ? t.n_detectors : 1, sizeof(*next));
	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < t.n_detectors; i++) {
		next[i] = e->detectors[t.detectors[i]].schedule;
		r = schedule_delay(&next[i], minutes, &why);
		if (r < 0) {
			snprintf(error, error_size, "detector %u: %s", number_of(e, t.detectors[i]), why);
			return r;
		}
	}
	for (size_t i = 0; i < t.n_detectors; i++)
		e->detectors[t.detectors[i]].schedule = next[i];
	engine_publish(e);
	return 0;
}

/* Stop the fills of these detectors and settle their manifolds. */
static void stop_fills(struct engine *e, const struct target_set *t, enum fill_result result,
		       int64_t now_usec, int64_t now_mono)
{
	for (size_t i = 0; i < t->n_detectors; i++) {
		uint32_t d = t->detectors[i];

		if (e->detectors[d].phase == DETECTOR_PHASE_IDLE)
			continue;
		detector_fill_end(e, d, result, now_usec, now_mono);
		manifold_fill_settle(e, e->station->detectors[d].manifold, now_usec);
	}
}

int engine_avoid(struct engine *e, const char *targets,
		 int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	for (size_t i = 0; i < t.n_detectors; i++)
		e->detectors[t.detectors[i]].avoided = true;
	stop_fills(e, &t, FILL_RESULT_CANCELLED, now_usec, now_mono);
	engine_publish(e);
	return 0;
}

int engine_unavoid(struct engine *e, const char *targets,
		   int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	for (size_t i = 0; i < t.n_detectors; i++) {
		e->detectors[t.detectors[i]].avoided = false;
		e->detectors[t.detectors[i]].bias_shutdown = false;
	}
	engine_publish(e);
	return 0;
}

int engine_cancel(struct engine *e, const char *targets,
		  int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	stop_fills(e, &t, FILL_RESULT_CANCELLED, now_usec, now_mono);
	for (size_t i = 0; i < t.n_detectors; i++)
		schedule_cancel(&e->detectors[t.detectors[i]].schedule, now_usec / USEC_PER_SEC);
	engine_publish(e);
	return 0;
}

/* Does a detector of manifold m still carry a latched error? */
static bool manifold_members_have_errors(const struct engine *e, uint32_t m)
{
	const struct manifold_run *mr = &e->manifolds[m];

	for (uint32_t i = 0; i < mr->n_members; i++) {
		const struct detector_run *dr = &e->detectors[mr->members[i]];

		if (dr->overfull || dr->underfull || dr->manifold_error)
			return true;
	}
	return false;
}

/*
 * CLEAR: errors and warnings of the targets, and of their manifolds once
 * no detector of the manifold carries one (CLEAR of one detector leaves
 * the manifold's error to its neighbours' CLEAR). An
 * overfull whose LN2 is still at the exhaust stays: it is not a warning
 * but the present state of the hardware. The alarm is silenced unless an
 * error is left (on other targets, or that overfull): it keeps sounding
 * for what nobody cleared, as it would after a restart.
 */
int engine_clear(struct engine *e, const char *targets,
		 int64_t now_usec, int64_t now_mono, char *error, size_t error_size)
{
	_cleanup_target_set_ struct target_set t = {};
	int r;

	r = command_begin(e, targets, &t, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	for (size_t i = 0; i < t.n_detectors; i++) {
		struct detector_run *dr = &e->detectors[t.detectors[i]];

		dr->underfull = false;
		dr->manifold_error = false;
		if (!dr->overfull_persists)
			dr->overfull = false;
	}
	for (size_t i = 0; i < t.n_detectors; i++) {
		uint32_t m = e->station->detectors[t.detectors[i]].manifold;
		struct manifold_run *mr = &e->manifolds[m];

		if (manifold_members_have_errors(e, m))
			continue;
		mr->underfull = false;
		if (!mr->overfull_persists)
			mr->overfull = false;
	}
	alarm_set(e, engine_has_unclear_errors(e));
	engine_publish(e);
	return 0;
}
