// SPDX-License-Identifier: GPL-2.0
/*
 * Every class of configuration error, each with its exact
 * file:line:col and message, and the compile failing with -EINVAL. Cases
 * append to BASE_STATION (lines 1-28), so line 29 is the first test line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/unit/config-test-util.h"

/* A correct detector 2, one key per line: lines 29-37 after BASE_STATION. */
#define D2_OPEN "detector 2 {\n"				/* 29 */
#define D2_MANIFOLD "\tmanifold A\n"				/* 30 */
#define D2_SENSOR "\tsensor 0x0c00:1\n"				/* 31 */
#define D2_VALVE "\tvalve 0x0800:1\n"				/* 32 */
#define D2_BIAS "\tbias-shutdown 0x0400:port0.1\n"		/* 33 */
#define D2_REFERENCE "\treference 1.5V\n"			/* 34 */
#define D2_MAX_FILL "\tmax-fill 20min\n"			/* 35 */
#define D2_CLOSURE "\tclosure-delay 60s\n"			/* 36 */
#define D2_CLOSE "}\n"						/* 37 */

#define D2(manifold, sensor, valve, bias, reference, max_fill, closure, extra) \
	D2_OPEN manifold sensor valve bias reference max_fill closure extra D2_CLOSE

#define D2_OK D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE, D2_MAX_FILL, \
		 D2_CLOSURE, "")

struct error_case {
	const char *name;
	const char *text;		/* appended to BASE_STATION unless full */
	bool full;			/* text is the whole configuration */
	const char *expected[4];	/* NULL-terminated diagnostics, in order */
	const char *base_from, *base_to;	/* first replace this in BASE_STATION */
};

