// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer (see json-writer.h). Strings are escaped as RFC 8259
 * requires: quote, backslash and control characters; bytes >= 0x80 pass
 * through (the daemon's strings are UTF-8).
 */
#include <inttypes.h>
#include <math.h>

#include "daemon/clients/json-writer.h"

void json_begin(struct json_writer *w, FILE *out, bool pretty)
{
	*w = (struct json_writer){ .out = out, .pretty = pretty };
	w->first[0] = true;
}

void json_end(struct json_writer *w)
{
	fputc('\n', w->out);
}

static void indent(struct json_writer *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (unsigned i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Before any value: the separator from the previous element. */
static void value_prefix(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		fputc(',', w->out);
	w->first[w->depth] = false;
	indent(w);
}

static void open(struct json_writer *w, char c)
{
	value_prefix(w);
	fputc(c, w->out);
	if (w->depth + 1 < JSON_DEPTH_MAX)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		indent(w);
	fputc(c, w->out);
}

void json_object_begin(struct json_writer *w)
{
	open(w, '{');
}

void json_object_end(struct json_writer *w)
{
	close_(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	open(w, '[');
}

void json_array_end(struct json_writer *w)
{
	close_(w, ']');
}

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	value_prefix(w);
	put_string(w->out, key);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	value_prefix(w);
	put_string(w->out, s);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	value_prefix(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_int(struct json_writer *w, int64_t v)
{
	value_prefix(w);
	fprintf(w->out, "%" PRIi64, v);
}

void json_double(struct json_writer *w, double v)
{
	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	value_prefix(w);
	fprintf(w->out, "%.10g", v);
}

void json_boolean(struct json_writer *w, bool v)
{
	value_prefix(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	value_prefix(w);
	fputs("null", w->out);
}

void json_strv(struct json_writer *w, char **strv)
{
	json_array_begin(w);
	for (char **s = strv; s && *s; s++)
		json_string(w, *s);
	json_array_end(w);
}
