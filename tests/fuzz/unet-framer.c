// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the UtilityNet framer, kernel/unet/unet_framer.c,
 * compiled unchanged in userspace.
 *
 * Input: byte 0 and 1 choose min_len and max_len; the rest is the line,
 * where 0xFF marks the next byte as received with a parity/framing error.
 * Checked on every input:
 *   - a delivered payload is printable and within the limits;
 *   - every unflagged SYN is accounted for exactly once by the counters
 *     (delivered, aborted, bad, short, long, or still open);
 *   - rx_bytes is the sum of the delivered payload lengths;
 *   - whatever came before, SYN + valid payload + EOT is then delivered
 *     exactly (the framer always resynchronises);
 *   - a payload unet_payload_check() accepts survives encode + receive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/unet/unet_framer.h"

#define FLAG_ESCAPE 0xff

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static uint64_t accounted(const struct unet_framer *f)
{
	const struct unet_rx_stats *s = &f->stats;

	return s->rx_frames + s->aborted_frames + s->bad_frames +
	       s->short_frames + s->long_frames + unet_framer_in_frame(f);
}

/* Feed @c; returns 1 and checks the payload if a frame came out. */
static int feed(struct unet_framer *f, uint8_t c, bool flagged,
		uint64_t *delivered_bytes)
{
	if (unet_framer_rx_byte(f, c, flagged) != UNET_RX_FRAME)
		return 0;
	check(f->len >= f->min_len && f->len <= f->max_len);
	for (size_t i = 0; i < f->len; i++)
		check(unet_char_is_payload(f->payload[i]));
	*delivered_bytes += f->len;
	return 1;
}

static void check_resync(struct unet_framer *f, uint64_t *delivered_bytes)
{
	uint8_t payload[UNET_PAYLOAD_LIMIT];
	uint8_t frame[UNET_FRAME_LIMIT];
	size_t n = f->min_len, len;
	int frames = 0;

	memset(payload, 'R', n);
	len = unet_frame_encode(frame, payload, n);
	for (size_t i = 0; i < len; i++)
		frames += feed(f, frame[i], false, delivered_bytes);
	check(frames == 1);
	check(f->len == n && memcmp(f->payload, payload, n) == 0);
}

static void check_round_trip(const uint8_t *data, size_t size,
			     unsigned int min_len, unsigned int max_len)
{
	uint8_t frame[UNET_FRAME_LIMIT];
	struct unet_framer f;
	uint64_t bytes = 0;
	size_t len;
	int frames = 0;

	if (unet_payload_check(data, size, min_len, max_len) != 0)
		return;
	unet_framer_init(&f);
	check(unet_framer_set_limits(&f, min_len, max_len) == 0);
	len = unet_frame_encode(frame, data, size);
	check(len == size + 2);
	for (size_t i = 0; i < len; i++)
		frames += feed(&f, frame[i], false, &bytes);
	check(frames == 1 && f.len == size && memcmp(f.payload, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int min_len, max_len;
	uint64_t syns = 0, frames = 0, bytes = 0;
	struct unet_framer f;

	if (size < 2)
		return 0;
	min_len = 1 + data[0] % UNET_PAYLOAD_LIMIT;
	max_len = min_len + data[1] % (UNET_PAYLOAD_LIMIT - min_len + 1);
	data += 2;
	size -= 2;

	unet_framer_init(&f);
	check(unet_framer_set_limits(&f, min_len, max_len) == 0);
	check(unet_framer_set_limits(&f, max_len + 1, max_len) == -EINVAL);
	check(f.min_len == min_len && f.max_len == max_len);

	for (size_t i = 0; i < size; i++) {
		bool flagged = false;
		uint8_t c = data[i];

		if (c == FLAG_ESCAPE && i + 1 < size) {
			flagged = true;
			c = data[++i];
		}
		if (c == UNET_SYN && !flagged)
			syns++;
		frames += feed(&f, c, flagged, &bytes);
	}
	check(accounted(&f) == syns);
	check(f.stats.rx_frames == frames && f.stats.rx_bytes == bytes);

	check_resync(&f, &bytes);
	check(accounted(&f) == syns + 1);
	check(f.stats.rx_bytes == bytes);

	check_round_trip(data, size, min_len, max_len);
	return 0;
}
