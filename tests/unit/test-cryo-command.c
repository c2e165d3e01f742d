// SPDX-License-Identifier: GPL-2.0
/*
 * Cryostream 800 command encoder: byte-exact packets for all nineteen
 * commands (expected bytes written out here from the spec: 0x00, code,
 * p1 hi, p1 lo, p2 hi, p2 lo, 8-bit sum), the vendor's ranges refused
 * with nothing produced, the parser the simulator uses, and the
 * confirmation rule (Received and the command's effect) and missed count.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/cryo/cs800-command.h"
#include "daemon/cryo/cs800-params.h"
#include "daemon/shared/macro.h"

/* A CS800: 80.00 K .. 400.00 K. */
static const struct cs800_limits limits = { .min_temperature_ck = 8000, .max_temperature_ck = 40000 };

static void expect_bytes(int r, const struct cs800_command *c, const uint8_t *want)
{
	assert_int_equal(r, 0);
	assert_memory_equal(c->bytes, want, 7);
	assert_int_equal(c->code, want[1]);
}

static void test_restart(void **state)
{
	static const uint8_t want[] = { 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x0A };
	struct cs800_command c;

	expect_bytes(cs800_command_restart(&c), &c, want);
}

static void test_ramp(void **state)
{
	/* 360 K/h = 0x0168, 120.00 K = 12000 cK = 0x2EE0;
	 * sum 0x0B+0x01+0x68+0x2E+0xE0 = 0x182 -> 0x82 */
	static const uint8_t want[] = { 0x00, 0x0B, 0x01, 0x68, 0x2E, 0xE0, 0x82 };
	/* 6 K/h, 293.15 K = 29315 cK = 0x7283; sum 0x0B+0x06+0x72+0x83 = 0x106 -> 0x06 */
	static const uint8_t want2[] = { 0x00, 0x0B, 0x00, 0x06, 0x72, 0x83, 0x06 };
	struct cs800_command c;

	expect_bytes(cs800_command_ramp(&limits, 360, 120.0, &c, NULL), &c, want);
	assert_int_equal(c.p1, 360);
	assert_int_equal(c.p2, 12000);
	expect_bytes(cs800_command_ramp(&limits, 6, 293.15, &c, NULL), &c, want2);
}

/* The vendor's minimum Ramp rate is 0 K/h. */
static void test_ramp_at_rate_zero(void **state)
{
	/* sum 0x0B+0x2E+0xE0 = 0x119 -> 0x19 */
	static const uint8_t want[] = { 0x00, 0x0B, 0x00, 0x00, 0x2E, 0xE0, 0x19 };
	struct cs800_command c;

	expect_bytes(cs800_command_ramp(&limits, 0, 120.0, &c, NULL), &c, want);
}

static void test_plat(void **state)
{
	/* 30 min = 0x001E; sum 0x0C+0x1E = 0x2A */
	static const uint8_t want[] = { 0x00, 0x0C, 0x00, 0x1E, 0x00, 0x00, 0x2A };
	/* 1440 min = 0x05A0; sum 0x0C+0x05+0xA0 = 0xB1 */
	static const uint8_t want2[] = { 0x00, 0x0C, 0x05, 0xA0, 0x00, 0x00, 0xB1 };
	struct cs800_command c;

	expect_bytes(cs800_command_plat(30, &c, NULL), &c, want);
	expect_bytes(cs800_command_plat(1440, &c, NULL), &c, want2);
}

static void test_hold(void **state)
{
	static const uint8_t want[] = { 0x00, 0x0D, 0x00, 0x00, 0x00, 0x00, 0x0D };
	struct cs800_command c;

	expect_bytes(cs800_command_hold(&c), &c, want);
}

static void test_cool(void **state)
{
	/* 120.00 K = 0x2EE0; sum 0x0E+0x2E+0xE0 = 0x11C -> 0x1C */
	static const uint8_t want[] = { 0x00, 0x0E, 0x2E, 0xE0, 0x00, 0x00, 0x1C };
	/* 100.01 K = 10001 cK = 0x2711; sum 0x0E+0x27+0x11 = 0x46 */
	static const uint8_t want2[] = { 0x00, 0x0E, 0x27, 0x11, 0x00, 0x00, 0x46 };
	struct cs800_command c;

	expect_bytes(cs800_command_cool(&limits, 120.0, &c, NULL), &c, want);
	expect_bytes(cs800_command_cool(&limits, 100.01, &c, NULL), &c, want2);
}

