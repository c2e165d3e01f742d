// SPDX-License-Identifier: GPL-2.0
/*
 * CCD profiles (daemon/ccd/ccd-profile.c) and read-out format rules
 * (daemon/ccd/ccd-format.c), from the seed's §7.7 (required keys, optional
 * keys and their defaults) and the spec's decisions: `KEY = value` lines,
 * '#' comments, an unknown or missing required key is an error with
 * file:line:col; windows 1-based inclusive inside SCCD_SIZE, x1 < x2,
 * y1 < y2; binning 1 up to BIN_MAX (default 8).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/ccd/ccd-profile.h"

/* Every required key, nothing else. */
static const char minimal[] =
	"SCCD_SIZE = 1124 1124\n"
	"UNET_REMOTE = CCD1\n"
	"GAIN = 1.5\n"
	"NOISE = 4.5\n"
	"DAS_CHANNEL = 1\n"
	"HEADNO = 1\n"
	"HEADCODE = 5\n"
	"PIXXSIZE = 24\n"
	"PIXYSIZE = 24.0\n"
	"XUNDER = 50\n"
	"YUNDER = 50\n"
	"XSILSIZE = 1024\n"
	"YSILSIZE = 1024\n"
	"CCDTYPE = TEK1024\n"
	"CCDNAME = TEK5\n";

static int parse(const char *text, struct ccd_profile *p, struct diagnostics *d)
{
	diagnostics_init(d);
	return ccd_profile_parse_text("test.prof", text, strlen(text), p, d);
}

/* The text plus extra lines. */
static char *with(const char *extra)
{
	char *s;

	assert_true(asprintf(&s, "%s%s", minimal, extra) > 0);
	return s;
}

/* Exactly one error, this one. */
static void expect_error(const char *text, const char *want)
{
	struct ccd_profile p, untouched;
	struct diagnostics d;
	char *got;

	memset(&p, 0x5A, sizeof(p));
	untouched = p;
	assert_int_equal(parse(text, &p, &d), -EINVAL);
	assert_memory_equal(&p, &untouched, sizeof(p));
	if (d.n_errors != 1) {
		diagnostics_print(&d, stderr);
		fail_msg("%u errors, want 1: %s", d.n_errors, want);
	}
	got = diagnostic_format(&d.items[0]);
	if (strcmp(got, want) != 0)
		fail_msg("got  %s\nwant %s", got, want);
	free(got);
	diagnostics_done(&d);
}

static void expect_extra_error(const char *extra, const char *want)
{
	char *text = with(extra);

	expect_error(text, want);
	free(text);
}

static void test_minimal_and_defaults(void **state)
{
	struct ccd_profile p;
	struct diagnostics d;

	assert_int_equal(parse(minimal, &p, &d), 0);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(p.size_x, 1124);
	assert_int_equal(p.size_y, 1124);
	assert_string_equal(p.unet_remote, "CCD1");
	assert_true(p.gain_e_per_adu == 1.5);
	assert_true(p.noise_e == 4.5);
	assert_int_equal(p.das_channel, 1);
	assert_int_equal(p.head_number, 1);
	assert_int_equal(p.head_code, 5);
	assert_true(p.pixel_size_x_um == 24.0 && p.pixel_size_y_um == 24.0);
	assert_int_equal(p.x_under, 50);
	assert_int_equal(p.x_silicon, 1024);
	assert_string_equal(p.ccd_type, "TEK1024");
	assert_string_equal(p.ccd_name, "TEK5");
	assert_string_equal(p.path, "test.prof");
	/* The seed's defaults. */
	assert_string_equal(p.transform, "");
	assert_true(p.bscale == 1.0);
	assert_true(p.bzero == 32767.0);
	assert_int_equal(p.bitpix, 16);
	assert_false(p.format.window[0].valid);
	assert_false(p.format.window[1].valid);
	assert_false(p.format.windows_enabled);
	assert_int_equal(p.format.bin_x, 1);
	assert_int_equal(p.format.bin_y, 1);
	assert_int_equal(p.preflash_ms, 0);
	assert_int_equal(p.readout_speed, CCD_READOUT_STANDARD);
	assert_int_equal(p.clear_speed, CCD_CLEAR_QUICK);
	assert_int_equal(p.detector_count, 1);
	/* The spec's. */
	assert_int_equal(p.exposure_ms, 0);
	assert_int_equal(p.readout_time_s, 600);
	assert_int_equal(p.bin_max, 8);
	assert_int_equal(p.startaction_fail_s, 10);
	assert_int_equal(p.shutter_fail_s, 10);
	assert_int_equal(p.sync_fail_s, 90);
	assert_int_equal(p.setup_fail_s, 30);
	assert_int_equal(p.settings_fail_s, 10);
	/* Where each key was written. */
	assert_int_equal(p.key_at[CCD_KEY_CCDNAME].line, 15);
	assert_int_equal(p.key_at[CCD_KEY_CCDNAME].column, 1);
	assert_ptr_equal(p.key_at[CCD_KEY_CCDNAME].file, p.path);
	assert_int_equal(p.key_at[CCD_KEY_BZERO].line, 0);
	diagnostics_done(&d);
}

