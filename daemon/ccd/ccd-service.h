/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configured CCDs on the daemon's event loop. For each ccd statement
 * of the station: its /dev/unetN (unet-device), the UtilityNet link state
 * machine (unet-link) with a timer for its resends, the SCCD server
 * (ccd-server) with a timer for its timeouts, the run number in the state
 * directory, the pixel data channel (ccd-data-socket) and the FITS writer
 * (ccd-fits), driven in steps at low priority. No D-Bus here: the bus
 * objects (daemon/bus/bus-ccd.c) start operations through the server and
 * hear about their ends, property changes and runs through the callbacks.
 */
#ifndef STATIOND_CCD_CCD_SERVICE_H
#define STATIOND_CCD_CCD_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/ccd/ccd-server.h"
#include "daemon/config/station.h"
#include "daemon/shared/macro.h"

/* How long a completed run waits for its pixels on the data channel
 * before its file is written with the header alone. */
#define CCD_DATA_GRACE_USEC (20 * UINT64_C(1000000))

struct ccd_unit;
struct ccd_service;

enum ccd_link_state {
	CCD_LINK_DOWN,		/* no frame device */
	CCD_LINK_UP,
	CCD_LINK_RESENDING,	/* the controller is not acknowledging */
};

struct ccd_service_callbacks {
	void (*operation_done)(struct ccd_unit *u, uint64_t id, enum ccd_operation_kind kind,
			       const struct ccd_result *result, void *userdata);
	/* Bits of enum ccd_property, and CCD_SERVICE_PROP_LINK. */
	void (*properties_changed)(struct ccd_unit *u, uint32_t mask, void *userdata);
	void (*run_started)(struct ccd_unit *u, const struct ccd_run *run, void *userdata);
	/* file: the FITS file written, "" when none was. */
	void (*run_ended)(struct ccd_unit *u, const struct ccd_run *run, const char *file,
			  void *userdata);
	void (*controller_reset)(struct ccd_unit *u, void *userdata);
};

#define CCD_SERVICE_PROP_LINK (1u << _CCD_PROP_MAX)

/* state_dir: the run numbers and the default data directories. */
int ccd_service_new(sd_event *event, const struct station *station, const char *state_dir,
		    struct ccd_service **ret);
struct ccd_service *ccd_service_free(struct ccd_service *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ccd_service *, ccd_service_free);

void ccd_service_set_callbacks(struct ccd_service *s, const struct ccd_service_callbacks *callbacks,
			       void *userdata);

size_t ccd_service_count(const struct ccd_service *s);
struct ccd_unit *ccd_service_unit(struct ccd_service *s, size_t i);

const char *ccd_unit_name(const struct ccd_unit *u);
struct ccd_server *ccd_unit_server(struct ccd_unit *u);
enum ccd_link_state ccd_unit_link_state(const struct ccd_unit *u);
const char *ccd_link_state_to_string(enum ccd_link_state state);

/* CLOCK_MONOTONIC and CLOCK_REALTIME µs, as the server takes them. */
uint64_t ccd_now(void);
uint64_t ccd_realtime(void);

/*
 * Load the profile name (its file in the profile directory; "" the
 * configured one) for Setup: 0, or -errno with message holding what is
 * wrong (file:line:col for a bad profile). The file's CCDNAME must be
 * its name.
 */
int ccd_unit_load_profile(struct ccd_unit *u, const char *name, struct ccd_profile *ret,
			  char *message, size_t size);

/* Counters for the bus: the discipline's short and long frames (sysfs;
 * 0 while the device is not open), the seed's RESEND (messages dropped
 * after the resend limit), duplicates, NACKs, unknown mnemonics, resends
 * (retransmissions) and time requests answered as TIM. */
struct ccd_unit_counters {
	uint64_t short_messages, long_messages, resend, duplicates, nacks, unknown_mnemonics;
	uint64_t retransmissions, time_requests, rejected_frames;
};
void ccd_unit_counters(const struct ccd_unit *u, struct ccd_unit_counters *ret);

/* The file of the last run written, "" none. */
const char *ccd_unit_last_file(const struct ccd_unit *u);

/* After starting an operation on the server: arm the timers again. */
void ccd_unit_rearm(struct ccd_unit *u);

#endif
