// SPDX-License-Identifier: GPL-2.0
/*
 * Controller tracking of the Cryostream link (see cryo-link.h).
 */
#include "daemon/cryo/cryo-link.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cryo/cs800-command.h"
#include "daemon/cryo/cs800-params.h"

struct cryo_link {
	uint64_t silence_usec;
	struct cryo_link_callbacks callbacks;
	void *userdata;
	struct cryo_controller **controllers;
	size_t n_controllers;
	struct cryo_link_counters counters;
	unsigned int decode_flags;
};

int cryo_link_new(uint64_t silence_usec, const struct cryo_link_callbacks *callbacks,
		  void *userdata, struct cryo_link **ret)
{
	struct cryo_link *link;

	if (silence_usec == 0)
		return -EINVAL;
	link = calloc(1, sizeof(*link));
	if (!link)
		return -ENOMEM;
	link->silence_usec = silence_usec;
	if (callbacks)
		link->callbacks = *callbacks;
	link->userdata = userdata;
	*ret = link;
	return 0;
}

void cryo_link_set_verify_checksum(struct cryo_link *link, bool verify)
{
	if (verify)
		link->decode_flags &= ~CS800_DECODE_IGNORE_CHECKSUM;
	else
		link->decode_flags |= CS800_DECODE_IGNORE_CHECKSUM;
}

struct cryo_link *cryo_link_free(struct cryo_link *link)
{
	if (!link)
		return NULL;
	for (size_t i = 0; i < link->n_controllers; i++) {
		free(link->controllers[i]->pairs);
		free(link->controllers[i]);
	}
	free(link->controllers);
	free(link);
	return NULL;
}

_printf_(3, 4)
static int fail(struct cryo_link_error *error, int r, const char *format, ...)
{
	if (error) {
		va_list ap;

		va_start(ap, format);
		vsnprintf(error->message, sizeof(error->message), format, ap);
		va_end(ap);
	}
	return r;
}

/* Names become D-Bus object path elements: [A-Za-z0-9_] only. */
static bool name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CRYO_CONTROLLER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return true;
}

int cryo_link_add_controller(struct cryo_link *link, const char *name, uint16_t number,
			     const struct sockaddr_in *command_address,
			     struct cryo_controller **ret, struct cryo_link_error *error)
{
	_cleanup_free_ struct cryo_controller *c = NULL;
	struct cryo_controller **array;

