// SPDX-License-Identifier: GPL-2.0
/*
 * Property diffing of two statuses (see cs800-changes.h).
 */
#include "daemon/cryo/cs800-changes.h"

#include <stdint.h>

#include "daemon/cryo/cs800-params.h"

size_t cs800_changed_properties(const struct cs800_status *previous,
				const struct cs800_status *next,
				const char *names[CS800_PROPERTIES_MAX + 1])
{
	const struct cs800_param *params;
	size_t count, n = 0;

	params = cs800_params(&count);
	for (size_t i = 0; i < count; i++) {
		const struct cs800_param *param = &params[i];
		struct cs800_value a, b;

		if (!previous) {
			if (!cs800_param_set_has(&next->present, i))
				continue;
		} else {
			cs800_param_get(param, previous, &a);
			cs800_param_get(param, next, &b);
			if (cs800_value_equal(&a, &b))
				continue;
		}
		names[n++] = param->property;
		if (param->name_property)
			names[n++] = param->name_property;
		if (param->description_property)
			names[n++] = param->description_property;
	}
	if (!previous || !cs800_param_set_equal(&previous->present, &next->present))
		names[n++] = CS800_STALE_PROPERTY;
	if (!previous || previous->unknown_parameters != next->unknown_parameters)
		names[n++] = CS800_UNKNOWN_PROPERTY;
	names[n] = NULL;
	return n;
}
