// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the fill-log parser: the daemon reads <state-dir>/fills.log at
 * every start, and a crash, a bad disk or another program may have left
 * anything there. Invariants: the parse never reads outside the image;
 * a rejected header comes with a reason and no record; every record
 * handed out re-encodes to the exact bytes it came from (nothing is
 * accepted that the writer would not produce); valid + corrupt records
 * and the torn tail account for every byte after the header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/persist/fill-log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	const uint8_t *data;
	size_t size;
	size_t next;		/* offset of the next record to look at */
	size_t n;
};

static int check_entry(void *userdata, const struct fill_log_entry *entry)
{
	struct walk *w = userdata;
	uint8_t again[FILL_LOG_RECORD_SIZE];

	fill_log_encode_entry(entry, again);
	/* The entry came from one of the records at or after `next`. */
	while (w->next + FILL_LOG_RECORD_SIZE <= w->size &&
	       memcmp(w->data + w->next, again, sizeof(again)) != 0)
		w->next += FILL_LOG_RECORD_SIZE;
	if (w->next + FILL_LOG_RECORD_SIZE > w->size)
		abort();
	w->next += FILL_LOG_RECORD_SIZE;
	w->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = { .data = data, .size = size, .next = FILL_LOG_HEADER_SIZE };
	struct fill_log_scan scan;
	char why[160];
	int r;

	r = fill_log_parse(data, size, check_entry, &w, &scan, why, sizeof(why));
	if (r < 0) {
		if (!why[0] || w.n != 0 || scan.n_records != 0)
			abort();
		return 0;
	}
	if (why[0] || w.n != scan.n_records)
		abort();
	if (FILL_LOG_HEADER_SIZE + (scan.n_records + scan.n_corrupt) * FILL_LOG_RECORD_SIZE +
	    scan.torn_bytes != size || scan.valid_size + scan.torn_bytes != size)
		abort();
	if (scan.n_corrupt && !scan.first_corrupt[0])
		abort();
	return 0;
}
