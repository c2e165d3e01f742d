// SPDX-License-Identifier: GPL-2.0
/* What the autofill console shows (see console-view.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/clients/console-view.h"
#include "daemon/clients/stationctl-output.h"

#define LINE_TEXT_MAX 256
/* Overview: the columns before the detectors, and each detector's width. */
#define TOP_PREFIX_WIDTH 30
#define TOP_DETECTOR_WIDTH 8

void text_lines_clear(struct text_lines *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i].text);
	free(t->lines);
	*t = (struct text_lines){};
}

int text_lines_add(struct text_lines *t, enum line_attr attr, const char *format, ...)
{
	char buf[LINE_TEXT_MAX];
	va_list ap;

	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	if (t->n == t->allocated) {
		size_t allocated = t->allocated ? 2 * t->allocated : 32;
		struct text_line *grown = realloc(t->lines, allocated * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->lines = grown;
		t->allocated = allocated;
	}
	t->lines[t->n].text = strdup(buf);
	if (!t->lines[t->n].text)
		return -ENOMEM;
	t->lines[t->n++].attr = attr;
	return 0;
}

char *text_lines_join(const struct text_lines *t)
{
	size_t size = 1, used = 0;
	char *s;

	for (size_t i = 0; i < t->n; i++)
		size += strlen(t->lines[i].text) + 1;
	s = malloc(size);
	if (!s)
		return NULL;
	s[0] = 0;
	for (size_t i = 0; i < t->n; i++)
		used += (size_t)snprintf(s + used, size - used, "%s\n", t->lines[i].text);
	return s;
}

/* From the most urgent: errors, then why it does not fill, then what it
 * does. */
static const struct {
	const char *flag, *code;
} detector_codes[] = {
	{ "overfull", "OVF" },
	{ "underfull", "UND" },
	{ "manifold-error", "ERR" },
	{ "unavailable", "N/A" },
	{ "card-unavailable", "N/A" },
	{ "bias-shutdown", "BSD" },
	{ "avoided", "AVD" },
	{ "filling", "FIL" },
	{ "purging", "PUR" },
	{ "delayed", "DEL" },
};

const char *view_detector_code(const struct model_detector *d)
{
	for (size_t i = 0; i < ELEMENTSOF(detector_codes); i++)
		if (model_has_status(d->status, detector_codes[i].flag))
			return detector_codes[i].code;
	return "ok";
}

static bool is_error(char **status)
{
	return model_has_status(status, "overfull") || model_has_status(status, "underfull") ||
	       model_has_status(status, "manifold-error") ||
	       model_has_status(status, "unavailable") ||
	       model_has_status(status, "card-unavailable");
}

/* "underfull, purging" or "ok". */
static char *status_text(char **status, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (char **s = status; s && *s && used < size; s++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", s == status ? "" : ", ", *s);
	if (!buf[0])
		snprintf(buf, size, "ok");
	return buf;
}

static char *volts_text(double v, char buf[static 16])
{
	if (isnan(v))
		snprintf(buf, 16, "-");
	else
		snprintf(buf, 16, "%.3f V", v);
	return buf;
}

char *view_status_line(const struct station_model *m, const struct view_status *s,
		       uint64_t now_usec, size_t width, char *buf, size_t size)
{
	char left[160], state[32] = "", clock[32], pad[LINE_TEXT_MAX];
	time_t t = (time_t)(now_usec / 1000000);
	struct tm tm;
	size_t n;

	for (size_t i = 0; m && m->state && m->state[i] && i + 1 < sizeof(state); i++)
		state[i] = m->state[i] == '-' ? ' ' : (char)toupper((unsigned char)m->state[i]);
	if (!s->connected || !m)
		snprintf(left, sizeof(left), " AUTOFILL  stationd NOT RUNNING%s%s",
			 s->mode == VIEW_ADMIN ? "  ADMIN" : "", s->view_only ? "  VIEW ONLY" : "");
	else
		snprintf(left, sizeof(left), " AUTOFILL  %s  filling %" PRIu32 "  alarm %s%s%s",
			 state[0] ? state : "?", m->filling_count, m->alarm ? "ON" : "off",
			 s->mode == VIEW_ADMIN ? "  ADMIN" : "", s->view_only ? "  VIEW ONLY" : "");
	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%d %H:%M:%S ", &tm);
	n = strlen(left) + strlen(clock);
	width = width < sizeof(pad) ? width : sizeof(pad) - 1;
	memset(pad, ' ', sizeof(pad));
	pad[n < width ? width - n : 1] = 0;
	snprintf(buf, size, "%s%s%s", left, pad, clock);
	return buf;
}

size_t view_manifold_index(const struct station_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_manifolds; i++)
		if (m->manifolds[i].name && strcmp(m->manifolds[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* A manifold's most urgent flag, "+" when it has more. */
static char *manifold_code(const struct model_manifold *mf, char *buf, size_t size)
{
	size_t n = 0;

	for (char **s = mf->status; s && *s; s++)
		n++;
	if (n == 0)
		snprintf(buf, size, "ok");
	else
		snprintf(buf, size, "%.9s%s", mf->status[0], n > 1 ? "+" : "");
	return buf;
}

int view_top(struct text_lines *t, const struct station_model *m, size_t selected_manifold)
{
	int r;

	r = text_lines_add(t, LINE_HEADING, "%-3s %-10s %-3s %-3s %-5s  %s", "MF", "STATUS", "IN",
			   "OUT", "EXH V", "DETECTORS");
	for (size_t i = 0; r >= 0 && i < m->n_manifolds; i++) {
		const struct model_manifold *mf = &m->manifolds[i];
		char line[LINE_TEXT_MAX], code[16], volts[8];
		size_t used;
		enum line_attr attr = i == selected_manifold ? LINE_SELECTED :
			is_error(mf->status) ? LINE_ALERT : LINE_NORMAL;

		if (isnan(mf->exhaust_volts))
			snprintf(volts, sizeof(volts), "-");
		else
			snprintf(volts, sizeof(volts), "%.2f", mf->exhaust_volts);
		used = (size_t)snprintf(line, sizeof(line), "%-3s %-10s %-3s %-3s %-5s  ", mf->name,
					manifold_code(mf, code, sizeof(code)),
					mf->input_valve_open ? "OPN" : "-",
					mf->output_valve_open ? "OPN" : "-", volts);
		for (size_t k = 0; k < mf->n_detectors; k++) {
			const struct model_detector *d = model_find_detector(m, mf->detectors[k]);

			/* Six to a line, as the seed's manifolds have. */
			if (k && k % 6 == 0) {
				r = text_lines_add(t, attr, "%s", line);
				if (r < 0)
					return r;
				used = (size_t)snprintf(line, sizeof(line), "%*s", TOP_PREFIX_WIDTH, "");
			}
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%*" PRIu32
							 " %-4s", TOP_DETECTOR_WIDTH - 5,
							 mf->detectors[k], d ? view_detector_code(d) : "?");
		}
		/* A selected or faulty manifold keeps its attribute on every line; a
		 * faulty detector makes its manifold's line an alert too. */
		for (size_t k = 0; attr == LINE_NORMAL && k < mf->n_detectors; k++) {
			const struct model_detector *d = model_find_detector(m, mf->detectors[k]);

			if (d && is_error(d->status))
				attr = LINE_ALERT;
		}
		r = text_lines_add(t, attr, "%s", line);
	}
	return r;
}

int view_manifold(struct text_lines *t, const struct station_model *m, size_t manifold,
		  uint32_t selected_detector, uint64_t now_usec)
{
	const struct model_manifold *mf;
	char a[32], b[32], v[16], ref[16], status[256];
	int r;

	if (manifold >= m->n_manifolds)
		return -EINVAL;
	mf = &m->manifolds[manifold];
	r = text_lines_add(t, is_error(mf->status) ? LINE_ALERT : LINE_HEADING, "Manifold %s: %s",
			   mf->name, status_text(mf->status, status, sizeof(status)));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Valves     input %s, output %s, since %s",
				   mf->input_valve_open ? "open" : "closed",
				   mf->output_valve_open ? "open" : "closed",
				   format_timestamp(mf->valve_changed_timestamp, a));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Exhaust    %s (reference %s)",
				   volts_text(mf->exhaust_volts, v),
				   volts_text(mf->reference_volts, ref));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL,
				   "  Detectors  %" PRIu32 " valves open, %" PRIu32 " overfull",
				   mf->open_detector_valves, mf->overfull_detectors);
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Max fill   %s, closure delay %s",
				   format_duration(mf->max_fill_usec, a),
				   format_duration(mf->closure_delay_usec, b));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "%s", "");
	if (r >= 0)
		r = text_lines_add(t, LINE_HEADING, "%5s  %-9s  %-6s  %-19s  %-23s  %s", "DET",
				   "EXHAUST", "VALVE", "NEXT FILL", "PRESETS", "STATUS");
	for (size_t k = 0; r >= 0 && k < mf->n_detectors; k++) {
		const struct model_detector *d = model_find_detector(m, mf->detectors[k]);
		char presets[64] = "";
		size_t used = 0;

		if (!d)
			continue;
		for (char **p = d->presets; p && *p && used < sizeof(presets); p++)
			used += (size_t)snprintf(presets + used, sizeof(presets) - used, "%s%s",
						 p == d->presets ? "" : " ", *p);
		r = text_lines_add(t, d->number == selected_detector ? LINE_SELECTED :
				   is_error(d->status) ? LINE_ALERT : LINE_NORMAL,
				   "%5" PRIu32 "  %-9s  %-6s  %-19s  %-23s  %s", d->number,
				   volts_text(d->exhaust_volts, v), d->valve_open ? "open" : "closed",
				   format_timestamp(d->next_fill_timestamp, a),
				   presets[0] ? presets : "-",
				   status_text(d->status, status, sizeof(status)));
	}
	(void)now_usec;
	return r;
}

