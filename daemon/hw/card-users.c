// SPDX-License-Identifier: GPL-2.0
/* What depends on one card, as text (card-users.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/hw/card-users.h"
#include "daemon/shared/macro.h"

struct text {
	char *buf;
	size_t size, len;
	bool cut;
};

static void append(struct text *t, const char *format, ...) _printf_(2, 3);
static void append(struct text *t, const char *format, ...)
{
	va_list ap;
	int n;

	if (t->cut)
		return;
	va_start(ap, format);
	n = vsnprintf(t->buf + t->len, t->size - t->len, format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len) {
		t->cut = true;
		if (t->size >= 4)
			memcpy(t->buf + t->size - 4, "...", 4);
		return;
	}
	t->len += (size_t)n;
}

static bool on_card(const struct channel_ref *ref, uint8_t crate, uint16_t address)
{
	return ref->kind != LINE_NONE && ref->crate == crate && ref->card == address;
}

static bool detector_uses(const struct detector *d, uint8_t crate, uint16_t address)
{
	return on_card(&d->sensor, crate, address) || on_card(&d->valve, crate, address) ||
	       on_card(&d->bias_shutdown, crate, address);
}

static bool manifold_uses(const struct manifold *m, uint8_t crate, uint16_t address)
{
	return on_card(&m->sensor, crate, address) || on_card(&m->input_valve, crate, address) ||
	       on_card(&m->output_valve, crate, address) ||
	       on_card(&m->manual_fill_key, crate, address);
}

/* Detector numbers, ascending, as runs of consecutive numbers: "1-6, 13". */
static void append_detector_runs(struct text *t, const struct station *s, uint8_t crate,
				 uint16_t address)
{
	const char *sep = "";

	for (size_t i = 0; i < s->n_detectors; i++) {
		size_t last = i;

		if (!detector_uses(&s->detectors[i], crate, address))
			continue;
		while (last + 1 < s->n_detectors &&
		       detector_uses(&s->detectors[last + 1], crate, address) &&
		       s->detectors[last + 1].number == s->detectors[last].number + 1)
			last++;
		if (last > i)
			append(t, "%s%u-%u", sep, s->detectors[i].number, s->detectors[last].number);
		else
			append(t, "%s%u", sep, s->detectors[i].number);
		sep = ", ";
		i = last;
	}
}

size_t card_users_format(const struct station *s, uint8_t crate, uint16_t address, char *buf,
			 size_t size)
{
	struct text t = { .buf = buf, .size = size };
	size_t n_detectors = 0, n_manifolds = 0;
	bool any = false;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->n_detectors; i++)
		n_detectors += detector_uses(&s->detectors[i], crate, address);
	for (size_t i = 0; i < s->n_manifolds; i++)
		n_manifolds += manifold_uses(&s->manifolds[i], crate, address);
	if (n_detectors) {
		append(&t, "detector%s ", n_detectors == 1 ? "" : "s");
		append_detector_runs(&t, s, crate, address);
		any = true;
	}
	if (n_manifolds) {
		const char *sep = "";

		append(&t, "%smanifold%s ", any ? "; " : "", n_manifolds == 1 ? "" : "s");
		for (size_t i = 0; i < s->n_manifolds; i++) {
			if (!manifold_uses(&s->manifolds[i], crate, address))
				continue;
			append(&t, "%s%s", sep, s->manifolds[i].name);
			sep = ", ";
		}
		any = true;
	}
	if (on_card(&s->globals.dewar_inhibit, crate, address)) {
		append(&t, "%sthe dewar inhibit", any ? "; " : "");
		any = true;
	}
	if (on_card(&s->globals.alarm, crate, address)) {
		append(&t, "%sthe alarm", any ? "; " : "");
		any = true;
	}
	if (!any)
		append(&t, "nothing configured");
	return n_detectors + n_manifolds;
}
