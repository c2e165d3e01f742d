/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Cryostream link on the daemon's event loop: the configured
 * controllers (station.cryostreams) in a cryo_link, the status socket as
 * an sd-event I/O source, the command socket, and the timer that turns a
 * controller's silence into a disconnection. No D-Bus here: the bus
 * objects (daemon/bus/bus-cryostream.c) hear about packets, connections,
 * conflicts and rejections through the link callbacks and send commands
 * through cryo_service_send().
 */
#ifndef STATIOND_CRYO_CRYO_SERVICE_H
#define STATIOND_CRYO_CRYO_SERVICE_H

#include <systemd/sd-event.h>

#include "daemon/config/station.h"
#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cs800-command.h"

/* Datagrams read per dispatch of the status socket. The source is level
 * triggered: what is left is read at its next dispatch, after the loop has
 * run the other pending sources (the safety scan first, by priority). At
 * 1 packet/s per controller this is never the limit; a flood is. */
#define CRYO_SERVICE_DATAGRAMS_PER_DISPATCH 16u

struct cryo_service;

/*
 * Build the link from the station's cryostreams and open the sockets on
 * the loop. A station without cryostreams gets a service with no
 * controllers and no socket (nothing listens). A status port that cannot
 * be bound is logged and tried again every 5 s (the controllers stay
 * disconnected meanwhile): the daemon's other work does not stop for it.
 * -EINVAL from an invalid controller (the compiler prevents that),
 * -ENOMEM, or the error of an event source.
 */
int cryo_service_new(sd_event *event, const struct station *station, struct cryo_service **ret);
struct cryo_service *cryo_service_free(struct cryo_service *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cryo_service *, cryo_service_free);

/* Who hears about the link's events; set once, before the loop runs. */
void cryo_service_set_callbacks(struct cryo_service *s, const struct cryo_link_callbacks *callbacks,
				void *userdata);

struct cryo_link *cryo_service_link(struct cryo_service *s);

/* The configured command confirmation timeout. */
uint64_t cryo_service_command_timeout_usec(const struct cryo_service *s);

/*
 * Where commands for c go: its configured address, else the source of its
 * status packets; either way on the configured command port. -ENODATA
 * before the first packet of a controller without an address.
 */
int cryo_service_command_address(const struct cryo_service *s, const struct cryo_controller *c,
				 struct sockaddr_in *ret);

/* Send a command packet to c: 0, -ENODATA (no address yet) or -errno. */
int cryo_service_send(struct cryo_service *s, const struct cryo_controller *c,
		      const struct cs800_command *command);

/* CLOCK_MONOTONIC in µs, the clock of every time the link keeps. */
uint64_t cryo_service_now(const struct cryo_service *s);

#endif
