/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last hour of a Cryostream's gas temperature, set point and gas flow,
 * one sample per status packet: the data of the EPICS "hour plot", served
 * over D-Bus as History(u seconds) -> a(tddd).
 *
 * A fixed-size ring. Each sample carries two clocks: a monotonic time,
 * which decides what is older than the span (so a wall-clock step cannot
 * empty or freeze the ring), and the wall-clock time shown to clients.
 * When packets come faster than the capacity allows for the span, the
 * oldest samples go first.
 */
#ifndef STATIOND_CRYO_CRYO_HISTORY_H
#define STATIOND_CRYO_CRYO_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/shared/macro.h"

#define CRYO_HISTORY_SPAN_USEC (UINT64_C(3600) * 1000000)
/* An hour at 4 packets a second: room for a controller (or a simulator)
 * broadcasting faster than the nominal 1 Hz. */
#define CRYO_HISTORY_DEFAULT_CAPACITY (4 * 3600)

struct cryo_sample {
	uint64_t realtime_usec;		/* CLOCK_REALTIME, the "t" of a(tddd) */
	double gas_temperature_k;
	double set_point_k;
	double gas_flow_l_per_min;
};

struct cryo_history;

/* -EINVAL for a zero capacity or span, -ENOMEM. */
int cryo_history_new(size_t capacity, uint64_t span_usec, struct cryo_history **ret);
struct cryo_history *cryo_history_free(struct cryo_history *history);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cryo_history *, cryo_history_free);

/*
 * Add a sample taken at monotonic_usec. -EINVAL (and nothing stored) if
 * monotonic_usec is earlier than the newest sample's.
 */
int cryo_history_append(struct cryo_history *history, uint64_t monotonic_usec,
			const struct cryo_sample *sample);

/* Samples currently held (older than the span included until the next
 * append or query drops them). */
size_t cryo_history_size(const struct cryo_history *history);

/*
 * The samples of the last `seconds` seconds before now_monotonic_usec (and
 * never older than the span), oldest first, in a new array the caller
 * frees. *ret is NULL when there are none. -ENOMEM.
 */
int cryo_history_query(struct cryo_history *history, uint64_t now_monotonic_usec,
		       uint32_t seconds, struct cryo_sample **ret, size_t *ret_count);

#endif