	if (!name_is_valid(name))
		return fail(error, -EINVAL,
			    "controller name \"%.40s\" must be 1-%d letters, digits or '_'",
			    name, CRYO_CONTROLLER_NAME_MAX);
	for (size_t i = 0; i < link->n_controllers; i++) {
		const struct cryo_controller *o = link->controllers[i];

		if (strcmp(o->name, name) == 0)
			return fail(error, -EEXIST, "controller %s is configured twice", name);
		if (number == 0 || o->configured_number == 0)
			return fail(error, -ENOTUNIQ,
				    "controller %s: number 0 (the only controller on the network) cannot be used with another controller (%s); name each by its number",
				    name, o->name);
		if (o->configured_number == number)
			return fail(error, -EEXIST,
				    "controllers %s and %s both have number %u",
				    o->name, name, number);
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	strcpy(c->name, name);
	c->configured_number = number;
	c->number = number;
	if (command_address) {
		c->has_command_address = true;
		c->command_address = *command_address;
	}

	array = reallocarray(link->controllers, link->n_controllers + 1, sizeof(*array));
	if (!array)
		return -ENOMEM;
	link->controllers = array;
	link->controllers[link->n_controllers++] = c;
	if (ret)
		*ret = c;
	TAKE_PTR(c);
	return 0;
}

struct cryo_controller *cryo_link_controller_by_name(struct cryo_link *link, const char *name)
{
	for (size_t i = 0; i < link->n_controllers; i++)
		if (strcmp(link->controllers[i]->name, name) == 0)
			return link->controllers[i];
	return NULL;
}

size_t cryo_link_controller_count(const struct cryo_link *link)
{
	return link->n_controllers;
}

struct cryo_controller *cryo_link_controller(struct cryo_link *link, size_t index)
{
	return index < link->n_controllers ? link->controllers[index] : NULL;
}

const struct cryo_link_counters *cryo_link_counters(const struct cryo_link *link)
{
	return &link->counters;
}

/* The address c's packets must come from, if it is known yet. */
static bool source_of(const struct cryo_controller *c, struct in_addr *ret)
{
	if (c->has_command_address) {
		*ret = c->command_address.sin_addr;
		return true;
	}
	if (c->source_locked) {
		*ret = c->locked_source;
		return true;
	}
	return false;
}

/* Whether c takes packets from source: its address, or any while it has
 * none yet (the first valid packet locks it). */
static bool source_allowed(const struct cryo_controller *c, const struct sockaddr_in *source)
{
	struct in_addr a;

	return !source_of(c, &a) || a.s_addr == source->sin_addr.s_addr;
}

static struct cryo_controller *controller_by_source(struct cryo_link *link,
						    const struct sockaddr_in *source)
{
	for (size_t i = 0; i < link->n_controllers; i++) {
		struct cryo_controller *c = link->controllers[i];
		struct in_addr a;

		if (source_of(c, &a) && a.s_addr == source->sin_addr.s_addr)
			return c;
	}
	return NULL;
}

static struct cryo_controller *controller_for_number(struct cryo_link *link, uint16_t number)
{
	for (size_t i = 0; i < link->n_controllers; i++)
		if (link->controllers[i]->number == number)
			return link->controllers[i];
	return NULL;
}

/* The number-0 controller still waiting for its first packet, if any. */
static struct cryo_controller *unselected_only_controller(struct cryo_link *link)
{
	if (link->n_controllers == 1 && link->controllers[0]->configured_number == 0 &&
	    link->controllers[0]->number == 0)
		return link->controllers[0];
	return NULL;
}

/* Whose an undecodable packet is: the controller of its address, else
 * the one whose number it carries if that one would take it from there. */
static struct cryo_controller *owner_of_rejected(struct cryo_link *link,
						 const struct cs800_decode_error *error,
						 const struct sockaddr_in *source)
{
	struct cryo_controller *c = controller_by_source(link, source);

	if (c || !error->has_controller_number)
		return c;
	c = controller_for_number(link, error->controller_number);
	if (!c)
		c = unselected_only_controller(link);
	return c && source_allowed(c, source) ? c : NULL;
}

static void count_rejected(struct cryo_link *link, struct cryo_controller *c,
			   enum cs800_reject_reason reason)
{
	link->counters.packets_rejected++;
	link->counters.rejected_by_reason[reason]++;
	if (c) {
		c->packets_rejected++;
		c->rejected_by_reason[reason]++;
	}
}

static void track_checksum_failure(struct cryo_link *link, struct cryo_controller *c,
				   uint64_t now_usec)
{
	uint64_t failing;

	if (!c->checksum_failing) {
		c->checksum_failing = true;
		c->checksum_failing_since_usec = now_usec;
		return;
	}
	failing = now_usec >= c->checksum_failing_since_usec ?
		  now_usec - c->checksum_failing_since_usec : 0;
	if (c->checksum_failing_reported || failing < CRYO_LINK_CHECKSUM_WARNING_USEC)
		return;
	c->checksum_failing_reported = true;
	if (link->callbacks.checksum_failing)
		link->callbacks.checksum_failing(c, failing, link->userdata);
}

static int reject_undecodable(struct cryo_link *link, const struct cs800_decode_error *error,
			      const struct sockaddr_in *source, uint64_t now_usec)
{
	struct cryo_controller *c = owner_of_rejected(link, error, source);

	count_rejected(link, c, error->reason);
	if (c && error->reason == CS800_REJECT_CHECKSUM)
		track_checksum_failure(link, c, now_usec);
	if (link->callbacks.rejected)
		link->callbacks.rejected(c, error, source, link->userdata);
	return -EBADMSG;
}

static int reject_source(struct cryo_link *link, struct cryo_controller *c,
			 const struct sockaddr_in *source)
{
	count_rejected(link, c, CS800_REJECT_SOURCE);
	if (link->callbacks.spoofed)
		link->callbacks.spoofed(c, source, link->userdata);
	return -EPERM;
}

/* Keep the pairs of the packet as sent (Parameters on D-Bus). */
static int keep_pairs(struct cryo_controller *c, const uint8_t *datagram, size_t size)
{
	size_t n;
	const uint8_t *pairs = cs800_status_pairs(datagram, size, &n);

	if (n > c->pairs_capacity) {
		uint8_t *p = realloc(c->pairs, 4 * n);

		if (!p)
			return -ENOMEM;
		c->pairs = p;
		c->pairs_capacity = n;
	}
	if (n)
		memcpy(c->pairs, pairs, 4 * n);
	c->n_pairs = n;
	return 0;
}

/* The new packet over what the ones before said. */
static void merge(struct cryo_controller *c, const struct cs800_status *packet)
{
	const struct cs800_param *params;
	size_t count;

	params = cs800_params(&count);
	for (size_t i = 0; i < count; i++) {
		if (cs800_param_set_has(&packet->present, i)) {
			cs800_param_copy(&params[i], &c->status, packet);
			cs800_param_set_add(&c->received, i);
		} else {
			c->missing[i]++;
		}
	}
	c->status.present = packet->present;
	c->status.parameter_count = packet->parameter_count;
	c->status.unknown_parameters = packet->unknown_parameters;
}

int cryo_link_receive(struct cryo_link *link, const void *datagram, size_t size,
		      const struct sockaddr_in *source, uint64_t now_usec)
{
	struct cs800_decode_error error;
	struct cs800_status status, previous;
	struct cryo_controller *c;
	bool had_status, was_connected;
	int r;

	link->counters.packets_received++;
	r = cs800_status_decode(datagram, size, link->decode_flags, &status, &error);
	if (r < 0)
		return reject_undecodable(link, &error, source, now_usec);

	c = controller_for_number(link, status.controller_number);
	if (!c && link->n_controllers == 1 && link->controllers[0]->configured_number == 0) {
		c = link->controllers[0];
		if (c->number != 0) {
			/* Already bound to another controller. */
			c->conflicts++;
			link->counters.conflicts++;
			if (link->callbacks.conflict)
				link->callbacks.conflict(c, status.controller_number, source,
							 link->userdata);
			return -ENOTUNIQ;
		}
		if (!source_allowed(c, source))
			return reject_source(link, c, source);
		c->number = status.controller_number;
	}
	if (!c) {
		link->counters.packets_foreign++;
		return -ENOENT;
	}
	if (!source_allowed(c, source))
		return reject_source(link, c, source);
	r = keep_pairs(c, datagram, size);
	if (r < 0)
		return r;
	if (!c->has_command_address && !c->source_locked) {
		c->source_locked = true;
		c->locked_source = source->sin_addr;
	}

	had_status = c->has_status;
	was_connected = c->connected;
	previous = c->status;
	merge(c, &status);
	c->has_status = true;
	c->source = *source;
	c->has_source = true;
	c->last_packet_usec = now_usec;
	c->packets_received++;
	c->connected = true;
	c->checksum_failing = false;
	c->checksum_failing_reported = false;

	if (!was_connected && link->callbacks.connection)
		link->callbacks.connection(c, true, link->userdata);
	if (link->callbacks.status)
		link->callbacks.status(c, had_status ? &previous : NULL, link->userdata);
	return 0;
}

void cryo_link_check_silence(struct cryo_link *link, uint64_t now_usec)
{
	for (size_t i = 0; i < link->n_controllers; i++) {
		struct cryo_controller *c = link->controllers[i];

		if (!c->connected || now_usec < c->last_packet_usec ||
		    now_usec - c->last_packet_usec < link->silence_usec)
			continue;
		c->connected = false;
		if (link->callbacks.connection)
			link->callbacks.connection(c, false, link->userdata);
	}
}

uint64_t cryo_link_next_deadline(const struct cryo_link *link)
{
	uint64_t deadline = UINT64_MAX;

	for (size_t i = 0; i < link->n_controllers; i++) {
		const struct cryo_controller *c = link->controllers[i];

		if (c->connected && c->last_packet_usec + link->silence_usec < deadline)
			deadline = c->last_packet_usec + link->silence_usec;
	}
	return deadline;
}

int cryo_controller_command_address(const struct cryo_controller *c, struct sockaddr_in *ret)
{
	if (c->has_command_address) {
		*ret = c->command_address;
		return 0;
	}
	/* The locked address, never the last packet's: a packet cannot
	 * redirect commands. */
	if (!c->source_locked)
		return -ENODATA;
	*ret = (struct sockaddr_in) {
		.sin_family = AF_INET,
		.sin_addr = c->locked_source,
		.sin_port = htons(CS800_COMMAND_PORT),
	};
	return 0;
}