static void test_end(void **state)
{
	/* 360 K/h; sum 0x0F+0x01+0x68 = 0x78 */
	static const uint8_t want[] = { 0x00, 0x0F, 0x01, 0x68, 0x00, 0x00, 0x78 };
	struct cs800_command c;

	expect_bytes(cs800_command_end(360, &c, NULL), &c, want);
}

static void test_purge_pause_resume_stop(void **state)
{
	static const uint8_t purge[] = { 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10 };
	static const uint8_t pause[] = { 0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0x11 };
	static const uint8_t resume[] = { 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x12 };
	static const uint8_t stop[] = { 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0x13 };
	struct cs800_command c;

	expect_bytes(cs800_command_purge(&c), &c, purge);
	expect_bytes(cs800_command_pause(&c), &c, pause);
	expect_bytes(cs800_command_resume(&c), &c, resume);
	expect_bytes(cs800_command_stop(&c), &c, stop);
}

static void test_turbo(void **state)
{
	static const uint8_t on[] = { 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x15 };
	static const uint8_t off[] = { 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x14 };
	struct cs800_command c;

	expect_bytes(cs800_command_turbo(true, &c), &c, on);
	expect_bytes(cs800_command_turbo(false, &c), &c, off);
}

/* The rest of the vendor's command set (Cryostream.xml). */
static void test_regen_interrupt_shield_autofill(void **state)
{
	static const uint8_t regen[] = { 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x15 };
	/* 600 ds = 0x0258; sum 0x78+0x02+0x58 = 0xD2 */
	static const uint8_t interrupt_time[] = { 0x00, 0x78, 0x02, 0x58, 0x00, 0x00, 0xD2 };
	static const uint8_t interrupt_time_min[] = { 0x00, 0x78, 0x00, 0x01, 0x00, 0x00, 0x79 };
	static const uint8_t interrupt_now[] = { 0x00, 0x79, 0x00, 0x00, 0x00, 0x00, 0x79 };
	static const uint8_t shield_on[] = { 0x00, 0x7A, 0x00, 0x01, 0x00, 0x00, 0x7B };
	static const uint8_t shield_off[] = { 0x00, 0x7A, 0x00, 0x00, 0x00, 0x00, 0x7A };
	static const uint8_t idle_auto[] = { 0x00, 0x7B, 0x00, 0x02, 0x00, 0x00, 0x7D };
	static const uint8_t idle_off[] = { 0x00, 0x7B, 0x00, 0x00, 0x00, 0x00, 0x7B };
	static const uint8_t af_scheduled[] = { 0x00, 0xCA, 0x00, 0x02, 0x00, 0x00, 0xCC };
	static const uint8_t af_manual[] = { 0x00, 0xCA, 0x00, 0x00, 0x00, 0x00, 0xCA };
	/* 20 % = 0x14; sum 0xCB+0x14 = 0xDF */
	static const uint8_t refill_20[] = { 0x00, 0xCB, 0x00, 0x14, 0x00, 0x00, 0xDF };
	static const uint8_t refill_40[] = { 0x00, 0xCB, 0x00, 0x28, 0x00, 0x00, 0xF3 };
	/* 80 % = 0x50; sum 0xCC+0x50 = 0x11C -> 0x1C */
	static const uint8_t stop_80[] = { 0x00, 0xCC, 0x00, 0x50, 0x00, 0x00, 0x1C };
	static const uint8_t stop_60[] = { 0x00, 0xCC, 0x00, 0x3C, 0x00, 0x00, 0x08 };
	struct cs800_command c;

	expect_bytes(cs800_command_regen(&c), &c, regen);
	expect_bytes(cs800_command_flow_interrupt_time(600, &c, NULL), &c, interrupt_time);
	expect_bytes(cs800_command_flow_interrupt_time(1, &c, NULL), &c, interrupt_time_min);
	expect_bytes(cs800_command_interrupt_flow(&c), &c, interrupt_now);
	expect_bytes(cs800_command_run_shield(true, &c), &c, shield_on);
	expect_bytes(cs800_command_run_shield(false, &c), &c, shield_off);
	expect_bytes(cs800_command_idle_shield_mode(CS800_IDLE_SHIELD_AUTO, &c, NULL), &c,
		     idle_auto);
	expect_bytes(cs800_command_idle_shield_mode(CS800_IDLE_SHIELD_OFF, &c, NULL), &c,
		     idle_off);
	expect_bytes(cs800_command_autofill_mode(CS800_AUTOFILL_SCHEDULED, &c, NULL), &c,
		     af_scheduled);
	expect_bytes(cs800_command_autofill_mode(CS800_AUTOFILL_MANUAL, &c, NULL), &c, af_manual);
	expect_bytes(cs800_command_autofill_refill_level(20, &c, NULL), &c, refill_20);
	expect_bytes(cs800_command_autofill_refill_level(40, &c, NULL), &c, refill_40);
	expect_bytes(cs800_command_autofill_stop_level(80, &c, NULL), &c, stop_80);
	expect_bytes(cs800_command_autofill_stop_level(60, &c, NULL), &c, stop_60);
}

