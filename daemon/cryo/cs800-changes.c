// SPDX-License-Identifier: GPL-2.0
/*
 * Property diffing of two status packets (see cs800-changes.h).
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
	for (size_t i = 0; i < count && n + 2 <= CS800_PROPERTIES_MAX; i++) {
		const struct cs800_param *param = &params[i];
		uint64_t bit = UINT64_C(1) << cs800_param_index(param);
		bool in_next = next->present & bit;
		struct cs800_value a, b;

		if (!previous) {
			if (!in_next)
				continue;
		} else {
			bool in_previous = previous->present & bit;

			if (!in_previous && !in_next)
				continue;
			cs800_param_get(param, previous, &a);
			cs800_param_get(param, next, &b);
			if (in_previous == in_next && cs800_value_equal(&a, &b))
				continue;
		}
		names[n++] = param->property;
		if (param->name_property)
			names[n++] = param->name_property;
	}
	names[n] = NULL;
	return n;
}
