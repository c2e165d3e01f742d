// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics collection. Running out of memory while reporting a problem
 * must not hide the problem: the count still rises and out_of_memory tells
 * the caller that the list is incomplete.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/diagnostics.h"

void diagnostics_init(struct diagnostics *d)
{
	*d = (struct diagnostics){};
}

void diagnostics_done(struct diagnostics *d)
{
	for (size_t i = 0; i < d->n_items; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	*d = (struct diagnostics){};
}

static void diagnostic_add(struct diagnostics *d, enum diagnostic_severity severity,
			   const struct source_location *at, const char *format, va_list ap)
	_printf_(4, 0);

static void diagnostic_add(struct diagnostics *d, enum diagnostic_severity severity,
			   const struct source_location *at, const char *format, va_list ap)
{
	struct diagnostic item = { .severity = severity };
	struct diagnostic *items;

	if (severity == DIAGNOSTIC_ERROR)
		d->n_errors++;
	else
		d->n_warnings++;

	if (at && at->line) {
		item.line = at->line;
		item.column = at->column;
		if (at->file) {
			item.file = strdup(at->file);
			if (!item.file)
				goto oom;
		}
	}
	if (vasprintf(&item.message, format, ap) < 0) {
		item.message = NULL;
		goto oom;
	}
	/* Messages quote what was written; a configuration may hold any
	 * bytes, a message only printable ASCII (logs, terminals, D-Bus). */
	for (char *c = item.message; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	items = reallocarray(d->items, d->n_items + 1, sizeof(*items));
	if (!items)
		goto oom;
	d->items = items;
	d->items[d->n_items++] = item;
	return;
oom:
	free(item.file);
	free(item.message);
	d->out_of_memory = true;
}

void diagnostic_error(struct diagnostics *d, const struct source_location *at,
		      const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	diagnostic_add(d, DIAGNOSTIC_ERROR, at, format, ap);
	va_end(ap);
}

void diagnostic_warning(struct diagnostics *d, const struct source_location *at,
			const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	diagnostic_add(d, DIAGNOSTIC_WARNING, at, format, ap);
	va_end(ap);
}

char *diagnostic_format(const struct diagnostic *item)
{
	const char *severity = item->severity == DIAGNOSTIC_ERROR ? "error" : "warning";
	char *s;
	int r;

	if (item->line)
		r = asprintf(&s, "%s:%u:%u: %s: %s", item->file ? item->file : "<input>",
			     item->line, item->column, severity, item->message);
	else
		r = asprintf(&s, "%s: %s", severity, item->message);
	return r < 0 ? NULL : s;
}

void diagnostics_print(const struct diagnostics *d, FILE *f)
{
	for (size_t i = 0; i < d->n_items; i++) {
		_cleanup_free_ char *line = diagnostic_format(&d->items[i]);

		if (line)
			fprintf(f, "%s\n", line);
	}
	if (d->out_of_memory)
		fprintf(f, "error: out of memory: some diagnostics were lost\n");
}
