// SPDX-License-Identifier: GPL-2.0
/*
 * The Cryostream 800 status decoder and parameter table, against packets
 * this test lays out byte by byte from shared/spec/cryostream-cs800.md
 * (not with the project's packet builder, which is only checked against
 * the decoder at the end), and the vendor's tables of names and alarm
 * levels, written out here from the spec.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/cryo/cs800-params.h"
#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"

/* The EPICS support's packet size; other sizes are built as needed. */
#define EPICS 928
#define MAX_PAIRS 2000

/* cmocka 1.1.5 has no double comparison. */
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* What the test puts in the packet, and what the spec says it means. */
struct expected {
	uint16_t id;
	uint16_t raw;
	double value;		/* in the unit of the table (K, l/min, bar, %, ...) */
	const char *name;	/* enumerations: the vendor's (or kept EPICS) name */
};

static const struct expected expected[] = {
	{ 1000, 800, 800, NULL },
	{ 1001, 2, 2, NULL },
	{ 1002, 8000, 80.00, NULL },		/* cK -> K */
	{ 1003, 40000, 400.00, NULL },
	{ 1004, 150, 150, NULL },
	{ 1028, 411, 411, NULL },
	{ 1032, 10000, 100.00, NULL },
	{ 1050, 12000, 120.00, NULL },
	{ 1051, 12345, 123.45, NULL },
	{ 1052, 0xFF9C, -1.00, NULL },		/* signed: -100 cK */
	{ 1053, 3, 3, "Run" },
	{ 1054, 1, 1, "Cool" },
	{ 1055, 360, 360, NULL },		/* K/h */
	{ 1056, 10000, 100.00, NULL },
	{ 1057, 8512, 85.12, NULL },
	{ 1058, 9001, 90.01, NULL },
	{ 1059, 42, 42, NULL },			/* min */
	{ 1060, 53, 5.3, NULL },		/* 0.1 l/min -> l/min */
	{ 1061, 37, 37, NULL },			/* % */
	{ 1062, 12, 12, NULL },
	{ 1063, 7, 7, NULL },			/* Average suct heat, % */
	{ 1064, 123, 1.23, NULL },		/* 0.01 bar -> bar */
	{ 1065, 47, 47, "Autofill filling" },
	{ 1066, 600, 600, NULL },
	{ 1067, 4, 4, NULL },			/* Evap shift, % */
	{ 1068, 1, 1, NULL },			/* turbo on */
	{ 1069, 38, 38, NULL },			/* Average gas heat, % */
	{ 1070, 9, 9, NULL },			/* Suct heat, % */
	{ 1071, 1, 1, NULL },			/* Suspended */
	{ 1072, 17, 17, NULL },			/* Received */
	{ 1073, 2, 2, NULL },			/* Missed */
	{ 1101, 812, 812, NULL },		/* mbar */
	{ 1103, 35, 35, NULL },			/* % */
	{ 1115, 25, 2.5, NULL },		/* ds -> s */
	{ 1116, 0, 0, NULL },
	{ 1117, 3, 3, NULL },
	{ 1203, 8800, 88.00, NULL },		/* c% -> %: 8800 is 88 % */
	{ 1207, 3000, 30.00, NULL },
	{ 1208, 7050, 70.50, NULL },
	{ 1209, 2, 2, "scheduled" },
	{ 1211, 1, 1, NULL },
	{ 2010, 4000, 40.00, NULL },
	{ 2011, 5000, 50.00, NULL },
	{ 2012, 321, 321, NULL },		/* mV */
	{ 2013, 29315, 293.15, NULL },
	{ 2014, 11, 11, NULL },
	{ 2015, 12, 12, NULL },
	{ 2016, 13, 13, NULL },
	{ 2017, 14, 14, NULL },
	{ 2019, 15, 15, NULL },
	{ 2020, 16, 16, NULL },
	{ 2030, 10100, 101.00, NULL },
	{ 2031, 10200, 102.00, NULL },
	{ 2032, 1, 1, NULL },			/* sample holder present */
	{ 2034, 95, 95, NULL },			/* min */
	{ 2035, 10300, 103.00, NULL },
	{ 2036, 10400, 104.00, NULL },
	{ 2041, 30000, 300.00, NULL },
	{ 2042, 1234, 1234, NULL },		/* mbar */
	{ 2044, 2, 2, "warning" },
	{ 2519, 2, 2, NULL },
	{ 2520, 150, 1.50, NULL },		/* cl/min -> l/min */
};

