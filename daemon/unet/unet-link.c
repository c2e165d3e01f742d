// SPDX-License-Identifier: GPL-2.0
/*
 * The UtilityNet link state machine (see unet-link.h).
 *
 * Callbacks may call back into the link (a delivery() that queues the
 * next command, a mechanism() that sends one): every entry point leaves
 * the tables consistent before it calls out, and the pump re-reads the
 * head each time round.
 */
#include "daemon/unet/unet-link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/unet/unet-numbering.h"
#include "daemon/unet/unet-time-service.h"

struct unet_link {
	char host_name[UNET_NAME_LEN + 1];
	struct unet_link_ops ops;
	void *userdata;
	struct unet_numbering numbering;
	struct unet_tx_table tx;
	struct unet_dup_table dup;
	struct unet_link_counters counters;
	bool peer_silent;	/* the last message was dropped; nothing heard since */
	bool resending;		/* as last reported */
};

void unet_link_config_default(struct unet_link_config *c)
{
	*c = (struct unet_link_config){
		.host_name = UNET_HOST_NAME_DEFAULT,
		.resend_limit = UNET_RESEND_LIMIT_DEFAULT,
		.resend_interval_usec = UNET_RESEND_INTERVAL_USEC,
		.duplicate_expiry_usec = UNET_DUP_EXPIRY_USEC,
	};
}

int unet_link_new(const struct unet_link_config *config, const struct unet_link_ops *ops,
		  void *userdata, struct unet_link **ret)
{
	struct unet_link *l;

	if (!unet_name_valid(config->host_name) || config->resend_limit > UNET_RESEND_LIMIT_MAX ||
	    !config->resend_interval_usec)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	strcpy(l->host_name, config->host_name);
	if (ops)
		l->ops = *ops;
	l->userdata = userdata;
	unet_numbering_init(&l->numbering, config->first_msgno);
	unet_tx_table_init(&l->tx, config->resend_limit, config->resend_interval_usec);
	unet_dup_table_init(&l->dup, config->duplicate_expiry_usec);
	*ret = l;
	return 0;
}

struct unet_link *unet_link_free(struct unet_link *l)
{
	free(l);
	return NULL;
}

const char *unet_link_host_name(const struct unet_link *l)
{
	return l->host_name;
}

const struct unet_link_counters *unet_link_counters(const struct unet_link *l)
{
	return &l->counters;
}

size_t unet_link_queued(const struct unet_link *l)
{
	return unet_tx_table_count(&l->tx);
}

bool unet_link_resending(const struct unet_link *l)
{
	const struct unet_tx_entry *head = l->tx.count ? &l->tx.entries[l->tx.head] : NULL;

	return l->peer_silent || (head && head->resends > 0);
}

/* Tell whoever listens when unet_link_resending() changed. */
static void report_resending(struct unet_link *l)
{
	bool now = unet_link_resending(l);

	if (now == l->resending)
		return;
	l->resending = now;
	if (l->ops.resending_changed)
		l->ops.resending_changed(now, l->userdata);
}

static void transmit(struct unet_link *l, const char *payload, size_t len)
{
	if (!l->ops.transmit || l->ops.transmit(payload, len, l->userdata) < 0)
		l->counters.transmit_errors++;
}

static void deliver(struct unet_link *l, uint64_t tag, uint16_t msgno, enum unet_delivery result)
{
	if (tag && l->ops.delivery)
		l->ops.delivery(tag, msgno, result, l->userdata);
}

/* Send or drop whatever the head needs now. */
static void pump(struct unet_link *l, uint64_t now)
{
	for (;;) {
		struct unet_tx_entry *head;
		uint64_t tag = 0;
		uint16_t msgno = 0;

		switch (unet_tx_table_due(&l->tx, now, &tag, &msgno)) {
		case UNET_TX_NOTHING:
			return;
		case UNET_TX_SEND:
			head = unet_tx_table_head(&l->tx);
			if (head->sent)
				l->counters.resends++;
			l->counters.transmissions++;
			unet_tx_table_mark_sent(&l->tx, now);
			transmit(l, head->payload, head->len);
			return;
		case UNET_TX_DROPPED:
			l->counters.resend_drops++;
			l->peer_silent = true;
			deliver(l, tag, msgno, UNET_DROPPED);
			break;
		}
	}
}

