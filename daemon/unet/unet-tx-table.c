// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit table (see unet-tx-table.h): a ring of UNET_TX_TABLE_SIZE.
 */
#include "daemon/unet/unet-tx-table.h"

#include <errno.h>
#include <string.h>

void unet_tx_table_init(struct unet_tx_table *t, unsigned resend_limit,
			uint64_t resend_interval_usec)
{
	memset(t, 0, sizeof(*t));
	t->resend_limit = resend_limit;
	t->resend_interval_usec = resend_interval_usec;
}

size_t unet_tx_table_count(const struct unet_tx_table *t)
{
	return t->count;
}

bool unet_tx_table_full(const struct unet_tx_table *t)
{
	return t->count == UNET_TX_TABLE_SIZE;
}

int unet_tx_table_add(struct unet_tx_table *t, const char *payload, size_t len, uint16_t msgno,
		      const char *dest, uint64_t tag)
{
	struct unet_tx_entry *e;

	if (len > UNET_PAYLOAD_MAX || strlen(dest) > UNET_NAME_LEN)
		return -EINVAL;
	if (unet_tx_table_full(t))
		return -EBUSY;
	e = &t->entries[(t->head + t->count) % UNET_TX_TABLE_SIZE];
	*e = (struct unet_tx_entry){ .len = len, .msgno = msgno, .tag = tag };
	memcpy(e->payload, payload, len);
	strcpy(e->dest, dest);
	t->count++;
	return 0;
}

struct unet_tx_entry *unet_tx_table_head(struct unet_tx_table *t)
{
	return t->count ? &t->entries[t->head] : NULL;
}

static void remove_head(struct unet_tx_table *t)
{
	t->head = (t->head + 1) % UNET_TX_TABLE_SIZE;
	t->count--;
}

void unet_tx_table_mark_sent(struct unet_tx_table *t, uint64_t now)
{
	struct unet_tx_entry *e = unet_tx_table_head(t);

	if (!e)
		return;
	if (e->sent)
		e->resends++;
	e->sent = true;
	e->deadline = now + t->resend_interval_usec;
}

bool unet_tx_table_ack(struct unet_tx_table *t, uint16_t msgno, const char *src, uint64_t *tag)
{
	struct unet_tx_entry *e = unet_tx_table_head(t);

	if (!e || !e->sent || e->msgno != msgno || strcmp(e->dest, src) != 0)
		return false;
	*tag = e->tag;
	remove_head(t);
	return true;
}

enum unet_tx_due unet_tx_table_due(struct unet_tx_table *t, uint64_t now, uint64_t *tag,
				   uint16_t *msgno)
{
	struct unet_tx_entry *e = unet_tx_table_head(t);

	if (!e)
		return UNET_TX_NOTHING;
	if (!e->sent)
		return UNET_TX_SEND;
	if (now < e->deadline)
		return UNET_TX_NOTHING;
	if (e->resends < t->resend_limit)
		return UNET_TX_SEND;
	*tag = e->tag;
	*msgno = e->msgno;
	remove_head(t);
	return UNET_TX_DROPPED;
}

bool unet_tx_table_pop(struct unet_tx_table *t, uint64_t *tag, uint16_t *msgno)
{
	struct unet_tx_entry *e = unet_tx_table_head(t);

	if (!e)
		return false;
	*tag = e->tag;
	*msgno = e->msgno;
	remove_head(t);
	return true;
}

uint64_t unet_tx_table_next_deadline(const struct unet_tx_table *t)
{
	const struct unet_tx_entry *e;

	if (!t->count)
		return UINT64_MAX;
	e = &t->entries[t->head];
	return e->sent ? e->deadline : 0;
}
