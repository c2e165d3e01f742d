// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-statement checks. Every configured line becomes a "use" (what,
 * where, which direction); sorting the uses by card and line puts any two
 * functions wired to one line next to each other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/check.h"
#include "daemon/config/values.h"
#include "daemon/config/wiring.h"
#include "daemon/shared/macro.h"

/* A configured line, with what the checks need: where it was written,
 * in which order, and how to name its user in a message. */
struct line_use {
	struct channel_ref ref;
	struct source_location at;
	bool output;
	size_t file_rank;	/* with at: the order written, so "first" is first */
	char owner[WIRING_DESCRIPTION_MAX];
};

struct use_list {
	struct line_use *uses;
	size_t n_uses;
};

/* Files in the order they were first read (includes in place). */
static size_t file_rank(const struct station *s, const char *file)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i] == file)
			return i;
	return s->n_files;
}

/* Which of two uses was written first. */
static int written_order(const struct line_use *x, const struct line_use *y)
{
	if (x->file_rank != y->file_rank)
		return x->file_rank < y->file_rank ? -1 : 1;
	if (x->at.line != y->at.line)
		return x->at.line < y->at.line ? -1 : 1;
	return (x->at.column > y->at.column) - (x->at.column < y->at.column);
}

static int use_compare(const void *a, const void *b)
{
	const struct line_use *x = a, *y = b;
	int r = wiring_compare_lines(&x->ref, &y->ref);

	return r ? r : written_order(x, y);
}

static int collect_uses(const struct station *s, struct use_list *list)
{
	_cleanup_free_ struct wiring_use *uses = NULL;
	size_t n;
	int r;

	r = wiring_collect(s, &uses, &n);
	if (r < 0)
		return r;
	list->uses = calloc(n ? n : 1, sizeof(*list->uses));
	if (!list->uses)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct line_use *u = &list->uses[i];

		u->ref = uses[i].ref;
		u->at = *uses[i].at;
		u->output = wiring_function_is_output(uses[i].function);
		u->file_rank = file_rank(s, u->at.file);
		wiring_use_describe(&uses[i], u->owner);
	}
	list->n_uses = n;
	return 0;
}

/* Each use names a declared card of the model its function needs. */
static void check_cards_of_uses(const struct station *s, const struct use_list *list,
				struct diagnostics *d)
{
	for (size_t i = 0; i < list->n_uses; i++) {
		const struct line_use *u = &list->uses[i];
		const struct card *card = station_find_card(s, u->ref.crate, u->ref.card);
		uint16_t model = wiring_model_of_kind(u->ref.kind);
		char name[CARD_NAME_MAX];

		card_name_format(u->ref.crate, u->ref.card, name);
		if (!card)
			diagnostic_error(d, &u->at,
					 "%s: card %s is not declared (add 'card %u @ %s')",
					 u->owner, name, model, name);
		else if (card->model != model)
			diagnostic_error(d, &u->at,
					 "%s: card %s is a %s, a %s needs a %s",
					 u->owner, name, card_model_name(card->model),
					 line_kind_name(u->ref.kind), card_model_name(model));
	}
}

/* Uses sorted by line: a run of equal lines is a conflict, named against
 * the first use written. */
static void check_one_function_per_line(const struct use_list *list, struct diagnostics *d)
{
	char name[CHANNEL_REF_STRING_MAX];
	size_t first = 0;

	for (size_t i = 1; i < list->n_uses; i++) {
		const struct line_use *u = &list->uses[i], *f = &list->uses[first];

		if (wiring_compare_lines(&f->ref, &u->ref) != 0) {
			first = i;
			continue;
		}
		diagnostic_error(d, &u->at, "%s: %s is already wired to %s (at %s:%u:%u)",
				 u->owner, channel_ref_format(&u->ref, name), f->owner,
				 f->at.file, f->at.line, f->at.column);
	}
}

/*
 * An XVME-240 port is all inputs or all outputs (one direction bit per
 * port). Uses sorted by line keep each port's lines together; the use
 * written first sets the port's direction.
 */
