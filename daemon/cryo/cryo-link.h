/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The status side of the Cryostream link, without sockets: datagrams (with
 * their source address and arrival time) go in, per-controller state and
 * events come out. The daemon feeds it from the UDP socket of
 * cryo-socket.h; tests feed it directly.
 *
 * Controllers are configured by name and factory number (parameter 1028).
 * Number 0 means "the only controller on the network": the first valid
 * packet picks the number, and from then on a packet with another number
 * is a conflict (counted, reported through the conflict callback, and
 * otherwise ignored: the selected controller stays). Configuring 0
 * together with any other controller is refused, because the EPICS rule
 * it comes from only holds with one controller. When every controller is
 * named by number, packets of other controllers are ignored quietly (only
 * counted in packets_foreign).
 *
 * Rejected packets (see cs800-status.h) are counted by reason on the link,
 * and also on the controller whose packets last came from the same source
 * address and port, if any. A rejected packet changes nothing else.
 *
 * A controller is connected from its first valid packet until no packet
 * came for the silence timeout (default 5 s); cryo_link_check_silence()
 * does that transition, at the time cryo_link_next_deadline() gives.
 */
#ifndef STATIOND_CRYO_CRYO_LINK_H
#define STATIOND_CRYO_CRYO_LINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"

#define CRYO_LINK_DEFAULT_SILENCE_USEC (UINT64_C(5) * 1000000)
#define CRYO_CONTROLLER_NAME_MAX 32

/* Read-only for users of the link. */
struct cryo_controller {
	char name[CRYO_CONTROLLER_NAME_MAX + 1];
	uint16_t configured_number;	/* 0: the only controller */
	uint16_t number;		/* in use; 0 until a packet selected it */
	bool has_command_address;	/* configured, else taken from source */
	struct sockaddr_in command_address;
	bool has_source;
	struct sockaddr_in source;	/* where its last valid packet came from */

	bool has_status;
	struct cs800_status status;	/* the last valid packet */
	bool connected;
	uint64_t last_packet_usec;

	uint64_t packets_received;
	uint64_t packets_rejected;
	uint64_t rejected_by_reason[_CS800_REJECT_MAX];
	uint64_t conflicts;
};

struct cryo_link_callbacks {
	/* A valid packet for c; previous is NULL for its first one. */
	void (*status)(struct cryo_controller *c, const struct cs800_status *previous,
		       void *userdata);
	/* c became connected or disconnected. */
	void (*connection)(struct cryo_controller *c, bool connected, void *userdata);
	/* A controller numbered other_number showed up while c was configured
	 * as the only one (number 0). */
	void (*conflict)(struct cryo_controller *c, uint16_t other_number,
			 const struct sockaddr_in *source, void *userdata);
	/* A packet was rejected; c is the controller it is attributed to or
	 * NULL. */
	void (*rejected)(struct cryo_controller *c, const struct cs800_decode_error *error,
			 const struct sockaddr_in *source, void *userdata);
};

struct cryo_link_error {
	char message[160];
};

struct cryo_link;

/* Callbacks may be NULL, as may each of them. -EINVAL for a zero timeout. */
int cryo_link_new(uint64_t silence_usec, const struct cryo_link_callbacks *callbacks,
		  void *userdata, struct cryo_link **ret);
struct cryo_link *cryo_link_free(struct cryo_link *link);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cryo_link *, cryo_link_free);

/* Whether status packets with a wrong checksum are rejected (the default)
 * or accepted (the link setting "checksum ignore", stationd.conf(5)). */
void cryo_link_set_verify_checksum(struct cryo_link *link, bool verify);

/*
 * Configure a controller. command_address NULL: commands go to the source
 * address of its status packets, port 30305. Errors, with the reason in
 * *error: -EINVAL (empty, too long or non-alphanumeric name), -EEXIST (name
 * or number already configured), -ENOTUNIQ (number 0 with another
 * controller, either way round).
 */
int cryo_link_add_controller(struct cryo_link *link, const char *name, uint16_t number,
			     const struct sockaddr_in *command_address,
			     struct cryo_controller **ret, struct cryo_link_error *error);

struct cryo_controller *cryo_link_controller_by_name(struct cryo_link *link, const char *name);
size_t cryo_link_controller_count(const struct cryo_link *link);
struct cryo_controller *cryo_link_controller(struct cryo_link *link, size_t index);

/*
 * One datagram. Returns 0 if a controller took it, -EBADMSG if it was
 * rejected, -ENOENT if it came from a controller that is not configured
 * (ignored), -ENOTUNIQ for a conflict with a number-0 controller.
 */
int cryo_link_receive(struct cryo_link *link, const void *datagram, size_t size,
		      const struct sockaddr_in *source, uint64_t now_usec);

/* Disconnect the controllers that have been silent for the timeout. */
void cryo_link_check_silence(struct cryo_link *link, uint64_t now_usec);

/* When the next controller goes silent, or UINT64_MAX if none is connected. */
uint64_t cryo_link_next_deadline(const struct cryo_link *link);

/* Where commands for c go: -ENODATA before its first packet if no address
 * was configured. */
int cryo_controller_command_address(const struct cryo_controller *c, struct sockaddr_in *ret);

/* Link-wide counters. */
struct cryo_link_counters {
	uint64_t packets_received;	/* every datagram */
	uint64_t packets_rejected;
	uint64_t rejected_by_reason[_CS800_REJECT_MAX];
	uint64_t packets_foreign;	/* valid, of an unconfigured controller */
	uint64_t conflicts;
};
const struct cryo_link_counters *cryo_link_counters(const struct cryo_link *link);

#endif
