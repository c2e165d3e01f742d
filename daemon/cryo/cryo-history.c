// SPDX-License-Identifier: GPL-2.0
/*
 * Ring of Cryostream samples (see cryo-history.h).
 */
#include "daemon/cryo/cryo-history.h"

#include <errno.h>
#include <stdlib.h>

struct entry {
	uint64_t monotonic_usec;
	struct cryo_sample sample;
};

struct cryo_history {
	size_t capacity;
	uint64_t span_usec;
	size_t head;	/* index of the oldest entry */
	size_t count;
	struct entry entries[];
};

int cryo_history_new(size_t capacity, uint64_t span_usec, struct cryo_history **ret)
{
	struct cryo_history *h;

	if (capacity == 0 || span_usec == 0)
		return -EINVAL;
	if (capacity > (SIZE_MAX - sizeof(*h)) / sizeof(struct entry))
		return -ENOMEM;
	h = calloc(1, sizeof(*h) + capacity * sizeof(struct entry));
	if (!h)
		return -ENOMEM;
	h->capacity = capacity;
	h->span_usec = span_usec;
	*ret = h;
	return 0;
}

struct cryo_history *cryo_history_free(struct cryo_history *history)
{
	free(history);
	return NULL;
}

static struct entry *at(struct cryo_history *h, size_t i)
{
	return &h->entries[(h->head + i) % h->capacity];
}

/* Drop what is older than the span as seen from now. */
static void expire(struct cryo_history *h, uint64_t now_usec)
{
	if (now_usec < h->span_usec)
		return;
	while (h->count > 0 && at(h, 0)->monotonic_usec < now_usec - h->span_usec) {
		h->head = (h->head + 1) % h->capacity;
		h->count--;
	}
}

int cryo_history_append(struct cryo_history *history, uint64_t monotonic_usec,
			const struct cryo_sample *sample)
{
	struct cryo_history *h = history;

	if (h->count > 0 && monotonic_usec < at(h, h->count - 1)->monotonic_usec)
		return -EINVAL;
	expire(h, monotonic_usec);
	if (h->count == h->capacity) {
		h->head = (h->head + 1) % h->capacity;
		h->count--;
	}
	*at(h, h->count) = (struct entry) {
		.monotonic_usec = monotonic_usec,
		.sample = *sample,
	};
	h->count++;
	return 0;
}

size_t cryo_history_size(const struct cryo_history *history)
{
	return history->count;
}

int cryo_history_query(struct cryo_history *history, uint64_t now_monotonic_usec,
		       uint32_t seconds, struct cryo_sample **ret, size_t *ret_count)
{
	struct cryo_history *h = history;
	uint64_t window = (uint64_t)seconds * 1000000;
	uint64_t since;
	size_t first, n;
	struct cryo_sample *out;

	expire(h, now_monotonic_usec);
	if (window > h->span_usec)
		window = h->span_usec;
	since = now_monotonic_usec > window ? now_monotonic_usec - window : 0;

	/* Entries are in time order: skip those before the window. */
	for (first = 0; first < h->count; first++)
		if (at(h, first)->monotonic_usec >= since)
			break;
	n = h->count - first;
	*ret = NULL;
	*ret_count = 0;
	if (n == 0)
		return 0;
	out = malloc(n * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		out[i] = at(h, first + i)->sample;
	*ret = out;
	*ret_count = n;
	return 0;
}
