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

struct sort_key {
	size_t rank;		/* 0: no file; then files in the order first read */
	unsigned line, column;
	size_t sequence;	/* equal positions keep the order found */
	struct diagnostic item;
};

static int sort_key_compare(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return (x->sequence > y->sequence) - (x->sequence < y->sequence);
}

static size_t file_rank(const struct station *s, const char *file)
{
	if (!file)
		return 0;
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i], file) == 0)
			return i + 1;
	return s->n_files + 1;
}

/* Put diagnostics in file order (a garbage file can yield many thousands,
 * so this is O(n log n)). Out of memory: they stay in the order found. */
static void diagnostics_sort(struct diagnostics *d, const struct station *s)
{
	struct sort_key *keys;

	if (d->n_items < 2)
		return;
	keys = calloc(d->n_items, sizeof(*keys));
	if (!keys)
		return;
	for (size_t i = 0; i < d->n_items; i++)
		keys[i] = (struct sort_key){
			.rank = file_rank(s, d->items[i].file),
			.line = d->items[i].line,
			.column = d->items[i].column,
			.sequence = i,
			.item = d->items[i],
		};
	qsort(keys, d->n_items, sizeof(*keys), sort_key_compare);
	for (size_t i = 0; i < d->n_items; i++)
		d->items[i] = keys[i].item;
	free(keys);
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