struct packet {
	uint8_t bytes[8 + 4 * MAX_PAIRS];
	size_t n_pairs;
	size_t size;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void begin(struct packet *p)
{
	memset(p, 0, sizeof(*p));
	p->bytes[0] = 0xAA;
	p->bytes[1] = 0xAB;
}

static void pair(struct packet *p, uint16_t id, uint16_t value)
{
	assert_true(p->n_pairs < MAX_PAIRS);
	put16(p->bytes + 4 + 4 * p->n_pairs, id);
	put16(p->bytes + 6 + 4 * p->n_pairs, value);
	p->n_pairs++;
}

/* Checksum per the spec: the 16-bit sum of the pair bytes; then the data
 * length (the pair bytes, as the EPICS packet's 920), the end marker. */
static void seal(struct packet *p)
{
	unsigned int sum = 0;

	p->size = 8 + 4 * p->n_pairs;
	for (size_t i = 4; i < 4 + 4 * p->n_pairs; i++)
		sum += p->bytes[i];
	put16(p->bytes + 2, (uint16_t)(4 * p->n_pairs));
	put16(p->bytes + p->size - 4, sum & 0xffff);
	p->bytes[p->size - 2] = 0xAB;
	p->bytes[p->size - 1] = 0xAA;
}

/*
 * The EPICS-size packet: the expected parameters first, then filler pairs
 * of ids no table knows carrying 0xFFFF, so the byte sum overflows 16
 * bits and truncation is exercised.
 */
static void build(struct packet *p)
{
	size_t i;

	begin(p);
	for (i = 0; i < ELEMENTSOF(expected); i++)
		pair(p, expected[i].id, expected[i].raw);
	for (; i < 230; i++)
		pair(p, 3000 + i, 0xFFFF);
	seal(p);
	assert_int_equal(p->size, EPICS);
}

static unsigned int index_of(uint16_t id)
{
	for (unsigned int i = 0; i < ELEMENTSOF(expected); i++)
		if (expected[i].id == id)
			return i;
	fail_msg("id %u not in the test's table", id);
	return 0;
}

/* Change the value of pair i and reseal. */
static void set_pair(struct packet *p, size_t i, uint16_t id, uint16_t value)
{
	put16(p->bytes + 4 + 4 * i, id);
	put16(p->bytes + 6 + 4 * i, value);
	seal(p);
}

static void test_checksum_overflows_16_bits(void **state)
{
	struct packet p;
	unsigned int sum = 0;

	build(&p);
	for (int i = 4; i <= 923; i++)
		sum += p.bytes[i];
	assert_true(sum > 0xffff);
	assert_int_equal(cs800_status_checksum(p.bytes, p.size), sum & 0xffff);
	assert_int_equal(get16(p.bytes + 924), sum & 0xffff);
}

static void test_every_parameter_decoded(void **state)
{
	struct packet p;
	struct cs800_status s;
	struct cs800_decode_error e;
	const struct cs800_param *table;
	size_t n;

	build(&p);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, &e), 0);
	assert_int_equal(s.parameter_count, 230);
	assert_int_equal(s.unknown_parameters, 230 - ELEMENTSOF(expected));

	/* The table covers exactly the parameters the test lists, and every
	 * one decodes to its value in its unit. */
	table = cs800_params(&n);
	assert_int_equal(n, ELEMENTSOF(expected));
	for (size_t i = 0; i < n; i++) {
		const struct expected *x = &expected[index_of(table[i].id)];
		struct cs800_value v;

		assert_true(cs800_param_set_has(&s.present, i));
		assert_true(cs800_status_has(&s, table[i].id));
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
	struct packet p;
	struct cs800_status s;

	build(&p);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
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
	assert_int_equal(s.average_suction_heater_percent, 7);
	assert_int_equal(s.suction_heater_percent, 9);
	assert_int_equal(s.average_gas_heater_percent, 38);
	assert_int_equal(s.evaporator_shift_percent, 4);
	assert_near(s.back_pressure_bar, 1.23);
	assert_int_equal(s.alarm, CS800_ALARM_AUTOFILL_FILLING);
	assert_int_equal(s.alarm_level, CS800_ALARM_LEVEL_WARNING);
	assert_int_equal(s.run_time_min, 600);
	assert_true(s.turbo_mode);
	assert_true(s.suspended);
	assert_int_equal(s.commands_received, 17);
	assert_int_equal(s.commands_missed, 2);
	assert_near(s.flow_interrupt_time_s, 2.5);
	/* Hundredths of a percent: 8800 is 88 %, not 8800 %. */
	assert_near(s.ln2_level_percent, 88.0);
	assert_near(s.autofill_refill_level_percent, 30.0);
	assert_near(s.autofill_stop_level_percent, 70.5);
	assert_int_equal(s.autofill_mode, CS800_AUTOFILL_SCHEDULED);
	assert_near(s.coldhead_temperature_k, 40.0);
	assert_int_equal(s.vacuum_gauge_mv, 321);
	assert_int_equal(s.vacuum_sensor_mbar, 1234);
	assert_true(s.sample_holder_present);
	assert_int_equal(s.phase_time_elapsed_min, 95);
	assert_near(s.shield_flow_requested_l_per_min, 1.5);
}

