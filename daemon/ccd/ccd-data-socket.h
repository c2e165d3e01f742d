/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pixel data channel of one CCD (README.md, "The pixel data channel"):
 * an AF_UNIX stream socket stationd listens on; the data source connects
 * once per read-out, sends a header line and the pixels for each image,
 * and closes. A complete read-out (the connection closed after whole
 * images) is handed over; anything else is logged and dropped.
 *
 * The event loop never waits on it: the listening socket and the
 * connection are non-blocking sd-event sources at a priority below the
 * daemon's own timers, and one callback reads at most
 * CCD_DATA_READ_BUDGET bytes, so a 17 MB frame arrives over many loop
 * iterations with the autofill scan running between them. One connection
 * at a time (a second waits in the listen backlog).
 */
#ifndef STATIOND_CCD_CCD_DATA_SOCKET_H
#define STATIOND_CCD_CCD_DATA_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/ccd/ccd-format.h"
#include "daemon/ccd/ccd-image-header.h"
#include "daemon/shared/macro.h"

#define CCD_DATA_READ_BUDGET (256u * 1024)
/* Below the defaults (0) of the scan timer and the bus. */
#define CCD_DATA_PRIORITY 50

struct ccd_image {
	struct ccd_image_header header;
	uint8_t *pixels;		/* header.bytes, big-endian, FITS order */
};

void ccd_images_free(struct ccd_image *images, size_t n);

struct ccd_data_socket;

/* A complete read-out: the images, in the order sent (the callee owns
 * them: ccd_images_free()). */
typedef void (*ccd_data_received_t)(struct ccd_image *images, size_t n, void *userdata);

/*
 * Listen on path (a stale socket file there is replaced; any other file
 * is an error). max_bytes bounds the pixels of one read-out. -errno.
 */
int ccd_data_socket_new(sd_event *event, const char *path, uint64_t max_bytes,
			ccd_data_received_t received, void *userdata, struct ccd_data_socket **ret);
/* Closes and removes the socket file. */
struct ccd_data_socket *ccd_data_socket_free(struct ccd_data_socket *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ccd_data_socket *, ccd_data_socket_free);

/* The bound on one read-out (the profile in use decides it). */
void ccd_data_socket_set_max_bytes(struct ccd_data_socket *d, uint64_t max_bytes);

/* Read-outs handed over, and refused (protocol error, too large, cut short). */
uint64_t ccd_data_socket_received(const struct ccd_data_socket *d);
uint64_t ccd_data_socket_refused(const struct ccd_data_socket *d);

#endif
