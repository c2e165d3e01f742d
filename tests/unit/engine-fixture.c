// SPDX-License-Identifier: GPL-2.0
/* The engine tests' cmocka fixtures: see engine-fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/engine-fake.h"
#include "tests/unit/engine-fixture.h"

int engine_fixture_one_manifold(void **state)
{
	*state = fake_new(1, 6, true);
	return 0;
}

int engine_fixture_two_manifolds(void **state)
{
	*state = fake_new(2, 6, true);
	return 0;
}

int engine_fixture_no_presets(void **state)
{
	*state = fake_new(2, 6, false);
	return 0;
}

int engine_fixture_teardown(void **state)
{
	struct fake_plant *f = *state;

	assert_int_equal(f->inhibit_violations, 0);
	fake_free(f);
	return 0;
}