static void test_optional_keys(void **state)
{
	char *text = with("  # a comment line\n"
			  "\n"
			  "TRANSFORM = \"FLIPX # not a comment\"   # a comment\n"
			  "BSCALE = 2\n"
			  "BZERO = 32768\n"
			  "BITPIX = 32\n"
			  "WIN1 = 1 1 100 200\n"
			  "WIN2 = 101 201 1124 1124\n"
			  "WINDOWS_ENABLED = yes\n"
			  "BIN = 2 4\n"
			  "PFLASH = 1.25\n"
			  "EXPTIME = 0.001\n"
			  "RSPEED = fast\n"
			  "CSPEED = NORMAL\n"
			  "DETCOUNT = 2\n"
			  "READOUT_TIME = 120\n"
			  "BIN_MAX = 4\n"
			  "\tSTARTACTION_FAIL=5\r\n"
			  "SHUTTER_FAIL = 6\n"
			  "SYNC_FAIL = 70\n"
			  "SETUP_FAIL = 40\n"
			  "SETTINGS_FAIL = 20");	/* no final newline */
	struct ccd_profile p;
	struct diagnostics d;

	assert_int_equal(parse(text, &p, &d), 0);
	assert_string_equal(p.transform, "FLIPX # not a comment");
	assert_true(p.bscale == 2.0);
	assert_true(p.bzero == 32768.0);
	assert_int_equal(p.bitpix, 32);
	assert_true(p.format.window[0].valid);
	assert_int_equal(p.format.window[0].x2, 100);
	assert_int_equal(p.format.window[0].y2, 200);
	assert_true(p.format.window[1].valid);
	assert_int_equal(p.format.window[1].x1, 101);
	assert_true(p.format.windows_enabled);
	assert_int_equal(p.format.bin_x, 2);
	assert_int_equal(p.format.bin_y, 4);
	assert_int_equal(p.preflash_ms, 1250);
	assert_int_equal(p.exposure_ms, 1);
	assert_int_equal(p.readout_speed, CCD_READOUT_FAST);
	assert_int_equal(p.clear_speed, CCD_CLEAR_NORMAL);
	assert_int_equal(p.detector_count, 2);
	assert_int_equal(p.readout_time_s, 120);
	assert_int_equal(p.bin_max, 4);
	assert_int_equal(p.startaction_fail_s, 5);
	assert_int_equal(p.key_at[CCD_KEY_STARTACTION_FAIL].column, 2);
	assert_int_equal(p.shutter_fail_s, 6);
	assert_int_equal(p.sync_fail_s, 70);
	assert_int_equal(p.setup_fail_s, 40);
	assert_int_equal(p.settings_fail_s, 20);
	diagnostics_done(&d);
	free(text);
}

static void test_unknown_and_duplicate_keys(void **state)
{
	expect_extra_error("FOO = 1\n", "test.prof:16:1: error: unknown key 'FOO'");
	expect_extra_error("   gain2 = 1\n", "test.prof:16:4: error: unknown key 'gain2'");
	expect_extra_error("bzero = 1\n",
			   "test.prof:16:1: error: unknown key 'bzero' (keys are upper-case: BZERO)");
	expect_extra_error("GAIN = 2\n", "test.prof:16:1: error: GAIN is already set at line 3");
	expect_extra_error("= 2\n", "test.prof:16:1: error: expected a key, not '='");
	expect_extra_error("BZERO 2\n", "test.prof:16:7: error: expected '=' after BZERO");
	expect_extra_error("BZERO =   # nothing\n", "test.prof:16:11: error: BZERO has no value");
}

