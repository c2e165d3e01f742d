// SPDX-License-Identifier: GPL-2.0
/*
 * Station wiring: the list of configured lines, their descriptions, and
 * the lines left spare.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/wiring.h"
#include "daemon/shared/macro.h"

static const struct {
	const char *key;
	bool output;
} functions[] = {
	[WIRING_DEWAR_INHIBIT] = { "dewar-inhibit", true },
	[WIRING_ALARM] = { "alarm", true },
	[WIRING_MANIFOLD_SENSOR] = { "sensor", false },
	[WIRING_MANIFOLD_INPUT_VALVE] = { "input-valve", true },
	[WIRING_MANIFOLD_OUTPUT_VALVE] = { "output-valve", true },
	[WIRING_MANUAL_FILL_KEY] = { "manual-fill-key", false },
	[WIRING_DETECTOR_SENSOR] = { "sensor", false },
	[WIRING_DETECTOR_VALVE] = { "valve", true },
	[WIRING_BIAS_SHUTDOWN] = { "bias-shutdown", false },
};

const char *wiring_function_key(enum wiring_function f)
{
	return functions[f].key;
}

bool wiring_function_is_output(enum wiring_function f)
{
	return functions[f].output;
}

char *wiring_use_describe(const struct wiring_use *u, char buf[static WIRING_DESCRIPTION_MAX])
{
	if (u->detector)
		snprintf(buf, WIRING_DESCRIPTION_MAX, "%s of detector %u",
			 wiring_function_key(u->function), u->detector->number);
	else if (u->manifold)
		snprintf(buf, WIRING_DESCRIPTION_MAX, "%s of manifold %s",
			 wiring_function_key(u->function), u->manifold->name);
	else
		snprintf(buf, WIRING_DESCRIPTION_MAX, "%s", wiring_function_key(u->function));
	return buf;
}

struct collector {
	struct wiring_use *uses;
	size_t n, capacity;
	bool failed;
};

static void add(struct collector *c, const struct channel_ref *ref, enum wiring_function f,
		const struct manifold *m, const struct detector *d,
		const struct source_location *at)
{
	if (ref->kind == LINE_NONE || c->failed)
		return;
	if (c->n == c->capacity) {
		size_t capacity = c->capacity ? c->capacity * 2 : 64;
		struct wiring_use *uses = reallocarray(c->uses, capacity, sizeof(*uses));

		if (!uses) {
			c->failed = true;
			return;
		}
		c->uses = uses;
		c->capacity = capacity;
	}
	c->uses[c->n++] = (struct wiring_use){
		.ref = *ref, .function = f, .manifold = m, .detector = d, .at = at,
	};
}

int wiring_collect(const struct station *s, struct wiring_use **ret, size_t *ret_n)
{
	const struct station_globals *g = &s->globals;
	struct collector c = {};

	add(&c, &g->dewar_inhibit, WIRING_DEWAR_INHIBIT, NULL, NULL,
	    &g->field_at[STATION_DEWAR_INHIBIT]);
	add(&c, &g->alarm, WIRING_ALARM, NULL, NULL, &g->field_at[STATION_ALARM]);
	for (size_t i = 0; i < s->n_manifolds; i++) {
		const struct manifold *m = &s->manifolds[i];

		add(&c, &m->sensor, WIRING_MANIFOLD_SENSOR, m, NULL,
		    &m->field_at[MANIFOLD_SENSOR]);
		add(&c, &m->input_valve, WIRING_MANIFOLD_INPUT_VALVE, m, NULL,
		    &m->field_at[MANIFOLD_INPUT_VALVE]);
		add(&c, &m->output_valve, WIRING_MANIFOLD_OUTPUT_VALVE, m, NULL,
		    &m->field_at[MANIFOLD_OUTPUT_VALVE]);
		add(&c, &m->manual_fill_key, WIRING_MANUAL_FILL_KEY, m, NULL,
		    &m->field_at[MANIFOLD_MANUAL_FILL_KEY]);
	}
	for (size_t i = 0; i < s->n_detectors; i++) {
		const struct detector *d = &s->detectors[i];

		add(&c, &d->sensor, WIRING_DETECTOR_SENSOR, NULL, d, &d->field_at[DETECTOR_SENSOR]);
		add(&c, &d->valve, WIRING_DETECTOR_VALVE, NULL, d, &d->field_at[DETECTOR_VALVE]);
		add(&c, &d->bias_shutdown, WIRING_BIAS_SHUTDOWN, NULL, d,
		    &d->field_at[DETECTOR_BIAS_SHUTDOWN]);
	}
	if (c.failed) {
		free(c.uses);
		return -ENOMEM;
	}
	*ret = c.uses;
	*ret_n = c.n;
	return 0;
}

int wiring_compare_lines(const struct channel_ref *a, const struct channel_ref *b)
{
	if (a->crate != b->crate)
		return a->crate < b->crate ? -1 : 1;
	if (a->card != b->card)
		return a->card < b->card ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

uint16_t wiring_model_of_kind(uint8_t kind)
{
	switch (kind) {
	case LINE_ADC:
		return CARD_XVME560;
	case LINE_RELAY:
		return CARD_XVME260;
	case LINE_PORT:
	case LINE_IRQ:
	case LINE_FLAG:
		return CARD_XVME240;
	default:
		return 0;
	}
}

static int use_line_compare(const void *a, const void *b)
{
	const struct wiring_use *x = a, *y = b;

	return wiring_compare_lines(&x->ref, &y->ref);
}

int wiring_collect_by_line(const struct station *s, struct wiring_use **ret, size_t *ret_n)
{
	int r = wiring_collect(s, ret, ret_n);

	if (r >= 0 && *ret_n)
		qsort(*ret, *ret_n, sizeof(**ret), use_line_compare);
	return r;
}

size_t wiring_uses_of_card(const struct wiring_use *by_line, size_t n, uint8_t crate,
			   uint16_t address, size_t *first)
{
	const struct channel_ref lowest = { .crate = crate, .card = address };
	size_t lo = 0, hi = n, end;

	/* The first use at or after the card's lowest line... */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wiring_compare_lines(&by_line[mid].ref, &lowest) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ...and the run of uses on the card from there. */
	for (end = lo; end < n && by_line[end].ref.crate == crate &&
	     by_line[end].ref.card == address; end++)
		;
	*first = lo;
	return end - lo;
}

