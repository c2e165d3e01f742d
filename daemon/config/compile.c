// SPDX-License-Identifier: GPL-2.0
/*
 * The compile pipeline. Diagnostics are put into file order at the end:
 * the checker finds cross-reference problems in database order, but a
 * reader fixes a file from the top.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/check.h"
#include "daemon/config/compile.h"
#include "daemon/config/parser.h"

static size_t file_rank(const struct station *s, const char *file)
{
	if (!file)
		return 0;
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i], file) == 0)
			return i + 1;
	return s->n_files + 1;
}

/* Stable insertion sort: diagnostics are few, and equal positions keep
 * their order. */
static void diagnostics_sort(struct diagnostics *d, const struct station *s)
{
	for (size_t i = 1; i < d->n_items; i++) {
		struct diagnostic item = d->items[i];
		size_t rank = file_rank(s, item.file), j = i;

		while (j > 0) {
			const struct diagnostic *prev = &d->items[j - 1];
			size_t prev_rank = file_rank(s, prev->file);

			if (prev_rank < rank || (prev_rank == rank &&
			    (prev->line < item.line ||
			     (prev->line == item.line && prev->column <= item.column))))
				break;
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = item;
	}
}

static int finish(struct station *s, struct diagnostics *d, int r, struct station **ret)
{
	/* Nothing read (the top file is missing): checks would only add noise. */
	if (r >= 0 && s->n_files > 0)
		r = config_check(s, d);
	diagnostics_sort(d, s);
	if (r < 0 || d->out_of_memory) {
		station_free(s);
		return r < 0 ? r : -ENOMEM;
	}
	if (d->n_errors > 0) {
		station_free(s);
		return -EINVAL;
	}
	r = station_link(s);
	if (r < 0) {
		station_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int config_compile_file(const char *path, struct diagnostics *diagnostics,
			struct station **ret)
{
	struct station *s = station_new();

	if (!s)
		return -ENOMEM;
	return finish(s, diagnostics, config_parse(s, &config_loader_files, path, diagnostics),
		      ret);
}

int config_compile_text(const char *name, const char *text, size_t size,
			const struct config_loader *loader, struct diagnostics *diagnostics,
			struct station **ret)
{
	struct station *s = station_new();

	if (!s)
		return -ENOMEM;
	return finish(s, diagnostics,
		      config_parse_text(s, loader, name, text, size, diagnostics), ret);
}
