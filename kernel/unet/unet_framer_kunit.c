// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the UtilityNet framer (unet_framer.c): every edge of
 * the receive state machine, the counters it keeps and the transmit
 * encoder.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "unet_framer.h"

#define SYN "\x16"
#define EOT "\x04"
#define XON "\x11"
#define XOFF "\x13"
/* 25 characters: the default minimum payload. */
#define P25 "SYS       CCD1      00A1A"

/* What a run of bytes produced, as the line discipline would see it. */
struct rx_log {
	int frames;
	int xon;
	int xoff;
	u8 last[UNET_PAYLOAD_LIMIT];
	size_t last_len;
};

static void feed_flagged(struct unet_framer *f, struct rx_log *log,
			 const u8 *buf, size_t n, const bool *flags)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (unet_framer_rx_byte(f, buf[i], flags && flags[i])) {
		case UNET_RX_FRAME:
			log->frames++;
			log->last_len = f->len;
			memcpy(log->last, f->payload, f->len);
			break;
		case UNET_RX_XON:
			log->xon++;
			break;
		case UNET_RX_XOFF:
			log->xoff++;
			break;
		case UNET_RX_NONE:
			break;
		}
	}
}

static void feed(struct unet_framer *f, struct rx_log *log, const char *s)
{
	feed_flagged(f, log, (const u8 *)s, strlen(s), NULL);
}

static void expect_last(struct kunit *test, struct rx_log *log,
			const char *payload)
{
	KUNIT_EXPECT_EQ(test, log->last_len, strlen(payload));
	KUNIT_EXPECT_EQ(test, memcmp(log->last, payload, log->last_len), 0);
}

/* rx + aborted + bad + short + long + open frame == SYNs received. */
static u64 frames_accounted(const struct unet_framer *f)
{
	const struct unet_rx_stats *s = &f->stats;

	return s->rx_frames + s->aborted_frames + s->bad_frames +
	       s->short_frames + s->long_frames + unet_framer_in_frame(f);
}

static void unet_framer_plain_frame(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	expect_last(test, &log, P25);
	KUNIT_EXPECT_EQ(test, f.stats.rx_frames, 1ULL);
	KUNIT_EXPECT_EQ(test, f.stats.rx_bytes, 25ULL);
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 0ULL);
	KUNIT_EXPECT_FALSE(test, unet_framer_in_frame(&f));
}

static void unet_framer_noise_around_frames(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, "junk\r\n" SYN P25 EOT "\x7f\x01 ab" SYN P25 EOT "tail");
	KUNIT_EXPECT_EQ(test, log.frames, 2);
	expect_last(test, &log, P25);
	/* "junk\r\n" 6, "\x7f\x01 ab" 5, "tail" 4 */
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 15ULL);
	KUNIT_EXPECT_EQ(test, f.stats.rx_frames, 2ULL);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 0ULL);
}

static void unet_framer_eot_without_syn(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, EOT P25 EOT EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 28ULL);
	KUNIT_EXPECT_EQ(test, frames_accounted(&f), 0ULL);
	feed(&f, &log, SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
}

static void unet_framer_syn_inside_frame(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, SYN "PARTIAL" SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	expect_last(test, &log, P25);
	KUNIT_EXPECT_EQ(test, f.stats.aborted_frames, 1ULL);
	/* SYN SYN: an empty frame aborted, still one per SYN. */
	feed(&f, &log, SYN SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 2);
	KUNIT_EXPECT_EQ(test, f.stats.aborted_frames, 2ULL);
	KUNIT_EXPECT_EQ(test, frames_accounted(&f), 4ULL);
}

/*
 * A flush of the tty's input loses the bytes between what the framer saw
 * and what comes next: the frame being collected must not be completed
 * by a later EOT (it would glue two halves into one "good" payload).
 */
static void unet_framer_flush_drops_partial_frame(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, SYN "SYS       CCD1");
	KUNIT_EXPECT_TRUE(test, unet_framer_in_frame(&f));
	unet_framer_flush(&f);
	KUNIT_EXPECT_FALSE(test, unet_framer_in_frame(&f));
	KUNIT_EXPECT_EQ(test, f.stats.aborted_frames, 1ULL);
	feed(&f, &log, "      00A1A" EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 12ULL);
	KUNIT_EXPECT_EQ(test, frames_accounted(&f), 1ULL);

	/* between frames and in a discarded frame: nothing more to count */
	unet_framer_flush(&f);
	feed(&f, &log, SYN "\001bad");
	unet_framer_flush(&f);
	KUNIT_EXPECT_EQ(test, f.stats.aborted_frames, 1ULL);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 1ULL);
	KUNIT_EXPECT_EQ(test, frames_accounted(&f), 2ULL);
	feed(&f, &log, SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	expect_last(test, &log, P25);
}

