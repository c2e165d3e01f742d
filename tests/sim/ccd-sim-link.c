// SPDX-License-Identifier: GPL-2.0
/*
 * The CCD controller's end of the UtilityNet link (see ccd-sim-link.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/shared/macro.h"
#include "daemon/unet/unet-dup-table.h"
#include "daemon/unet/unet-numbering.h"
#include "daemon/unet/unet-tx-table.h"
#include "tests/sim/ccd-sim-link.h"

#define NEVER UINT64_MAX

/*
 * The line's framing characters, as kernel/unet/unet_framer.h defines
 * them (UNET_SYN, UNET_EOT): that header cannot be included beside
 * unet-frame.h, whose payload encoder has the framer's encoder's name.
 */
#define LINE_SYN 0x16
#define LINE_EOT 0x04
#define LINE_BUFFER (UNET_PAYLOAD_MAX + 64)

/*
 * The tables are the host's (daemon/unet/): the transmit table, one
 * frame in flight with its resends; the duplicate table by (source,
 * number); the numbering. Their times are microseconds.
 */
struct ccd_link {
	struct ccd_link_params p;
	const struct ccd_link_ops *ops;
	void *userdata;

	struct unet_numbering numbering;
	bool clear_to_send;
	bool dead;
	bool quiet;
	size_t fence;		/* quiet: frames queued before may still go */

	struct unet_tx_table tx;
	struct unet_dup_table dup;

	struct ccd_link_faults faults;
	struct ccd_link_counters counters;
};

static uint64_t usec(uint64_t ms)
{
	return ms * 1000;
}

static const char *const corruption_names[_CCD_CORRUPT_MAX] = {
	[CCD_CORRUPT_NOISE] = "noise", [CCD_CORRUPT_FIELD] = "field",
	[CCD_CORRUPT_SHORT] = "short", [CCD_CORRUPT_LONG] = "long",
	[CCD_CORRUPT_CUT] = "cut",
};

const char *ccd_corruption_name(enum ccd_corruption c)
{
	return c < _CCD_CORRUPT_MAX ? corruption_names[c] : "?";
}

enum ccd_corruption ccd_corruption_from_name(const char *name)
{
	for (size_t i = 0; i < _CCD_CORRUPT_MAX; i++)
		if (strcmp(name, corruption_names[i]) == 0)
			return (enum ccd_corruption)i;
	return _CCD_CORRUPT_MAX;
}

static _printf_(2, 3) void say(struct ccd_link *l, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!l->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	l->ops->log(l->userdata, line);
}

/* "C SYS>CCD1 0012 RSP101(1,3)": a frame as the log shows it. */
static void frame_describe(const struct unet_frame *f, char *buf, size_t size)
{
	snprintf(buf, size, "%c %s>%s %04X%s%s", (char)f->type, f->src, f->dest, f->msgno,
		 f->body_len ? " " : "", f->body);
}

void ccd_link_params_default(struct ccd_link_params *p)
{
	*p = (struct ccd_link_params) {
		.name = "CCD1",
		.host = UNET_HOST_NAME_DEFAULT,
		.resend_ms = CCD_LINK_RESEND_MS,
		.resend_limit = CCD_LINK_RESEND_LIMIT,
		.duplicate_expiry_ms = CCD_LINK_DUPLICATE_EXPIRY_MS,
	};
}

int ccd_link_new(const struct ccd_link_params *p, const struct ccd_link_ops *ops,
		 void *userdata, uint16_t first_number, struct ccd_link **ret)
{
	struct ccd_link *l;

	if (!unet_name_valid(p->name) || !unet_name_valid(p->host) || !p->resend_ms ||
	    p->resend_limit > UNET_RESEND_LIMIT_MAX || !ops->line_write)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = *p;
	l->ops = ops;
	l->userdata = userdata;
	unet_numbering_init(&l->numbering, first_number);
	unet_tx_table_init(&l->tx, p->resend_limit, usec(p->resend_ms));
	unet_dup_table_init(&l->dup, usec(p->duplicate_expiry_ms));
	*ret = l;
	return 0;
}

void ccd_link_free(struct ccd_link *l)
{
	free(l);
}

/* ------------------------------------------------------------ the line */

