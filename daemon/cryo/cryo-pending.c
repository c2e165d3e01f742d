// SPDX-License-Identifier: GPL-2.0
/*
 * Command confirmation tracking (see cryo-pending.h). A small array in
 * sending order: at most CRYO_PENDING_MAX entries, scanned per packet.
 */
#include "daemon/cryo/cryo-pending.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pending_command {
	struct cs800_command command;
	struct cs800_status before;
	uint64_t deadline_usec;
	void *userdata;
};

struct cryo_pending {
	cryo_pending_done_t done;
	void *context;
	struct pending_command entries[CRYO_PENDING_MAX];
	size_t count;
};

int cryo_pending_new(cryo_pending_done_t done, void *context, struct cryo_pending **ret)
{
	struct cryo_pending *p;

	if (!done)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->done = done;
	p->context = context;
	*ret = p;
	return 0;
}

/* Remove entry i, keeping the order, then report it: the callback may add
 * a command of its own. */
static void complete(struct cryo_pending *p, size_t i, enum cryo_pending_outcome outcome)
{
	struct pending_command e = p->entries[i];

	memmove(&p->entries[i], &p->entries[i + 1], (p->count - i - 1) * sizeof(p->entries[0]));
	p->count--;
	p->done(e.userdata, &e.command, outcome, p->context);
}

struct cryo_pending *cryo_pending_free(struct cryo_pending *p)
{
	if (!p)
		return NULL;
	while (p->count > 0)
		complete(p, 0, CRYO_PENDING_CANCELLED);
	free(p);
	return NULL;
}

int cryo_pending_add(struct cryo_pending *p, const struct cs800_command *command,
		     const struct cs800_status *before, uint64_t deadline_usec, void *userdata)
{
	if (p->count == CRYO_PENDING_MAX)
		return -EBUSY;
	p->entries[p->count++] = (struct pending_command){
		.command = *command,
		.before = *before,
		.deadline_usec = deadline_usec,
		.userdata = userdata,
	};
	return 0;
}

size_t cryo_pending_status(struct cryo_pending *p, const struct cs800_status *previous,
			   const struct cs800_status *after)
{
	size_t n = 0, i = 0;
	unsigned int missed = previous ? cs800_commands_missed(previous, after) : 0;

	while (i < p->count) {
		if (cs800_command_confirmed(&p->entries[i].command, &p->entries[i].before, after)) {
			complete(p, i, CRYO_PENDING_CONFIRMED);
			n++;
		} else {
			i++;
		}
	}
	for (; missed > 0 && p->count > 0; missed--, n++)
		complete(p, 0, CRYO_PENDING_MISSED);
	return n;
}

size_t cryo_pending_expire(struct cryo_pending *p, uint64_t now_usec)
{
	size_t n = 0, i = 0;

	while (i < p->count) {
		if (p->entries[i].deadline_usec <= now_usec) {
			complete(p, i, CRYO_PENDING_TIMED_OUT);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

uint64_t cryo_pending_next_deadline(const struct cryo_pending *p)
{
	uint64_t deadline = UINT64_MAX;

	for (size_t i = 0; i < p->count; i++)
		if (p->entries[i].deadline_usec < deadline)
			deadline = p->entries[i].deadline_usec;
	return deadline;
}

size_t cryo_pending_count(const struct cryo_pending *p)
{
	return p->count;
}