static void check_port_directions(const struct use_list *list, struct diagnostics *d)
{
	size_t start = 0;

	while (start < list->n_uses) {
		const struct line_use *s0 = &list->uses[start];
		size_t end = start + 1;
		const struct line_use *first;

		while (end < list->n_uses && list->uses[end].ref.crate == s0->ref.crate &&
		       list->uses[end].ref.card == s0->ref.card &&
		       list->uses[end].ref.kind == s0->ref.kind &&
		       (s0->ref.kind != LINE_PORT || list->uses[end].ref.index / 8 == s0->ref.index / 8))
			end++;
		if (s0->ref.kind != LINE_PORT) {
			start = end;
			continue;
		}
		first = s0;
		for (size_t i = start; i < end; i++)
			if (written_order(&list->uses[i], first) < 0)
				first = &list->uses[i];
		for (size_t i = start; i < end; i++) {
			const struct line_use *u = &list->uses[i];
			char name[CARD_NAME_MAX];

			if (u->output == first->output)
				continue;
			diagnostic_error(d, &u->at,
					 "%s: port %u of the XVME-240 %s is already an %s for %s (at %s:%u:%u); a port is all inputs or all outputs",
					 u->owner, u->ref.index / 8u,
					 card_name_format(u->ref.crate, u->ref.card, name),
					 first->output ? "output" : "input",
					 first->owner, first->at.file, first->at.line,
					 first->at.column);
		}
		start = end;
	}
}

static void check_reference(const struct station *s, const struct channel_ref *sensor,
			    int32_t reference_mv, const struct source_location *at,
			    const char *owner, struct diagnostics *d)
{
	const struct card *card;
	char name[CARD_NAME_MAX], volts[VALUE_STRING_MAX];
	int32_t min;

	if (!source_location_is_set(at) || sensor->kind != LINE_ADC)
		return;
	card = station_find_card(s, sensor->crate, sensor->card);
	if (!card || card->model != CARD_XVME560)
		return;
	min = card->adc_range == ADC_RANGE_UNIPOLAR ? ADC_MILLIVOLTS_MIN_UNIPOLAR :
		ADC_MILLIVOLTS_MIN_BIPOLAR;
	if (reference_mv < min)
		diagnostic_error(d, at,
				 "%s: reference %s is below the range of the %s XVME-560 %s (%s)",
				 owner, value_format_voltage(reference_mv, volts),
				 card->adc_range == ADC_RANGE_UNIPOLAR ? "unipolar" : "bipolar",
				 card_name_format(card->crate, card->address, name),
				 card->adc_range == ADC_RANGE_UNIPOLAR ? "0V to +9.995V" :
				 "-10V to +9.995V");
}

static void check_required(struct diagnostics *d, const struct source_location *block_at,
			   const char *what, const struct source_location *field_at,
			   const unsigned *required, size_t n_required, const char *const *names)
{
	for (size_t i = 0; i < n_required; i++)
		if (!source_location_is_set(&field_at[required[i]]))
			diagnostic_error(d, block_at, "%s: missing required key '%s'", what,
					 names[required[i]]);
}

static const char *const station_field_names[_STATION_FIELD_MAX] = {
	[STATION_SLOT_ZERO] = "slot-zero",
	[STATION_SCAN_RATE] = "scan-rate",
	[STATION_BACKUP_INTERVAL] = "backup-interval",
	[STATION_OPERATOR_GROUP] = "operator-group",
	[STATION_DEWAR_INHIBIT] = "dewar-inhibit",
	[STATION_ALARM] = "alarm",
	[STATION_DEBOUNCE_READINGS] = "debounce-readings",
	[STATION_EXHAUST_SAMPLE_RATE] = "exhaust-sample-rate",
};

static const char *const manifold_field_names[_MANIFOLD_FIELD_MAX] = {
	[MANIFOLD_SENSOR] = "sensor",
	[MANIFOLD_INPUT_VALVE] = "input-valve",
	[MANIFOLD_OUTPUT_VALVE] = "output-valve",
	[MANIFOLD_MANUAL_FILL_KEY] = "manual-fill-key",
	[MANIFOLD_REFERENCE] = "reference",
	[MANIFOLD_MAX_FILL] = "max-fill",
	[MANIFOLD_CLOSURE_DELAY] = "closure-delay",
};

static const char *const detector_field_names[_DETECTOR_FIELD_MAX] = {
	[DETECTOR_MANIFOLD] = "manifold",
	[DETECTOR_SENSOR] = "sensor",
	[DETECTOR_VALVE] = "valve",
	[DETECTOR_BIAS_SHUTDOWN] = "bias-shutdown",
	[DETECTOR_REFERENCE] = "reference",
	[DETECTOR_MAX_FILL] = "max-fill",
	[DETECTOR_CLOSURE_DELAY] = "closure-delay",
	[DETECTOR_PRESET] = "preset",
};

static const unsigned station_required[] = {
	STATION_SCAN_RATE, STATION_BACKUP_INTERVAL, STATION_DEWAR_INHIBIT, STATION_ALARM,
};

static const unsigned manifold_required[] = {
	MANIFOLD_SENSOR, MANIFOLD_INPUT_VALVE, MANIFOLD_OUTPUT_VALVE, MANIFOLD_MANUAL_FILL_KEY,
	MANIFOLD_REFERENCE, MANIFOLD_MAX_FILL, MANIFOLD_CLOSURE_DELAY,
};

