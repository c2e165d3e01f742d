// SPDX-License-Identifier: GPL-2.0
/*
 * The Cryostream 800 status decoder and parameter table, against packets
 * this test lays out byte by byte from shared/spec/cryostream-cs800.md
 * (not with the project's packet builder, which is only checked against
 * the decoder at the end).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/cryo/cs800-params.h"
#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"

#define PACKET 928

/* cmocka 1.1.5 has no double comparison. */
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* What the test puts in the packet, and what the spec says it means. */
struct expected {
	uint16_t id;
	uint16_t raw;
	double value;		/* in the unit of the table (K, l/min, bar, ...) */
	const char *name;	/* enumerations: the spec's name */
};

static const struct expected expected[] = {
	{ 1000, 800, 800, NULL },
	{ 1001, 2, 2, NULL },
	{ 1002, 8000, 80.00, NULL },		/* cK -> K */
	{ 1003, 40000, 400.00, NULL },
	{ 1004, 150, 150, NULL },
	{ 1028, 411, 411, NULL },
	{ 1050, 12000, 120.00, NULL },
	{ 1051, 12345, 123.45, NULL },
	{ 1052, 0xFF9C, -1.00, NULL },	/* signed: -100 cK */
	{ 1053, 3, 3, "Run" },
	{ 1054, 1, 1, "Cool" },
	{ 1055, 360, 360, NULL },		/* K/h */
	{ 1056, 10000, 100.00, NULL },
	{ 1057, 8512, 85.12, NULL },
	{ 1058, 9001, 90.01, NULL },
	{ 1059, 42, 42, NULL },		/* min */
	{ 1060, 53, 5.3, NULL },		/* 0.1 l/min -> l/min */
	{ 1061, 37, 37, NULL },		/* % */
	{ 1062, 12, 12, NULL },
	{ 1063, 7, 7, NULL },
	{ 1064, 123, 1.23, NULL },		/* 0.01 bar -> bar */
	{ 1065, 23, 23, "No Nitrogen" },
	{ 1066, 600, 600, NULL },
	{ 1067, 4, 4, NULL },
	{ 1068, 1, 1, NULL },			/* turbo on */
	{ 1203, 88, 88, NULL },		/* % */
	{ 2010, 4000, 40.00, NULL },
	{ 2011, 5000, 50.00, NULL },
	{ 2012, 321, 321, NULL },
	{ 2013, 29315, 293.15, NULL },
	{ 2014, 11, 11, NULL },
	{ 2015, 12, 12, NULL },
	{ 2016, 13, 13, NULL },
	{ 2017, 14, 14, NULL },
	{ 2019, 15, 15, NULL },
	{ 2020, 16, 16, NULL },
	{ 2030, 10100, 101.00, NULL },
	{ 2031, 10200, 102.00, NULL },
	{ 2035, 10300, 103.00, NULL },
	{ 2036, 10400, 104.00, NULL },
	{ 2041, 30000, 300.00, NULL },
	{ 2042, 1234, 1234, NULL },
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void set_pair(uint8_t *pkt, unsigned int index, uint16_t id, uint16_t value)
{
	put16(pkt + 4 + 4 * index, id);
	put16(pkt + 4 + 4 * index + 2, value);
}

/* Checksum per the spec: 16-bit sum of bytes 4..923. */
static void seal(uint8_t *pkt)
{
	unsigned int sum = 0;

	for (int i = 4; i <= 923; i++)
		sum += pkt[i];
	put16(pkt + 924, sum & 0xffff);
}

/*
 * A valid packet: markers, data length 920 (0x0398), the expected
 * parameters first, then filler pairs of ids no table knows carrying
 * 0xFFFF, so the byte sum overflows 16 bits and truncation is exercised.
 */
static void build(uint8_t *pkt)
{
	unsigned int i;

	memset(pkt, 0, PACKET);
	pkt[0] = 0xAA;
	pkt[1] = 0xAB;
	pkt[2] = 0x03;
	pkt[3] = 0x98;
	for (i = 0; i < ELEMENTSOF(expected); i++)
		set_pair(pkt, i, expected[i].id, expected[i].raw);
	for (; i < 230; i++)
		set_pair(pkt, i, 3000 + i, 0xFFFF);
	seal(pkt);
	pkt[926] = 0xAB;
	pkt[927] = 0xAA;
}

static unsigned int index_of(uint16_t id)
{
	for (unsigned int i = 0; i < ELEMENTSOF(expected); i++)
		if (expected[i].id == id)
			return i;
	fail_msg("id %u not in the test's table", id);
	return 0;
}

static void test_checksum_overflows_16_bits(void **state)
{
	uint8_t pkt[PACKET];
	unsigned int sum = 0;

	build(pkt);
	for (int i = 4; i <= 923; i++)
		sum += pkt[i];
	assert_true(sum > 0xffff);
	assert_int_equal(cs800_status_checksum(pkt), sum & 0xffff);
}

static void test_every_parameter_decoded(void **state)
{
	uint8_t pkt[PACKET];
	struct cs800_status s;
	struct cs800_decode_error e;
	const struct cs800_param *table;
	size_t n;

	build(pkt);
	assert_int_equal(cs800_status_decode(pkt, sizeof(pkt), 0, &s, &e), 0);

	/* The table covers exactly the parameters of the spec the test
	 * lists, and every one decodes to its value in its unit. */
	table = cs800_params(&n);
	assert_int_equal(n, ELEMENTSOF(expected));
	for (size_t i = 0; i < n; i++) {
		const struct expected *x = &expected[index_of(table[i].id)];
		struct cs800_value v;

		assert_true(s.present & (UINT64_C(1) << i));
		cs800_param_get(&table[i], &s, &v);
		switch (v.type) {
		case CS800_VALUE_DOUBLE:
			if (fabs(v.d - x->value) > 1e-9)
				fail_msg("%s: %f, expected %f", table[i].property, v.d, x->value);
			break;
		case CS800_VALUE_UINT16:
			assert_int_equal(v.q, (uint16_t)x->value);
			break;
		case CS800_VALUE_BOOLEAN:
			assert_int_equal(v.b, x->value != 0);
			break;
		}
		if (x->name) {
			assert_int_equal(table[i].kind, CS800_KIND_ENUM);
			assert_string_equal(table[i].to_string(v.q), x->name);
		}
	}
}

static void test_typed_fields(void **state)
{
	uint8_t pkt[PACKET];
	struct cs800_status s;

	build(pkt);
	assert_int_equal(cs800_status_decode(pkt, sizeof(pkt), 0, &s, NULL), 0);
	assert_int_equal(s.controller_number, 411);
	assert_near(s.device_min_temperature_k, 80.0);
	assert_near(s.device_max_temperature_k, 400.0);
	assert_near(s.set_point_k, 120.0);
	assert_near(s.gas_temperature_k, 123.45);
	assert_near(s.error_k, -1.0);
	assert_int_equal(s.run_mode, CS800_RUN_MODE_RUN);
	assert_int_equal(s.phase, CS800_PHASE_COOL);
	assert_int_equal(s.ramp_rate_k_per_h, 360);
	assert_near(s.target_temperature_k, 100.0);
	assert_int_equal(s.time_remaining_min, 42);
	assert_near(s.gas_flow_l_per_min, 5.3);
	assert_int_equal(s.gas_heater_percent, 37);
	assert_near(s.back_pressure_bar, 1.23);
	assert_int_equal(s.alarm, CS800_ALARM_NO_NITROGEN);
	assert_int_equal(s.run_time_min, 600);
	assert_true(s.turbo_mode);
	assert_int_equal(s.ln2_level_percent, 88);
	assert_near(s.coldhead_temperature_k, 40.0);
	assert_int_equal(s.vacuum_sensor, 1234);
}

static void test_pair_order_does_not_matter(void **state)
{
	uint8_t pkt[PACKET], swapped[PACKET];
	struct cs800_status a, b;

	build(pkt);
	memcpy(swapped, pkt, PACKET);
	/* Swap the first and the last pair: same sum, same content. */
	memcpy(swapped + 4, pkt + 4 + 4 * 229, 4);
	memcpy(swapped + 4 + 4 * 229, pkt + 4, 4);
	assert_int_equal(cs800_status_decode(pkt, PACKET, 0, &a, NULL), 0);
	assert_int_equal(cs800_status_decode(swapped, PACKET, 0, &b, NULL), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_enumeration_names(void **state)
{
	static const char *const run_modes[] = {
		"Startup", "Startup Fail", "Startup OK", "Run", "Setup",
		"Shutdown OK", "Shutdown Fail",
	};
	static const char *const phases[] = {
		"Ramp", "Cool", "Plat", "Hold", "End", "Purge", "Delete Phase",
		"Load Program", "Save Program", "Soak", "Wait",
	};

	for (unsigned int i = 0; i < ELEMENTSOF(run_modes); i++)
		assert_string_equal(cs800_run_mode_to_string(i), run_modes[i]);
	assert_null(cs800_run_mode_to_string(7));
	for (unsigned int i = 0; i < ELEMENTSOF(phases); i++)
		assert_string_equal(cs800_phase_to_string(i), phases[i]);
	assert_null(cs800_phase_to_string(11));

	assert_string_equal(cs800_alarm_to_string(0), "No error");
	assert_string_equal(cs800_alarm_to_string(2), "Stop Command");
	assert_string_equal(cs800_alarm_to_string(15), "Brownout");
	assert_string_equal(cs800_alarm_to_string(30), "Do Not Open Cryostat");
	assert_string_equal(cs800_alarm_to_string(31), "Do Not Open Cryostat");
	assert_string_equal(cs800_alarm_to_string(49), "Turbo Flow");
	assert_string_equal(cs800_alarm_to_string(55), "Disconnect Vacuum");
	assert_null(cs800_alarm_to_string(56));
}

static void test_unknown_enum_value_is_kept(void **state)
{
	uint8_t pkt[PACKET];
	struct cs800_status s;
	char buf[64];

	build(pkt);
	set_pair(pkt, index_of(1065), 1065, 77);
	seal(pkt);
	assert_int_equal(cs800_status_decode(pkt, PACKET, 0, &s, NULL), 0);
	assert_int_equal(s.alarm, 77);
	assert_int_equal(cs800_param_format(cs800_param_by_id(1065), &s, buf, sizeof(buf)),
			 (int)strlen("unknown (77)"));
	assert_string_equal(buf, "unknown (77)");
}

static void test_optional_parameter_may_be_missing(void **state)
{
	uint8_t pkt[PACKET];
	struct cs800_status s;
	size_t bit = cs800_param_index(cs800_param_by_id(2010));

	build(pkt);
	set_pair(pkt, index_of(2010), 3999, 0);
	seal(pkt);
	assert_int_equal(cs800_status_decode(pkt, PACKET, 0, &s, NULL), 0);
	assert_false(s.present & (UINT64_C(1) << bit));
	assert_near(s.coldhead_temperature_k, 0.0);
}

/* A rejected packet gives -EBADMSG, the reason, and leaves *ret alone. */
static void expect_reject(const uint8_t *pkt, size_t size, enum cs800_reject_reason reason,
			  uint32_t expected_value, uint32_t found, uint16_t id, const char *message)
{
	struct cs800_status s, before;
	struct cs800_decode_error e;
	char buf[128];

	memset(&s, 0x5A, sizeof(s));
	before = s;
	assert_int_equal(cs800_status_decode(pkt, size, 0, &s, &e), -EBADMSG);
	assert_memory_equal(&s, &before, sizeof(s));
	assert_int_equal(e.reason, reason);
	if (reason == CS800_REJECT_MISSING_PARAMETER || reason == CS800_REJECT_DUPLICATE_PARAMETER) {
		assert_int_equal(e.parameter_id, id);
	} else {
		assert_int_equal(e.expected, expected_value);
		assert_int_equal(e.found, found);
	}
	assert_true(cs800_decode_error_format(&e, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, message);
}

static void test_reject_length(void **state)
{
	uint8_t pkt[PACKET + 1];

	build(pkt);
	pkt[PACKET] = 0;
	expect_reject(pkt, 927, CS800_REJECT_LENGTH, 928, 927, 0,
		      "packet is 927 bytes, a status packet is 928");
	expect_reject(pkt, 929, CS800_REJECT_LENGTH, 928, 929, 0,
		      "packet is 929 bytes, a status packet is 928");
	expect_reject(pkt, 0, CS800_REJECT_LENGTH, 928, 0, 0,
		      "packet is 0 bytes, a status packet is 928");
	expect_reject(pkt, 7, CS800_REJECT_LENGTH, 928, 7, 0,
		      "packet is 7 bytes, a status packet is 928");
}

static void test_reject_markers(void **state)
{
	uint8_t pkt[PACKET];

	build(pkt);
	pkt[0] = 0xAB;
	expect_reject(pkt, PACKET, CS800_REJECT_START_MARKER, 0xAAAB, 0xABAB, 0,
		      "start marker is 0xABAB, expected 0xAAAB");
	build(pkt);
	pkt[1] = 0xAA;
	expect_reject(pkt, PACKET, CS800_REJECT_START_MARKER, 0xAAAB, 0xAAAA, 0,
		      "start marker is 0xAAAA, expected 0xAAAB");
	build(pkt);
	pkt[926] = 0xAA;
	expect_reject(pkt, PACKET, CS800_REJECT_END_MARKER, 0xABAA, 0xAAAA, 0,
		      "end marker is 0xAAAA, expected 0xABAA");
	build(pkt);
	pkt[927] = 0xAB;
	expect_reject(pkt, PACKET, CS800_REJECT_END_MARKER, 0xABAA, 0xABAB, 0,
		      "end marker is 0xABAB, expected 0xABAA");
}

static void test_reject_data_length(void **state)
{
	uint8_t pkt[PACKET];

	build(pkt);
	pkt[2] = 0x03;
	pkt[3] = 0xA0;	/* 928: the whole packet, not the data */
	expect_reject(pkt, PACKET, CS800_REJECT_DATA_LENGTH, 920, 928, 0,
		      "data length field is 928, expected 920");
	build(pkt);
	pkt[2] = 0x00;
	pkt[3] = 0x00;
	expect_reject(pkt, PACKET, CS800_REJECT_DATA_LENGTH, 920, 0, 0,
		      "data length field is 0, expected 920");
}

static void test_reject_checksum_message(void **state)
{
	uint8_t pkt[PACKET];
	struct cs800_status s;
	struct cs800_decode_error e;
	char buf[128], want[128];
	uint16_t good;

	/* One flipped data bit: the sum no longer matches. */
	build(pkt);
	good = (uint16_t)(pkt[924] << 8 | pkt[925]);
	pkt[4 + 4 * index_of(1051) + 3] ^= 0x01;
	assert_int_equal(cs800_status_decode(pkt, PACKET, 0, &s, &e), -EBADMSG);
	assert_int_equal(e.reason, CS800_REJECT_CHECKSUM);
	assert_int_equal(e.found, good);
	assert_int_not_equal(e.expected, good);
	assert_true(cs800_decode_error_format(&e, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "checksum field is 0x%04X, the data sums to 0x%04X",
		 good, e.expected);
	assert_string_equal(buf, want);
}

static void test_reject_missing_parameter(void **state)
{
	uint8_t pkt[PACKET];

	build(pkt);
	set_pair(pkt, index_of(1051), 3999, 12345);
	seal(pkt);
	expect_reject(pkt, PACKET, CS800_REJECT_MISSING_PARAMETER, 0, 0, 1051,
		      "required parameter 1051 is missing");
	build(pkt);
	set_pair(pkt, index_of(1203), 3999, 88);
	seal(pkt);
	expect_reject(pkt, PACKET, CS800_REJECT_MISSING_PARAMETER, 0, 0, 1203,
		      "required parameter 1203 is missing");
}

static void test_reject_duplicate_parameter(void **state)
{
	uint8_t pkt[PACKET];

	build(pkt);
	set_pair(pkt, 200, 1028, 369);	/* a second controller number */
	seal(pkt);
	expect_reject(pkt, PACKET, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, 1028,
		      "parameter 1028 appears more than once");
	build(pkt);
	set_pair(pkt, 229, 2042, 1);	/* optional ones too */
	seal(pkt);
	expect_reject(pkt, PACKET, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, 2042,
		      "parameter 2042 appears more than once");
}

static void test_reject_reason_names(void **state)
{
	assert_string_equal(cs800_reject_reason_to_string(CS800_REJECT_LENGTH), "length");
	assert_string_equal(cs800_reject_reason_to_string(CS800_REJECT_CHECKSUM), "checksum");
	assert_string_equal(cs800_reject_reason_to_string(CS800_REJECT_DUPLICATE_PARAMETER),
			    "duplicate-parameter");
	assert_null(cs800_reject_reason_to_string(_CS800_REJECT_MAX));
}

static void test_table_is_consistent(void **state)
{
	const struct cs800_param *t;
	size_t n;

	t = cs800_params(&n);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(cs800_param_by_id(t[i].id), &t[i]);
		assert_ptr_equal(cs800_param_by_property(t[i].property), &t[i]);
		assert_int_equal(cs800_param_index(&t[i]), i);
		if (i > 0)
			assert_true(t[i - 1].id < t[i].id);
		assert_true(t[i].property[0] >= 'A' && t[i].property[0] <= 'Z');
		if (t[i].kind == CS800_KIND_ENUM) {
			assert_non_null(t[i].to_string);
			assert_non_null(t[i].name_property);
		}
		/* Only the Cobra/Plus block is optional. */
		assert_int_equal(t[i].optional, t[i].id >= 2000);
	}
	assert_null(cs800_param_by_id(1005));
	assert_null(cs800_param_by_property("NoSuchProperty"));
	assert_string_equal(cs800_param_by_id(1051)->property, "GasTemperature");
	assert_string_equal(cs800_param_by_id(1051)->unit, "K");
	assert_string_equal(cs800_param_by_id(1060)->unit, "l/min");
	assert_string_equal(cs800_param_by_id(1064)->unit, "bar");
	assert_string_equal(cs800_param_by_id(1059)->unit, "min");
	assert_string_equal(cs800_param_by_id(1203)->unit, "%");
	assert_string_equal(cs800_param_by_id(1053)->name_property, "RunModeName");
}

static void test_format(void **state)
{
	uint8_t pkt[PACKET];
	struct cs800_status s;
	char buf[64];

	build(pkt);
	assert_int_equal(cs800_status_decode(pkt, PACKET, 0, &s, NULL), 0);
	cs800_param_format(cs800_param_by_id(1051), &s, buf, sizeof(buf));
	assert_string_equal(buf, "123.45 K");
	cs800_param_format(cs800_param_by_id(1052), &s, buf, sizeof(buf));
	assert_string_equal(buf, "-1.00 K");
	cs800_param_format(cs800_param_by_id(1060), &s, buf, sizeof(buf));
	assert_string_equal(buf, "5.3 l/min");
	cs800_param_format(cs800_param_by_id(1064), &s, buf, sizeof(buf));
	assert_string_equal(buf, "1.23 bar");
	cs800_param_format(cs800_param_by_id(1053), &s, buf, sizeof(buf));
	assert_string_equal(buf, "Run (3)");
	cs800_param_format(cs800_param_by_id(1055), &s, buf, sizeof(buf));
	assert_string_equal(buf, "360 K/h");
	cs800_param_format(cs800_param_by_id(1068), &s, buf, sizeof(buf));
	assert_string_equal(buf, "on");
	assert_int_equal(cs800_param_format(cs800_param_by_id(1051), &s, buf, 4), -ENOBUFS);
}

/* The builder used by the simulator lays out what the decoder (checked
 * above against hand-made bytes) reads back unchanged. */
static void test_builder_round_trip(void **state)
{
	uint8_t pkt[PACKET], built[PACKET];
	struct cs800_status s, again;
	uint16_t seen[230];

	build(pkt);
	assert_int_equal(cs800_status_decode(pkt, PACKET, 0, &s, NULL), 0);
	cs800_status_build(&s, built);
	assert_int_equal(built[0], 0xAA);
	assert_int_equal(built[1], 0xAB);
	assert_int_equal(built[2], 0x03);
	assert_int_equal(built[3], 0x98);
	assert_int_equal(built[926], 0xAB);
	assert_int_equal(built[927], 0xAA);
	for (int i = 0; i < 230; i++) {
		seen[i] = cs800_status_builder_id(i);
		assert_int_equal(seen[i], built[4 + 4 * i] << 8 | built[5 + 4 * i]);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
	assert_int_equal(seen[0], 1000);
	assert_int_equal(seen[229], 2042);
	assert_int_equal(cs800_status_decode(built, PACKET, 0, &again, NULL), 0);
	assert_memory_equal(&s, &again, sizeof(s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_overflows_16_bits),
		cmocka_unit_test(test_every_parameter_decoded),
		cmocka_unit_test(test_typed_fields),
		cmocka_unit_test(test_pair_order_does_not_matter),
		cmocka_unit_test(test_enumeration_names),
		cmocka_unit_test(test_unknown_enum_value_is_kept),
		cmocka_unit_test(test_optional_parameter_may_be_missing),
		cmocka_unit_test(test_reject_length),
		cmocka_unit_test(test_reject_markers),
		cmocka_unit_test(test_reject_data_length),
		cmocka_unit_test(test_reject_checksum_message),
		cmocka_unit_test(test_reject_missing_parameter),
		cmocka_unit_test(test_reject_duplicate_parameter),
		cmocka_unit_test(test_reject_reason_names),
		cmocka_unit_test(test_table_is_consistent),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_builder_round_trip),
	};

	return cmocka_run_group_tests_name("cryo-status", tests, NULL, NULL);
}
