/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UtilityNet link state machine: what the seed's unetTransmit.c and
 * unetReceive.c do (§3, §6.6, §6.7), with the project's decisions
 * (shared/spec/utilitynet.md):
 *
 * Receive, per payload from /dev/unetN:
 *   - decode (unet-frame.h); a bad payload is counted by its problem and
 *     reported, never acknowledged or acted on;
 *   - A: acknowledges the message in flight (same number, from its
 *     destination), which then leaves the transmit table and the next is
 *     sent; any other ACK is counted as stray;
 *   - N: counted (the message in flight is resent by its timer); B:
 *     counted and ignored;
 *   - C, S and D addressed to the host or to TIM are acknowledged (dest
 *     and src swapped, same number), duplicates too; frames addressed to
 *     anyone else are counted as misaddressed and left alone;
 *   - a C or S frame seen before (same source and number, within the
 *     expiry) is counted as a duplicate and not acted on again; D frames
 *     are logged and acknowledged only;
 *   - each mechanism message of a new C or S frame is handed on by
 *     itself, except UTC and TIM, which the time service answers as TIM
 *     whatever the destination (unet-time-service.h).
 *
 * Transmit: messages queue in the transmit table (unet-tx-table.h), one
 * in flight, resent after the interval with the same number, dropped at
 * the limit with the waiting operation told at once. ACKs go out
 * directly. Numbers come from unet-numbering.h.
 *
 * Pure code: no file descriptors, no clock of its own (every entry point
 * takes CLOCK_MONOTONIC µs; the time service also CLOCK_REALTIME), so the
 * unit tests and the fuzzer drive it deterministically. The I/O side
 * (unet-device.h) hands payloads in and carries payloads out.
 */
#ifndef STATIOND_UNET_UNET_LINK_H
#define STATIOND_UNET_UNET_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/shared/macro.h"
#include "daemon/unet/unet-dup-table.h"
#include "daemon/unet/unet-frame.h"
#include "daemon/unet/unet-tx-table.h"

struct unet_link_config {
	char host_name[UNET_NAME_LEN + 1];	/* "SYS" by default */
	unsigned resend_limit;			/* UNET_RESEND_LIMIT_DEFAULT */
	uint64_t resend_interval_usec;		/* UNET_RESEND_INTERVAL_USEC */
	uint64_t duplicate_expiry_usec;		/* UNET_DUP_EXPIRY_USEC */
	uint16_t first_msgno;			/* unet_numbering_first() */
};

/* The project's defaults, with first_msgno and host_name to fill in. */
void unet_link_config_default(struct unet_link_config *c);

enum unet_delivery {
	UNET_DELIVERED,		/* the peer acknowledged it */
	UNET_DROPPED,		/* no ACK after the resend limit (RESEND counted) */
	UNET_CANCELLED,		/* unet_link_cancel_all(): never acknowledged */
};

struct unet_link_ops {
	/* Put one payload on the line (the I/O side queues it when the
	 * device is busy). A failure is counted in transmit_errors; for a
	 * message the resend timer tries again. */
	int (*transmit)(const char *payload, size_t len, void *userdata);
	/* Every well-formed frame received, before it is acted on, for the
	 * debug log; duplicate: a C or S frame already acted on. */
	void (*frame)(const struct unet_frame *f, bool duplicate, void *userdata);
	/* A payload refused by the decoder. */
	void (*rejected)(const void *payload, size_t len, const struct unet_frame_error *error,
			 void *userdata);
	/* One mechanism message of a new C or S frame addressed to the host
	 * or to TIM (time service messages excepted). */
	void (*mechanism)(const struct unet_frame *f, const struct unet_mech *m, void *userdata);
	/* What became of a message queued with a non-zero tag. */
	void (*delivery)(uint64_t tag, uint16_t msgno, enum unet_delivery result, void *userdata);
	/* unet_link_resending() changed. */
	void (*resending_changed)(bool resending, void *userdata);
};

struct unet_link_counters {
	uint64_t frames_received;		/* well-formed */
	uint64_t frames_rejected;		/* refused by the decoder */
	uint64_t rejected_by_problem[_UNET_FRAME_PROBLEM_MAX];
	uint64_t acks_received;			/* that acknowledged the message in flight */
	uint64_t stray_acks;			/* any other ACK */
	uint64_t acks_sent;
	uint64_t nacks;
	uint64_t broadcasts;
	uint64_t data_frames;
	uint64_t misaddressed;			/* C/S/D/A/N to someone else */
	uint64_t duplicates;			/* C/S frames received again */
	uint64_t messages_queued;		/* new messages (numbers taken) */
	uint64_t transmissions;			/* messages put on the line, resends included */
	uint64_t resends;			/* of those, the repeats */
	uint64_t resend_drops;			/* the seed's RESEND: dropped at the limit */
	uint64_t time_requests;			/* answered by the time service */
	uint64_t transmit_errors;
};

struct unet_link;

/* -EINVAL for an invalid host name or resend limit, -ENOMEM. */
int unet_link_new(const struct unet_link_config *config, const struct unet_link_ops *ops,
		  void *userdata, struct unet_link **ret);
struct unet_link *unet_link_free(struct unet_link *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct unet_link *, unet_link_free);

const char *unet_link_host_name(const struct unet_link *l);

/*
 * Queue a C (or S) frame with this body from the host to dest; it is sent
 * at once when nothing is in flight. *msgno (when non-NULL) receives its
 * number. tag != 0: delivery() tells what became of it. -EBUSY (the
 * transmit table is full: nothing queued, no number taken), -EINVAL (a bad
 * name or body).
 */
int unet_link_send(struct unet_link *l, enum unet_frame_type type, const char *dest,
		   const char *body, uint64_t tag, uint64_t now, uint16_t *msgno);

/* A command request (unet_cmdreq_body()) as a C frame. */
int unet_link_send_cmdreq(struct unet_link *l, const char *dest, const struct unet_mech *command,
			  bool head_number, uint64_t tag, uint64_t now, uint16_t *msgno);

/* One payload from the line (realtime: CLOCK_REALTIME µs, for the time
 * service). */
void unet_link_receive(struct unet_link *l, const void *payload, size_t len, uint64_t now,
		       uint64_t realtime);

/* Resend or drop what is due at now; then unet_link_next_deadline(). */
void unet_link_tick(struct unet_link *l, uint64_t now);

/* When unet_link_tick() is next needed; UINT64_MAX: not before something
 * happens. */
uint64_t unet_link_next_deadline(const struct unet_link *l);

/*
 * Resending: the message in flight has been resent and is still
 * unacknowledged, or the last message was dropped and nothing has been
 * heard from the line since. The bus shows it as the link's "resending".
 */
bool unet_link_resending(const struct unet_link *l);

/* Messages waiting (in flight included). */
size_t unet_link_queued(const struct unet_link *l);

/*
 * Forget every queued message (the controller reset, so their numbers and
 * purposes are void): delivery(UNET_CANCELLED) for each tagged one.
 */
void unet_link_cancel_all(struct unet_link *l);

const struct unet_link_counters *unet_link_counters(const struct unet_link *l);

#endif
