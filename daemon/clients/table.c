// SPDX-License-Identifier: GPL-2.0
/* Column output (see table.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/clients/table.h"

void table_init(struct table *t, size_t n_columns, const char *const *headers)
{
	*t = (struct table){ .n_columns = n_columns < TABLE_COLUMNS_MAX ? n_columns :
					  TABLE_COLUMNS_MAX };
	for (size_t i = 0; i < t->n_columns; i++) {
		t->right[i] = headers[i][0] == '>';
		t->headers[i] = headers[i] + t->right[i];
	}
}

void table_done(struct table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n_rows = 0;
}

int table_add_row(struct table *t, const char *const *cells)
{
	char **grown = realloc(t->cells, (t->n_rows + 1) * t->n_columns * sizeof(char *));

	if (!grown)
		return -ENOMEM;
	t->cells = grown;
	for (size_t i = 0; i < t->n_columns; i++) {
		char *c = strdup(cells[i] ? cells[i] : "-");

		if (!c) {
			for (size_t k = 0; k < i; k++)
				free(t->cells[t->n_rows * t->n_columns + k]);
			return -ENOMEM;
		}
		t->cells[t->n_rows * t->n_columns + i] = c;
	}
	t->n_rows++;
	return 0;
}

static void print_row(const struct table *t, FILE *out, const char *const *cells,
		      const size_t *width)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		bool last = i + 1 == t->n_columns;

		if (t->right[i])
			fprintf(out, "%*s", (int)width[i], cells[i]);
		else if (last)
			fputs(cells[i], out);	/* no trailing blanks */
		else
			fprintf(out, "%-*s", (int)width[i], cells[i]);
		fputs(last ? "\n" : "  ", out);
	}
}

void table_print(const struct table *t, FILE *out, bool legend, const char *footer)
{
	size_t width[TABLE_COLUMNS_MAX] = {};

	for (size_t i = 0; i < t->n_columns; i++) {
		if (legend)
			width[i] = strlen(t->headers[i]);
		for (size_t r = 0; r < t->n_rows; r++) {
			size_t w = strlen(t->cells[r * t->n_columns + i]);

			if (w > width[i])
				width[i] = w;
		}
	}
	if (legend)
		print_row(t, out, t->headers, width);
	for (size_t r = 0; r < t->n_rows; r++)
		print_row(t, out, (const char *const *)&t->cells[r * t->n_columns], width);
	if (legend && footer)
		fprintf(out, "\n%zu %s listed.\n", t->n_rows, footer);
}
