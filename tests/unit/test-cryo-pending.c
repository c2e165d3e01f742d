// SPDX-License-Identifier: GPL-2.0
/*
 * What the bus layer of the Cryostream link decides without D-Bus:
 * command confirmation tracking (cryo-pending: confirmed by a later
 * packet, timed out at the deadline, cancelled at the end, bounded) and
 * property diffing (cs800-changes: only what changed, enumeration names
 * with their numbers, optional parameters appearing).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/cryo/cryo-pending.h"
#include "daemon/cryo/cs800-changes.h"
#include "daemon/cryo/cs800-params.h"

#define SEC 1000000ull

struct outcome {
	int tag;
	enum cryo_pending_outcome outcome;
	enum cs800_command_code code;
};

struct recorder {
	struct outcome seen[64];
	size_t n;
};

/* The userdata of each command: a tag to tell them apart. */
static int tags[64];

static int tags_setup(void **state)
{
	for (int i = 0; i < 64; i++)
		tags[i] = i;
	return 0;
}

static void record(void *userdata, const struct cs800_command *command,
		   enum cryo_pending_outcome outcome, void *context)
{
	struct recorder *r = context;

	assert_true(r->n < 64);
	r->seen[r->n++] = (struct outcome){ *(int *)userdata, outcome, command->code };
}

static struct cs800_status holding_at(double kelvin)
{
	return (struct cs800_status){
		.device_min_temperature_k = 80,
		.device_max_temperature_k = 400,
		.set_point_k = kelvin,
		.gas_temperature_k = kelvin,
		.target_temperature_k = kelvin,
		.run_mode = CS800_RUN_MODE_RUN,
		.phase = CS800_PHASE_HOLD,
	};
}

static struct cs800_limits limits = { .min_temperature_ck = 8000, .max_temperature_ck = 40000 };

static void test_confirmed_by_a_later_packet(void **state)
{
	_cleanup_(cryo_pending_freep) struct cryo_pending *p = NULL;
	struct recorder rec = {};
	struct cs800_command cool, turbo;
	struct cs800_status before = holding_at(294), after = before;

	assert_int_equal(cryo_pending_new(record, &rec, &p), 0);
	assert_int_equal(cs800_command_cool(&limits, 120.0, &cool, NULL), 0);
	assert_int_equal(cs800_command_turbo(true, &turbo), 0);
	assert_int_equal(cryo_pending_add(p, &cool, &before, 10 * SEC, &tags[1]), 0);
	assert_int_equal(cryo_pending_add(p, &turbo, &before, 12 * SEC, &tags[2]), 0);
	assert_int_equal(cryo_pending_count(p), 2);
	assert_int_equal(cryo_pending_next_deadline(p), 10 * SEC);

	/* a packet that shows neither: nothing completes */
	assert_int_equal(cryo_pending_status(p, &after), 0);
	assert_int_equal(rec.n, 0);

	/* the target and the phase of Cool: only Cool completes */
	after.target_temperature_k = 120.0;
	after.phase = CS800_PHASE_COOL;
	assert_int_equal(cryo_pending_status(p, &after), 1);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.seen[0].tag, 1);
	assert_int_equal(rec.seen[0].outcome, CRYO_PENDING_CONFIRMED);
	assert_int_equal(rec.seen[0].code, CS800_COMMAND_COOL);
	assert_int_equal(cryo_pending_next_deadline(p), 12 * SEC);

	/* a target one hundredth off is not the one asked for */
	assert_int_equal(cryo_pending_add(p, &cool, &before, 20 * SEC, &tags[3]), 0);
	after.target_temperature_k = 120.01;
	assert_int_equal(cryo_pending_status(p, &after), 0);

	after.turbo_mode = true;
	assert_int_equal(cryo_pending_status(p, &after), 1);
	assert_int_equal(rec.seen[1].tag, 2);
	assert_int_equal(rec.seen[1].code, CS800_COMMAND_TURBO);
	assert_int_equal(cryo_pending_count(p), 1);
}