static int queue_frame(struct unet_link *l, enum unet_frame_type type, const char *src,
		       const char *dest, const char *body, uint64_t tag, uint64_t now,
		       uint16_t *ret_msgno)
{
	struct unet_frame f = { .type = type };
	char payload[UNET_PAYLOAD_MAX];
	size_t body_len = strlen(body);
	int len, r;

	if (type != UNET_FRAME_COMMAND && type != UNET_FRAME_STATUS)
		return -EINVAL;
	if (!unet_name_valid(dest) || body_len > UNET_BODY_MAX)
		return -EINVAL;
	strcpy(f.dest, dest);
	strcpy(f.src, src);
	memcpy(f.body, body, body_len + 1);
	f.body_len = body_len;
	/* The number of the message the table will hold: peek, and take it
	 * only once the frame is known to be good. */
	f.msgno = l->numbering.next;
	len = unet_frame_encode(&f, payload, sizeof(payload));
	if (len < 0)
		return len;
	if (unet_tx_table_full(&l->tx))
		return -EBUSY;
	r = unet_tx_table_add(&l->tx, payload, (size_t)len, f.msgno, dest, tag);
	if (r < 0)
		return r;
	(void)unet_numbering_take(&l->numbering);
	l->counters.messages_queued++;
	if (ret_msgno)
		*ret_msgno = f.msgno;
	pump(l, now);
	report_resending(l);
	return 0;
}

int unet_link_send(struct unet_link *l, enum unet_frame_type type, const char *dest,
		   const char *body, uint64_t tag, uint64_t now, uint16_t *msgno)
{
	return queue_frame(l, type, l->host_name, dest, body, tag, now, msgno);
}

int unet_link_send_cmdreq(struct unet_link *l, const char *dest, const struct unet_mech *command,
			  bool head_number, uint64_t tag, uint64_t now, uint16_t *msgno)
{
	char body[UNET_BODY_MAX + 1];
	int r;

	r = unet_cmdreq_body(command, head_number, body, sizeof(body));
	if (r < 0)
		return r;
	return unet_link_send(l, UNET_FRAME_COMMAND, dest, body, tag, now, msgno);
}

static void send_ack(struct unet_link *l, const struct unet_frame *f)
{
	struct unet_frame ack;
	char payload[UNET_PAYLOAD_MAX];
	int len;

	unet_frame_make_reply(f, UNET_FRAME_ACK, &ack);
	len = unet_frame_encode(&ack, payload, sizeof(payload));
	if (len < 0) {
		l->counters.transmit_errors++;
		return;
	}
	l->counters.acks_sent++;
	transmit(l, payload, (size_t)len);
}

static bool for_us(const struct unet_link *l, const struct unet_frame *f)
{
	return strcmp(f->dest, l->host_name) == 0 || strcmp(f->dest, UNET_TIME_SERVICE_NAME) == 0;
}

/* A time request: answer it as TIM, in the transmit table like any
 * message (the controller acknowledges it). */
static void serve_time(struct unet_link *l, const struct unet_frame *f, const struct unet_mech *m,
		       uint64_t now, uint64_t realtime)
{
	struct unet_mech reply;
	char body[UNET_BODY_MAX + 1];
	size_t len = 0;

	if (!unet_time_service_answer(m, realtime, &reply))
		return;
	l->counters.time_requests++;
	body[0] = '\0';
	if (unet_body_append(body, sizeof(body), &len, &reply) < 0 ||
	    queue_frame(l, UNET_FRAME_STATUS, UNET_TIME_SERVICE_NAME, f->src, body, 0, now,
			NULL) < 0)
		l->counters.transmit_errors++;
}