int wiring_spare_lines_of(const struct card *c, const struct wiring_use *uses, size_t n_uses,
			  struct channel_ref **ret, size_t *ret_n)
{
	static const struct {
		uint16_t model;
		uint8_t kind;
		uint8_t count;
	} lines[] = {
		{ CARD_XVME560, LINE_ADC, ADC_CHANNELS },
		{ CARD_XVME260, LINE_RELAY, RELAY_CHANNELS },
		{ CARD_XVME240, LINE_PORT, TTL_PORT_LINES },
		{ CARD_XVME240, LINE_IRQ, TTL_IRQ_LINES },
		{ CARD_XVME240, LINE_FLAG, TTL_FLAG_LINES },
	};
	_cleanup_free_ struct channel_ref *spare = NULL;
	size_t u = 0, n = 0;

	spare = calloc(TTL_PORT_LINES + TTL_IRQ_LINES + TTL_FLAG_LINES, sizeof(*spare));
	if (!spare)
		return -ENOMEM;
	/* Both in line order: one walk. */
	for (size_t k = 0; k < ELEMENTSOF(lines); k++) {
		if (lines[k].model != c->model)
			continue;
		for (unsigned i = 0; i < lines[k].count; i++) {
			struct channel_ref ref = {
				.crate = c->crate, .card = c->address,
				.kind = lines[k].kind, .index = i,
			};

			while (u < n_uses && wiring_compare_lines(&uses[u].ref, &ref) < 0)
				u++;
			if (u == n_uses || wiring_compare_lines(&uses[u].ref, &ref) != 0)
				spare[n++] = ref;
		}
	}
	*ret = TAKE_PTR(spare);
	*ret_n = n;
	return 0;
}

