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

struct tx_entry {
	struct unet_frame frame;
	bool in_flight;
	uint64_t sent_at;
	unsigned int resends;
};

struct rx_entry {
	char src[UNET_NAME_LEN + 1];
	uint16_t msgno;
	uint64_t at;
	bool used;
};

struct ccd_link {
	struct ccd_link_params p;
	const struct ccd_link_ops *ops;
	void *userdata;

	uint16_t next_number;
	bool clear_to_send;
	bool dead;
	bool quiet;
	size_t fence;		/* quiet: frames queued before may still go */

	struct tx_entry tx[CCD_LINK_TX_TABLE];
	size_t tx_head, tx_len;
	struct rx_entry rx[CCD_LINK_RX_TABLE];
	size_t rx_next;

	struct ccd_link_faults faults;
	struct ccd_link_counters counters;
};

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
	    p->resend_limit > 100 || !ops->line_write)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = *p;
	l->ops = ops;
	l->userdata = userdata;
	l->next_number = first_number;
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

/* A table frame on the line, with the transmit faults. */
static void transmit(struct ccd_link *l, struct tx_entry *e)
{
	struct ccd_link_faults *f = &l->faults;
	char payload[UNET_PAYLOAD_MAX + 1], what[UNET_PAYLOAD_MAX + 40];
	uint8_t line[LINE_BUFFER];
	bool spoil = false, twice = false;
	size_t n;
	int len;

	len = unet_frame_encode(&e->frame, payload, sizeof(payload));
	if (len < 0) {
		/* ccd_link_send() encoded it once already: cannot happen. */
		say(l, "tx cannot encode %04X: %s", e->frame.msgno, strerror(-len));
		return;
	}
	if (f->corrupt) {
		f->corrupt--;
		spoil = true;
	}
	if (f->duplicate) {
		f->duplicate--;
		twice = true;
	}
	n = line_frame(payload, (size_t)len, spoil, f->corruption, line);
	frame_describe(&e->frame, what, sizeof(what));
	say(l, "%s %s%s%s", e->resends ? "resend" : "tx", what,
	    spoil ? " [corrupted: " : "", spoil ? ccd_corruption_name(f->corruption) : "");
	if (spoil)
		say(l, "fault corrupt %s: %u more", ccd_corruption_name(f->corruption), f->corrupt);
	l->ops->line_write(l->userdata, line, n);
	l->counters.tx_frames++;
	if (twice) {
		say(l, "fault duplicate: %04X sent twice, %u more", e->frame.msgno, f->duplicate);
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

/* Start the next frame if none is in flight. */
static void pump(struct ccd_link *l, uint64_t now)
{
	struct tx_entry *e;

	if (!l->tx_len || !can_send(l))
		return;
	e = &l->tx[l->tx_head];
	if (e->in_flight)
		return;
	e->in_flight = true;
	e->sent_at = now;
	e->resends = 0;
	transmit(l, e);
}

static void tx_pop(struct ccd_link *l)
{
	l->tx_head = (l->tx_head + 1) % CCD_LINK_TX_TABLE;
	l->tx_len--;
	if (l->fence)
		l->fence--;
}

/* ------------------------------------------------------------ receive */

static bool rx_seen(struct ccd_link *l, const struct unet_frame *f, uint64_t now)
{
	for (size_t i = 0; i < CCD_LINK_RX_TABLE; i++) {
		struct rx_entry *e = &l->rx[i];

		if (e->used && e->msgno == f->msgno && strcmp(e->src, f->src) == 0 &&
		    now - e->at < l->p.duplicate_expiry_ms)
			return true;
	}
	return false;
}

static void rx_record(struct ccd_link *l, const struct unet_frame *f, uint64_t now)
{
	struct rx_entry *e = &l->rx[l->rx_next];

	l->rx_next = (l->rx_next + 1) % CCD_LINK_RX_TABLE;
	*e = (struct rx_entry) { .msgno = f->msgno, .at = now, .used = true };
	memcpy(e->src, f->src, sizeof(e->src));
}

static void ack_received(struct ccd_link *l, uint64_t now, const struct unet_frame *f)
{
	struct tx_entry *e = l->tx_len ? &l->tx[l->tx_head] : NULL;

	if (!e || !e->in_flight || e->frame.msgno != f->msgno || strcmp(e->frame.dest, f->src)) {
		say(l, "stray ACK %04X from %s", f->msgno, f->src);
		return;
	}
	if (l->faults.ignore_acks) {
		l->faults.ignore_acks--;
		say(l, "fault ignore-acks: ACK %04X not heard, %u more", f->msgno,
		    l->faults.ignore_acks);
		return;
	}
	tx_pop(l);
	pump(l, now);
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
	if (rx_seen(l, &f, now_ms)) {
		l->counters.rx_duplicates++;
		say(l, "duplicate %04X from %s: not acted on", f.msgno, f.src);
		return;
	}
	rx_record(l, &f, now_ms);
	deliver(l, &f);
}

/* ------------------------------------------------------------ transmit */

int ccd_link_send(struct ccd_link *l, uint64_t now_ms, enum unet_frame_type type,
		  const char *dest, const struct unet_mech *msgs, size_t n)
{
	struct tx_entry *e = NULL;
	int r = 0;

	if ((type != UNET_FRAME_COMMAND && type != UNET_FRAME_STATUS) || !unet_name_valid(dest))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!e || (r = unet_body_append(e->frame.body, sizeof(e->frame.body),
						&e->frame.body_len, &msgs[i])) == -ENOBUFS) {
			if (l->tx_len == CCD_LINK_TX_TABLE) {
				l->counters.table_full += n - i;
				say(l, "transmit table full: %zu messages dropped", n - i);
				pump(l, now_ms);
				return -ENOBUFS;
			}
			e = &l->tx[(l->tx_head + l->tx_len++) % CCD_LINK_TX_TABLE];
			*e = (struct tx_entry) { .frame = { .type = type, .msgno = l->next_number++ } };
			memcpy(e->frame.dest, dest, strlen(dest) + 1);
			memcpy(e->frame.src, l->p.name, sizeof(e->frame.src));
			r = unet_body_append(e->frame.body, sizeof(e->frame.body),
					     &e->frame.body_len, &msgs[i]);
		}
		if (r < 0) {
			/* Not encodable: the frame goes with what it had before. */
			say(l, "cannot send a message to %s: %s", dest, strerror(-r));
			if (e->frame.body_len == 0) {
				l->tx_len--;
				l->next_number--;
			}
			pump(l, now_ms);
			return -EINVAL;
		}
	}
	pump(l, now_ms);
	return 0;
}

