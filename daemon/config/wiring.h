/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wiring of a station: which line of which card does what. Used by the
 * checker (one function per line, one direction per XVME-240 port) and by
 * the admin views the seed asks for: the connections of a detector, the
 * connections of a card, the spare channels.
 */
#ifndef STATIOND_CONFIG_WIRING_H
#define STATIOND_CONFIG_WIRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon/config/station.h"

enum wiring_function {
	WIRING_DEWAR_INHIBIT,
	WIRING_ALARM,
	WIRING_MANIFOLD_SENSOR,
	WIRING_MANIFOLD_INPUT_VALVE,
	WIRING_MANIFOLD_OUTPUT_VALVE,
	WIRING_MANUAL_FILL_KEY,
	WIRING_DETECTOR_SENSOR,
	WIRING_DETECTOR_VALVE,
	WIRING_BIAS_SHUTDOWN,
};

/* One configured line. */
struct wiring_use {
	struct channel_ref ref;
	enum wiring_function function;
	const struct manifold *manifold;	/* for the manifold functions */
	const struct detector *detector;	/* for the detector functions */
	const struct source_location *at;	/* where written; line 0 from a database */
};

/* The configuration key of a function: "valve", "input-valve", "alarm"... */
const char *wiring_function_key(enum wiring_function f);

/* Does the station drive this line (relay, output port line, flag)? */
bool wiring_function_is_output(enum wiring_function f);

/* "valve of detector 3", "sensor of manifold A", "dewar-inhibit". */
#define WIRING_DESCRIPTION_MAX 48
char *wiring_use_describe(const struct wiring_use *u, char buf[static WIRING_DESCRIPTION_MAX]);

/*
 * Every configured line, in model order (station, manifolds, detectors),
 * unset lines left out. The uses point into the station, which must
 * outlive them. Returns 0 or -ENOMEM.
 */
int wiring_collect(const struct station *s, struct wiring_use **ret, size_t *ret_n);

/* A line as it is written after the card: "3" (ADC channel, relay),
 * "port1.5", "irq2", "flag0". */
#define WIRING_LINE_NAME_MAX 16
char *wiring_line_name(const struct channel_ref *ref, char buf[static WIRING_LINE_NAME_MAX]);

/* Order by crate, card, line kind and index (0 when the same line). */
int wiring_compare_lines(const struct channel_ref *a, const struct channel_ref *b);

/* The card model a line kind lives on (0 for LINE_NONE). */
uint16_t wiring_model_of_kind(uint8_t kind);

/*
 * Every configured line as wiring_collect() gives them, sorted by line
 * (wiring_compare_lines()): each card's uses are one run, in line order.
 * Collected once, it answers every card's questions without collecting
 * the whole station again per card (the bus's card objects).
 */
int wiring_collect_by_line(const struct station *s, struct wiring_use **ret, size_t *ret_n);

/* The run of card (@crate, @address)'s uses in @by_line (sorted by line):
 * its length, and at *@first where it starts. Binary search. */
size_t wiring_uses_of_card(const struct wiring_use *by_line, size_t n, uint8_t crate,
			   uint16_t address, size_t *first);

/*
 * The lines of a card that nothing uses, in order: ADC channels, relays,
 * or port lines then interrupt inputs then flags. Returns 0 or -ENOMEM.
 * wiring_spare_lines_of() takes the card's own uses, sorted by line (a
 * run from wiring_uses_of_card()), instead of the whole station.
 */
int wiring_spare_lines(const struct station *s, const struct card *c, struct channel_ref **ret,
		       size_t *ret_n);
int wiring_spare_lines_of(const struct card *c, const struct wiring_use *uses, size_t n_uses,
			  struct channel_ref **ret, size_t *ret_n);

/*
 * Admin views, as text:
 *
 *   wiring_print_card():      xvme0-0c00 XVME-560 bipolar
 *                               0      sensor of detector 1
 *                               ...
 *                               spare (18): 7 15 23 ...
 *   wiring_print_detector():  detector 7 on manifold B
 *                               sensor          xvme0-0c00:8
 *                               ...
 *   wiring_print_manifold():  the manifold's lines, then each detector's.
 *
 * Return 0, -ENOMEM, or -EIO when the stream fails.
 */
int wiring_print_card(FILE *f, const struct station *s, const struct card *c);
int wiring_print_detector(FILE *f, const struct station *s, const struct detector *d);
int wiring_print_manifold(FILE *f, const struct station *s, const struct manifold *m);

#endif