/* Most cases leave the trailing fields out. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct error_case cases[] = {
	/* syntax */
	{ "bad character", "$\n", false,
	  { "test.conf:29:1: error: unexpected character '$'" } },
	{ "unterminated string", "define G \"abc\n", false,
	  { "test.conf:29:10: error: unterminated string (strings end on the same line)" } },
	{ "missing @", "card 560 0x1000\n", false,
	  { "test.conf:29:10: error: expected '@', found '0x1000'" } },
	{ "unclosed block",
	  D2_OPEN D2_MANIFOLD D2_SENSOR D2_VALVE D2_BIAS D2_REFERENCE D2_MAX_FILL D2_CLOSURE, false,
	  { "test.conf:29:12: error: detector 2: '{' is never closed" } },
	{ "trailing words", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS,
			       "\treference 1.5V 2V\n", D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:34:17: error: expected end of line after the value, found '2V'" } },
	/* unknown and duplicate names */
	{ "unknown statement", "detecter 2 {\n\tmanifold A\n}\n", false,
	  { "test.conf:29:1: error: unknown statement 'detecter' (expected define, include, card, station, manifold, detector, cryostream-link, cryostream or ccd)" } },
	{ "unknown key", D2(D2_MANIFOLD, "\tsensr 0x0c00:1\n", D2_VALVE, D2_BIAS, D2_REFERENCE,
			   D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:29:1: error: detector 2: missing required key 'sensor'",
	    "test.conf:31:2: error: unknown key 'sensr' in detector 2 (expected manifold, sensor, valve, bias-shutdown, reference, max-fill, closure-delay, preset)" } },
	{ "duplicate key", D2(D2_MANIFOLD, D2_SENSOR "\tsensor 0x0c00:2\n", D2_VALVE, D2_BIAS,
			     D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:32:2: error: duplicate key 'sensor' in detector 2 (first given at test.conf:31:2)" } },
	{ "duplicate detector", "detector 1 {\n}\n", false,
	  { "test.conf:29:10: error: detector 1 is already defined at test.conf:19:1" } },
	{ "duplicate manifold", "manifold A {\n}\n", false,
	  { "test.conf:29:10: error: manifold A is already defined at test.conf:10:1" } },
	{ "duplicate card", "card 260 @ 0x0800\n", false,
	  { "test.conf:29:12: error: card xvme0-0800 is already declared at test.conf:2:1" } },
	{ "duplicate card by name", "card 260 @ xvme0-0800\n", false,
	  { "test.conf:29:12: error: card xvme0-0800 is already declared at test.conf:2:1" } },
	{ "duplicate symbol", "define X 1\ndefine X 2\n", false,
	  { "test.conf:30:8: error: symbol 'X' is already defined at test.conf:29:8" } },
	{ "duplicate station block", "station {\n}\n", false,
	  { "test.conf:29:1: error: duplicate station block (first at test.conf:4:1)" } },
	{ "undefined symbol", D2(D2_MANIFOLD, "\tsensor ADC9:1\n", D2_VALVE, D2_BIAS, D2_REFERENCE,
				D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:31:9: error: card address 'ADC9' is not defined as a symbol" } },
	/* ranges */
	{ "ADC channel range", D2(D2_MANIFOLD, "\tsensor 0x0c00:32\n", D2_VALVE, D2_BIAS,
				 D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:31:16: error: sensor: '32' is not a XVME-560 channel number 0-31" } },
	{ "relay range", D2(D2_MANIFOLD, D2_SENSOR, "\tvalve 0x0800:40\n", D2_BIAS, D2_REFERENCE,
			   D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:32:15: error: valve: '40' is not a XVME-260 relay number 0-31" } },
	{ "port line range", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE,
			       "\tbias-shutdown 0x0400:port8.0\n", D2_REFERENCE, D2_MAX_FILL,
			       D2_CLOSURE, ""), false,
	  { "test.conf:33:23: error: bias-shutdown: 'port8.0' is not a XVME-240 input (port0.0-port7.7 or irq0-irq7)" } },
	{ "interrupt input range", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE,
				     "\tbias-shutdown 0x0400:irq8\n", D2_REFERENCE, D2_MAX_FILL,
				     D2_CLOSURE, ""), false,
	  { "test.conf:33:23: error: bias-shutdown: 'irq8' is not a XVME-240 input (port0.0-port7.7 or irq0-irq7)" } },
	{ "card address alignment", "card 560 @ 0x0c10\n", false,
	  { "test.conf:29:12: error: card address 0x0c10 is not an A16 card address (0x0000, 0x0400, ... 0xfc00)" } },
	{ "card model", "card 250 @ 0x1000\n", false,
	  { "test.conf:29:6: error: card model 250 is not one of 240, 260, 560" } },
	{ "ADC range on a relay card", "card 260 @ 0x1000 unipolar\n", false,
	  { "test.conf:29:19: error: only a XVME-560 has an input range, not a XVME-260" } },
	{ "detector number", "detector 0 {\n}\n", false,
	  { "test.conf:29:10: error: detector number 0 is out of range (1-99999)" } },
	{ "manifold name", "manifold ABC {\n}\n", false,
	  { "test.conf:29:10: error: manifold name 'ABC' is not 1-2 capital letters (A-Z, AA-ZZ)" } },
	{ "reference outside every range", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS,
					     "\treference 12V\n", D2_MAX_FILL, D2_CLOSURE, ""),
	  false,
	  { "test.conf:34:12: error: reference 12V is outside every XVME-560 range (-10V to +9.995V)" } },
	{ "reference below a unipolar card's range",
	  "card 560 @ 0x1000 unipolar\n"
	  D2(D2_MANIFOLD, "\tsensor 0x1000:0\n", D2_VALVE, D2_BIAS, "\treference -1V\n",
	     D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:35:2: error: detector 2: reference -1.000V is below the range of the unipolar XVME-560 xvme0-1000 (0V to +9.995V)" } },
	{ "voltage precision", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS,
				 "\treference 1.2345V\n", D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:34:12: error: reference '1.2345V' has more precision than 0.001 of its unit" } },
	{ "maximum fill time", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
				 "\tmax-fill 3h\n", D2_CLOSURE, ""), false,
	  { "test.conf:35:11: error: max-fill 3h is out of range (1s-2h)" } },
	{ "duration without unit", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
				     D2_MAX_FILL, "\tclosure-delay 60\n", ""), false,
	  { "test.conf:36:16: error: closure-delay '60' needs a unit (s, min or h)" } },
	{ "scan rate", "", false,
	  { "test.conf:5:12: error: scan-rate 1000Hz is out of range (0.1Hz-100Hz)" },
	  "\tscan-rate 10Hz\n", "\tscan-rate 1000Hz\n" },
	{ "debounce readings", "", false,
	  { "test.conf:5:20: error: debounce-readings 0 is out of range (1-16)" },
	  "\tscan-rate 10Hz\n", "\tdebounce-readings 0\n\tscan-rate 10Hz\n" },
	{ "exhaust sample rate too slow", "", false,
	  { "test.conf:5:22: error: exhaust-sample-rate 0.5Hz is out of range (1Hz-1000Hz)" },
	  "\tscan-rate 10Hz\n", "\texhaust-sample-rate 0.5Hz\n\tscan-rate 10Hz\n" },
	{ "exhaust sample rate too fast", "", false,
	  { "test.conf:5:22: error: exhaust-sample-rate 2000Hz is out of range (1Hz-1000Hz)" },
	  "\tscan-rate 10Hz\n", "\texhaust-sample-rate 2000Hz\n\tscan-rate 10Hz\n" },
	{ "debounce readings, not a number", "", false,
	  { "test.conf:5:20: error: debounce-readings '3x' is not a number" },
	  "\tscan-rate 10Hz\n", "\tdebounce-readings 3x\n\tscan-rate 10Hz\n" },
	{ "alarm on a port line", "", false,
	  { "test.conf:8:15: error: alarm: 'port7.1' is not a XVME-240 flag output (flag0-flag7)" },
	  "\talarm 0x0400:flag0\n", "\talarm 0x0400:port7.1\n" },
	{ "operator group", "", false,
	  { "test.conf:5:17: error: operator-group 'Ops!' is not a valid group name ([a-z_][a-z0-9_-]*)" },
	  "\tscan-rate 10Hz\n", "\toperator-group \"Ops!\"\n\tscan-rate 10Hz\n" },
	{ "no station block", "", false,
	  { "test.conf:1:1: error: no station block (scan-rate, backup-interval, dewar-inhibit and alarm are required)" },
	  "station {\n\tscan-rate 10Hz\n\tbackup-interval 5min\n"
	  "\tdewar-inhibit 0x0400:port7.0\n\talarm 0x0400:flag0\n}\n", "" },
	{ "missing station key", "", false,
	  { "test.conf:4:1: error: station: missing required key 'backup-interval'" },
	  "\tbackup-interval 5min\n", "" },
	{ "preset hours", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE, D2_MAX_FILL,
			    D2_CLOSURE, "\tpreset 24:00\n"), false,
	  { "test.conf:37:9: error: preset 24:00 has hours beyond 23" } },
	{ "preset minutes", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
			      D2_MAX_FILL, D2_CLOSURE, "\tpreset 12:60\n"), false,
	  { "test.conf:37:9: error: preset 12:60 has minutes beyond 59" } },
	{ "preset digits", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
			     D2_MAX_FILL, D2_CLOSURE, "\tpreset 6:00\n"), false,
	  { "test.conf:37:9: error: preset '6:00' is not a time of day HH:MM (two digits each)" } },
	{ "more than four presets", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
				      D2_MAX_FILL, D2_CLOSURE,
				      "\tpreset 01:00 02:00 03:00 04:00 05:00\n"), false,
	  { "test.conf:37:33: error: more than 4 preset times for detector 2" } },
	{ "preset twice", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
			    D2_MAX_FILL, D2_CLOSURE, "\tpreset 06:00 06:00\n"), false,
	  { "test.conf:37:15: error: preset time 06:00 given twice (first at column 9)" } },
	/* wiring */
	{ "two functions on one relay", D2(D2_MANIFOLD, D2_SENSOR, "\tvalve 0x0800:0\n", D2_BIAS,
					  D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:32:2: error: valve of detector 2: xvme0-0800:0 is already wired to valve of detector 1 (at test.conf:22:2)" } },
	{ "conflict named against the line written first",
	  "detector 3 { manifold A; sensor 0x0c00:2; valve 0x0800:1; bias-shutdown 0x0400:port0.2;"
	  " reference 1.5V; max-fill 20min; closure-delay 60s }\n"
	  "detector 2 { manifold A; sensor 0x0c00:1; valve 0x0800:1; bias-shutdown 0x0400:port0.1;"
	  " reference 1.5V; max-fill 20min; closure-delay 60s }\n", false,
	  { "test.conf:30:43: error: valve of detector 2: xvme0-0800:1 is already wired to valve of detector 3 (at test.conf:29:43)" } },
	{ "sensor shared with the manifold", D2(D2_MANIFOLD, "\tsensor 0x0c00:6\n", D2_VALVE,
					       D2_BIAS, D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""),
	  false,
	  { "test.conf:31:2: error: sensor of detector 2: xvme0-0c00:6 is already wired to sensor of manifold A (at test.conf:11:2)" } },
	{ "valve on an ADC card", D2(D2_MANIFOLD, D2_SENSOR, "\tvalve 0x0c00:1\n", D2_BIAS,
				    D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:32:2: error: valve of detector 2: card xvme0-0c00 is a XVME-560, a relay needs a XVME-260" } },
	{ "undeclared card", D2(D2_MANIFOLD, "\tsensor 0x3000:1\n", D2_VALVE, D2_BIAS,
			       D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:31:2: error: sensor of detector 2: card xvme0-3000 is not declared (add 'card 560 @ xvme0-3000')" } },
	{ "card in another crate", D2(D2_MANIFOLD, "\tsensor xvme1-0c00:1\n", D2_VALVE, D2_BIAS,
				     D2_REFERENCE, D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:31:2: error: sensor of detector 2: card xvme1-0c00 is not declared (add 'card 560 @ xvme1-0c00')" } },
	{ "input on an output port", D2(D2_MANIFOLD, D2_SENSOR, D2_VALVE,
				       "\tbias-shutdown 0x0400:port7.1\n", D2_REFERENCE,
				       D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:33:2: error: bias-shutdown of detector 2: port 7 of the XVME-240 xvme0-0400 is already an output for dewar-inhibit (at test.conf:7:2); a port is all inputs or all outputs" } },
	{ "slot zero", "card 240 @ 0x0000\n", false,
	  { "test.conf:29:1: error: card at address 0x0000: that address can collide with the CPU board's GCSR; set 'slot-zero yes' in the station block if it is free" } },
	/* references and required keys */
	{ "undefined manifold", D2("\tmanifold B\n", D2_SENSOR, D2_VALVE, D2_BIAS, D2_REFERENCE,
				  D2_MAX_FILL, D2_CLOSURE, ""), false,
	  { "test.conf:30:2: error: detector 2: manifold B is not defined" } },
	{ "missing key", D2(D2_MANIFOLD, D2_SENSOR, "", D2_BIAS, D2_REFERENCE, D2_MAX_FILL,
			   D2_CLOSURE, ""), false,
	  { "test.conf:29:1: error: detector 2: missing required key 'valve'" } },
	{ "include from memory", "include \"cards.conf\"\n", false,
	  { "test.conf:29:9: error: cannot include \"cards.conf\": includes are not available when compiling from memory" } },
	{ "no detectors", "card 240 @ 0x0400\nstation {\n\tscan-rate 10Hz\n"
	  "\tbackup-interval 5min\n\tdewar-inhibit 0x0400:port7.0\n\talarm 0x0400:flag0\n}\n", true,
	  { "test.conf:1:1: error: no detectors are defined" } },
	/* every error is reported, in file order */
	{ "several errors", "$\ncard 250 @ 0x1000\ndetector 0 {\n}\n", false,
	  { "test.conf:29:1: error: unexpected character '$'",
	    "test.conf:30:6: error: card model 250 is not one of 240, 260, 560",
	    "test.conf:31:10: error: detector number 0 is out of range (1-99999)" } },
};
#pragma GCC diagnostic pop

static void run_case(void **state)
{
	const struct error_case *c = *state;
	_cleanup_free_ char *text = NULL;
	struct compiled out;
	const char *base = c->full ? "" : BASE_STATION;
	const char *at = c->base_from ? strstr(base, c->base_from) : NULL;

	if (c->base_from) {
		assert_non_null(at);
		assert_true(asprintf(&text, "%.*s%s%s%s", (int)(at - base), base, c->base_to,
				     at + strlen(c->base_from), c->text) > 0);
	} else {
		assert_true(asprintf(&text, "%s%s", base, c->text) > 0);
	}
	compile_string(text, &out);
	assert_compile_errors(&out, c->expected, ELEMENTSOF(c->expected));
	compiled_done(&out);
}

/* A manifold feeds at most 30 detectors: the 31st is refused. */
static void test_detectors_per_manifold(void **state)
{
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct compiled out;

	assert_non_null(f);
	fputs(BASE_STATION, f);
	fputs("card 560 @ 0x1000\ncard 260 @ 0x1400\ncard 240 @ 0x1800\n", f);	/* 29-31 */
	for (unsigned n = 2; n <= 31; n++)	/* lines 32-61 */
		fprintf(f, "detector %u { manifold A; sensor 0x1000:%u; valve 0x1400:%u; "
			"bias-shutdown 0x1800:port%u.%u; reference 1.5V; max-fill 20min; "
			"closure-delay 60s }\n", n, n - 2, n - 2, (n - 2) / 8, (n - 2) % 8);
	fclose(f);
	compile_string(text, &out);
	assert_int_equal(out.result, -EINVAL);
	assert_int_equal(out.n_lines, 1);
	assert_string_equal(out.lines[0],
			    "test.conf:61:15: error: detector 31: manifold A already has 30 detectors, the most one manifold can feed");
	compiled_done(&out);
}

/* Warnings do not fail a compile. */
static void test_empty_manifold_warns(void **state)
{
	struct compiled out;

	compile_string(BASE_STATION
		       "manifold B {\n\tsensor 0x0c00:7\n\tinput-valve 0x0800:8\n"
		       "\toutput-valve 0x0800:9\n\tmanual-fill-key 0x0400:port0.7\n"
		       "\treference 1.5V\n\tmax-fill 5min\n\tclosure-delay 30s\n}\n", &out);
	assert_int_equal(out.result, 0);
	assert_non_null(out.station);
	assert_int_equal(out.n_errors, 0);
	assert_int_equal(out.n_lines, 1);
	assert_string_equal(out.lines[0], "test.conf:29:1: warning: manifold B feeds no detector");
	compiled_done(&out);
}

int main(void)
{
	struct CMUnitTest tests[ELEMENTSOF(cases) + 2];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		tests[i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.initial_state = (void *)&cases[i],
		};
	tests[ELEMENTSOF(cases)] = (struct CMUnitTest)cmocka_unit_test(test_detectors_per_manifold);
	tests[ELEMENTSOF(cases) + 1] = (struct CMUnitTest)cmocka_unit_test(test_empty_manifold_warns);
	return _cmocka_run_group_tests("config-errors", tests, ELEMENTSOF(tests), NULL, NULL);
}