static void test_pair_order_does_not_matter(void **state)
{
	struct packet p, swapped;
	struct cs800_status a, b;

	build(&p);
	swapped = p;
	/* Swap the first and the last pair: same sum, same content. */
	memcpy(swapped.bytes + 4, p.bytes + 4 + 4 * 229, 4);
	memcpy(swapped.bytes + 4 + 4 * 229, p.bytes + 4, 4);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &a, NULL), 0);
	assert_int_equal(cs800_status_decode(swapped.bytes, swapped.size, 0, &b, NULL), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_run_mode_and_phase_names(void **state)
{
	static const char *const short_names[] = {
		"Startup", "Startup Fail", "Startup OK", "Run", "Setup",
		"Shutdown OK", "Shutdown Fail",
	};
	static const char *const vendor[] = {
		"Initialising", "Initialisation failed", "Ready", "Running", "Set up mode",
		"Shut down without error", "Shut down with error",
	};
	/* The vendor's phases, but 9 Soak (EPICS, ESRF; the vendor's file
	 * says Purge). */
	static const char *const phases[] = {
		"Ramp", "Cool", "Plat", "Hold", "End", "Purge", "Erase", "Load", "Save",
		"Soak", "Wait", "Regen", "Regen",
	};

	for (unsigned int i = 0; i < ELEMENTSOF(short_names); i++) {
		assert_string_equal(cs800_run_mode_to_string(i), short_names[i]);
		assert_string_equal(cs800_run_mode_description(i), vendor[i]);
	}
	assert_null(cs800_run_mode_to_string(7));
	assert_null(cs800_run_mode_description(7));
	for (unsigned int i = 0; i < ELEMENTSOF(phases); i++)
		assert_string_equal(cs800_phase_to_string(i), phases[i]);
	assert_null(cs800_phase_to_string(13));
	assert_string_equal(cs800_autofill_mode_to_string(0), "manual");
	assert_string_equal(cs800_autofill_mode_to_string(1), "auto");
	assert_string_equal(cs800_autofill_mode_to_string(2), "scheduled");
	assert_null(cs800_autofill_mode_to_string(3));
	assert_string_equal(cs800_idle_shield_mode_to_string(2), "auto");
	assert_null(cs800_idle_shield_mode_to_string(3));
}

/* The vendor's alarm table, every code with its level (0 none,
 * 1 information, 2 warning, 3 error, 4 fatal), as the spec quotes it. */
static void test_alarm_names_and_levels(void **state)
{
	static const struct {
		const char *name;
		int level;
	} alarms[] = {
		{ "No errors or warnings", 0 }, { "Stop pressed", 1 }, { "Stop command", 1 },
		{ "End complete", 1 }, { "Purge complete", 1 }, { "Temp warning", 2 },
		{ "Pressure warning", 2 }, { "Check vacuum", 2 }, { "Self-check fail", 4 },
		{ "Low flow rate", 4 }, { "Temp control error", 4 }, { "Gas type error", 4 },
		{ "Temp reading error", 4 }, { "Suct temp error", 4 }, { "Sensor fail", 4 },
		{ "Brownout", 3 }, { "Sink overheat", 4 }, { "PSU overheat", 4 },
		{ "Power loss", 4 }, { "Coldhead too cold", 4 }, { "Coldhead time out", 4 },
		{ "Cryodrive not found", 2 }, { "Cryodrive error", 4 }, { "No nitrogen", 4 },
		{ "No helium", 4 }, { "Vac gauge fail", 2 }, { "Vac reading error", 2 },
		{ "RS232 error", 2 }, { "Coldhead temp warning", 2 },
		{ "Coldhead temp error", 4 }, { "Do not open cryostat", 2 },
		{ "Do not open cryostat", 3 }, { "Disconnect sample sensor", 2 },
		{ "Cryostat open", 2 }, { "Cryostat open timeout", 4 },
		{ "High temp warning", 2 }, { "High temp error", 4 },
		{ "Cryodrive T sensor fault", 3 }, { "Cryodrive P sensor fault", 3 },
		{ "Cryodrive low T trip", 3 }, { "Cryodrive high T trip", 3 },
		{ "Cryodrive low P trip", 3 }, { "Cryodrive high T warning", 2 },
		{ "Cryodrive low P warning", 2 }, { "Connect gas supply", 2 },
		{ "Autofill fault", 3 }, { "Autofill about to fill", 1 },
		{ "Autofill filling", 2 }, { "Collar temp error", 4 }, { "Coldhead error", 4 },
		{ "Turbo flow", 1 }, { "He selected", 1 }, { "Cryodrive not ready", 2 },
		{ "Regen required", 2 }, { "Regen complete", 1 }, { "Connect vacuum", 2 },
		{ "Disconnect vacuum", 2 }, { "Connect sample sensor", 2 },
		{ "Relay board error", 4 }, { "Dry air maintenance", 1 },
		{ "Service required", 2 }, { "Low shield flow", 2 }, { "Shield on", 1 },
	};
	static const char *const levels[] = {
		"none", "information", "warning", "error", "fatal",
	};

	assert_int_equal(ELEMENTSOF(alarms), 63);
	for (unsigned int i = 0; i < ELEMENTSOF(alarms); i++) {
		assert_string_equal(cs800_alarm_to_string(i), alarms[i].name);
		assert_int_equal(cs800_alarm_level(i), alarms[i].level);
	}
	assert_null(cs800_alarm_to_string(63));
	assert_int_equal(cs800_alarm_level(63), -ENOENT);
	/* Where the EPICS table was shifted by one. */
	assert_string_equal(cs800_alarm_to_string(36), "High temp error");
	assert_string_equal(cs800_alarm_to_string(47), "Autofill filling");
	assert_string_equal(cs800_alarm_to_string(CS800_ALARM_TURBO_FLOW), "Turbo flow");
	for (unsigned int i = 0; i < ELEMENTSOF(levels); i++)
		assert_string_equal(cs800_alarm_level_to_string(i), levels[i]);
	assert_null(cs800_alarm_level_to_string(5));
}

/* No 2044 in the packet: the vendor's level of the code, an error for a
 * code the vendor does not define; a level the controller sends wins. */
static void test_alarm_level_without_parameter_2044(void **state)
{
	struct packet p;
	struct cs800_status s;
	size_t level = index_of(2044);

	build(&p);
	set_pair(&p, level, 3999, 0);
	set_pair(&p, index_of(1065), 1065, 36);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.alarm_level, CS800_ALARM_LEVEL_FATAL);
	assert_true(cs800_status_has(&s, 2044));
	set_pair(&p, index_of(1065), 1065, 54);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.alarm_level, CS800_ALARM_LEVEL_INFORMATION);
	set_pair(&p, index_of(1065), 1065, 99);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.alarm_level, CS800_ALARM_LEVEL_ERROR);

	set_pair(&p, level, 2044, 1);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.alarm, 99);
	assert_int_equal(s.alarm_level, CS800_ALARM_LEVEL_INFORMATION);

	/* Neither code nor level: neither is present. */
	set_pair(&p, level, 3999, 0);
	set_pair(&p, index_of(1065), 3998, 0);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_false(cs800_status_has(&s, 1065));
	assert_false(cs800_status_has(&s, 2044));
}