/* SYN payload EOT, spoiled as @how says when @spoil. Returns the length. */
static size_t line_frame(const char *payload, size_t len, bool spoil, enum ccd_corruption how,
			 uint8_t *out)
{
	size_t n = 0;

	out[n++] = LINE_SYN;
	memcpy(out + n, payload, len);
	n += len;
	out[n++] = LINE_EOT;
	if (!spoil)
		return n;
	switch (how) {
	case CCD_CORRUPT_NOISE:
		/* A character in the middle turns into BEL, as line noise would. */
		out[1 + len / 2] = 0x07;
		break;
	case CCD_CORRUPT_FIELD:
		/* msgno (payload columns 22-25) no longer hex: "G" */
		if (len >= UNET_HEADER_LEN)
			out[1 + 21] = 'G';
		break;
	case CCD_CORRUPT_SHORT:
		out[1 + 10] = LINE_EOT;
		n = 12;
		break;
	case CCD_CORRUPT_LONG:
		/* Keep the start, then printable filler past the limit. */
		n = 1 + len;
		while (n < 1 + UNET_PAYLOAD_MAX + 16)
			out[n++] = '#';
		out[n++] = LINE_EOT;
		break;
	case CCD_CORRUPT_CUT:
		n--;
		break;
	default:
		break;
	}
	return n;
}

/* The frame at the head of the table on the line, with the transmit faults. */
static void transmit(struct ccd_link *l, const struct unet_tx_entry *e)
{
	struct ccd_link_faults *f = &l->faults;
	char what[UNET_PAYLOAD_MAX + 40];
	uint8_t line[LINE_BUFFER];
	struct unet_frame frame;
	bool spoil = false, twice = false;
	size_t n;

	if (f->corrupt) {
		f->corrupt--;
		spoil = true;
	}
	if (f->duplicate) {
		f->duplicate--;
		twice = true;
	}
	n = line_frame(e->payload, e->len, spoil, f->corruption, line);
	/* ccd_link_send() encoded it: it decodes. */
	if (unet_frame_decode(e->payload, e->len, &frame, NULL) == 0)
		frame_describe(&frame, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "%.*s", (int)e->len, e->payload);
	say(l, "%s %s%s%s%s", e->resends ? "resend" : "tx", what,
	    spoil ? " [corrupted: " : "", spoil ? ccd_corruption_name(f->corruption) : "",
	    spoil ? "]" : "");
	if (spoil)
		say(l, "fault corrupt %s: %u more", ccd_corruption_name(f->corruption), f->corrupt);
	l->ops->line_write(l->userdata, line, n);
	l->counters.tx_frames++;
	if (twice) {
		say(l, "fault duplicate: %04X sent twice, %u more", e->msgno, f->duplicate);
		l->ops->line_write(l->userdata, line, n);
		l->counters.tx_frames++;
	}
}

/* An ACK or NACK of @received. */
static void reply(struct ccd_link *l, const struct unet_frame *received, enum unet_frame_type type)
{
	char payload[UNET_PAYLOAD_MAX + 1], what[UNET_PAYLOAD_MAX + 40];
	uint8_t line[LINE_BUFFER];
	struct unet_frame r;
	int len;

	unet_frame_make_reply(received, type, &r);
	len = unet_frame_encode(&r, payload, sizeof(payload));
	if (len < 0)
		return;
	frame_describe(&r, what, sizeof(what));
	say(l, "tx %s", what);
	l->ops->line_write(l->userdata, line, line_frame(payload, (size_t)len, false, 0, line));
	if (type == UNET_FRAME_ACK)
		l->counters.tx_acks++;
	else
		l->counters.tx_nacks++;
}

/* May the frame at the head of the table go (or be resent) now? */
static bool can_send(const struct ccd_link *l)
{
	return l->clear_to_send && !l->dead && !l->faults.silent && (!l->quiet || l->fence);
}

/* The head of the table left it (ACKed or dropped). */
static void head_gone(struct ccd_link *l)
{
	if (l->fence)
		l->fence--;
}

/* Send or resend what is due, drop what ran out of resends. */
static void service(struct ccd_link *l, uint64_t now)
{
	uint64_t tag;
	uint16_t msgno;

	while (can_send(l)) {
		const struct unet_tx_entry *e;

		switch (unet_tx_table_due(&l->tx, usec(now), &tag, &msgno)) {
		case UNET_TX_NOTHING:
			return;
		case UNET_TX_DROPPED:
			l->counters.dropped++;
			say(l, "dropped %04X after %u resends", msgno, l->p.resend_limit);
			head_gone(l);
			continue;
		case UNET_TX_SEND:
			e = unet_tx_table_head(&l->tx);
			if (e->sent)
				l->counters.resends++;
			unet_tx_table_mark_sent(&l->tx, usec(now));
			transmit(l, e);
			return;
		}
	}
}

