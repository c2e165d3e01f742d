// SPDX-License-Identifier: GPL-2.0
/* Fill records and the per-detector ring of the last ones. */
#include <stddef.h>

#include "daemon/autofill/fill-record.h"
#include "daemon/shared/macro.h"

static const char *const fill_result_names[_FILL_RESULT_MAX] = {
	[FILL_RESULT_FULL] = "full",
	[FILL_RESULT_UNDERFULL] = "underfull",
	[FILL_RESULT_ABORTED] = "aborted",
	[FILL_RESULT_CANCELLED] = "cancelled",
	[FILL_RESULT_MANUAL_FILL] = "manual-fill",
	[FILL_RESULT_INTERRUPTED] = "interrupted",
};

const char *fill_result_to_string(enum fill_result r)
{
	if ((unsigned)r >= ELEMENTSOF(fill_result_names))
		return NULL;
	return fill_result_names[r];
}

void fill_history_add(struct fill_history *h, const struct fill_record *r)
{
	if (h->count < FILL_HISTORY_MAX) {
		h->records[(h->first + h->count) % FILL_HISTORY_MAX] = *r;
		h->count++;
		return;
	}
	/* Full: the new record takes the oldest one's place. */
	h->records[h->first] = *r;
	h->first = (h->first + 1) % FILL_HISTORY_MAX;
}

void fill_history_prepend(struct fill_history *h, const struct fill_history *earlier)
{
	struct fill_history merged = {};

	for (unsigned i = 0; i < earlier->count; i++)
		fill_history_add(&merged, fill_history_get(earlier, i));
	for (unsigned i = 0; i < h->count; i++)
		fill_history_add(&merged, fill_history_get(h, i));
	*h = merged;
}

const struct fill_record *fill_history_get(const struct fill_history *h, unsigned i)
{
	if (i >= h->count)
		return NULL;
	return &h->records[(h->first + i) % FILL_HISTORY_MAX];
}