static void test_unknown_enum_value_is_kept(void **state)
{
	struct packet p;
	struct cs800_status s;
	char buf[64];

	build(&p);
	set_pair(&p, index_of(1065), 1065, 77);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.alarm, 77);
	assert_int_equal(cs800_param_format(cs800_param_by_id(1065), &s, buf, sizeof(buf)),
			 (int)strlen("unknown (77)"));
	assert_string_equal(buf, "unknown (77)");
}

/* Other firmware, other sets: only the controller number is required, any
 * number of pairs is taken, and the data length field is not read. */
static void test_packets_of_any_size(void **state)
{
	struct packet p;
	struct cs800_status s;

	/* The controller number alone: 12 bytes. */
	begin(&p);
	pair(&p, 1028, 411);
	seal(&p);
	assert_int_equal(p.size, 12);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.controller_number, 411);
	assert_int_equal(s.parameter_count, 1);
	assert_int_equal(s.unknown_parameters, 0);
	assert_true(cs800_status_has(&s, 1028));
	assert_false(cs800_status_has(&s, 1051));
	assert_false(cs800_status_has(&s, 1057));

	/* A few known ones among 1500 ids stationd does not know (the
	 * vendor's list is far longer than 230 pairs). */
	begin(&p);
	for (unsigned int i = 0; i < 1500; i++)
		pair(&p, 5003 + i, (uint16_t)i);
	pair(&p, 1051, 12345);
	pair(&p, 1028, 369);
	pair(&p, 1203, 4200);
	seal(&p);
	assert_int_equal(p.size, 8 + 4 * 1503);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(s.controller_number, 369);
	assert_near(s.gas_temperature_k, 123.45);
	assert_near(s.ln2_level_percent, 42.0);
	assert_int_equal(s.parameter_count, 1503);
	assert_int_equal(s.unknown_parameters, 1500);
	assert_false(cs800_status_has(&s, 1050));

	/* A data length field that says anything. */
	put16(p.bytes + 2, 920);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	put16(p.bytes + 2, 0);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);

	/* The EPICS packet with one known parameter left out is fine. */
	build(&p);
	set_pair(&p, index_of(1057), 3999, 0);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_false(cs800_status_has(&s, 1057));
	assert_near(s.evaporator_temperature_k, 0.0);
	assert_int_equal(s.unknown_parameters, 230 - ELEMENTSOF(expected) + 1);
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
	struct packet p;

	build(&p);
	expect_reject(p.bytes, 927, CS800_REJECT_LENGTH, 0, 927,
		      0, "packet is 927 bytes, not markers, data length and checksum around whole 4-byte pairs");
	expect_reject(p.bytes, 929, CS800_REJECT_LENGTH, 0, 929,
		      0, "packet is 929 bytes, not markers, data length and checksum around whole 4-byte pairs");
	expect_reject(p.bytes, 0, CS800_REJECT_LENGTH, 0, 0,
		      0, "packet is 0 bytes, not markers, data length and checksum around whole 4-byte pairs");
	expect_reject(p.bytes, 4, CS800_REJECT_LENGTH, 0, 4,
		      0, "packet is 4 bytes, not markers, data length and checksum around whole 4-byte pairs");
	expect_reject(p.bytes, 102, CS800_REJECT_LENGTH, 0, 102,
		      0, "packet is 102 bytes, not markers, data length and checksum around whole 4-byte pairs");
}

