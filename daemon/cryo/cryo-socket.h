/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP sockets of the Cryostream link: the status socket every
 * controller broadcasts to (port 30304, shared with other programs on the
 * host through SO_REUSEADDR and SO_REUSEPORT, as the EPICS support needed
 * an asyn patch for), and the socket commands are sent from.
 */
#ifndef STATIOND_CRYO_CRYO_SOCKET_H
#define STATIOND_CRYO_CRYO_SOCKET_H

#include <netinet/in.h>
#include <stdint.h>

#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cs800-command.h"

/*
 * Open a non-blocking, close-on-exec UDP socket bound to bind_address
 * (INADDR_ANY:30304 to hear broadcasts). Returns the fd or -errno.
 */
int cryo_status_socket_open(const struct sockaddr_in *bind_address);

/*
 * Read the datagrams waiting on fd into the link, stamped now_usec, but at
 * most max of them: a flood of packets must not keep the caller (an event
 * loop callback) from returning; with a level-triggered source the rest
 * comes at the next dispatch, after the loop has served everything else
 * that is pending. Every datagram is passed whole, so an oversized one is
 * rejected for its real length. Returns the number read (fewer than max:
 * the socket is empty now) or -errno.
 */
int cryo_status_socket_drain(int fd, struct cryo_link *link, uint64_t now_usec, unsigned int max);

/* A non-blocking, close-on-exec UDP socket to send commands from. */
int cryo_command_socket_open(void);

/* Send one command packet: 0, -errno, or -EIO for a short send. */
int cryo_command_send(int fd, const struct sockaddr_in *to, const struct cs800_command *command);

#endif
