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
 * Nobody else may speak for a controller. One with a configured address
 * takes status packets from that address only; one without locks onto the
 * address its first valid packet came from. A valid packet with its
 * number from any other address is rejected (reason "source", counted on
 * the controller and the link) and reported through the spoofed
 * callback: the controller does not follow it, and its commands keep
 * going where they went (a configured address, else the locked one, port
 * 30305). The lock lasts as long as the link: a controller that really
 * moved needs its address configured, or a restart.
 *
 * Packets of any size are taken (cs800-status.h): the controller's status
 * is the last packet merged over the ones before. A parameter the last
 * packet lacked keeps its last value (zero if it never came), is missing
 * from status.present (its property is stale), and its absence is counted
 * in missing[]. The last packet's raw pairs are kept for the Parameters
 * method.
 *
 * Undecodable packets (see cs800-status.h) are counted by reason on the
 * link, and also on the controller they belong to: the one whose address
 * (configured or locked) they came from, else the one whose number a
 * packet that failed only its checksum carries, if it would take packets
 * from that address. When every packet of a controller has failed its
 * checksum for CRYO_LINK_CHECKSUM_WARNING_USEC (no valid packet of it in
 * between), the checksum_failing callback says so, once. A rejected packet
 * changes nothing else.
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
#define CRYO_LINK_CHECKSUM_WARNING_USEC (UINT64_C(10) * 1000000)
#define CRYO_CONTROLLER_NAME_MAX 32

/* Read-only for users of the link. */
struct cryo_controller {
	char name[CRYO_CONTROLLER_NAME_MAX + 1];
	uint16_t configured_number;	/* 0: the only controller */
	uint16_t number;		/* in use; 0 until a packet selected it */
	bool has_command_address;	/* configured: also the only source */
	struct sockaddr_in command_address;
	bool source_locked;		/* no address configured: the first one */
	struct in_addr locked_source;
	bool has_source;
	struct sockaddr_in source;	/* where its last valid packet came from */

	bool has_status;
	struct cs800_status status;	/* merged over its valid packets */
	struct cs800_param_set received;	/* carried by any packet so far */
	uint8_t *pairs;			/* the last packet's pairs, as sent */
	size_t n_pairs;
	bool connected;
	uint64_t last_packet_usec;

	uint64_t packets_received;
	uint64_t packets_rejected;
	uint64_t rejected_by_reason[_CS800_REJECT_MAX];
	uint64_t conflicts;
	/* Per entry of the parameter table: valid packets without it. */
	uint64_t missing[CS800_PARAMS_MAX];

	/* Packets failing their checksum since its last valid one. */
	bool checksum_failing;
	bool checksum_failing_reported;
	uint64_t checksum_failing_since_usec;

	size_t pairs_capacity;
};

struct cryo_link_callbacks {
	/* A valid packet for c; previous is NULL for its first one, else the
	 * status before this packet was merged. */
	void (*status)(struct cryo_controller *c, const struct cs800_status *previous,
		       void *userdata);
	/* c became connected or disconnected. */
	void (*connection)(struct cryo_controller *c, bool connected, void *userdata);
	/* A controller numbered other_number showed up while c was configured
	 * as the only one (number 0). */
	void (*conflict)(struct cryo_controller *c, uint16_t other_number,
			 const struct sockaddr_in *source, void *userdata);
	/* A valid packet with c's number came from an address that is not
	 * c's; it was rejected (reason "source"). */
	void (*spoofed)(struct cryo_controller *c, const struct sockaddr_in *source,
			void *userdata);
	/* A packet was rejected by the decoder; c is the controller it is
	 * attributed to or NULL. */
	void (*rejected)(struct cryo_controller *c, const struct cs800_decode_error *error,
			 const struct sockaddr_in *source, void *userdata);
	/* Every packet of c has failed its checksum for failing_usec (at
	 * least CRYO_LINK_CHECKSUM_WARNING_USEC); once per such run. */
	void (*checksum_failing)(struct cryo_controller *c, uint64_t failing_usec,
				 void *userdata);
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
 * Configure a controller. command_address NULL: commands go to the
 * address its first valid status packet came from, port 30305, and no
 * other address may send its packets; else that address is the only
 * source of its packets too. Errors, with the reason in *error: -EINVAL
 * (empty, too long or non-alphanumeric name), -EEXIST (name or number
 * already configured), -ENOTUNIQ (number 0 with another controller,
 * either way round).
 */
int cryo_link_add_controller(struct cryo_link *link, const char *name, uint16_t number,
			     const struct sockaddr_in *command_address,
			     struct cryo_controller **ret, struct cryo_link_error *error);

struct cryo_controller *cryo_link_controller_by_name(struct cryo_link *link, const char *name);
size_t cryo_link_controller_count(const struct cryo_link *link);
struct cryo_controller *cryo_link_controller(struct cryo_link *link, size_t index);

/*
 * One datagram. Returns 0 if a controller took it, -EBADMSG if the
 * decoder rejected it, -EPERM if it came from an address that may not
 * speak for the controller whose number it carries, -ENOENT if it came
 * from a controller that is not configured (ignored), -ENOTUNIQ for a
 * conflict with a number-0 controller, -ENOMEM.
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