static void test_missing_required_keys(void **state)
{
	/* Each required key left out in turn: an error at the end. */
	static const char *const required[] = {
		"SCCD_SIZE", "UNET_REMOTE", "GAIN", "NOISE", "DAS_CHANNEL", "HEADNO", "HEADCODE",
		"PIXXSIZE", "PIXYSIZE", "XUNDER", "YUNDER", "XSILSIZE", "YSILSIZE", "CCDTYPE",
		"CCDNAME",
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		char text[sizeof(minimal)] = "", want[128];
		const char *line = minimal;

		/* Copy every line but the one of this key. */
		while (*line) {
			const char *nl = strchr(line, '\n');

			if (strncmp(line, required[i], strlen(required[i])) != 0 ||
			    line[strlen(required[i])] != ' ')
				strncat(text, line, (size_t)(nl - line + 1));
			line = nl + 1;
		}
		/* 14 lines left: the end is line 15, column 1. */
		snprintf(want, sizeof(want), "test.prof:15:1: error: required key %s is missing",
			 required[i]);
		expect_error(text, want);
	}
}

static void test_bad_values(void **state)
{
	expect_extra_error("BZERO = 12x\n", "test.prof:16:9: error: BZERO: '12x' is not a number");
	expect_extra_error("BZERO = nan\n", "test.prof:16:9: error: BZERO: 'nan' is not a number");
	expect_extra_error("BZERO = 0x10\n", "test.prof:16:9: error: BZERO: '0x10' is not a number");
	expect_extra_error("BZERO = 1 2\n",
			   "test.prof:16:11: error: BZERO takes 1 value (a number), not 2");
	expect_extra_error("BITPIX = 12\n",
			   "test.prof:16:10: error: BITPIX 12 is not 8, 16 or 32 (integer pixels)");
	expect_extra_error("BITPIX = -16\n",
			   "test.prof:16:10: error: BITPIX: '-16' is not a whole number");
	expect_extra_error("BSCALE = 0\n", "test.prof:16:10: error: BSCALE cannot be 0");
	expect_extra_error("RSPEED = TURBO\n",
			   "test.prof:16:10: error: RSPEED 'TURBO' is not SLOW, STANDARD or FAST");
	expect_extra_error("CSPEED = SLOW\n",
			   "test.prof:16:10: error: CSPEED 'SLOW' is not QUICK or NORMAL");
	expect_extra_error("PFLASH = 0.0005\n",
			   "test.prof:16:10: error: PFLASH 0.0005 s is finer than the controller's 1 ms");
	expect_extra_error("PFLASH = -1\n",
			   "test.prof:16:10: error: PFLASH -1 s is out of range (0-3600 s)");
	expect_extra_error("EXPTIME = 86401\n",
			   "test.prof:16:11: error: EXPTIME 86401 s is out of range (0-86400 s)");
	expect_extra_error("WINDOWS_ENABLED = maybe\n",
			   "test.prof:16:19: error: WINDOWS_ENABLED: 'maybe' is not yes or no");
	expect_extra_error("WIN1 = 1 2 3\n",
			   "test.prof:16:8: error: WIN1 takes 4 values (x1 y1 x2 y2), not 3");
	expect_extra_error("BIN = 0 1\n", "test.prof:16:7: error: BIN 0 is out of range (1-64)");
	expect_extra_error("TRANSFORM = FLIP X\n",
			   "test.prof:16:18: error: TRANSFORM is one word; quote a value with blanks");
	expect_extra_error("TRANSFORM = \"FLIP\n",
			   "test.prof:16:13: error: TRANSFORM: unterminated quoted value");
	expect_extra_error("TRANSFORM = \"FLIP\"X\n",
			   "test.prof:16:19: error: TRANSFORM: expected a blank after the quoted value");
	expect_extra_error("TRANSFORM = FL\"IP\n",
			   "test.prof:16:15: error: TRANSFORM: a quote inside a word");
	expect_extra_error("TRANSFORM = \"123456789012345678901234567890123456789012345678901234567890123456789\"\n",
			   "test.prof:16:13: error: TRANSFORM is longer than 68 characters");
	expect_extra_error("DETCOUNT = 99999999999\n",
			   "test.prof:16:12: error: DETCOUNT: '99999999999' is not a whole number");
	expect_extra_error("SYNC_FAIL = 0\n",
			   "test.prof:16:13: error: SYNC_FAIL 0 is out of range (1-3600)");
}