static void test_timeout_at_the_deadline(void **state)
{
	_cleanup_(cryo_pending_freep) struct cryo_pending *p = NULL;
	struct recorder rec = {};
	struct cs800_command stop, hold;
	struct cs800_status before = holding_at(150);

	assert_int_equal(cryo_pending_new(record, &rec, &p), 0);
	assert_int_equal(cs800_command_stop(&stop), 0);
	assert_int_equal(cs800_command_hold(&hold), 0);
	assert_int_equal(cryo_pending_add(p, &stop, &before, 5 * SEC, &tags[7]), 0);
	assert_int_equal(cryo_pending_add(p, &stop, &before, 9 * SEC, &tags[8]), 0);

	assert_int_equal(cryo_pending_expire(p, 5 * SEC - 1), 0);
	assert_int_equal(cryo_pending_expire(p, 5 * SEC), 1);	/* at, not after */
	assert_int_equal(rec.seen[0].tag, 7);
	assert_int_equal(rec.seen[0].outcome, CRYO_PENDING_TIMED_OUT);
	assert_int_equal(cryo_pending_expire(p, 100 * SEC), 1);
	assert_int_equal(rec.seen[1].tag, 8);
	assert_int_equal(cryo_pending_count(p), 0);
	assert_int_equal(cryo_pending_next_deadline(p), UINT64_MAX);
	/* an expired command is gone: a confirming packet later changes nothing */
	before.run_mode = CS800_RUN_MODE_SHUTDOWN_OK;
	assert_int_equal(cryo_pending_status(p, &before), 0);
	assert_int_equal(rec.n, 2);
}

static void test_bounded_and_cancelled(void **state)
{
	struct cryo_pending *p = NULL;
	struct recorder rec = {};
	struct cs800_command purge;
	struct cs800_status before = holding_at(200);

	assert_int_equal(cryo_pending_new(NULL, NULL, &p), -EINVAL);
	assert_int_equal(cryo_pending_new(record, &rec, &p), 0);
	assert_int_equal(cs800_command_purge(&purge), 0);
	for (int i = 0; i < CRYO_PENDING_MAX; i++)
		assert_int_equal(cryo_pending_add(p, &purge, &before, 60 * SEC, &tags[i]), 0);
	assert_int_equal(cryo_pending_add(p, &purge, &before, 60 * SEC, &tags[40]), -EBUSY);
	assert_int_equal(cryo_pending_count(p), CRYO_PENDING_MAX);
	cryo_pending_free(p);
	assert_int_equal(rec.n, CRYO_PENDING_MAX);
	for (size_t i = 0; i < rec.n; i++) {
		assert_int_equal(rec.seen[i].outcome, CRYO_PENDING_CANCELLED);
		assert_int_equal(rec.seen[i].tag, (int)i);	/* in sending order */
	}
}

static bool contains(const char **names, const char *name)
{
	for (; *names; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static void test_changed_properties(void **state)
{
	const char *names[CS800_PROPERTIES_MAX + 1];
	struct cs800_status a = holding_at(120), b;
	const struct cs800_param *nozzle = cs800_param_by_id(2013);
	size_t count, n_required = 0;
	const struct cs800_param *params = cs800_params(&count);

	for (size_t i = 0; i < count; i++)
		if (!params[i].optional)
			a.present |= UINT64_C(1) << i;
	b = a;

	/* the first packet: every property of every parameter present, names too */
	for (size_t i = 0; i < count; i++)
		if (!params[i].optional)
			n_required += params[i].name_property ? 2 : 1;
	assert_int_equal(cs800_changed_properties(NULL, &a, names), n_required);
	assert_true(contains(names, "GasTemperature"));
	assert_true(contains(names, "PhaseName"));
	assert_false(contains(names, "NozzleTemperature"));

	/* the same packet again: nothing */
	assert_int_equal(cs800_changed_properties(&a, &b, names), 0);
	assert_null(names[0]);

	/* one hundredth of a kelvin, the wire's step, is a change */
	b.gas_temperature_k = 120.01;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 1);
	assert_string_equal(names[0], "GasTemperature");

	/* a temperature and the phase: exactly those, the phase with its name */
	b.gas_temperature_k = 119.5;
	b.phase = CS800_PHASE_COOL;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 3);
	assert_string_equal(names[0], "GasTemperature");
	assert_string_equal(names[1], "Phase");
	assert_string_equal(names[2], "PhaseName");
	assert_null(names[3]);

	/* an optional parameter that appears (even at zero) is a change */
	b = a;
	b.present |= UINT64_C(1) << cs800_param_index(nozzle);
	assert_int_equal(cs800_changed_properties(&a, &b, names), 1);
	assert_string_equal(names[0], "NozzleTemperature");
	/* and one that disappears */
	assert_int_equal(cs800_changed_properties(&b, &a, names), 1);
	assert_string_equal(names[0], "NozzleTemperature");

	/* booleans and alarms */
	b = a;
	b.turbo_mode = true;
	b.alarm = CS800_ALARM_TEMP_WARNING;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 3);
	assert_true(contains(names, "Alarm"));
	assert_true(contains(names, "AlarmName"));
	assert_true(contains(names, "TurboMode"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirmed_by_a_later_packet),
		cmocka_unit_test(test_timeout_at_the_deadline),
		cmocka_unit_test(test_bounded_and_cancelled),
		cmocka_unit_test(test_changed_properties),
	};

	return cmocka_run_group_tests_name("cryo-pending", tests, tags_setup, NULL);
}
