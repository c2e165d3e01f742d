/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UtilityNet receive framer and transmit encoder.
 *
 * A frame on the wire is SYN payload EOT; XON and XOFF may appear
 * anywhere and are flow control, never data. This file and
 * unet_framer.c have no kernel dependencies beyond the fixed-width types
 * below, so the same code runs in the n_unet line discipline, in KUnit
 * and in the userspace fuzzer.
 */
#ifndef UNET_FRAMER_H
#define UNET_FRAMER_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
/*
 * The userspace build (fuzzer, tests) gets the kernel's type names from
 * <stdint.h>, which is what checkpatch: PREFER_KERNEL_TYPES flags here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint64_t u64;
#endif

#define UNET_SYN	0x16
#define UNET_EOT	0x04
#define UNET_XON	0x11
#define UNET_XOFF	0x13

/* Payload bounds of the protocol; min_len/max_len move within them. */
#define UNET_PAYLOAD_MIN_DEFAULT	25
#define UNET_PAYLOAD_MAX_DEFAULT	255
#define UNET_PAYLOAD_LIMIT		255
/* An encoded frame: SYN, at most UNET_PAYLOAD_LIMIT characters, EOT. */
#define UNET_FRAME_LIMIT		(UNET_PAYLOAD_LIMIT + 2)

/* What one received byte meant. */
enum unet_rx_event {
	UNET_RX_NONE,	/* consumed; nothing for the caller to do */
	UNET_RX_FRAME,	/* a good payload is in framer->payload */
	UNET_RX_XON,	/* the peer allows us to transmit */
	UNET_RX_XOFF,	/* the peer asks us to stop transmitting */
};

enum unet_rx_state {
	UNET_RX_IDLE,		/* between frames: hunting for SYN */
	UNET_RX_PAYLOAD,	/* after SYN, collecting the payload */
	UNET_RX_DISCARD,	/* frame already dropped; skipping to EOT/SYN */
};

/*
 * Every frame that a SYN opened ends in exactly one of rx_frames,
 * aborted_frames (cut short by a SYN or by a flush of the input),
 * bad_frames, short_frames or long_frames (or is still open), so the
 * counters add up to the number of SYNs received.
 */
struct unet_rx_stats {
	u64 rx_frames;		/* good payloads delivered */
	u64 rx_bytes;		/* payload bytes of those */
	u64 noise_bytes;	/* bytes outside any frame (flow control excluded) */
	u64 aborted_frames;	/* frames cut short by a new SYN */
	u64 bad_frames;		/* non-printable or error-flagged byte */
	u64 short_frames;	/* payload shorter than min_len at EOT */
	u64 long_frames;	/* payload grew beyond max_len */
};

struct unet_framer {
	enum unet_rx_state state;
	u16 min_len;
	u16 max_len;
	u16 len;
	u8 payload[UNET_PAYLOAD_LIMIT];
	struct unet_rx_stats stats;
};

void unet_framer_init(struct unet_framer *f);
int unet_framer_set_limits(struct unet_framer *f, unsigned int min_len,
			   unsigned int max_len);
enum unet_rx_event unet_framer_rx_byte(struct unet_framer *f, u8 c,
				       bool flagged);
bool unet_framer_in_frame(const struct unet_framer *f);
void unet_framer_flush(struct unet_framer *f);

bool unet_char_is_payload(u8 c);
int unet_payload_check(const u8 *payload, size_t len, unsigned int min_len,
		       unsigned int max_len);
size_t unet_frame_encode(u8 *frame, const u8 *payload, size_t len);

#endif /* UNET_FRAMER_H */
