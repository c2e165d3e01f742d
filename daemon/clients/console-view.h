/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the autofill console shows, as lines of text with an attribute
 * each, made from the station model alone (pure functions the unit tests
 * compare with golden files; stationd-console paints them with curses):
 *
 *   the status line   the clock, the system state, how many fill, the
 *                     alarm, the mode, VIEW ONLY when the user may not
 *                     intervene, MANUAL FILL
 *   SHOW, 3 levels    all manifolds (one line each, their detectors in
 *                     short), one manifold with its detectors, one
 *                     detector in full with its wiring
 */
#ifndef STATIOND_CLIENTS_CONSOLE_VIEW_H
#define STATIOND_CLIENTS_CONSOLE_VIEW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/clients/station-model.h"
#include "daemon/shared/macro.h"

enum line_attr {
	LINE_NORMAL,
	LINE_HEADING,	/* column headings, titles */
	LINE_SELECTED,	/* what the arrow keys move */
	LINE_ALERT,	/* a fault */
};

struct text_line {
	char *text;
	enum line_attr attr;
};

struct text_lines {
	struct text_line *lines;
	size_t n, allocated;
};

void text_lines_clear(struct text_lines *t);
/* A line (cut at 255 characters); -ENOMEM. */
int text_lines_add(struct text_lines *t, enum line_attr attr, const char *format, ...)
	_printf_(3, 4);
/* The lines as text, one per line, for the golden files. */
char *text_lines_join(const struct text_lines *t);

/* A detector's state in three letters for the overview: the most urgent
 * of its flags ("OVF" overfull, "UND", "ERR" manifold error, "N/A"
 * unavailable, "BSD" bias shutdown, "AVD", "FIL", "PUR", "DEL"), else
 * "ok". */
const char *view_detector_code(const struct model_detector *d);

enum view_mode {
	VIEW_NORMAL,
	VIEW_ADMIN,
};

struct view_status {
	enum view_mode mode;
	bool view_only;			/* the user may not intervene */
	bool connected;			/* stationd is on the bus */
};

/* The top line: "AUTOFILL  state OK  filling 0  alarm off ... 14:05:33". */
char *view_status_line(const struct station_model *m, const struct view_status *s,
		       uint64_t now_usec, size_t width, char *buf, size_t size);

/* SHOW, top level: a line per manifold; the selected one LINE_SELECTED. */
int view_top(struct text_lines *t, const struct station_model *m, size_t selected_manifold);
/* SHOW, manifold level: the manifold, then a line per detector. */
int view_manifold(struct text_lines *t, const struct station_model *m, size_t manifold,
		  uint32_t selected_detector, uint64_t now_usec);
/* SHOW, position level: one detector, its manifold, its lines on the cards. */
int view_detector(struct text_lines *t, const struct station_model *m, size_t detector,
		  uint64_t now_usec);

/* The detector's or manifold's index in the model by its object path's
 * last element, for the wiring views. */
size_t view_manifold_index(const struct station_model *m, const char *name);

#endif
