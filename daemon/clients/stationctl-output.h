/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What stationctl prints, as pure functions of the station model and the
 * time, so the unit tests compare them with golden files: the status
 * screen, the lists, `show` of one object, and each as JSON.
 */
#ifndef STATIOND_CLIENTS_STATIONCTL_OUTPUT_H
#define STATIOND_CLIENTS_STATIONCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/clients/json-writer.h"
#include "daemon/clients/station-model.h"

/* now_usec: the wall clock, for "in 2h 5min". */
void output_status(FILE *out, const struct station_model *m, uint64_t now_usec);
void output_status_json(struct json_writer *w, const struct station_model *m);

int output_detectors(FILE *out, const struct station_model *m, bool legend);
int output_manifolds(FILE *out, const struct station_model *m, bool legend);
int output_cards(FILE *out, const struct station_model *m, bool legend);
void output_detectors_json(struct json_writer *w, const struct station_model *m);
void output_manifolds_json(struct json_writer *w, const struct station_model *m);
void output_cards_json(struct json_writer *w, const struct station_model *m);

void output_detector(FILE *out, const struct model_detector *d, uint64_t now_usec);
void output_manifold(FILE *out, const struct model_manifold *mf, uint64_t now_usec);
void output_card(FILE *out, const struct model_card *c);
/* stationctl ccd NAME status / settings. */
void output_ccd(FILE *out, const struct model_ccd *c);
void output_ccd_settings(FILE *out, const struct model_ccd *c);
void output_ccd_json(struct json_writer *w, const struct model_ccd *c);
void output_detector_json(struct json_writer *w, const struct model_detector *d);
void output_manifold_json(struct json_writer *w, const struct model_manifold *mf);
void output_card_json(struct json_writer *w, const struct model_card *c);

/* stationctl monitor: one signal as a line for a person ("detector 7:
 * fill ended: full after 3min 2s, lowest 0.450 V"), and its arguments as
 * text (for --json). m is rewound. */
char *monitor_describe(sd_bus_message *m, char *buf, size_t size);
char *monitor_arguments_text(sd_bus_message *m, char *buf, size_t size);

/* "2026-12-02 14:05:00" local time, "-" for 0. */
char *format_timestamp(uint64_t usec, char buf[static 32]);
/* "1h 5min 3s", "250ms", "0". */
char *format_duration(uint64_t usec, char buf[static 32]);

#endif
