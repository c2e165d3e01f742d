// SPDX-License-Identifier: GPL-2.0
/*
 * UtilityNet framer: turns received bytes into payloads and counts what
 * it throws away; encodes payloads for transmission.
 *
 * Pure code on purpose (see unet_framer.h): no allocation, no locking,
 * no libc or kernel calls, so the line discipline, KUnit and the fuzzer
 * all run exactly this file.
 */
#include "unet_framer.h"

void unet_framer_init(struct unet_framer *f)
{
	*f = (struct unet_framer) {
		.state = UNET_RX_IDLE,
		.min_len = UNET_PAYLOAD_MIN_DEFAULT,
		.max_len = UNET_PAYLOAD_MAX_DEFAULT,
	};
}

/*
 * Limits apply to frames that end after the change; the frame being
 * collected keeps its bytes, which always fit the buffer because
 * max_len never exceeds UNET_PAYLOAD_LIMIT.
 */
int unet_framer_set_limits(struct unet_framer *f, unsigned int min_len,
			   unsigned int max_len)
{
	if (min_len < 1 || max_len > UNET_PAYLOAD_LIMIT || min_len > max_len)
		return -EINVAL;
	f->min_len = min_len;
	f->max_len = max_len;
	return 0;
}

/* Printable 7-bit ASCII is the only payload alphabet of the protocol. */
bool unet_char_is_payload(u8 c)
{
	return c >= 0x20 && c <= 0x7e;
}

bool unet_framer_in_frame(const struct unet_framer *f)
{
	return f->state == UNET_RX_PAYLOAD;
}

/*
 * The tty threw received input away (tcflush, hangup): bytes between what
 * the framer saw and what comes next are lost, so the frame being
 * collected can never end well. It counts as aborted, like a frame cut
 * short by a SYN, and the framer hunts for the next SYN.
 */
void unet_framer_flush(struct unet_framer *f)
{
	if (f->state == UNET_RX_PAYLOAD)
		f->stats.aborted_frames++;
	f->state = UNET_RX_IDLE;
	f->len = 0;
}

static void unet_framer_start(struct unet_framer *f)
{
	f->state = UNET_RX_PAYLOAD;
	f->len = 0;
}

/* Drop the frame being collected: counted once, rest skipped to EOT/SYN. */
static void unet_framer_discard(struct unet_framer *f, u64 *counter)
{
	(*counter)++;
	f->state = UNET_RX_DISCARD;
	f->len = 0;
}

static enum unet_rx_event unet_framer_end(struct unet_framer *f)
{
	f->state = UNET_RX_IDLE;
	if (f->len < f->min_len) {
		f->stats.short_frames++;
		return UNET_RX_NONE;
	}
	/* A shrunk max_len applies to a frame already collected, too. */
	if (f->len > f->max_len) {
		f->stats.long_frames++;
		return UNET_RX_NONE;
	}
	f->stats.rx_frames++;
	f->stats.rx_bytes += f->len;
	return UNET_RX_FRAME;
}

/*
 * Feed one received byte. @flagged means the tty reported a parity,
 * framing, break or overrun error for it: its value cannot be trusted,
 * so it is never taken as SYN, EOT or flow control, and it spoils a
 * frame it falls into. On UNET_RX_FRAME the payload is f->payload[0..len)
 * and stays valid until the next call.
 */
enum unet_rx_event unet_framer_rx_byte(struct unet_framer *f, u8 c,
				       bool flagged)
{
	if (!flagged) {
		if (c == UNET_XON)
			return UNET_RX_XON;
		if (c == UNET_XOFF)
			return UNET_RX_XOFF;
	}

	switch (f->state) {
	case UNET_RX_IDLE:
		if (!flagged && c == UNET_SYN)
			unet_framer_start(f);
		else
			f->stats.noise_bytes++;
		return UNET_RX_NONE;

	case UNET_RX_DISCARD:
		if (!flagged && c == UNET_SYN)
			unet_framer_start(f);
		else if (!flagged && c == UNET_EOT)
			f->state = UNET_RX_IDLE;
		return UNET_RX_NONE;

	case UNET_RX_PAYLOAD:
		break;
	}

	if (flagged) {
		unet_framer_discard(f, &f->stats.bad_frames);
		return UNET_RX_NONE;
	}
	if (c == UNET_SYN) {
		f->stats.aborted_frames++;
		unet_framer_start(f);
		return UNET_RX_NONE;
	}
	if (c == UNET_EOT)
		return unet_framer_end(f);
	if (!unet_char_is_payload(c)) {
		unet_framer_discard(f, &f->stats.bad_frames);
		return UNET_RX_NONE;
	}
	if (f->len >= f->max_len) {
		unet_framer_discard(f, &f->stats.long_frames);
		return UNET_RX_NONE;
	}
	f->payload[f->len++] = c;
	return UNET_RX_NONE;
}

/* 0 if @payload may be sent as one frame, -EINVAL otherwise. */
int unet_payload_check(const u8 *payload, size_t len, unsigned int min_len,
		       unsigned int max_len)
{
	size_t i;

	if (len < min_len || len > max_len || len > UNET_PAYLOAD_LIMIT)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!unet_char_is_payload(payload[i]))
			return -EINVAL;
	return 0;
}

/*
 * Frame a checked payload into @frame (UNET_FRAME_LIMIT bytes). Returns
 * the frame length, len + 2.
 */
size_t unet_frame_encode(u8 *frame, const u8 *payload, size_t len)
{
	size_t i;

	frame[0] = UNET_SYN;
	for (i = 0; i < len; i++)
		frame[i + 1] = payload[i];
	frame[len + 1] = UNET_EOT;
	return len + 2;
}