static void unet_framer_bad_bytes(struct kunit *test)
{
	static const char * const bad[] = {
		"\x01", "\x1f", "\x7f", "\x80", "\xff", "\r", "\n", "\t",
	};
	struct unet_framer f;
	struct rx_log log = {};
	char frame[64];
	size_t i;

	unet_framer_init(&f);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(frame, sizeof(frame), SYN "SYS %s CCD1      00A1A" EOT,
			 bad[i]);
		feed(&f, &log, frame);
	}
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, (u64)ARRAY_SIZE(bad));
	/* The rest of a bad frame is part of it, not noise. */
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 0ULL);
	/* The bad frame's EOT resynchronised: the next frame is good. */
	feed(&f, &log, SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	/* A SYN after a bad byte starts a new frame at once. */
	feed(&f, &log, SYN "AB\x01" SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 2);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, (u64)ARRAY_SIZE(bad) + 1);
	KUNIT_EXPECT_EQ(test, f.stats.aborted_frames, 0ULL);
	KUNIT_EXPECT_EQ(test, frames_accounted(&f), (u64)ARRAY_SIZE(bad) + 3);
}

static void unet_framer_parity_flagged(struct kunit *test)
{
	static const u8 frame[] = SYN P25 EOT;
	bool flags[sizeof(frame)] = {};
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);

	/* A flagged printable byte inside a frame spoils it. */
	flags[10] = true;
	feed_flagged(&f, &log, frame, sizeof(frame) - 1, flags);
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 1ULL);
	flags[10] = false;

	/* A flagged SYN does not start a frame: it is noise. */
	flags[0] = true;
	feed_flagged(&f, &log, frame, sizeof(frame) - 1, flags);
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, (u64)sizeof(frame) - 1);
	flags[0] = false;

	/* A flagged EOT does not end one: the frame is bad. */
	flags[sizeof(frame) - 2] = true;
	feed_flagged(&f, &log, frame, sizeof(frame) - 1, flags);
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 2ULL);
	flags[sizeof(frame) - 2] = false;

	/* Flagged XON/XOFF are not flow control. */
	flags[3] = true;
	feed_flagged(&f, &log, (const u8 *)SYN "ab" XOFF "cd" EOT, 7, flags);
	KUNIT_EXPECT_EQ(test, log.xoff, 0);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 3ULL);

	/* Clean again. */
	feed_flagged(&f, &log, frame, sizeof(frame) - 1, NULL);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	expect_last(test, &log, P25);
}

static void unet_framer_min_length(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	KUNIT_EXPECT_EQ(test, f.min_len, (u16)25);
	feed(&f, &log, SYN "SYS       CCD1      00A1" EOT);	/* 24 */
	KUNIT_EXPECT_EQ(test, log.frames, 0);
	KUNIT_EXPECT_EQ(test, f.stats.short_frames, 1ULL);
	feed(&f, &log, SYN P25 EOT);					/* 25 */
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	feed(&f, &log, SYN EOT);					/* 0 */
	KUNIT_EXPECT_EQ(test, f.stats.short_frames, 2ULL);
	KUNIT_EXPECT_EQ(test, frames_accounted(&f), 3ULL);
}

static void unet_framer_max_length(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};
	u8 frame[UNET_PAYLOAD_LIMIT + 3];
	size_t n;

	unet_framer_init(&f);
	KUNIT_EXPECT_EQ(test, f.max_len, (u16)255);

	/* Exactly 255 characters. */
	frame[0] = UNET_SYN;
	memset(frame + 1, 'M', 255);
	frame[256] = UNET_EOT;
	feed_flagged(&f, &log, frame, 257, NULL);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	KUNIT_EXPECT_EQ(test, log.last_len, (size_t)255);

	/* 256: counted long at the 256th character, the rest skipped. */
	memset(frame + 1, 'L', 256);
	frame[257] = UNET_EOT;
	feed_flagged(&f, &log, frame, 258, NULL);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	KUNIT_EXPECT_EQ(test, f.stats.long_frames, 1ULL);
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 0ULL);

	/* Tighter limits move both edges. */
	KUNIT_ASSERT_EQ(test, unet_framer_set_limits(&f, 3, 5), 0);
	feed(&f, &log, SYN "ab" EOT SYN "abc" EOT SYN "abcde" EOT
		       SYN "abcdef" EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 3);
	expect_last(test, &log, "abcde");
	KUNIT_EXPECT_EQ(test, f.stats.short_frames, 1ULL);
	KUNIT_EXPECT_EQ(test, f.stats.long_frames, 2ULL);
	n = frames_accounted(&f);
	KUNIT_EXPECT_EQ(test, n, (size_t)6);
}

static void unet_framer_limits_validated(struct kunit *test)
{
	struct unet_framer f;

	unet_framer_init(&f);
	KUNIT_EXPECT_EQ(test, unet_framer_set_limits(&f, 0, 10), -EINVAL);
	KUNIT_EXPECT_EQ(test, unet_framer_set_limits(&f, 11, 10), -EINVAL);
	KUNIT_EXPECT_EQ(test, unet_framer_set_limits(&f, 1, 256), -EINVAL);
	/* Refused changes leave the limits alone. */
	KUNIT_EXPECT_EQ(test, f.min_len, (u16)25);
	KUNIT_EXPECT_EQ(test, f.max_len, (u16)255);
	KUNIT_EXPECT_EQ(test, unet_framer_set_limits(&f, 10, 10), 0);
	KUNIT_EXPECT_EQ(test, unet_framer_set_limits(&f, 1, 255), 0);
}

