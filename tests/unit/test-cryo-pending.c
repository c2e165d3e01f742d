// SPDX-License-Identifier: GPL-2.0
/*
 * What the bus layer of the Cryostream link decides without D-Bus:
 * command confirmation tracking (cryo-pending: confirmed by a later
 * packet, missed when the controller counts a miss, timed out at the
 * deadline, cancelled at the end, bounded) and property diffing
 * (cs800-changes: only what changed, enumeration names and descriptions
 * with their numbers, the stale list when a packet lacks parameters).
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

/* A status of a packet that carried every parameter but Received and
 * Missed (so the effect alone confirms, as before firmware counted). */
static struct cs800_status holding_at(double kelvin)
{
	struct cs800_status s = {
		.device_min_temperature_k = 80,
		.device_max_temperature_k = 400,
		.set_point_k = kelvin,
		.gas_temperature_k = kelvin,
		.target_temperature_k = kelvin,
		.run_mode = CS800_RUN_MODE_RUN,
		.phase = CS800_PHASE_HOLD,
	};
	size_t n;
	const struct cs800_param *params = cs800_params(&n);

	for (size_t i = 0; i < n; i++)
		if (params[i].id != 1072 && params[i].id != 1073)
			cs800_param_set_add(&s.present, i);
	return s;
}

static void add(struct cs800_status *s, uint16_t id)
{
	cs800_param_set_add(&s->present, cs800_param_index(cs800_param_by_id(id)));
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
	assert_int_equal(cryo_pending_status(p, &before, &after), 0);
	assert_int_equal(rec.n, 0);

	/* the target and the phase of Cool: only Cool completes */
	after.target_temperature_k = 120.0;
	after.phase = CS800_PHASE_COOL;
	assert_int_equal(cryo_pending_status(p, &before, &after), 1);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.seen[0].tag, 1);
	assert_int_equal(rec.seen[0].outcome, CRYO_PENDING_CONFIRMED);
	assert_int_equal(rec.seen[0].code, CS800_COMMAND_COOL);
	assert_int_equal(cryo_pending_next_deadline(p), 12 * SEC);

	/* a target one hundredth off is not the one asked for */
	assert_int_equal(cryo_pending_add(p, &cool, &before, 20 * SEC, &tags[3]), 0);
	after.target_temperature_k = 120.01;
	assert_int_equal(cryo_pending_status(p, &before, &after), 0);

	after.turbo_mode = true;
	assert_int_equal(cryo_pending_status(p, &before, &after), 1);
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
	assert_int_equal(cryo_pending_status(p, &before, &before), 0);
	assert_int_equal(rec.n, 2);
}

/* The controller counted a missed command: the oldest still waiting fail
 * at once, as many as it counted; the confirmed ones of the same packet
 * are not among them. */
static void test_missed_by_the_controller(void **state)
{
	_cleanup_(cryo_pending_freep) struct cryo_pending *p = NULL;
	struct recorder rec = {};
	struct cs800_command hold, turbo, regen;
	struct cs800_status before = holding_at(150), after;

	add(&before, 1072);
	add(&before, 1073);
	before.phase = CS800_PHASE_RAMP;
	after = before;
	assert_int_equal(cryo_pending_new(record, &rec, &p), 0);
	assert_int_equal(cs800_command_hold(&hold), 0);
	assert_int_equal(cs800_command_turbo(true, &turbo), 0);
	assert_int_equal(cs800_command_regen(&regen), 0);
	assert_int_equal(cryo_pending_add(p, &hold, &before, 10 * SEC, &tags[1]), 0);
	assert_int_equal(cryo_pending_add(p, &turbo, &before, 10 * SEC, &tags[2]), 0);
	assert_int_equal(cryo_pending_add(p, &regen, &before, 10 * SEC, &tags[3]), 0);

	/* Three packets received, Hold carried out, one missed. */
	after.commands_received += 3;
	after.commands_missed += 1;
	after.phase = CS800_PHASE_HOLD;
	assert_int_equal(cryo_pending_status(p, &before, &after), 2);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.seen[0].tag, 1);
	assert_int_equal(rec.seen[0].outcome, CRYO_PENDING_CONFIRMED);
	assert_int_equal(rec.seen[1].tag, 2);
	assert_int_equal(rec.seen[1].outcome, CRYO_PENDING_MISSED);
	assert_int_equal(cryo_pending_count(p), 1);

	/* The same count in the next packet is no new miss; the first packet
	 * (no previous) has none to compare. */
	assert_int_equal(cryo_pending_status(p, &after, &after), 0);
	assert_int_equal(cryo_pending_status(p, NULL, &after), 0);
	assert_int_equal(cryo_pending_count(p), 1);
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
	size_t count, n_first = 0;
	const struct cs800_param *params = cs800_params(&count);

	b = a;

	/* the first packet: every property of every parameter present, names
	 * and descriptions too, and the two lists */
	for (size_t i = 0; i < count; i++)
		if (cs800_param_set_has(&a.present, i))
			n_first += 1 + !!params[i].name_property + !!params[i].description_property;
	assert_int_equal(cs800_changed_properties(NULL, &a, names), n_first + 2);
	assert_true(contains(names, "GasTemperature"));
	assert_true(contains(names, "PhaseName"));
	assert_true(contains(names, "RunModeDescription"));
	assert_true(contains(names, "AlarmLevelName"));
	assert_true(contains(names, "StaleProperties"));
	assert_true(contains(names, "UnknownParameters"));
	assert_false(contains(names, "CommandsReceived"));

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

	/* the run mode with its name and the vendor's description */
	b = a;
	b.run_mode = CS800_RUN_MODE_SHUTDOWN_OK;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 3);
	assert_string_equal(names[0], "RunMode");
	assert_string_equal(names[1], "RunModeName");
	assert_string_equal(names[2], "RunModeDescription");

	/* a parameter the packet lacks keeps its value (the link merges):
	 * only the stale list changes, both ways */
	b = a;
	b.present.bits[0] = 0;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 1);
	assert_string_equal(names[0], "StaleProperties");
	assert_int_equal(cs800_changed_properties(&b, &a, names), 1);

	/* the count of unknown ids */
	b = a;
	b.unknown_parameters = 3;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 1);
	assert_string_equal(names[0], "UnknownParameters");

	/* booleans, alarms and their levels */
	b = a;
	b.turbo_mode = true;
	b.alarm = CS800_ALARM_TEMP_WARNING;
	b.alarm_level = CS800_ALARM_LEVEL_WARNING;
	assert_int_equal(cs800_changed_properties(&a, &b, names), 5);
	assert_true(contains(names, "Alarm"));
	assert_true(contains(names, "AlarmName"));
	assert_true(contains(names, "AlarmLevel"));
	assert_true(contains(names, "AlarmLevelName"));
	assert_true(contains(names, "TurboMode"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirmed_by_a_later_packet),
		cmocka_unit_test(test_timeout_at_the_deadline),
		cmocka_unit_test(test_missed_by_the_controller),
		cmocka_unit_test(test_bounded_and_cancelled),
		cmocka_unit_test(test_changed_properties),
	};

	return cmocka_run_group_tests_name("cryo-pending", tests, tags_setup, NULL);
}
