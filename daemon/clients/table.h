/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Column output for stationctl's list verbs, as systemctl prints its
 * lists: a header line in capitals (left out with --no-legend), columns
 * as wide as their widest cell, two spaces between them, numbers right
 * aligned, and "N detectors listed." at the end (also left out).
 */
#ifndef STATIOND_CLIENTS_TABLE_H
#define STATIOND_CLIENTS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_COLUMNS_MAX 12

struct table {
	size_t n_columns;
	const char *headers[TABLE_COLUMNS_MAX];
	bool right[TABLE_COLUMNS_MAX];	/* right-aligned (numbers) */
	char **cells;			/* n_rows * n_columns, strdup'ed */
	size_t n_rows;
};

/* headers: "NUMBER", ...; a header starting with '>' is right-aligned
 * (the '>' is not printed). */
void table_init(struct table *t, size_t n_columns, const char *const *headers);
void table_done(struct table *t);
/* One row of n_columns cells (NULL prints as "-"); -ENOMEM. */
int table_add_row(struct table *t, const char *const *cells);
/* The table; footer: "detectors" gives "12 detectors listed." */
void table_print(const struct table *t, FILE *out, bool legend, const char *footer);

#endif