/* ------------------------------------------------------------ receive */

static void ack_received(struct ccd_link *l, uint64_t now, const struct unet_frame *f)
{
	const struct unet_tx_entry *e = unet_tx_table_head(&l->tx);
	uint64_t tag;

	if (e && e->sent && e->msgno == f->msgno && strcmp(e->dest, f->src) == 0 &&
	    l->faults.ignore_acks) {
		l->faults.ignore_acks--;
		say(l, "fault ignore-acks: ACK %04X not heard, %u more", f->msgno,
		    l->faults.ignore_acks);
		return;
	}
	if (!unet_tx_table_ack(&l->tx, f->msgno, f->src, &tag)) {
		say(l, "stray ACK %04X from %s", f->msgno, f->src);
		return;
	}
	head_gone(l);
	service(l, now);
}

static void deliver(struct ccd_link *l, const struct unet_frame *f)
{
	bool from_tim = strcmp(f->src, UNET_TIME_SERVICE_NAME) == 0;
	struct unet_body_iter it;
	struct unet_frame_error error;
	struct unet_mech m;
	int r;

	if (f->type == UNET_FRAME_STATUS && !from_tim) {
		say(l, "status from %s ignored: only TIM's are asked for", f->src);
		return;
	}
	unet_body_iter_init_frame(&it, f);
	while ((r = unet_body_next(&it, &m, &error)) > 0) {
		if (f->type == UNET_FRAME_COMMAND) {
			if (l->ops->command)
				l->ops->command(l->userdata, &m);
		} else if (l->ops->time_reply) {
			l->ops->time_reply(l->userdata, &m);
		}
	}
}

void ccd_link_receive(struct ccd_link *l, uint64_t now_ms, const uint8_t *payload, size_t len)
{
	char what[UNET_PAYLOAD_MAX + 40], err[64];
	struct unet_frame_error error;
	struct unet_frame f;

	ccd_link_tick(l, now_ms);
	if (l->dead)
		return;
	if (l->faults.silent) {
		say(l, "fault silent: heard nothing");
		return;
	}
	if (unet_frame_decode(payload, len, &f, &error) < 0) {
		l->counters.rx_bad++;
		unet_frame_error_format(&error, err, sizeof(err));
		say(l, "rx bad frame (%s): %.*s", err, (int)len, (const char *)payload);
		return;
	}
	frame_describe(&f, what, sizeof(what));
	if (strcmp(f.dest, l->p.name) != 0) {
		l->counters.rx_not_ours++;
		say(l, "rx %s: not ours", what);
		return;
	}
	say(l, "rx %s", what);
	switch (f.type) {
	case UNET_FRAME_ACK:
		ack_received(l, now_ms, &f);
		return;
	case UNET_FRAME_NACK:
		l->counters.rx_nacks++;
		return;
	case UNET_FRAME_BROADCAST:
		return;
	case UNET_FRAME_DATA:
		reply(l, &f, UNET_FRAME_ACK);
		return;
	default:
		break;
	}
	l->counters.rx_frames++;
	if (l->faults.nack) {
		l->faults.nack--;
		say(l, "fault nack: %04X refused, %u more", f.msgno, l->faults.nack);
		reply(l, &f, UNET_FRAME_NACK);
		return;
	}
	if (l->faults.drop_acks) {
		l->faults.drop_acks--;
		say(l, "fault drop-acks: ACK %04X not sent, %u more", f.msgno, l->faults.drop_acks);
	} else {
		reply(l, &f, UNET_FRAME_ACK);
	}
	if (unet_dup_table_check(&l->dup, f.src, f.msgno, usec(now_ms))) {
		l->counters.rx_duplicates++;
		say(l, "duplicate %04X from %s: not acted on", f.msgno, f.src);
		return;
	}
	deliver(l, &f);
}

/* ------------------------------------------------------------ transmit */