static const unsigned detector_required[] = {
	DETECTOR_MANIFOLD, DETECTOR_SENSOR, DETECTOR_VALVE, DETECTOR_BIAS_SHUTDOWN,
	DETECTOR_REFERENCE, DETECTOR_MAX_FILL, DETECTOR_CLOSURE_DELAY,
};

static void check_blocks(struct station *s, struct diagnostics *d)
{
	const struct station_globals *g = &s->globals;
	char what[32];

	if (!source_location_is_set(&g->at)) {
		struct source_location start = { s->n_files ? s->files[0] : NULL, 1, 1 };

		diagnostic_error(d, &start, "no station block (scan-rate, backup-interval, dewar-inhibit and alarm are required)");
	} else {
		check_required(d, &g->at, "station", g->field_at, station_required,
			       ELEMENTSOF(station_required), station_field_names);
	}
	for (size_t i = 0; i < s->n_manifolds; i++) {
		struct manifold *m = &s->manifolds[i];

		snprintf(what, sizeof(what), "manifold %s", m->name);
		check_required(d, &m->at, what, m->field_at, manifold_required,
			       ELEMENTSOF(manifold_required), manifold_field_names);
		check_reference(s, &m->sensor, m->reference_mv, &m->field_at[MANIFOLD_REFERENCE],
				what, d);
	}
	for (size_t i = 0; i < s->n_detectors; i++) {
		struct detector *det = &s->detectors[i];

		snprintf(what, sizeof(what), "detector %u", det->number);
		check_required(d, &det->at, what, det->field_at, detector_required,
			       ELEMENTSOF(detector_required), detector_field_names);
		check_reference(s, &det->sensor, det->reference_mv,
				&det->field_at[DETECTOR_REFERENCE], what, d);
	}
	for (size_t i = 0; i < s->n_cards; i++) {
		const struct card *c = &s->cards[i];

		if (c->address == 0 && !g->slot_zero_usable)
			diagnostic_error(d, &c->at,
					 "card at address 0x0000: that address can collide with the CPU board's GCSR; set 'slot-zero yes' in the station block if it is free");
	}
	if (s->n_detectors == 0) {
		struct source_location start = { s->n_files ? s->files[0] : NULL, 1, 1 };

		diagnostic_error(d, &start, "no detectors are defined");
	}
}

/*
 * Cryostreams are told apart by their factory number (parameter 1028 of
 * every status packet), so two with one number cannot be. Number 0 means
 * "the only controller on the network" (the EPICS rule): it cannot stand
 * next to any other controller. Reported at the second one written.
 */
static void check_cryostreams(struct station *s, struct diagnostics *d)
{
	for (size_t i = 0; i < s->n_cryostreams; i++) {
		const struct cryostream *c = &s->cryostreams[i];
		const struct source_location *at = &c->field_at[CRYOSTREAM_NUMBER];
		char what[16 + CRYOSTREAM_NAME_MAX];

		snprintf(what, sizeof(what), "cryostream %s", c->name);
		if (!source_location_is_set(at))
			diagnostic_error(d, &c->at,
					 "%s: missing required key 'number' (the controller's factory number, or 0 for the only one)",
					 what);
	}
	for (size_t i = 0; i < s->n_cryostreams; i++) {
		const struct cryostream *c = &s->cryostreams[i];
		const struct source_location *at = &c->field_at[CRYOSTREAM_NUMBER];
		size_t rank = file_rank(s, at->file);

		if (!source_location_is_set(at))
			continue;
		for (size_t j = 0; j < s->n_cryostreams; j++) {
			const struct cryostream *o = &s->cryostreams[j];
			const struct source_location *oat = &o->field_at[CRYOSTREAM_NUMBER];
			size_t orank = file_rank(s, oat->file);

			if (j == i || !source_location_is_set(oat))
				continue;
			/* Report each pair once, at the one written second. */
			if (orank > rank || (orank == rank && (oat->line > at->line ||
			    (oat->line == at->line && oat->column > at->column))))
				continue;
			if (c->number == 0 || o->number == 0) {
				diagnostic_error(d, at,
						 "cryostream %s: number 0 (the only controller on the network) cannot be used with another cryostream (%s at %s:%u:%u); name each by its factory number",
						 c->name, o->name, oat->file, oat->line, oat->column);
				break;
			}
			if (c->number == o->number) {
				diagnostic_error(d, at,
						 "cryostream %s: number %u is already cryostream %s's (%s:%u:%u)",
						 c->name, c->number, o->name, oat->file, oat->line,
						 oat->column);
				break;
			}
		}
	}
}