static void test_reject_markers(void **state)
{
	struct packet p;

	build(&p);
	p.bytes[0] = 0xAB;
	expect_reject(p.bytes, p.size, CS800_REJECT_START_MARKER, 0xAAAB, 0xABAB, 0,
		      "start marker is 0xABAB, expected 0xAAAB");
	build(&p);
	p.bytes[1] = 0xAA;
	expect_reject(p.bytes, p.size, CS800_REJECT_START_MARKER, 0xAAAB, 0xAAAA, 0,
		      "start marker is 0xAAAA, expected 0xAAAB");
	build(&p);
	p.bytes[926] = 0xAA;
	expect_reject(p.bytes, p.size, CS800_REJECT_END_MARKER, 0xABAA, 0xAAAA, 0,
		      "end marker is 0xAAAA, expected 0xABAA");
	build(&p);
	p.bytes[927] = 0xAB;
	expect_reject(p.bytes, p.size, CS800_REJECT_END_MARKER, 0xABAA, 0xABAB, 0,
		      "end marker is 0xABAB, expected 0xABAA");
	/* Cut short at a pair boundary: the end marker is not where the
	 * size puts it. */
	build(&p);
	assert_int_equal(get16(p.bytes + 98), 600);	/* the value of 1066 */
	expect_reject(p.bytes, 100, CS800_REJECT_END_MARKER, 0xABAA, 600, 0,
		      "end marker is 0x0258, expected 0xABAA");
}