/* One frame of @body for the table, with the next number. */
static int queue_frame(struct ccd_link *l, enum unet_frame_type type, const char *dest,
		       const char *body, size_t body_len)
{
	struct unet_frame f = { .type = type, .body_len = body_len };
	char payload[UNET_PAYLOAD_MAX + 1];
	int len;

	if (unet_tx_table_full(&l->tx))
		return -ENOBUFS;
	memcpy(f.dest, dest, strlen(dest) + 1);
	memcpy(f.src, l->p.name, sizeof(f.src));
	memcpy(f.body, body, body_len + 1);
	f.msgno = l->numbering.next;
	len = unet_frame_encode(&f, payload, sizeof(payload));
	if (len < 0)
		return -EINVAL;
	if (unet_tx_table_add(&l->tx, payload, (size_t)len, f.msgno, dest, 0) < 0)
		return -ENOBUFS;
	unet_numbering_take(&l->numbering);
	return 0;
}

int ccd_link_send(struct ccd_link *l, uint64_t now_ms, enum unet_frame_type type,
		  const char *dest, const struct unet_mech *msgs, size_t n)
{
	char body[UNET_BODY_MAX + 1] = "";
	size_t len = 0;
	int r = 0;

	if ((type != UNET_FRAME_COMMAND && type != UNET_FRAME_STATUS) || !unet_name_valid(dest))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		r = unet_body_append(body, sizeof(body), &len, &msgs[i]);
		if (r == -ENOBUFS && len) {
			/* This frame is full: it goes, the message starts the next. */
			r = queue_frame(l, type, dest, body, len);
			if (r < 0)
				break;
			len = 0;
			body[0] = '\0';
			r = unet_body_append(body, sizeof(body), &len, &msgs[i]);
		}
		if (r < 0) {
			/* Malformed, or longer than a body on its own. */
			say(l, "cannot send a message to %s", dest);
			r = -EINVAL;
			break;
		}
	}
	if (r >= 0 && len)
		r = queue_frame(l, type, dest, body, len);
	if (r == -ENOBUFS) {
		l->counters.table_full++;
		say(l, "transmit table full: a frame to %s dropped", dest);
	}
	service(l, now_ms);
	return r < 0 ? r : 0;
}

void ccd_link_tick(struct ccd_link *l, uint64_t now_ms)
{
	if (l->faults.silent && l->faults.silent_until && now_ms >= l->faults.silent_until) {
		l->faults.silent = false;
		l->faults.silent_until = 0;
		say(l, "fault silent: over");
	}
	service(l, now_ms);
}

uint64_t ccd_link_next_deadline(const struct ccd_link *l)
{
	uint64_t t = NEVER, due;

	if (l->faults.silent && l->faults.silent_until)
		t = l->faults.silent_until;
	if (can_send(l)) {
		due = unet_tx_table_next_deadline(&l->tx);
		/* Rounded up: woken a little late rather than spinning early. */
		if (due != UINT64_MAX && (due + 999) / 1000 < t)
			t = (due + 999) / 1000;
	}
	return t;
}

void ccd_link_set_clear_to_send(struct ccd_link *l, uint64_t now_ms, bool clear)
{
	if (clear == l->clear_to_send)
		return;
	l->clear_to_send = clear;
	if (clear)
		ccd_link_tick(l, now_ms);
}

void ccd_link_set_quiet(struct ccd_link *l, uint64_t now_ms, bool quiet)
{
	if (quiet == l->quiet)
		return;
	l->quiet = quiet;
	l->fence = quiet ? unet_tx_table_count(&l->tx) : 0;
	if (!quiet)
		ccd_link_tick(l, now_ms);
}

void ccd_link_set_dead(struct ccd_link *l, bool dead)
{
	l->dead = dead;
}

void ccd_link_restart(struct ccd_link *l, uint16_t first_number)
{
	unet_tx_table_init(&l->tx, l->p.resend_limit, usec(l->p.resend_ms));
	unet_dup_table_init(&l->dup, usec(l->p.duplicate_expiry_ms));
	unet_numbering_init(&l->numbering, first_number);
	l->fence = 0;
}

struct ccd_link_faults *ccd_link_faults(struct ccd_link *l)
{
	return &l->faults;
}

const struct ccd_link_counters *ccd_link_counters(const struct ccd_link *l)
{
	return &l->counters;
}

uint16_t ccd_link_next_number(const struct ccd_link *l)
{
	return l->numbering.next;
}

void ccd_link_set_next_number(struct ccd_link *l, uint16_t number)
{
	unet_numbering_init(&l->numbering, number);
}

size_t ccd_link_queued(const struct ccd_link *l)
{
	return unet_tx_table_count(&l->tx);
}