/* The minimal profile with one line replaced. */
static char *replaced(const char *from, const char *to)
{
	const char *at = strstr(minimal, from);
	char *s;

	assert_non_null(at);
	assert_true(asprintf(&s, "%.*s%s%s", (int)(at - minimal), minimal, to,
			     at + strlen(from)) > 0);
	return s;
}

static void expect_replaced_error(const char *from, const char *to, const char *want)
{
	char *text = replaced(from, to);

	expect_error(text, want);
	free(text);
}

static void test_bad_identity(void **state)
{
	expect_replaced_error("UNET_REMOTE = CCD1", "UNET_REMOTE = cCD1",
			      "test.prof:2:15: error: UNET_REMOTE 'cCD1' is not 1-10 upper-case letters and digits");
	expect_replaced_error("UNET_REMOTE = CCD1", "UNET_REMOTE = CCDCONTROLLER1",
			      "test.prof:2:15: error: UNET_REMOTE 'CCDCONTROLLER1' is not 1-10 upper-case letters and digits");
	expect_replaced_error("CCDNAME = TEK5", "CCDNAME = ../5",
			      "test.prof:15:11: error: CCDNAME '../5' is not 1-32 letters, digits, '_' or '-'");
	expect_replaced_error("NOISE = 4.5", "NOISE = -45",
			      "test.prof:4:9: error: NOISE cannot be negative");
	expect_replaced_error("GAIN = 1.5", "GAIN = 0.0",
			      "test.prof:3:8: error: GAIN must be more than 0");
}

static void test_geometry_checks(void **state)
{
	expect_extra_error("WIN1 = 1 1 1125 10\n",
			   "test.prof:16:1: error: WIN1: window 1: x 1-1125 is outside the chip (1-1124)");
	expect_extra_error("WIN2 = 10 10 5 20\n",
			   "test.prof:16:1: error: WIN2: window 2: x1 10 is not less than x2 5");
	expect_extra_error("WIN2 = 10 20 15 20\n",
			   "test.prof:16:1: error: WIN2: window 2: y1 20 is not less than y2 20");
	expect_extra_error("BIN = 9 1\n",
			   "test.prof:16:1: error: BIN: binning 9x1 is not 1 to 8 on each axis (BIN_MAX 8)");
	expect_extra_error("BIN_MAX = 2\nBIN = 1 3\n",
			   "test.prof:17:1: error: BIN: binning 1x3 is not 1 to 2 on each axis (BIN_MAX 2)");
	expect_replaced_error("XUNDER = 50", "XUNDER = 1124",
			      "test.prof:10:1: error: XUNDER leaves no pixel of SCCD_SIZE's x");
	expect_replaced_error("YSILSIZE = 1024", "YSILSIZE = 1125",
			      "test.prof:13:1: error: YSILSIZE is larger than SCCD_SIZE's y");
}

static void test_every_error_reported(void **state)
{
	char *text = with("FOO = 1\nBZERO = x\nBITPIX = 7\n");
	struct ccd_profile p;
	struct diagnostics d;

	assert_int_equal(parse(text, &p, &d), -EINVAL);
	assert_int_equal(d.n_errors, 3);
	diagnostics_done(&d);
	free(text);

	assert_int_equal(parse("BZERO = 1\n\0GAIN = 1\n", &p, &d), -EINVAL);
	diagnostics_done(&d);
	diagnostics_init(&d);
	assert_int_equal(ccd_profile_parse_text("bin.prof", "BZERO = 1\nGA\0N = 1\n", 20, &p, &d),
			 -EINVAL);
	{
		char *got = diagnostic_format(&d.items[0]);

		assert_string_equal(got, "bin.prof:2:1: error: a NUL byte: this is not a text file");
		free(got);
	}
	diagnostics_done(&d);
}

static void test_load_example(void **state)
{
	struct ccd_profile p;
	struct diagnostics d;

	diagnostics_init(&d);
	if (ccd_profile_load("daemon/examples/ccd/TEK5", &p, &d) < 0) {
		diagnostics_print(&d, stderr);
		fail();
	}
	assert_string_equal(p.ccd_name, "TEK5");
	assert_string_equal(p.unet_remote, "CCD1");
	assert_string_equal(p.ccd_type, "TEK 1024 thinned");
	assert_int_equal(p.readout_time_s, 60);
	diagnostics_done(&d);

	diagnostics_init(&d);
	assert_int_equal(ccd_profile_load("daemon/examples/ccd/no-such-profile", &p, &d), -ENOENT);
	assert_int_equal(d.n_errors, 1);
	diagnostics_done(&d);
	diagnostics_init(&d);
	assert_int_equal(ccd_profile_load("daemon/examples/ccd", &p, &d), -EINVAL);
	diagnostics_done(&d);
}