static void act_on(struct unet_link *l, const struct unet_frame *f, uint64_t now,
		   uint64_t realtime)
{
	struct unet_body_iter it;
	struct unet_mech m;

	unet_body_iter_init_frame(&it, f);
	/* The frame decoded, so its body iterates without error. */
	while (unet_body_next(&it, &m, NULL) > 0) {
		if (unet_time_service_request(&m)) {
			/* Requests only: a status from a time service is not ours. */
			if (f->type == UNET_FRAME_COMMAND)
				serve_time(l, f, &m, now, realtime);
			continue;
		}
		if (l->ops.mechanism)
			l->ops.mechanism(f, &m, l->userdata);
	}
}

void unet_link_receive(struct unet_link *l, const void *payload, size_t len, uint64_t now,
		       uint64_t realtime)
{
	struct unet_frame_error error;
	struct unet_frame f;
	uint64_t tag = 0;
	bool duplicate = false;

	if (unet_frame_decode(payload, len, &f, &error) < 0) {
		l->counters.frames_rejected++;
		l->counters.rejected_by_problem[error.problem]++;
		if (l->ops.rejected)
			l->ops.rejected(payload, len, &error, l->userdata);
		return;
	}
	l->counters.frames_received++;

	if (f.type == UNET_FRAME_BROADCAST) {
		l->counters.broadcasts++;
		if (l->ops.frame)
			l->ops.frame(&f, false, l->userdata);
		return;
	}
	if (!for_us(l, &f)) {
		l->counters.misaddressed++;
		if (l->ops.frame)
			l->ops.frame(&f, false, l->userdata);
		return;
	}
	/* Something well-formed for us: the line works again. */
	l->peer_silent = false;

	switch (f.type) {
	case UNET_FRAME_ACK:
		if (l->ops.frame)
			l->ops.frame(&f, false, l->userdata);
		if (unet_tx_table_ack(&l->tx, f.msgno, f.src, &tag)) {
			l->counters.acks_received++;
			deliver(l, tag, f.msgno, UNET_DELIVERED);
			pump(l, now);
		} else {
			l->counters.stray_acks++;
		}
		break;
	case UNET_FRAME_NACK:
		l->counters.nacks++;
		if (l->ops.frame)
			l->ops.frame(&f, false, l->userdata);
		break;
	case UNET_FRAME_DATA:
		l->counters.data_frames++;
		if (l->ops.frame)
			l->ops.frame(&f, false, l->userdata);
		send_ack(l, &f);
		break;
	case UNET_FRAME_COMMAND:
	case UNET_FRAME_STATUS:
		duplicate = unet_dup_table_check(&l->dup, f.src, f.msgno, now);
		if (l->ops.frame)
			l->ops.frame(&f, duplicate, l->userdata);
		/* Acknowledged before it is acted on: our answer (a TIM reply)
		 * then follows the ACK on the line. */
		send_ack(l, &f);
		if (duplicate)
			l->counters.duplicates++;
		else
			act_on(l, &f, now, realtime);
		break;
	case UNET_FRAME_BROADCAST:
		break;
	}
	report_resending(l);
}

void unet_link_tick(struct unet_link *l, uint64_t now)
{
	pump(l, now);
	report_resending(l);
}

uint64_t unet_link_next_deadline(const struct unet_link *l)
{
	return unet_tx_table_next_deadline(&l->tx);
}

void unet_link_cancel_all(struct unet_link *l)
{
	/* Only what is queued now: a delivery() may queue anew. */
	for (size_t n = unet_tx_table_count(&l->tx); n > 0; n--) {
		uint64_t tag;
		uint16_t msgno;

		if (!unet_tx_table_pop(&l->tx, &tag, &msgno))
			break;
		deliver(l, tag, msgno, UNET_CANCELLED);
	}
	report_resending(l);
}