void ccd_link_tick(struct ccd_link *l, uint64_t now_ms)
{
	struct tx_entry *e;

	if (l->faults.silent && l->faults.silent_until && now_ms >= l->faults.silent_until) {
		l->faults.silent = false;
		l->faults.silent_until = 0;
		say(l, "fault silent: over");
	}
	if (!l->tx_len || !can_send(l))
		return;
	e = &l->tx[l->tx_head];
	if (!e->in_flight) {
		pump(l, now_ms);
		return;
	}
	if (now_ms < e->sent_at + l->p.resend_ms)
		return;
	if (e->resends >= l->p.resend_limit) {
		l->counters.dropped++;
		say(l, "dropped %04X after %u resends", e->frame.msgno, e->resends);
		tx_pop(l);
		pump(l, now_ms);
		return;
	}
	e->resends++;
	e->sent_at = now_ms;
	l->counters.resends++;
	transmit(l, e);
}

uint64_t ccd_link_next_deadline(const struct ccd_link *l)
{
	uint64_t t = NEVER;

	if (l->faults.silent && l->faults.silent_until)
		t = l->faults.silent_until;
	if (l->tx_len && can_send(l) && l->tx[l->tx_head].in_flight) {
		uint64_t resend = l->tx[l->tx_head].sent_at + l->p.resend_ms;

		if (resend < t)
			t = resend;
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
	l->fence = quiet ? l->tx_len : 0;
	if (!quiet)
		ccd_link_tick(l, now_ms);
}

void ccd_link_set_dead(struct ccd_link *l, bool dead)
{
	l->dead = dead;
}

void ccd_link_restart(struct ccd_link *l, uint16_t first_number)
{
	l->tx_len = 0;
	l->fence = 0;
	memset(l->rx, 0, sizeof(l->rx));
	l->next_number = first_number;
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
	return l->next_number;
}

void ccd_link_set_next_number(struct ccd_link *l, uint16_t number)
{
	l->next_number = number;
}

size_t ccd_link_queued(const struct ccd_link *l)
{
	return l->tx_len;
}