static void test_command_table(void **state)
{
	static const struct {
		unsigned int code;
		const char *method;
	} want[] = {
		{ 0x0A, "Restart" }, { 0x0B, "Ramp" }, { 0x0C, "Plat" }, { 0x0D, "Hold" },
		{ 0x0E, "Cool" }, { 0x0F, "End" }, { 0x10, "Purge" }, { 0x11, "Pause" },
		{ 0x12, "Resume" }, { 0x13, "Stop" }, { 0x14, "Turbo" }, { 21, "Regen" },
		{ 120, "SetFlowInterruptTime" }, { 121, "InterruptFlow" }, { 122, "RunShield" },
		{ 123, "SetIdleShieldFlowMode" }, { 202, "SetAutofillMode" },
		{ 203, "SetAutofillRefillLevel" }, { 204, "SetAutofillStopLevel" },
	};
	const struct cs800_command_info *t;
	size_t n;

	t = cs800_commands(&n);
	assert_int_equal(n, ELEMENTSOF(want));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].code, want[i].code);
		assert_string_equal(t[i].method, want[i].method);
		assert_non_null(t[i].name);
		assert_ptr_equal(cs800_command_info(want[i].code), &t[i]);
	}
	assert_null(cs800_command_info(0x09));
	assert_null(cs800_command_info(0x16));
	assert_null(cs800_command_info(119));
	assert_null(cs800_command_info(124));
	assert_null(cs800_command_info(205));
}

/* A refused command leaves *ret (c) exactly as it was and says (in e) why. */
#define expect_refused(call, errno_value, text) do {				\
		struct cs800_command before;					\
		memset(&e, 0, sizeof(e));					\
		memset(&c, 0xA5, sizeof(c));					\
		before = c;							\
		assert_int_equal(call, errno_value);				\
		assert_memory_equal(&c, &before, sizeof(c));			\
		if (!strstr(e.message, text))					\
			fail_msg("\"%s\" does not say \"%s\"", e.message, text);	\
	} while (0)

static void test_target_range(void **state)
{
	struct cs800_command c;
	struct cs800_command_error e;

	expect_refused(cs800_command_cool(&limits, 79.99, &c, &e), -ERANGE,
		       "target temperature 79.99 K is below the device minimum 80.00 K");
	expect_refused(cs800_command_cool(&limits, 400.01, &c, &e), -ERANGE,
		       "target temperature 400.01 K is above the device maximum 400.00 K");
	expect_refused(cs800_command_cool(&limits, -5, &c, &e), -ERANGE, "below");
	expect_refused(cs800_command_cool(&limits, 1e9, &c, &e), -ERANGE, "above");
	expect_refused(cs800_command_cool(&limits, NAN, &c, &e), -EINVAL, "not a number");
	expect_refused(cs800_command_cool(&limits, INFINITY, &c, &e), -EINVAL, "not a number");
	expect_refused(cs800_command_cool(NULL, 120, &c, &e), -ENODATA, "no status packet");
	expect_refused(cs800_command_ramp(&limits, 100, 60.0, &c, &e), -ERANGE, "below");
	expect_refused(cs800_command_ramp(&limits, 100, 500.0, &c, &e), -ERANGE, "above");
	expect_refused(cs800_command_ramp(NULL, 100, 120.0, &c, &e), -ENODATA, "unknown");

	/* The limits themselves are allowed. */
	assert_int_equal(cs800_command_cool(&limits, 80.0, &c, NULL), 0);
	assert_int_equal(c.p1, 8000);
	assert_int_equal(cs800_command_cool(&limits, 400.0, &c, NULL), 0);
	assert_int_equal(c.p1, 40000);
}

