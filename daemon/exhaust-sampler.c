// SPDX-License-Identifier: GPL-2.0
/*
 * The exhaust sampler: the engine's fast path on a timer of its own
 * (see exhaust-sampler.h and daemon/autofill/fast-sampling.c). The timer
 * is started when the first fill or purge begins and stopped when the
 * last one ends, both seen in the engine's global view (fast_exhausts),
 * which the daemon hands on from the engine's property_changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "daemon/exhaust-sampler.h"
#include "daemon/shared/log.h"

struct exhaust_sampler {
	sd_event *event;
	struct engine *engine;
	sd_event_source *timer;
	uint64_t period_usec;
	bool off;		/* no faster than the scan: nothing to add */
	bool running;
};

static int64_t clock_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int on_sample(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct exhaust_sampler *s = userdata;
	uint64_t now, next = usec + s->period_usec;
	int r;

	/* May end the last fill: exhaust_sampler_update() then stops us. */
	engine_sample_filling(s->engine, clock_usec(CLOCK_REALTIME), clock_usec(CLOCK_MONOTONIC));
	if (!s->running)
		return 0;
	/* Keep the rate without drift; after a stall, no burst. */
	r = sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	if (r >= 0 && next <= now)
		next = now + s->period_usec;
	r = sd_event_source_set_time(source, next);
	if (r < 0)
		return log_error_errno(r, "cannot re-arm the exhaust sampling timer");
	return 0;
}

int exhaust_sampler_update(struct exhaust_sampler *s)
{
	struct engine_global_view view;
	uint64_t now;
	bool want;
	int r;

	if (!s || s->off)
		return 0;
	engine_global_view(s->engine, &view);
	want = view.fast_exhausts > 0;
	if (want == s->running)
		return 0;
	s->running = want;
	if (!want)
		return sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	/* The valves opened just now: LN2 is a period away at the soonest. */
	r = sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	if (r >= 0)
		r = sd_event_source_set_time(s->timer, now + s->period_usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->timer, SD_EVENT_ON);
	if (r < 0) {
		/* The scan still reads these sensors first, at its own rate. */
		s->running = false;
		return log_error_errno(r, "cannot start the exhaust sampling timer");
	}
	return 0;
}

bool exhaust_sampler_running(const struct exhaust_sampler *s)
{
	return s && s->running;
}

int exhaust_sampler_new(sd_event *event, struct engine *engine, uint32_t rate_millihz,
			uint32_t scan_rate_millihz, struct exhaust_sampler **ret)
{
	struct exhaust_sampler *s;
	uint64_t accuracy;
	int r;

	if (rate_millihz == 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->event = sd_event_ref(event);
	s->engine = engine;
	s->period_usec = 1000000000ull / rate_millihz;
	s->off = rate_millihz <= scan_rate_millihz;
	/* Accuracy 0 would be sd-event's 250 ms of coalescing; a twentieth
	 * of the period keeps the wake-up on time. */
	accuracy = s->period_usec / 20 ? s->period_usec / 20 : 1;
	r = sd_event_add_time(event, &s->timer, CLOCK_MONOTONIC, 0, accuracy, on_sample, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_source_set_priority(s->timer, EXHAUST_SAMPLER_PRIORITY);
	if (r >= 0)
		(void)sd_event_source_set_description(s->timer, "exhaust-sampler");
	if (r >= 0)
		r = exhaust_sampler_update(s);
	if (r < 0) {
		exhaust_sampler_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct exhaust_sampler *exhaust_sampler_free(struct exhaust_sampler *s)
{
	if (!s)
		return NULL;
	sd_event_source_disable_unref(s->timer);
	sd_event_unref(s->event);
	free(s);
	return NULL;
}