static void test_format_rules(void **state)
{
	const struct ccd_geometry g = { .size_x = 100, .size_y = 200, .bin_max = 8 };
	struct ccd_window w = { .valid = true, .x1 = 1, .y1 = 1, .x2 = 100, .y2 = 200 };
	struct ccd_format f, other;
	struct ccd_image_size images[CCD_WINDOWS];
	char why[128];

	assert_int_equal(ccd_window_check(&g, 1, &w, why, sizeof(why)), 0);
	assert_int_equal(ccd_window_check(&g, 3, &w, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "window 3: windows are numbered 1 to 2");
	w.x1 = 0;
	assert_int_equal(ccd_window_check(&g, 1, &w, why, sizeof(why)), -EINVAL);
	w.x1 = 1;
	w.y2 = 201;
	assert_int_equal(ccd_window_check(&g, 2, &w, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "window 2: y 1-201 is outside the chip (1-200)");
	/* An invalid window's corners mean nothing. */
	w.valid = false;
	assert_int_equal(ccd_window_check(&g, 2, &w, why, sizeof(why)), 0);

	assert_int_equal(ccd_binning_check(&g, 8, 1, why, sizeof(why)), 0);
	assert_int_equal(ccd_binning_check(&g, 1, 9, why, sizeof(why)), -EINVAL);
	assert_int_equal(ccd_binning_check(&g, 0, 1, why, sizeof(why)), -EINVAL);

	ccd_format_default(&f);
	other = f;
	other.window[0].x1 = 7;		/* invalid either way */
	assert_true(ccd_format_equal(&f, &other));
	other.window[0].valid = true;
	assert_false(ccd_format_equal(&f, &other));

	/* Images of a read-out: the full frame binned, or each valid window. */
	f.bin_x = 3;
	f.bin_y = 2;
	assert_int_equal(ccd_format_images(&g, &f, images), 1);
	assert_int_equal(images[0].window, 0);
	assert_int_equal(images[0].naxis1, 33);
	assert_int_equal(images[0].naxis2, 100);
	f.window[1] = (struct ccd_window){ .valid = true, .x1 = 11, .y1 = 21, .x2 = 40, .y2 = 60 };
	assert_int_equal(ccd_format_images(&g, &f, images), 1);		/* not enabled */
	f.windows_enabled = true;
	assert_int_equal(ccd_format_images(&g, &f, images), 1);
	assert_int_equal(images[0].window, 2);
	assert_int_equal(images[0].naxis1, 10);
	assert_int_equal(images[0].naxis2, 20);
	f.window[0] = (struct ccd_window){ .valid = true, .x1 = 1, .y1 = 1, .x2 = 2, .y2 = 2 };
	assert_int_equal(ccd_format_images(&g, &f, images), 2);
	assert_int_equal(images[0].window, 1);
	assert_int_equal(images[0].naxis1, 0);		/* 2 columns binned by 3 */
	assert_int_equal(images[1].window, 2);
}

static void test_speed_names(void **state)
{
	assert_string_equal(ccd_readout_speed_to_string(1), "SLOW");
	assert_string_equal(ccd_readout_speed_to_string(3), "FAST");
	assert_null(ccd_readout_speed_to_string(0));
	assert_null(ccd_readout_speed_to_string(4));
	assert_string_equal(ccd_clear_speed_to_string(2), "NORMAL");
	assert_null(ccd_clear_speed_to_string(3));
	assert_int_equal(ccd_readout_speed_from_string("Standard", 8), 2);
	assert_int_equal(ccd_readout_speed_from_string("STAND", 5), -EINVAL);
	assert_int_equal(ccd_clear_speed_from_string("quick", 5), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_optional_keys),
		cmocka_unit_test(test_unknown_and_duplicate_keys),
		cmocka_unit_test(test_missing_required_keys),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_identity),
		cmocka_unit_test(test_geometry_checks),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_load_example),
		cmocka_unit_test(test_format_rules),
		cmocka_unit_test(test_speed_names),
	};

	return cmocka_run_group_tests_name("ccd-profile", tests, NULL, NULL);
}