static void test_rate_and_plat_range(void **state)
{
	struct cs800_command c;
	struct cs800_command_error e;

	expect_refused(cs800_command_ramp(&limits, 361, 120.0, &c, &e), -ERANGE,
		       "rate 361 K/h is outside the device range 0-360 K/h");
	expect_refused(cs800_command_end(0, &c, &e), -ERANGE,
		       "rate 0 K/h is outside the device range 1-360 K/h");
	expect_refused(cs800_command_end(361, &c, &e), -ERANGE, "rate 361 K/h");
	expect_refused(cs800_command_end(70000, &c, &e), -ERANGE, "rate 70000 K/h");
	expect_refused(cs800_command_plat(0, &c, &e), -ERANGE,
		       "plateau of 0 min is outside 1-1440 min");
	expect_refused(cs800_command_plat(1441, &c, &e), -ERANGE, "1441 min");
	assert_int_equal(cs800_command_ramp(&limits, 0, 120.0, &c, NULL), 0);
	assert_int_equal(cs800_command_ramp(&limits, 360, 120.0, &c, NULL), 0);
	assert_int_equal(cs800_command_end(1, &c, NULL), 0);
	assert_int_equal(cs800_command_plat(1, &c, NULL), 0);
}

static void test_vendor_ranges_of_the_new_commands(void **state)
{
	struct cs800_command c;
	struct cs800_command_error e;

	expect_refused(cs800_command_flow_interrupt_time(0, &c, &e), -ERANGE,
		       "flow interrupt time 0 ds is outside 1-600 ds");
	expect_refused(cs800_command_flow_interrupt_time(601, &c, &e), -ERANGE, "601 ds");
	expect_refused(cs800_command_idle_shield_mode(3, &c, &e), -ERANGE,
		       "idle shield flow mode 3 is not 0 (off), 1 (on) or 2 (auto)");
	expect_refused(cs800_command_autofill_mode(3, &c, &e), -ERANGE,
		       "autofill mode 3 is not 0 (manual), 1 (auto) or 2 (scheduled)");
	expect_refused(cs800_command_autofill_refill_level(19, &c, &e), -ERANGE,
		       "autofill refill level 19 % is outside 20-40 %");
	expect_refused(cs800_command_autofill_refill_level(41, &c, &e), -ERANGE, "41 %");
	expect_refused(cs800_command_autofill_refill_level(60, &c, &e), -ERANGE, "60 %");
	expect_refused(cs800_command_autofill_stop_level(59, &c, &e), -ERANGE,
		       "autofill stop level 59 % is outside 60-80 %");
	expect_refused(cs800_command_autofill_stop_level(81, &c, &e), -ERANGE, "81 %");
	expect_refused(cs800_command_autofill_stop_level(30, &c, &e), -ERANGE, "30 %");
}

static void test_limits_from_status(void **state)
{
	struct cs800_status s = { .device_min_temperature_k = 80.0,
				  .device_max_temperature_k = 500.0 };
	struct cs800_limits l, before;
	struct cs800_command_error e;

	assert_int_equal(cs800_limits_from_status(&s, &l, &e), 0);
	assert_int_equal(l.min_temperature_ck, 8000);
	assert_int_equal(l.max_temperature_ck, 50000);

	s.device_min_temperature_k = 600.0;
	memset(&l, 0x3C, sizeof(l));
	before = l;
	assert_int_equal(cs800_limits_from_status(&s, &l, &e), -EINVAL);
	assert_memory_equal(&l, &before, sizeof(l));
	assert_non_null(strstr(e.message, "above its maximum"));
}