static void test_reject_checksum_message(void **state)
{
	struct packet p;
	struct cs800_status s;
	struct cs800_decode_error e;
	char buf[128], want[128];
	uint16_t good;

	/* One flipped data bit: the sum no longer matches. */
	build(&p);
	good = get16(p.bytes + 924);
	p.bytes[4 + 4 * index_of(1051) + 3] ^= 0x01;
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, &e), -EBADMSG);
	assert_int_equal(e.reason, CS800_REJECT_CHECKSUM);
	assert_int_equal(e.found, good);
	assert_int_not_equal(e.expected, good);
	assert_true(cs800_decode_error_format(&e, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "checksum field is 0x%04X, the pairs sum to 0x%04X",
		 good, e.expected);
	assert_string_equal(buf, want);
	/* ... and still says whose packet it claims to be. */
	assert_true(e.has_controller_number);
	assert_int_equal(e.controller_number, 411);

	/* Taken when the checksum is ignored, with the data as sent. */
	assert_int_equal(cs800_status_decode(p.bytes, p.size, CS800_DECODE_IGNORE_CHECKSUM, &s, &e),
			 0);
	assert_near(s.gas_temperature_k, 123.44);
	/* Framing still counts. */
	p.bytes[0] = 0;
	assert_int_equal(cs800_status_decode(p.bytes, p.size, CS800_DECODE_IGNORE_CHECKSUM, &s, &e),
			 -EBADMSG);
	assert_int_equal(e.reason, CS800_REJECT_START_MARKER);
}

static void test_reject_missing_controller_number(void **state)
{
	struct packet p;
	struct cs800_status s;
	struct cs800_decode_error e;

	build(&p);
	set_pair(&p, index_of(1028), 3999, 411);
	expect_reject(p.bytes, p.size, CS800_REJECT_MISSING_PARAMETER, 0, 0, 1028,
		      "required parameter 1028 (controller number) is missing");
	/* No pairs at all. */
	begin(&p);
	seal(&p);
	expect_reject(p.bytes, p.size, CS800_REJECT_MISSING_PARAMETER, 0, 0, 1028,
		      "required parameter 1028 (controller number) is missing");
	/* A checksum failure without 1028 names no controller. */
	build(&p);
	set_pair(&p, index_of(1028), 3999, 411);
	p.bytes[925] ^= 1;
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, &e), -EBADMSG);
	assert_int_equal(e.reason, CS800_REJECT_CHECKSUM);
	assert_false(e.has_controller_number);
}

static void test_reject_duplicate_parameter(void **state)
{
	struct packet p;
	struct cs800_status s;

	build(&p);
	set_pair(&p, 200, 1028, 369);	/* a second controller number */
	expect_reject(p.bytes, p.size, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, 1028,
		      "parameter 1028 appears more than once");
	build(&p);
	set_pair(&p, 229, 2042, 1);	/* any known one */
	expect_reject(p.bytes, p.size, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, 2042,
		      "parameter 2042 appears more than once");
	build(&p);
	set_pair(&p, 229, 3100, 1);	/* and ids stationd does not know */
	expect_reject(p.bytes, p.size, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, 3100,
		      "parameter 3100 appears more than once");
	/* The decoder forgets the ids of a packet: the next one is new. */
	build(&p);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
}

static void test_reject_reason_names(void **state)
{
	static const char *const names[] = {
		"length", "start-marker", "end-marker", "checksum", "missing-parameter",
		"duplicate-parameter", "source",
	};

	assert_int_equal(ELEMENTSOF(names), _CS800_REJECT_MAX);
	for (int i = 0; i < _CS800_REJECT_MAX; i++)
		assert_string_equal(cs800_reject_reason_to_string(i), names[i]);
	assert_null(cs800_reject_reason_to_string(_CS800_REJECT_MAX));
}