static void unet_framer_flow_control_outside(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, XON XOFF "x" XON);
	KUNIT_EXPECT_EQ(test, log.xon, 2);
	KUNIT_EXPECT_EQ(test, log.xoff, 1);
	/* Flow control is not noise; "x" is. */
	KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 1ULL);
	KUNIT_EXPECT_FALSE(test, unet_framer_in_frame(&f));
}

static void unet_framer_flow_control_inside(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};

	unet_framer_init(&f);
	feed(&f, &log, SYN "SYS  " XOFF "     CCD1" XON "      00A1A" EOT);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	KUNIT_EXPECT_EQ(test, log.xon, 1);
	KUNIT_EXPECT_EQ(test, log.xoff, 1);
	/* Removed from the payload, which is still good. */
	expect_last(test, &log, P25);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 0ULL);

	/* Still honoured while a bad frame is skipped. */
	feed(&f, &log, SYN "\x01" XOFF EOT);
	KUNIT_EXPECT_EQ(test, log.xoff, 2);
	KUNIT_EXPECT_EQ(test, f.stats.bad_frames, 1ULL);
}

/* A frame dribbled in byte by byte, and in odd chunks, still arrives. */
static void unet_framer_split_frame(struct kunit *test)
{
	static const char stream[] = "noise" SYN P25 EOT XON SYN P25 EOT;
	struct unet_framer f;
	struct rx_log log = {};
	size_t chunk, off;

	for (chunk = 1; chunk <= 7; chunk++) {
		unet_framer_init(&f);
		memset(&log, 0, sizeof(log));
		for (off = 0; off < sizeof(stream) - 1; off += chunk) {
			size_t n = min(chunk, sizeof(stream) - 1 - off);

			feed_flagged(&f, &log, (const u8 *)stream + off, n,
				     NULL);
			if (off + n < sizeof(stream) - 1)
				KUNIT_EXPECT_LE(test, log.frames, 1);
		}
		KUNIT_EXPECT_EQ(test, log.frames, 2);
		KUNIT_EXPECT_EQ(test, log.xon, 1);
		expect_last(test, &log, P25);
		KUNIT_EXPECT_EQ(test, f.stats.noise_bytes, 5ULL);
	}
}

static void unet_payload_check_and_encode(struct kunit *test)
{
	struct unet_framer f;
	struct rx_log log = {};
	u8 frame[UNET_FRAME_LIMIT];
	size_t n;

	KUNIT_EXPECT_EQ(test, unet_payload_check((const u8 *)P25, 25, 25, 255),
			0);
	KUNIT_EXPECT_EQ(test, unet_payload_check((const u8 *)P25, 24, 25, 255),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, unet_payload_check((const u8 *)P25, 25, 1, 24),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, unet_payload_check((const u8 *)"ab\x7f", 3, 1, 9),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, unet_payload_check((const u8 *)"a" XON, 2, 1, 9),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, unet_payload_check((const u8 *)"~ ", 2, 1, 9), 0);

	n = unet_frame_encode(frame, (const u8 *)P25, 25);
	KUNIT_EXPECT_EQ(test, n, (size_t)27);
	KUNIT_EXPECT_EQ(test, frame[0], (u8)UNET_SYN);
	KUNIT_EXPECT_EQ(test, frame[26], (u8)UNET_EOT);

	unet_framer_init(&f);
	feed_flagged(&f, &log, frame, n, NULL);
	KUNIT_EXPECT_EQ(test, log.frames, 1);
	expect_last(test, &log, P25);
}

static struct kunit_case unet_framer_cases[] = {
	KUNIT_CASE(unet_framer_plain_frame),
	KUNIT_CASE(unet_framer_noise_around_frames),
	KUNIT_CASE(unet_framer_eot_without_syn),
	KUNIT_CASE(unet_framer_syn_inside_frame),
	KUNIT_CASE(unet_framer_flush_drops_partial_frame),
	KUNIT_CASE(unet_framer_bad_bytes),
	KUNIT_CASE(unet_framer_parity_flagged),
	KUNIT_CASE(unet_framer_min_length),
	KUNIT_CASE(unet_framer_max_length),
	KUNIT_CASE(unet_framer_limits_validated),
	KUNIT_CASE(unet_framer_flow_control_outside),
	KUNIT_CASE(unet_framer_flow_control_inside),
	KUNIT_CASE(unet_framer_split_frame),
	KUNIT_CASE(unet_payload_check_and_encode),
	{}
};

static struct kunit_suite unet_framer_suite = {
	.name = "n_unet_framer",
	.test_cases = unet_framer_cases,
};

kunit_test_suite(unet_framer_suite);

MODULE_LICENSE("GPL");