static void test_parse(void **state)
{
	static const uint8_t cool[] = { 0x00, 0x0E, 0x2E, 0xE0, 0x00, 0x00, 0x1C };
	static const uint8_t bad_sum[] = { 0x00, 0x0E, 0x2E, 0xE0, 0x00, 0x00, 0x1D };
	static const uint8_t bad_lead[] = { 0x01, 0x0E, 0x2E, 0xE0, 0x00, 0x00, 0x1D };
	static const uint8_t bad_code[] = { 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x16 };
	static const uint8_t autofill[] = { 0x00, 0xCB, 0x00, 0x14, 0x00, 0x00, 0xDF };
	struct cs800_command c;
	struct cs800_command_error e;

	assert_int_equal(cs800_command_parse(cool, 7, &c, &e), 0);
	assert_int_equal(c.code, CS800_COMMAND_COOL);
	assert_int_equal(c.p1, 12000);
	assert_int_equal(c.p2, 0);
	assert_int_equal(cs800_command_parse(bad_sum, 7, &c, &e), -EBADMSG);
	assert_string_equal(e.message, "command checksum 0x1D, the bytes sum to 0x1C");
	assert_int_equal(cs800_command_parse(bad_lead, 7, &c, &e), -EBADMSG);
	assert_string_equal(e.message, "command packet starts with 0x01, expected 0x00");
	assert_int_equal(cs800_command_parse(bad_code, 7, &c, &e), -EBADMSG);
	assert_string_equal(e.message, "unknown command code 0x16");
	assert_int_equal(cs800_command_parse(autofill, 7, &c, &e), 0);
	assert_int_equal(c.code, CS800_COMMAND_AUTOFILL_REFILL_LEVEL);
	assert_int_equal(c.p1, 20);
	assert_int_equal(cs800_command_parse(cool, 6, &c, &e), -EBADMSG);
	assert_string_equal(e.message, "command packet is 6 bytes, expected 7");
}

/* A status that carried every parameter of the table. */
static struct cs800_status full(void)
{
	struct cs800_status s = {
		.phase = CS800_PHASE_HOLD,
		.run_mode = CS800_RUN_MODE_RUN,
		.target_temperature_k = 100.0,
	};
	size_t n;

	cs800_params(&n);
	for (size_t i = 0; i < n; i++)
		cs800_param_set_add(&s.present, i);
	return s;
}

