/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record of one completed fill of one detector, and the last
 * FILL_HISTORY_MAX of them per detector (a ring: the oldest goes first).
 */
#ifndef STATIOND_AUTOFILL_FILL_RECORD_H
#define STATIOND_AUTOFILL_FILL_RECORD_H

#include <stdbool.h>
#include <stdint.h>

enum fill_result {
	FILL_RESULT_FULL,		/* exhaust sensor crossed its reference */
	FILL_RESULT_UNDERFULL,		/* maximum fill time reached */
	FILL_RESULT_ABORTED,		/* a fault ended it: overfull manifold, dead sensor, valve error */
	FILL_RESULT_CANCELLED,		/* an operator's CANCEL or AVOID, or bias shutdown */
	FILL_RESULT_MANUAL_FILL,	/* a manual-fill key was switched on */
	FILL_RESULT_INTERRUPTED,	/* the daemon stopped during the fill */
	_FILL_RESULT_MAX,
};

/* "full", "underfull", "aborted", "cancelled", "manual-fill", "interrupted". */
const char *fill_result_to_string(enum fill_result r);

#define FILL_LOWEST_NONE INT32_MAX	/* no exhaust reading during the fill */

struct fill_record {
	int64_t start_usec;		/* wall clock, µs since the epoch */
	int64_t end_usec;
	uint64_t duration_usec;		/* measured on the monotonic clock */
	enum fill_result result;
	int32_t lowest_mv;		/* lowest exhaust reading, or FILL_LOWEST_NONE */
};

#define FILL_HISTORY_MAX 100u

struct fill_history {
	struct fill_record records[FILL_HISTORY_MAX];
	unsigned first;			/* index of the oldest */
	unsigned count;
};

void fill_history_add(struct fill_history *h, const struct fill_record *r);

/*
 * Put @earlier (fills that ended before every fill in @h, oldest first) in
 * front of @h; when both do not fit, the oldest of @earlier are dropped.
 * This is how a restart gives the engine back the history it had.
 */
void fill_history_prepend(struct fill_history *h, const struct fill_history *earlier);

/* The i-th record, 0 = oldest; NULL when i >= count. */
const struct fill_record *fill_history_get(const struct fill_history *h, unsigned i);

static inline const struct fill_record *fill_history_last(const struct fill_history *h)
{
	return h->count ? fill_history_get(h, h->count - 1) : (const struct fill_record *)0;
}

#endif