/*
 * Each CCD names its line once, by tty or by device, and no two CCDs
 * share a line or a data socket (each is one controller's). Reported at
 * the one written second.
 */
static void check_ccds(struct station *s, struct diagnostics *d)
{
	for (size_t i = 0; i < s->n_ccds; i++) {
		const struct ccd *c = &s->ccds[i];
		bool by_tty = source_location_is_set(&c->field_at[CCD_TTY]);
		bool by_device = source_location_is_set(&c->field_at[CCD_DEVICE]);

		if (!by_tty && !by_device)
			diagnostic_error(d, &c->at,
					 "ccd %s: missing required key 'tty' (the serial line with the n_unet discipline) or 'device' (its frame device)",
					 c->name);
		if (by_tty && by_device)
			diagnostic_error(d, &c->field_at[CCD_DEVICE],
					 "ccd %s: give 'tty' or 'device', not both", c->name);
	}
	for (size_t i = 0; i < s->n_ccds; i++) {
		const struct ccd *c = &s->ccds[i];

		for (size_t j = 0; j < s->n_ccds; j++) {
			const struct ccd *o = &s->ccds[j];
			static const struct {
				enum ccd_field field;
				const char *what;
			} shared[] = {
				{ CCD_TTY, "tty" },
				{ CCD_DEVICE, "device" },
				{ CCD_DATA_SOCKET, "data-socket" },
			};

			if (j == i)
				continue;
			for (size_t k = 0; k < ELEMENTSOF(shared); k++) {
				const struct source_location *at = &c->field_at[shared[k].field];
				const struct source_location *oat = &o->field_at[shared[k].field];
				const char *value = shared[k].field == CCD_TTY ? c->tty :
						    shared[k].field == CCD_DEVICE ? c->device :
						    c->data_socket;
				const char *other = shared[k].field == CCD_TTY ? o->tty :
						    shared[k].field == CCD_DEVICE ? o->device :
						    o->data_socket;
				size_t rank = file_rank(s, at->file), orank = file_rank(s, oat->file);

				if (!source_location_is_set(at) || !source_location_is_set(oat) ||
				    strcmp(value, other) != 0)
					continue;
				if (orank > rank || (orank == rank && (oat->line > at->line ||
				    (oat->line == at->line && oat->column > at->column))))
					continue;
				diagnostic_error(d, at, "ccd %s: %s %s is already ccd %s's (%s:%u:%u)",
						 c->name, shared[k].what, value, o->name, oat->file,
						 oat->line, oat->column);
			}
		}
	}
}

static void check_manifold_membership(struct station *s, struct diagnostics *d)
{
	_cleanup_free_ unsigned *count = calloc(s->n_manifolds ? s->n_manifolds : 1,
						sizeof(*count));

	if (!count) {
		d->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < s->n_detectors; i++) {
		struct detector *det = &s->detectors[i];
		const struct source_location *at = &det->field_at[DETECTOR_MANIFOLD];
		const struct manifold *m;
		size_t index;

		if (!source_location_is_set(at) || !det->manifold_name[0])
			continue;
		m = station_find_manifold(s, det->manifold_name);
		if (!m) {
			diagnostic_error(d, at, "detector %u: manifold %s is not defined",
					 det->number, det->manifold_name);
			continue;
		}
		index = m - s->manifolds;
		det->manifold = index;
		if (++count[index] == MANIFOLD_DETECTORS_MAX + 1)
			diagnostic_error(d, at,
					 "detector %u: manifold %s already has %u detectors, the most one manifold can feed",
					 det->number, m->name, MANIFOLD_DETECTORS_MAX);
	}
	for (size_t i = 0; i < s->n_manifolds; i++)
		if (count[i] == 0)
			diagnostic_warning(d, &s->manifolds[i].at,
					   "manifold %s feeds no detector", s->manifolds[i].name);
}

int config_check(struct station *s, struct diagnostics *d)
{
	struct use_list list = {};
	int r;

	station_sort(s);
	check_blocks(s, d);
	check_manifold_membership(s, d);
	check_cryostreams(s, d);
	check_ccds(s, d);

	r = collect_uses(s, &list);
	if (r < 0) {
		free(list.uses);
		return r;
	}
	check_cards_of_uses(s, &list, d);
	if (list.n_uses)
		qsort(list.uses, list.n_uses, sizeof(*list.uses), use_compare);
	check_one_function_per_line(&list, d);
	check_port_directions(&list, d);
	free(list.uses);
	return d->out_of_memory ? -ENOMEM : 0;
}
