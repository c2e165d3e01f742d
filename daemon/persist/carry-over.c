// SPDX-License-Identifier: GPL-2.0
/* Run state across a change of the configuration (carry-over.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/persist/carry-over.h"
#include "daemon/shared/macro.h"

void carry_over_done(struct carry_over *c)
{
	free(c->dropped_detectors);
	free(c->dropped_manifolds);
	*c = (struct carry_over){};
}

static void carry_detector(struct detector *to, const struct detector *from)
{
	memcpy(to->state, from->state, sizeof(to->state));
	to->n_presets = from->n_presets;
	memcpy(to->preset, from->preset, sizeof(to->preset));
}

int carry_over_run_state(struct station *to, const struct station *from, struct carry_over *ret)
{
	struct carry_over c = {};

	/* What is dropped is listed first: the one step that can fail. */
	c.dropped_detectors = calloc(from->n_detectors ? from->n_detectors : 1,
				     sizeof(*c.dropped_detectors));
	c.dropped_manifolds = calloc(from->n_manifolds ? from->n_manifolds : 1,
				     sizeof(*c.dropped_manifolds));
	if (!c.dropped_detectors || !c.dropped_manifolds) {
		carry_over_done(&c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < from->n_detectors; i++)
		if (!station_find_detector(to, from->detectors[i].number))
			c.dropped_detectors[c.n_dropped_detectors++] = from->detectors[i].number;
	for (size_t i = 0; i < from->n_manifolds; i++)
		if (!station_find_manifold(to, from->manifolds[i].name))
			memcpy(c.dropped_manifolds[c.n_dropped_manifolds++], from->manifolds[i].name,
			       sizeof(c.dropped_manifolds[0]));

	for (size_t i = 0; i < to->n_detectors; i++) {
		const struct detector *old = station_find_detector(from, to->detectors[i].number);

		if (!old) {
			c.n_new_detectors++;
			continue;
		}
		carry_detector(&to->detectors[i], old);
		c.n_detectors++;
	}
	for (size_t i = 0; i < to->n_manifolds; i++) {
		const struct manifold *old = station_find_manifold(from, to->manifolds[i].name);

		if (!old) {
			c.n_new_manifolds++;
			continue;
		}
		memcpy(to->manifolds[i].state, old->state, sizeof(to->manifolds[i].state));
		c.n_manifolds++;
	}
	*ret = c;
	return 0;
}