/* Leave a parameter out of a status, as a packet without it would. */
static void drop(struct cs800_status *s, uint16_t id)
{
	size_t i = cs800_param_index(cs800_param_by_id(id));

	s->present.bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* The effect of each command, without Received in the packets. */
static void test_confirmation_by_effect(void **state)
{
	struct cs800_status before = full(), after;
	struct cs800_command c;

	drop(&before, 1072);
	after = before;
	assert_int_equal(cs800_command_cool(&limits, 120.0, &c, NULL), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.target_temperature_k = 120.0;
	after.phase = CS800_PHASE_COOL;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_ramp(&limits, 120, 150.0, &c, NULL), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.target_temperature_k = 150.0;
	after.ramp_rate_k_per_h = 120;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_turbo(true, &c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.turbo_mode = true;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_stop(&c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.run_mode = CS800_RUN_MODE_SHUTDOWN_OK;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	/* Shut down, the controller ignores commands and keeps reporting its
	 * last phase and target: they confirm nothing but Stop, End, Purge. */
	assert_int_equal(cs800_command_hold(&c), 0);
	after.phase = CS800_PHASE_HOLD;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_cool(&limits, 150.0, &c, NULL), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_turbo(true, &c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_end(360, &c, NULL), 0);
	assert_true(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_restart(&c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.run_mode = CS800_RUN_MODE_RUN;
	assert_true(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_hold(&c), 0);
	assert_true(cs800_command_confirmed(&c, &before, &after));

	/* Pause and Resume by Suspended (1071), else by the phase. */
	assert_int_equal(cs800_command_pause(&c), 0);
	after.suspended = false;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.suspended = true;
	assert_true(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_resume(&c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.suspended = false;
	assert_true(cs800_command_confirmed(&c, &before, &after));
	drop(&after, 1071);
	after.phase = CS800_PHASE_HOLD;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.phase = CS800_PHASE_RAMP;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	/* The new commands by the parameters they set. */
	after = before;
	assert_int_equal(cs800_command_regen(&c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.phase = CS800_PHASE_REGEN_2;
	assert_true(cs800_command_confirmed(&c, &before, &after));
	after.phase = CS800_PHASE_REGEN;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_flow_interrupt_time(25, &c, NULL), 0);
	after.flow_interrupt_time_s = 2.4;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.flow_interrupt_time_s = 2.5;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_interrupt_flow(&c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.flow_interrupt_count = before.flow_interrupt_count + 1;
	assert_true(cs800_command_confirmed(&c, &before, &after));
	after.flow_interrupt_count = before.flow_interrupt_count;
	after.flow_interrupt_state = 1;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_autofill_mode(CS800_AUTOFILL_MANUAL, &c, NULL), 0);
	after.autofill_mode = CS800_AUTOFILL_AUTO;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.autofill_mode = CS800_AUTOFILL_MANUAL;
	assert_true(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_autofill_refill_level(25, &c, NULL), 0);
	after.autofill_refill_level_percent = 30.0;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.autofill_refill_level_percent = 25.0;	/* 2500 c% on the wire */
	assert_true(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_autofill_stop_level(75, &c, NULL), 0);
	after.autofill_stop_level_percent = 75.01;
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.autofill_stop_level_percent = 75.0;
	assert_true(cs800_command_confirmed(&c, &before, &after));

	/* Nothing a packet carries shows the shield: without Received these
	 * cannot be confirmed. */
	assert_int_equal(cs800_command_run_shield(true, &c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_idle_shield_mode(1, &c, NULL), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));

	/* A packet without the parameter an effect needs shows nothing. */
	assert_int_equal(cs800_command_autofill_mode(CS800_AUTOFILL_MANUAL, &c, NULL), 0);
	assert_true(cs800_command_confirmed(&c, &before, &after));
	drop(&after, 1209);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_cool(&limits, 150.0, &c, NULL), 0);
	after.target_temperature_k = 150.0;
	drop(&after, 1056);
	assert_false(cs800_command_confirmed(&c, &before, &after));
}

/* Received (1072) must move for a command to count as taken; it alone
 * confirms what no parameter shows. */
static void test_confirmation_by_received(void **state)
{
	struct cs800_status before = full(), after;
	struct cs800_command c;

	before.commands_received = 65535;
	after = before;
	/* Already holding: the effect is there, but the controller has not
	 * taken the packet yet (a packet sent before ours arrived). */
	assert_int_equal(cs800_command_hold(&c), 0);
	assert_false(cs800_command_confirmed(&c, &before, &after));
	after.commands_received = 0;	/* counted, wrapping */
	assert_true(cs800_command_confirmed(&c, &before, &after));
	/* Taken, but the effect says otherwise. */
	after.phase = CS800_PHASE_RAMP;
	assert_false(cs800_command_confirmed(&c, &before, &after));

	assert_int_equal(cs800_command_run_shield(true, &c), 0);
	assert_true(cs800_command_confirmed(&c, &before, &after));
	assert_int_equal(cs800_command_idle_shield_mode(2, &c, NULL), 0);
	assert_true(cs800_command_confirmed(&c, &before, &after));
	after.commands_received = before.commands_received;
	assert_false(cs800_command_confirmed(&c, &before, &after));

	/* A packet without Received: back to the effect alone. */
	drop(&after, 1072);
	assert_int_equal(cs800_command_hold(&c), 0);
	after.phase = CS800_PHASE_HOLD;
	assert_true(cs800_command_confirmed(&c, &before, &after));
}

static void test_commands_missed(void **state)
{
	struct cs800_status previous = full(), after;

	previous.commands_missed = 65534;
	after = previous;
	assert_int_equal(cs800_commands_missed(&previous, &after), 0);
	after.commands_missed = 1;	/* wrapped: three more */
	assert_int_equal(cs800_commands_missed(&previous, &after), 3);
	drop(&after, 1073);
	assert_int_equal(cs800_commands_missed(&previous, &after), 0);
	drop(&previous, 1073);
	after = previous;
	after.commands_missed = 1;
	assert_int_equal(cs800_commands_missed(&previous, &after), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_ramp),
		cmocka_unit_test(test_plat),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_cool),
		cmocka_unit_test(test_end),
		cmocka_unit_test(test_purge_pause_resume_stop),
		cmocka_unit_test(test_turbo),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_target_range),
		cmocka_unit_test(test_rate_and_plat_range),
		cmocka_unit_test(test_limits_from_status),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_confirmation_by_effect),
		cmocka_unit_test(test_confirmation_by_received),
		cmocka_unit_test(test_commands_missed),
		cmocka_unit_test(test_regen_interrupt_shield_autofill),
		cmocka_unit_test(test_ramp_at_rate_zero),
		cmocka_unit_test(test_vendor_ranges_of_the_new_commands),
	};

	return cmocka_run_group_tests_name("cryo-command", tests, NULL, NULL);
}
