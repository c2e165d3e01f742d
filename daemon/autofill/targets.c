// SPDX-License-Identifier: GPL-2.0
/*
 * The targets parser. It marks detectors in a bitmap of the station's
 * size, so duplicates are found in one pass and the result comes out in
 * database order whatever order the user typed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/autofill/targets.h"
#include "daemon/shared/macro.h"

void target_set_done(struct target_set *t)
{
	free(t->detectors);
	*t = (struct target_set){};
}

struct targets_parser {
	const struct station *station;
	const char *text;
	bool *selected;
	size_t n_selected;
	unsigned n_items;
	bool named_group;	/* a manifold or all */
	char *error;
	size_t error_size;
};

static int fail(struct targets_parser *p, size_t column, const char *format, ...) _printf_(3, 4);

static int fail(struct targets_parser *p, size_t column, const char *format, ...)
{
	va_list ap;
	int n;

	if (!p->error || !p->error_size)
		return -EINVAL;
	/*
	 * Quote the argument, shortened when long (the column still points),
	 * with bytes other than printable ASCII shown as '?': the message
	 * goes out as a D-Bus string, which must be valid UTF-8.
	 */
	char quoted[65];
	size_t length = strnlen(p->text, 65);
	size_t shown = length > 64 ? 61 : length;

	for (size_t i = 0; i < shown; i++) {
		unsigned char c = p->text[i];

		quoted[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	strcpy(quoted + shown, length > 64 ? "..." : "");
	n = snprintf(p->error, p->error_size, "\"%s\" at column %zu: ", quoted, column + 1);
	if (n < 0 || (size_t)n >= p->error_size)
		n = 0;
	va_start(ap, format);
	vsnprintf(p->error + n, p->error_size - n, format, ap);
	va_end(ap);
	/* Parts of the argument quoted in the message, too. */
	for (char *c = p->error + n; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	return -EINVAL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int select_detector(struct targets_parser *p, size_t column, uint32_t number)
{
	const struct detector *d = station_find_detector(p->station, number);
	size_t index;

	if (!d)
		return fail(p, column, "detector %u is not configured", number);
	index = d - p->station->detectors;
	if (p->selected[index])
		return fail(p, column, "detector %u is named twice", number);
	p->selected[index] = true;
	p->n_selected++;
	return 0;
}

/* A decimal detector number at text[*pos]; advances *pos. */
static int parse_number(struct targets_parser *p, size_t *pos, uint32_t *ret)
{
	size_t start = *pos;
	uint64_t v = 0;

	if (!is_digit(p->text[*pos])) {
		size_t end = *pos;

		while (p->text[end] && p->text[end] != ',' && p->text[end] != '-' &&
		       p->text[end] != ' ' && p->text[end] != '\t')
			end++;
		if (end == *pos)
			return fail(p, start, "a detector number is missing");
		return fail(p, start, "'%.*s' is not a detector number", (int)(end - start),
			    p->text + start);
	}
	while (is_digit(p->text[*pos])) {
		v = v * 10 + (p->text[*pos] - '0');
		if (v > DETECTOR_NUMBER_MAX) {
			while (is_digit(p->text[*pos]))
				(*pos)++;
			return fail(p, start, "'%.*s' is beyond the largest detector number %u",
				    (int)(*pos - start), p->text + start, DETECTOR_NUMBER_MAX);
		}
		(*pos)++;
	}
	if (v == 0)
		return fail(p, start, "detector numbers start at 1");
	*ret = v;
	return 0;
}

static int parse_manifold(struct targets_parser *p, size_t start, size_t end)
{
	char name[MANIFOLD_NAME_MAX + 1];
	const struct manifold *m;
	size_t index;
	unsigned found = 0;

	if (end - start > MANIFOLD_NAME_MAX)
		return fail(p, start, "'%.*s' is not a manifold name (1-2 letters) or \"all\"",
			    (int)(end - start), p->text + start);
	for (size_t i = start; i < end; i++)
		name[i - start] = p->text[i] & ~0x20;	/* upper case */
	name[end - start] = '\0';
	m = station_find_manifold(p->station, name);
	if (!m)
		return fail(p, start, "manifold %s is not configured", name);
	index = m - p->station->manifolds;
	for (size_t i = 0; i < p->station->n_detectors; i++) {
		if (p->station->detectors[i].manifold != index)
			continue;
		if (p->selected[i])
			return fail(p, start, "detector %u (on manifold %s) is named twice",
				    p->station->detectors[i].number, name);
		p->selected[i] = true;
		p->n_selected++;
		found++;
	}
	if (!found)
		return fail(p, start, "manifold %s feeds no detector", name);
	p->named_group = true;
	return 0;
}

static int parse_item(struct targets_parser *p, size_t *pos)
{
	size_t start = *pos, end = *pos;
	uint32_t first, last;
	int r;

	if (is_letter(p->text[start])) {
		while (is_letter(p->text[end]))
			end++;
		if (p->text[end] == '-')
			return fail(p, start, "ranges are of detector numbers, not manifolds");
		if (p->text[end] && p->text[end] != ',' && p->text[end] != ' ' &&
		    p->text[end] != '\t')
			return fail(p, end, "unexpected '%c' after '%.*s'", p->text[end],
				    (int)(end - start), p->text + start);
		*pos = end;
		if (end - start == 3 && strncasecmp(p->text + start, "all", 3) == 0)
			return fail(p, start, "\"all\" cannot be combined with other targets");
		return parse_manifold(p, start, end);
	}

	r = parse_number(p, pos, &first);
	if (r < 0)
		return r;
	if (p->text[*pos] != '-')
		return select_detector(p, start, first);

	(*pos)++;
	if (is_letter(p->text[*pos]))
		return fail(p, start, "ranges are of detector numbers, not manifolds");
	r = parse_number(p, pos, &last);
	if (r < 0)
		return r;
	if (last < first)
		return fail(p, start, "range %u-%u runs backwards", first, last);
	for (uint64_t n = first; n <= last; n++) {
		r = select_detector(p, start, n);
		if (r < 0)
			return r;
	}
	return 0;
}

static void skip_spaces(const char *text, size_t *pos)
{
	while (text[*pos] == ' ' || text[*pos] == '\t')
		(*pos)++;
}

int targets_parse(const struct station *s, const char *text, struct target_set *ret,
		  char *error, size_t error_size)
{
	_cleanup_free_ bool *selected = NULL;
	struct targets_parser p = {
		.station = s,
		.text = text,
		.error = error,
		.error_size = error_size,
	};
	size_t pos = 0, start, length = strnlen(text, TARGETS_TEXT_MAX + 1);
	uint32_t *detectors;
	int r;

	*ret = (struct target_set){};
	if (error && error_size)
		error[0] = '\0';
	if (length > TARGETS_TEXT_MAX)
		return fail(&p, 0, "longer than %u characters", TARGETS_TEXT_MAX);
	for (size_t i = 0; i < length; i++) {
		unsigned char c = text[i];

		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return fail(&p, i, "%s 0x%02x", c >= 0x7f ? "non-ASCII byte" :
				    "control character", c);
	}

	selected = calloc(s->n_detectors ? s->n_detectors : 1, sizeof(*selected));
	if (!selected)
		return -ENOMEM;
	p.selected = selected;

	skip_spaces(text, &pos);
	start = pos;
	if (!text[pos])
		return fail(&p, pos, "no targets given (a detector, a range, a manifold or \"all\")");
	if (strncasecmp(text + pos, "all", 3) == 0 && !is_letter(text[pos + 3])) {
		pos += 3;
		skip_spaces(text, &pos);
		if (text[pos])
			return fail(&p, start, "\"all\" cannot be combined with other targets");
		if (!s->n_detectors)
			return fail(&p, start, "the station has no detectors");
		memset(selected, 1, s->n_detectors * sizeof(*selected));
		p.n_selected = s->n_detectors;
		p.named_group = true;
	} else {
		for (;;) {
			skip_spaces(text, &pos);
			if (!text[pos] || text[pos] == ',')
				return fail(&p, pos, "a target is missing %s",
					    text[pos] ? "before ','" : "after ','");
			r = parse_item(&p, &pos);
			if (r < 0)
				return r;
			p.n_items++;
			skip_spaces(text, &pos);
			if (!text[pos])
				break;
			if (text[pos] != ',')
				return fail(&p, pos, "unexpected '%c' (targets are separated by ',')",
					    text[pos]);
			pos++;
		}
	}

	detectors = malloc((p.n_selected ? p.n_selected : 1) * sizeof(*detectors));
	if (!detectors)
		return -ENOMEM;
	for (size_t i = 0, n = 0; i < s->n_detectors; i++)
		if (selected[i])
			detectors[n++] = i;
	*ret = (struct target_set){
		.detectors = detectors,
		.n_detectors = p.n_selected,
		.needs_confirmation = p.named_group || p.n_selected > 1,
	};
	return 0;
}
