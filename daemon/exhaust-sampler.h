/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast path of the autofill on the event loop: while anything fills
 * (the engine's global view counts fast_exhausts: filling detectors and
 * purging manifolds), one sd-event timer, above every other source, runs
 * engine_sample_filling() at the station's exhaust-sample-rate; the
 * readings go through the same hw layer (IIO) as the scan's. While
 * nothing fills, the timer is off: an idle station costs what its scan
 * costs. A rate no faster than the scan's has no timer at all: the scan
 * reads the sensors of running fills first anyway.
 */
#ifndef STATIOND_EXHAUST_SAMPLER_H
#define STATIOND_EXHAUST_SAMPLER_H

#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/autofill/engine.h"

/* Above everything else on the loop, the scan included: a valve to close
 * waits for nothing. */
#define EXHAUST_SAMPLER_PRIORITY (SD_EVENT_PRIORITY_IMPORTANT - 10)

struct exhaust_sampler;

int exhaust_sampler_new(sd_event *event, struct engine *engine, uint32_t rate_millihz,
			uint32_t scan_rate_millihz, struct exhaust_sampler **ret);
struct exhaust_sampler *exhaust_sampler_free(struct exhaust_sampler *s);

/* The engine's global view changed: start or stop the timer. */
int exhaust_sampler_update(struct exhaust_sampler *s);

/* Is the timer running (something fills)? */
bool exhaust_sampler_running(const struct exhaust_sampler *s);

#endif