static void test_table_is_consistent(void **state)
{
	const struct cs800_param *t;
	size_t n;

	t = cs800_params(&n);
	assert_true(n <= CS800_PARAMS_MAX);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(cs800_param_by_id(t[i].id), &t[i]);
		assert_ptr_equal(cs800_param_by_property(t[i].property), &t[i]);
		assert_int_equal(cs800_param_index(&t[i]), i);
		if (i > 0)
			assert_true(t[i - 1].id < t[i].id);
		assert_true(t[i].property[0] >= 'A' && t[i].property[0] <= 'Z');
		assert_non_null(t[i].name);
		if (t[i].kind == CS800_KIND_ENUM) {
			assert_non_null(t[i].to_string);
			assert_non_null(t[i].name_property);
		}
		if (t[i].kind == CS800_KIND_SCALED || t[i].kind == CS800_KIND_SIGNED_SCALED)
			assert_true(t[i].divisor == 10 || t[i].divisor == 100);
		assert_int_equal(!t[i].description_property, !t[i].to_description);
	}
	assert_null(cs800_param_by_id(1005));
	assert_null(cs800_param_by_property("NoSuchProperty"));
	assert_string_equal(cs800_param_by_id(1051)->property, "GasTemperature");
	assert_string_equal(cs800_param_by_id(1051)->name, "Sample temp");
	/* The units the vendor gives. */
	assert_string_equal(cs800_param_by_id(1051)->unit, "K");
	assert_string_equal(cs800_param_by_id(1060)->unit, "l/min");
	assert_string_equal(cs800_param_by_id(1063)->unit, "%");
	assert_string_equal(cs800_param_by_id(1064)->unit, "bar");
	assert_string_equal(cs800_param_by_id(1067)->unit, "%");
	assert_string_equal(cs800_param_by_id(1069)->unit, "%");
	assert_string_equal(cs800_param_by_id(1070)->unit, "%");
	assert_string_equal(cs800_param_by_id(1059)->unit, "min");
	assert_string_equal(cs800_param_by_id(1203)->unit, "%");
	assert_string_equal(cs800_param_by_id(2012)->unit, "mV");
	assert_string_equal(cs800_param_by_id(2034)->unit, "min");
	assert_string_equal(cs800_param_by_id(2042)->unit, "mbar");
	assert_int_equal(cs800_param_value_type(cs800_param_by_id(1203)), CS800_VALUE_DOUBLE);
	assert_int_equal(cs800_param_value_type(cs800_param_by_id(1207)), CS800_VALUE_DOUBLE);
	assert_int_equal(cs800_param_value_type(cs800_param_by_id(1208)), CS800_VALUE_DOUBLE);
	assert_int_equal(cs800_param_value_type(cs800_param_by_id(2032)), CS800_VALUE_BOOLEAN);
	assert_string_equal(cs800_param_by_id(1053)->name_property, "RunModeName");
	assert_string_equal(cs800_param_by_id(1053)->description_property, "RunModeDescription");
	assert_string_equal(cs800_param_by_id(1065)->name_property, "AlarmName");
	assert_string_equal(cs800_param_by_id(2044)->property, "AlarmLevel");
	assert_string_equal(cs800_param_by_id(2044)->name_property, "AlarmLevelName");
}

static void test_format(void **state)
{
	struct packet p;
	struct cs800_status s;
	char buf[64];

	build(&p);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	cs800_param_format(cs800_param_by_id(1051), &s, buf, sizeof(buf));
	assert_string_equal(buf, "123.45 K");
	cs800_param_format(cs800_param_by_id(1052), &s, buf, sizeof(buf));
	assert_string_equal(buf, "-1.00 K");
	cs800_param_format(cs800_param_by_id(1060), &s, buf, sizeof(buf));
	assert_string_equal(buf, "5.3 l/min");
	cs800_param_format(cs800_param_by_id(1064), &s, buf, sizeof(buf));
	assert_string_equal(buf, "1.23 bar");
	cs800_param_format(cs800_param_by_id(1203), &s, buf, sizeof(buf));
	assert_string_equal(buf, "88.00 %");
	cs800_param_format(cs800_param_by_id(1115), &s, buf, sizeof(buf));
	assert_string_equal(buf, "2.5 s");
	cs800_param_format(cs800_param_by_id(1053), &s, buf, sizeof(buf));
	assert_string_equal(buf, "Run (3)");
	cs800_param_format(cs800_param_by_id(1055), &s, buf, sizeof(buf));
	assert_string_equal(buf, "360 K/h");
	cs800_param_format(cs800_param_by_id(2012), &s, buf, sizeof(buf));
	assert_string_equal(buf, "321 mV");
	cs800_param_format(cs800_param_by_id(1068), &s, buf, sizeof(buf));
	assert_string_equal(buf, "on");
	assert_int_equal(cs800_param_format(cs800_param_by_id(1051), &s, buf, 4), -ENOBUFS);
}

