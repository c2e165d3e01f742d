/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transmit table (the seed's txTable, §3.2 and §6.6): messages to the
 * controller wait here in order, one unacknowledged at a time so the
 * instrument's receive table never overfills. The head is sent; its ACK
 * removes it and the next is sent. Unacknowledged for the resend interval
 * (1 s), the head is sent again with the same number; after the resend
 * limit (5) it is dropped, the RESEND counter rises and whoever waits on it
 * hears at once (shared/spec/utilitynet.md). A full table refuses new
 * messages (-EBUSY) instead of growing.
 *
 * Pure bookkeeping: times are CLOCK_MONOTONIC microseconds given by the
 * caller, and sending is the caller's (the link state machine's) job.
 */
#ifndef STATIOND_UNET_UNET_TX_TABLE_H
#define STATIOND_UNET_UNET_TX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/unet/unet-frame.h"

#define UNET_TX_TABLE_SIZE 32u
#define UNET_RESEND_INTERVAL_USEC 1000000ull
#define UNET_RESEND_LIMIT_DEFAULT 5u
#define UNET_RESEND_LIMIT_MAX 100u

struct unet_tx_entry {
	char payload[UNET_PAYLOAD_MAX];
	size_t len;
	uint16_t msgno;
	char dest[UNET_NAME_LEN + 1];
	uint64_t tag;		/* who waits on it; 0: nobody */
	bool sent;		/* transmitted at least once */
	unsigned resends;	/* transmissions after the first */
	uint64_t deadline;	/* when the head is due again (sent only) */
};

struct unet_tx_table {
	struct unet_tx_entry entries[UNET_TX_TABLE_SIZE];
	unsigned head, count;
	unsigned resend_limit;
	uint64_t resend_interval_usec;
};

void unet_tx_table_init(struct unet_tx_table *t, unsigned resend_limit,
			uint64_t resend_interval_usec);

size_t unet_tx_table_count(const struct unet_tx_table *t);
bool unet_tx_table_full(const struct unet_tx_table *t);

/* Queue an encoded payload. -EBUSY when full, -EINVAL when too long. */
int unet_tx_table_add(struct unet_tx_table *t, const char *payload, size_t len, uint16_t msgno,
		      const char *dest, uint64_t tag);

/* The head, or NULL when empty. */
struct unet_tx_entry *unet_tx_table_head(struct unet_tx_table *t);

/* Mark the head sent now (first time or a resend); its deadline is now +
 * the resend interval. */
void unet_tx_table_mark_sent(struct unet_tx_table *t, uint64_t now);

/*
 * An ACK numbered msgno from src: when it acknowledges the head (sent,
 * same number, from the head's destination), remove it, return true and
 * its tag in *tag. Otherwise nothing changes (a stray or late ACK).
 */
bool unet_tx_table_ack(struct unet_tx_table *t, uint16_t msgno, const char *src, uint64_t *tag);

enum unet_tx_due {
	UNET_TX_NOTHING,	/* nothing to do now */
	UNET_TX_SEND,		/* the head is to be (re)sent: unet_tx_table_mark_sent() after */
	UNET_TX_DROPPED,	/* the head ran out of resends and was removed: *tag, *msgno */
};

/*
 * What the head needs at now: sending (never sent, or unacknowledged past
 * its deadline with resends left) or dropping (past its deadline at the
 * limit). Call again after a drop: the next entry may be due.
 */
enum unet_tx_due unet_tx_table_due(struct unet_tx_table *t, uint64_t now, uint64_t *tag,
				   uint16_t *msgno);

/* Remove the head whatever its state: false when empty. */
bool unet_tx_table_pop(struct unet_tx_table *t, uint64_t *tag, uint16_t *msgno);

/* When the head is next due: its deadline, 0 when it is unsent (now),
 * UINT64_MAX when the table is empty. */
uint64_t unet_tx_table_next_deadline(const struct unet_tx_table *t);

#endif
