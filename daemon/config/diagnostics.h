/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiler diagnostics: every problem found in a configuration, kept in
 * the order found and printed as "file:line:col: error: message", the
 * format editors and CI logs already understand.
 */
#ifndef STATIOND_CONFIG_DIAGNOSTICS_H
#define STATIOND_CONFIG_DIAGNOSTICS_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/config/source-location.h"
#include "daemon/shared/macro.h"

enum diagnostic_severity {
	DIAGNOSTIC_ERROR,
	DIAGNOSTIC_WARNING,
};

struct diagnostic {
	enum diagnostic_severity severity;
	char *file;		/* NULL when not tied to a file */
	unsigned line, column;
	char *message;
};

struct diagnostics {
	struct diagnostic *items;
	size_t n_items;
	unsigned n_errors;
	unsigned n_warnings;
	bool out_of_memory;	/* a diagnostic could not be recorded */
};

void diagnostics_init(struct diagnostics *d);
void diagnostics_done(struct diagnostics *d);

/* Record a diagnostic at a location (NULL or line 0: no location). */
void diagnostic_error(struct diagnostics *d, const struct source_location *at,
		      const char *format, ...) _printf_(3, 4);
void diagnostic_warning(struct diagnostics *d, const struct source_location *at,
			const char *format, ...) _printf_(3, 4);

/* One line per diagnostic, in the order recorded. */
void diagnostics_print(const struct diagnostics *d, FILE *f);

/* Format one diagnostic as printed; returns a malloc'd string or NULL. */
char *diagnostic_format(const struct diagnostic *item);

#endif
