// SPDX-License-Identifier: GPL-2.0
/*
 * The duplicate table (see unet-dup-table.h).
 */
#include "daemon/unet/unet-dup-table.h"

#include <string.h>

void unet_dup_table_init(struct unet_dup_table *t, uint64_t expiry_usec)
{
	memset(t, 0, sizeof(*t));
	t->expiry_usec = expiry_usec;
}

static bool live(const struct unet_dup_table *t, const struct unet_dup_entry *e, uint64_t now)
{
	return e->src[0] && now - e->seen < t->expiry_usec;
}

bool unet_dup_table_check(struct unet_dup_table *t, const char *src, uint16_t msgno, uint64_t now)
{
	struct unet_dup_entry *slot = NULL;

	for (unsigned i = 0; i < UNET_DUP_TABLE_SIZE; i++) {
		struct unet_dup_entry *e = &t->entries[i];

		if (live(t, e, now)) {
			if (e->msgno == msgno && strcmp(e->src, src) == 0)
				return true;
			if (!slot || (live(t, slot, now) && e->seen < slot->seen))
				slot = e;
		} else if (!slot || live(t, slot, now)) {
			slot = e;	/* free or expired: better than any live one */
		}
	}
	memset(slot->src, 0, sizeof(slot->src));
	strncpy(slot->src, src, UNET_NAME_LEN);
	slot->msgno = msgno;
	slot->seen = now;
	return false;
}