/* "sensor xvme0-0c00:4, valve xvme0-0800:4": the object's lines on every
 * card, from the cards' Channels. */
static char *wiring_text(const struct station_model *m, const char *object, char *buf,
			 size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t c = 0; c < m->n_cards; c++)
		for (size_t i = 0; i < m->cards[c].n_channels && used < size; i++) {
			const struct model_channel *ch = &m->cards[c].channels[i];

			if (strcmp(ch->object, object) != 0)
				continue;
			used += (size_t)snprintf(buf + used, size - used, "%s%s %s:%s",
						 buf[0] ? ", " : "", ch->function,
						 m->cards[c].name, ch->line);
		}
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

int view_detector(struct text_lines *t, const struct station_model *m, size_t detector,
		  uint64_t now_usec)
{
	const struct model_detector *d;
	const struct model_manifold *mf;
	char a[32], b[32], v[16], ref[16], status[256], presets[64] = "", wiring[256];
	size_t used = 0, k;
	int r;

	if (detector >= m->n_detectors)
		return -EINVAL;
	d = &m->detectors[detector];
	k = view_manifold_index(m, d->manifold ? d->manifold : "");
	mf = k < m->n_manifolds ? &m->manifolds[k] : NULL;
	for (char **p = d->presets; p && *p && used < sizeof(presets); p++)
		used += (size_t)snprintf(presets + used, sizeof(presets) - used, "%s%s",
					 p == d->presets ? "" : " ", *p);
	r = text_lines_add(t, is_error(d->status) ? LINE_ALERT : LINE_HEADING,
			   "Detector %" PRIu32 " (manifold %s): %s", d->number,
			   d->manifold ? d->manifold : "-",
			   status_text(d->status, status, sizeof(status)));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Exhaust     %s (reference %s)",
				   volts_text(d->exhaust_volts, v), volts_text(d->reference_volts, ref));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Valve       %s since %s",
				   d->valve_open ? "open" : "closed",
				   format_timestamp(d->valve_changed_timestamp, a));
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Next fill   %s%s%s",
				   format_timestamp(d->next_fill_timestamp, a),
				   d->delay_usec ? ", DELAYED by " : "",
				   d->delay_usec ? format_duration(d->delay_usec, b) : "");
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Presets     %s", presets[0] ? presets : "-");
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Max fill    %s, closure delay %s",
				   format_duration(d->max_fill_usec, a),
				   format_duration(d->closure_delay_usec, b));
	if (r >= 0 && mf)
		r = text_lines_add(t, is_error(mf->status) ? LINE_ALERT : LINE_NORMAL,
				   "  Manifold %s  %s; input %s, output %s", mf->name,
				   status_text(mf->status, status, sizeof(status)),
				   mf->input_valve_open ? "open" : "closed",
				   mf->output_valve_open ? "open" : "closed");
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Wiring      %s",
				   wiring_text(m, d->path ? d->path : "", wiring, sizeof(wiring)));
	(void)now_usec;
	return r;
}