int wiring_spare_lines(const struct station *s, const struct card *c, struct channel_ref **ret,
		       size_t *ret_n)
{
	_cleanup_free_ struct wiring_use *uses = NULL;
	size_t n_uses, first, n;
	int r;

	r = wiring_collect_by_line(s, &uses, &n_uses);
	if (r < 0)
		return r;
	n = wiring_uses_of_card(uses, n_uses, c->crate, c->address, &first);
	return wiring_spare_lines_of(c, uses + first, n, ret, ret_n);
}

/* The part of a channel reference after the card: "5", "port3.7", "irq2". */
char *wiring_line_name(const struct channel_ref *ref, char buf[static WIRING_LINE_NAME_MAX])
{
	switch (ref->kind) {
	case LINE_PORT:
		snprintf(buf, WIRING_LINE_NAME_MAX, "port%u.%u", ref->index / 8u, ref->index % 8u);
		break;
	case LINE_IRQ:
		snprintf(buf, WIRING_LINE_NAME_MAX, "irq%u", ref->index);
		break;
	case LINE_FLAG:
		snprintf(buf, WIRING_LINE_NAME_MAX, "flag%u", ref->index);
		break;
	default:
		snprintf(buf, WIRING_LINE_NAME_MAX, "%u", ref->index);
		break;
	}
	return buf;
}

int wiring_print_card(FILE *f, const struct station *s, const struct card *c)
{
	_cleanup_free_ struct wiring_use *uses = NULL;
	_cleanup_free_ struct channel_ref *spare = NULL;
	char name[CARD_NAME_MAX], line[WIRING_LINE_NAME_MAX], what[WIRING_DESCRIPTION_MAX];
	size_t n_uses, n_spare, first, n_on_card;
	int r;

	r = wiring_collect_by_line(s, &uses, &n_uses);
	if (r < 0)
		return r;
	n_on_card = wiring_uses_of_card(uses, n_uses, c->crate, c->address, &first);
	r = wiring_spare_lines_of(c, uses + first, n_on_card, &spare, &n_spare);
	if (r < 0)
		return r;

	fprintf(f, "%s %s%s\n", card_name_format(c->crate, c->address, name),
		card_model_name(c->model), c->model != CARD_XVME560 ? "" :
		c->adc_range == ADC_RANGE_UNIPOLAR ? " unipolar" : " bipolar");
	for (size_t i = first; i < first + n_on_card; i++) {
		wiring_line_name(&uses[i].ref, line);
		fprintf(f, "  %-8s %s\n", line, wiring_use_describe(&uses[i], what));
	}
	fprintf(f, "  spare (%zu):", n_spare);
	for (size_t i = 0; i < n_spare; i++) {
		wiring_line_name(&spare[i], line);
		fprintf(f, " %s", line);
	}
	fprintf(f, "\n");
	return ferror(f) ? -EIO : 0;
}

static void print_line(FILE *f, const char *key, const struct channel_ref *ref)
{
	char name[CHANNEL_REF_STRING_MAX];

	fprintf(f, "  %-16s %s\n", key, channel_ref_format(ref, name));
}

int wiring_print_detector(FILE *f, const struct station *s, const struct detector *d)
{
	fprintf(f, "detector %u on manifold %s\n", d->number, d->manifold_name);
	print_line(f, "sensor", &d->sensor);
	print_line(f, "valve", &d->valve);
	print_line(f, "bias-shutdown", &d->bias_shutdown);
	return ferror(f) ? -EIO : 0;
}

int wiring_print_manifold(FILE *f, const struct station *s, const struct manifold *m)
{
	fprintf(f, "manifold %s\n", m->name);
	print_line(f, "sensor", &m->sensor);
	print_line(f, "input-valve", &m->input_valve);
	print_line(f, "output-valve", &m->output_valve);
	print_line(f, "manual-fill-key", &m->manual_fill_key);
	for (size_t i = 0; i < s->n_detectors; i++)
		if (&s->manifolds[s->detectors[i].manifold] == m)
			wiring_print_detector(f, s, &s->detectors[i]);
	return ferror(f) ? -EIO : 0;
}
