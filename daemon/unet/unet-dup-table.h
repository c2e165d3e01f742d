/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The duplicate table (the seed's receive table, §6.7): which (source,
 * number) pairs were received recently, so a frame the controller sends
 * again because our ACK was lost is acknowledged again but acted on once.
 * Keyed by source as well as number, and entries expire (30 s), so a
 * controller that restarts its numbering after a reset is still heard
 * (shared/spec/utilitynet.md). 32 entries; when all are live the oldest
 * gives way.
 */
#ifndef STATIOND_UNET_UNET_DUP_TABLE_H
#define STATIOND_UNET_UNET_DUP_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/unet/unet-frame.h"

#define UNET_DUP_TABLE_SIZE 32u
#define UNET_DUP_EXPIRY_USEC (30ull * 1000000)

struct unet_dup_entry {
	char src[UNET_NAME_LEN + 1];	/* "" unused */
	uint16_t msgno;
	uint64_t seen;			/* CLOCK_MONOTONIC µs */
};

struct unet_dup_table {
	struct unet_dup_entry entries[UNET_DUP_TABLE_SIZE];
	uint64_t expiry_usec;
};

void unet_dup_table_init(struct unet_dup_table *t, uint64_t expiry_usec);

/*
 * Was (src, msgno) received within the expiry time before now? If not,
 * it is recorded now (in a free or expired entry, else over the oldest)
 * and false is returned. A duplicate does not refresh its entry: the
 * expiry counts from the first arrival.
 */
bool unet_dup_table_check(struct unet_dup_table *t, const char *src, uint16_t msgno, uint64_t now);

#endif
