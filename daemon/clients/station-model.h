/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The station as a client sees it on the bus: every object of
 * org.stationd1 read with one GetManagedObjects (the autofill, its
 * detectors and manifolds, the Cryostreams, the CCDs, the cards), for stationctl
 * and the operator console. model_station() gives the shared target
 * parser (daemon/autofill/targets.h) a station with the same detectors
 * and manifolds, so both clients check targets exactly as the daemon
 * will, and say which part is wrong before anything is sent.
 */
#ifndef STATIOND_CLIENTS_STATION_MODEL_H
#define STATIOND_CLIENTS_STATION_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/config/station.h"

#define MODEL_BUS_NAME "org.stationd1"
#define MODEL_ROOT_PATH "/org/stationd1"

struct model_detector {
	char *path;
	uint32_t number;
	char *manifold;
	double exhaust_volts, reference_volts;	/* NaN: no reading */
	bool valve_open;
	uint64_t valve_changed_timestamp;	/* µs since the epoch, 0 = never */
	uint64_t next_fill_timestamp;		/* 0 = none scheduled */
	uint64_t delay_usec, max_fill_usec, closure_delay_usec;
	char **presets;				/* "HH:MM", NULL-terminated */
	char **status;				/* "avoided", ... */
};

struct model_manifold {
	char *path;
	char *name;
	uint32_t *detectors;
	size_t n_detectors;
	double exhaust_volts, reference_volts;
	bool input_valve_open, output_valve_open;
	uint64_t valve_changed_timestamp;
	uint32_t open_detector_valves, overfull_detectors;
	char **status;
	uint64_t max_fill_usec, closure_delay_usec;
};

struct model_cryostream {
	char *path;
	char *name;
	bool connected;
	double set_point, gas_temperature, target_temperature;
	char *run_mode, *phase, *alarm;
};

/* A CCD's read-out format, as org.stationd1.Ccd's Format. */
struct model_ccd_window {
	bool valid;
	uint32_t x1, y1, x2, y2;
};

struct model_ccd_format {
	uint32_t bin_x, bin_y;
	bool windows_enabled;
	struct model_ccd_window window[2];
};

struct model_ccd {
	char *path;
	char *name;
	bool initialized;
	char *profile;
	char *link;				/* up, down, resending */
	struct model_ccd_format format;
	char *readout_speed, *clear_speed;
	uint32_t preflash_ms, exposure_ms;
	uint32_t phase;				/* 0 idle ... 7 aborted */
	char *phase_name;
	uint32_t elapsed_ms;
	char *shutter;
	bool shutter_ok;
	uint32_t run_number;
	char *run_type, *title;
	uint64_t last_sync_timestamp;		/* 0 = never */
	char *last_file;
	uint64_t short_msg, long_msg, resend, duplicates, nacks, unknown_mnemonics,
		retransmissions, time_requests, rejected_frames;
};

/* One configured line of a card: "3" "valve" "/org/stationd1/detector/4". */
struct model_channel {
	char *line;
	char *function;
	char *object;
};

struct model_card {
	char *path;
	char *name;			/* xvme<crate>-<addr> */
	char *model;			/* what the card says (configured while away) */
	char *configured_model;		/* "" when not configured */
	uint32_t crate;
	uint32_t address;
	bool configured;
	bool present;
	char *id;
	char *self_test;
	char *led;
	uint64_t conversion_timeouts;
	uint64_t conversion_errors;
	char **detectors;		/* object paths */
	char **manifolds;
	struct model_channel *channels;
	size_t n_channels;
	char **spare_channels;
};

struct station_model {
	char *version;
	char *state;
	uint32_t filling_count;
	bool alarm, inhibited;
	struct model_detector *detectors;	/* ascending numbers */
	size_t n_detectors;
	struct model_manifold *manifolds;	/* in the daemon's order */
	size_t n_manifolds;
	struct model_cryostream *cryostreams;	/* by name */
	size_t n_cryostreams;
	struct model_card *cards;		/* by crate and address */
	size_t n_cards;
	struct model_ccd *ccds;			/* by name */
	size_t n_ccds;
};

/* Read everything; error names what failed (the bus's own error). */
int model_load(sd_bus *bus, struct station_model **ret, sd_bus_error *error);
/* Fill the model from a GetManagedObjects reply (for tests: any
 * a{oa{sa{sv}}} message positioned at its start). */
int model_from_managed_objects(sd_bus_message *reply, struct station_model **ret);
/* A PropertiesChanged signal of org.stationd1 applied to the model: 1 when
 * it changed an object the model has, 0 when it is not about one (or not
 * that signal), <0 when unreadable. How the console stays current without
 * polling. */
int model_apply_properties_changed(struct station_model *m, sd_bus_message *signal);
/*
 * Watch stationd's name: handler gets each NameOwnerChanged of
 * org.stationd1 (and only those: every client leaving the bus is a
 * NameOwnerChanged of its unique name too). model_owner_gone() reads one:
 * >0 when stationd left the bus, 0 when it (re)appeared, <0 unreadable.
 */
int model_watch_owner(sd_bus *bus, sd_bus_slot **slot, sd_bus_message_handler_t handler,
		      void *userdata);
int model_owner_gone(sd_bus_message *name_owner_changed);
struct station_model *model_free(struct station_model *m);
static inline void model_freep(struct station_model **m)
{
	if (*m)
		model_free(*m);
}
#define _cleanup_model_ __attribute__((cleanup(model_freep)))

const struct model_detector *model_find_detector(const struct station_model *m, uint32_t number);
const struct model_manifold *model_find_manifold(const struct station_model *m, const char *name);
const struct model_cryostream *model_find_cryostream(const struct station_model *m,
						     const char *name);
const struct model_ccd *model_find_ccd(const struct station_model *m, const char *name);
const struct model_card *model_find_card(const struct station_model *m, const char *name);

/* "avoided" is among the detector's status flags. */
bool model_has_status(char **status, const char *flag);

/* A station with the model's detectors and manifolds, sorted and linked,
 * for targets_parse(); NULL when out of memory. */
struct station *model_station(const struct station_model *m);

#endif
