// SPDX-License-Identifier: GPL-2.0
/* The scan's own timing record (see scan-timing.h). */
#include "daemon/scan-timing.h"

void scan_timing_record(struct scan_timing *t, uint64_t scheduled_usec, uint64_t started_usec,
			uint64_t ended_usec)
{
	struct scan_timing_entry *e = &t->ring[t->count % SCAN_TIMING_CAPACITY];

	e->scheduled_usec = scheduled_usec;
	e->started_usec = started_usec;
	e->duration_usec = ended_usec > started_usec ? ended_usec - started_usec : 0;
	t->count++;
}

size_t scan_timing_size(const struct scan_timing *t)
{
	return t->count < SCAN_TIMING_CAPACITY ? (size_t)t->count : SCAN_TIMING_CAPACITY;
}

const struct scan_timing_entry *scan_timing_get(const struct scan_timing *t, size_t i)
{
	uint64_t oldest = t->count - scan_timing_size(t);

	return &t->ring[(oldest + i) % SCAN_TIMING_CAPACITY];
}

uint64_t scan_timing_next(uint64_t scheduled_usec, uint64_t now_usec, uint64_t period_usec)
{
	uint64_t next = scheduled_usec + period_usec;

	if (period_usec > 0 && next <= now_usec)
		next += ((now_usec - next) / period_usec + 1) * period_usec;
	return next;
}