/* The builder used by the simulator lays out what the decoder (checked
 * above against hand-made bytes) reads back unchanged. */
static void test_builder_round_trip(void **state)
{
	struct packet p;
	uint8_t built[EPICS], small[64];
	struct cs800_status s, again;
	uint16_t seen[230];
	const struct cs800_param *t;
	size_t n;
	struct cs800_pair layout[] = { { 1028, 0 }, { 4711, 99 }, { 1203, 0 } };

	build(&p);
	assert_int_equal(cs800_status_decode(p.bytes, p.size, 0, &s, NULL), 0);
	cs800_status_build(&s, built);
	assert_int_equal(built[0], 0xAA);
	assert_int_equal(built[1], 0xAB);
	assert_int_equal(built[2], 0x03);	/* 920: the pair bytes */
	assert_int_equal(built[3], 0x98);
	assert_int_equal(built[926], 0xAB);
	assert_int_equal(built[927], 0xAA);
	for (int i = 0; i < 230; i++) {
		seen[i] = cs800_status_builder_id(i);
		assert_int_equal(seen[i], get16(built + 4 + 4 * i));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
	assert_int_equal(seen[0], 1000);
	/* Every parameter of the table is in the default packet. */
	t = cs800_params(&n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (int j = 0; j < 230; j++)
			found |= seen[j] == t[i].id;
		if (!found)
			fail_msg("parameter %u is not in the default packet", t[i].id);
	}
	assert_int_equal(cs800_status_decode(built, EPICS, 0, &again, NULL), 0);
	again.unknown_parameters = s.unknown_parameters;
	assert_memory_equal(&s, &again, sizeof(s));

	/* Any layout: known ids from the status, others as given. */
	assert_int_equal(cs800_status_build_layout(&s, layout, ELEMENTSOF(layout), small,
						   sizeof(small)), 20);
	assert_int_equal(get16(small + 2), 12);
	assert_int_equal(get16(small + 4), 1028);
	assert_int_equal(get16(small + 6), 411);
	assert_int_equal(get16(small + 8), 4711);
	assert_int_equal(get16(small + 10), 99);
	assert_int_equal(get16(small + 14), 8800);
	assert_int_equal(cs800_status_decode(small, 20, 0, &again, NULL), 0);
	assert_int_equal(again.unknown_parameters, 1);
	assert_near(again.ln2_level_percent, 88.0);
	assert_int_equal(cs800_status_build_layout(&s, layout, ELEMENTSOF(layout), small, 19),
			 -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_overflows_16_bits),
		cmocka_unit_test(test_every_parameter_decoded),
		cmocka_unit_test(test_typed_fields),
		cmocka_unit_test(test_pair_order_does_not_matter),
		cmocka_unit_test(test_run_mode_and_phase_names),
		cmocka_unit_test(test_alarm_names_and_levels),
		cmocka_unit_test(test_alarm_level_without_parameter_2044),
		cmocka_unit_test(test_unknown_enum_value_is_kept),
		cmocka_unit_test(test_packets_of_any_size),
		cmocka_unit_test(test_reject_length),
		cmocka_unit_test(test_reject_markers),
		cmocka_unit_test(test_reject_checksum_message),
		cmocka_unit_test(test_reject_missing_controller_number),
		cmocka_unit_test(test_reject_duplicate_parameter),
		cmocka_unit_test(test_reject_reason_names),
		cmocka_unit_test(test_table_is_consistent),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_builder_round_trip),
	};

	return cmocka_run_group_tests_name("cryo-status", tests, NULL, NULL);
}
