/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands sent to a Cryostream and not yet confirmed. A command method
 * on the bus returns only when a later status packet shows the command
 * carried out (cs800_command_confirmed(): the set point, target, phase or
 * turbo flag it asked for), or fails when its deadline passes first. This
 * is that bookkeeping, without D-Bus and without clocks of its own: the
 * caller feeds it status packets and the time, and hears about each
 * command once, confirmed or timed out, through a callback.
 *
 * A command is confirmed by a packet decoded after it was sent, never by
 * the status it was sent against; commands confirm independently of each
 * other, in the order they were sent. When the controller counts missed
 * commands (parameter 1073) and the count moves by n, the n oldest
 * commands still waiting after the packet's confirmations are missed:
 * the controller said so, waiting longer would only delay the error.
 */
#ifndef STATIOND_CRYO_CRYO_PENDING_H
#define STATIOND_CRYO_CRYO_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-command.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"

/* At most this many commands wait per controller: a client that floods
 * one controller gets -EBUSY instead of unbounded memory. */
#define CRYO_PENDING_MAX 32

enum cryo_pending_outcome {
	CRYO_PENDING_CONFIRMED,
	CRYO_PENDING_TIMED_OUT,
	CRYO_PENDING_MISSED,		/* the controller counted a missed command */
	CRYO_PENDING_CANCELLED,		/* the list went away first */
};

/* Called once per command; userdata is what cryo_pending_add() got. */
typedef void (*cryo_pending_done_t)(void *userdata, const struct cs800_command *command,
				    enum cryo_pending_outcome outcome, void *context);

struct cryo_pending;

int cryo_pending_new(cryo_pending_done_t done, void *context, struct cryo_pending **ret);
/* Cancels what still waits (done(..., CRYO_PENDING_CANCELLED)). */
struct cryo_pending *cryo_pending_free(struct cryo_pending *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cryo_pending *, cryo_pending_free);

/*
 * A command was sent while `before` was the controller's status; it must
 * be confirmed by deadline_usec. -EBUSY when CRYO_PENDING_MAX wait,
 * -ENOMEM.
 */
int cryo_pending_add(struct cryo_pending *p, const struct cs800_command *command,
		     const struct cs800_status *before, uint64_t deadline_usec, void *userdata);

/* A status packet arrived (previous: the status before it, NULL for the
 * first): completes every command it confirms, then the missed ones.
 * Returns how many commands it completed. */
size_t cryo_pending_status(struct cryo_pending *p, const struct cs800_status *previous,
			   const struct cs800_status *after);

/* Times out every command whose deadline is at or before now. Returns
 * how many. */
size_t cryo_pending_expire(struct cryo_pending *p, uint64_t now_usec);

/* The earliest deadline, UINT64_MAX when nothing waits. */
uint64_t cryo_pending_next_deadline(const struct cryo_pending *p);

size_t cryo_pending_count(const struct cryo_pending *p);

#endif
