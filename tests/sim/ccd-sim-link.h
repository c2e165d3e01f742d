/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CCD controller's end of the UtilityNet link, for the simulator:
 * what the controller does with the payloads between SYN and EOT, as
 * shared/spec/utilitynet.md has it for both ends.
 *
 *  - C and S frames addressed to the controller are acknowledged (an A
 *    frame, dest and src swapped, same number), duplicates too; a frame
 *    already seen from that source with that number (32 entries, 30 s)
 *    is not acted on again. Each mechanism message of a C frame goes to
 *    the controller; those of an S frame from TIM are time replies.
 *  - A frames take the frame in flight off the transmit table; N and B
 *    frames are counted and ignored; D frames are acknowledged and
 *    ignored; frames for other names are not ours.
 *  - Transmit: one unacknowledged frame at a time, the rest queued (32
 *    frames); resent with the same number after a second without ACK;
 *    after 5 resends dropped and counted. Numbers count up from a first
 *    number, 0xFFFF wraps to 0; a reboot starts a new first number.
 *    The tables and the numbering are the host's own (daemon/unet/
 *    unet-tx-table.h, unet-dup-table.h, unet-numbering.h).
 *
 * Faults injected from the control FIFO change what goes on the line
 * (see ccd-sim(1)). Pure code: bytes go out through ops->line_write,
 * time is given by the caller (real milliseconds, never scaled).
 */
#ifndef STATIOND_TESTS_SIM_CCD_SIM_LINK_H
#define STATIOND_TESTS_SIM_CCD_SIM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/unet/unet-frame.h"

#define CCD_LINK_RESEND_MS 1000
#define CCD_LINK_RESEND_LIMIT 5
#define CCD_LINK_DUPLICATE_EXPIRY_MS 30000

/* How the next corrupted frame is spoiled on the line. */
enum ccd_corruption {
	CCD_CORRUPT_NOISE,	/* one payload character becomes a control character */
	CCD_CORRUPT_FIELD,	/* printable, but the number field is not hex */
	CCD_CORRUPT_SHORT,	/* cut to 10 characters, EOT kept */
	CCD_CORRUPT_LONG,	/* padded beyond 255 characters */
	CCD_CORRUPT_CUT,	/* the EOT is lost: the next SYN aborts the frame */
	_CCD_CORRUPT_MAX,
};

struct ccd_link_faults {
	unsigned int drop_acks;		/* ACKs not sent (the frames are acted on) */
	unsigned int ignore_acks;	/* the host's ACKs not heard: ours are resent */
	unsigned int duplicate;		/* transmissions sent twice */
	unsigned int corrupt;		/* transmissions spoiled */
	enum ccd_corruption corruption;
	unsigned int nack;		/* received frames refused with a NACK */
	bool silent;			/* nothing heard, nothing said */
	uint64_t silent_until;		/* real ms; 0: until told */
};

struct ccd_link_counters {
	unsigned long rx_frames, rx_bad, rx_duplicates, rx_not_ours, rx_nacks;
	unsigned long tx_frames, tx_acks, tx_nacks, resends, dropped, table_full;
};

struct ccd_link_ops {
	/* Bytes for the line: SYN payload EOT, or what a fault made of it. */
	void (*line_write)(void *userdata, const uint8_t *bytes, size_t n);
	/* A mechanism message of a C frame addressed to us. */
	void (*command)(void *userdata, const struct unet_mech *m);
	/* A mechanism message of an S frame from TIM addressed to us. */
	void (*time_reply)(void *userdata, const struct unet_mech *m);
	/* One line for the log (no newline). */
	void (*log)(void *userdata, const char *line);
};

struct ccd_link_params {
	char name[UNET_NAME_LEN + 1];		/* ours, e.g. CCD1 */
	char host[UNET_NAME_LEN + 1];		/* where statuses go, SYS */
	uint64_t resend_ms;
	unsigned int resend_limit;
	uint64_t duplicate_expiry_ms;
};

struct ccd_link;

void ccd_link_params_default(struct ccd_link_params *p);
/* -EINVAL for a bad name or limit. */
int ccd_link_new(const struct ccd_link_params *p, const struct ccd_link_ops *ops,
		 void *userdata, uint16_t first_number, struct ccd_link **ret);
void ccd_link_free(struct ccd_link *l);

/* A payload from the line (between SYN and EOT). */
void ccd_link_receive(struct ccd_link *l, uint64_t now_ms, const uint8_t *payload, size_t len);
/*
 * Queue mechanism messages for @dest in frames of @type (C or S), as
 * many per frame as fit. -ENOBUFS when the transmit table is full (the
 * rest is dropped and counted), -EINVAL for a message that cannot be
 * encoded.
 */
int ccd_link_send(struct ccd_link *l, uint64_t now_ms, enum unet_frame_type type,
		  const char *dest, const struct unet_mech *msgs, size_t n);
/* Resends and the end of a timed silence. */
void ccd_link_tick(struct ccd_link *l, uint64_t now_ms);
uint64_t ccd_link_next_deadline(const struct ccd_link *l);

/*
 * Clear to send: false until the host is heard and while it holds us
 * with XOFF. Frames wait, resends too; ACKs still go out. Resuming sends
 * what is due.
 */
void ccd_link_set_clear_to_send(struct ccd_link *l, uint64_t now_ms, bool clear);
/*
 * Quiet: the controller reads out and says nothing new. The frames
 * queued before it fell quiet still go (and are resent); those queued
 * since wait for the end of it. ACKs go out.
 */
void ccd_link_set_quiet(struct ccd_link *l, uint64_t now_ms, bool quiet);
/* The controller is resetting: deaf and dumb, not even ACKs. */
void ccd_link_set_dead(struct ccd_link *l, bool dead);
/* A reboot: transmit and duplicate tables emptied, numbering from @first. */
void ccd_link_restart(struct ccd_link *l, uint16_t first_number);

struct ccd_link_faults *ccd_link_faults(struct ccd_link *l);
const struct ccd_link_counters *ccd_link_counters(const struct ccd_link *l);
/* The number the next new frame gets. */
uint16_t ccd_link_next_number(const struct ccd_link *l);
void ccd_link_set_next_number(struct ccd_link *l, uint16_t number);
/* Frames waiting, the one in flight included. */
size_t ccd_link_queued(const struct ccd_link *l);

const char *ccd_corruption_name(enum ccd_corruption c);
/* _CCD_CORRUPT_MAX for a name that is none. */
enum ccd_corruption ccd_corruption_from_name(const char *name);

#endif
