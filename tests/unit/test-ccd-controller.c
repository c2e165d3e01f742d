// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated CCD controller's mechanisms and runs, against the
 * profile of shared/spec/utilitynet.md: command, immediate and delayed
 * status; settings and their errors; monitor mode; the packaged runs PIC
 * and DAR through every phase with PAUSE, CONTINUE, FINISH and ABORT; the
 * shutter and its jams; clear and read-out; reset and the INS that
 * follows; the RTC synchronisation with TIM; and each injected fault.
 * A small chip (120 x 110, 10 underscan columns, 5 rows), head 1, power-up
 * settings FAST, NORMAL, 1000 ms, 2x2.
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

#include "daemon/shared/macro.h"
#include "tests/sim/ccd-controller.h"

#define HOUR_MS (3600ull * 1000)
#define RESET_MS 5000
#define REPLY_TIMEOUT_MS 10000

static struct ccd_controller *controller_new(void)
{
	struct ccd_controller_params p;
	struct ccd_controller *c = NULL;

	ccd_controller_params_default(&p);
	p.chip = (struct ccd_chip) { .size_x = 120, .size_y = 110, .x_under = 10, .y_under = 5,
				     .x_silicon = 100, .y_silicon = 100 };
	p.head = 1;
	p.reset_ms = RESET_MS;
	p.reply_timeout_ms = REPLY_TIMEOUT_MS;
	p.progress_interval_ms = 1000;
	p.auto_sync_interval_ms = 0;
	p.rtc_error_ms = 37000;
	assert_int_equal(ccd_controller_new(&p, 0, &c), 0);
	return c;
}

/*
 * What the controller said since last asked: statuses as "S:MEC200(...)",
 * requests to TIM as "C:UTC200", separated by spaces; notes left out.
 */
static const char *said(struct ccd_controller *c)
{
	static char buf[4096];
	struct ccd_out o;
	size_t len = 0;

	buf[0] = '\0';
	while (ccd_controller_take_output(c, &o)) {
		char text[UNET_BODY_MAX + 2];

		if (o.kind == CCD_OUT_NOTE)
			continue;
		assert_true(unet_mech_format(&o.mech, text, sizeof(text)) > 0);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s:%s", len ? " " : "",
					o.kind == CCD_OUT_STATUS ? "S" : "C", text);
		assert_true(len < sizeof(buf));
	}
	return buf;
}

/* Feed the mechanism messages of a C frame's body at @t. */
static void frame(struct ccd_controller *c, uint64_t t, const char *body)
{
	struct unet_body_iter it;
	struct unet_frame_error e;
	struct unet_mech m;
	int r;

	unet_body_iter_init(&it, body, strlen(body));
	while ((r = unet_body_next(&it, &m, &e)) > 0)
		ccd_controller_command(c, t, &m);
	assert_int_equal(r, 0);
}

static void time_reply(struct ccd_controller *c, uint64_t t, int64_t wall, const char *text)
{
	struct unet_body_iter it;
	struct unet_frame_error e;
	struct unet_mech m;

	unet_body_iter_init(&it, text, strlen(text));
	assert_int_equal(unet_body_next(&it, &m, &e), 1);
	ccd_controller_time_reply(c, t, wall, &m);
}

static struct ccd_controller *controller_powered_up(void)
{
	struct ccd_controller *c = controller_new();

	assert_string_equal(said(c), "S:INS200(1)");
	return c;
}

/* ------------------------------------------------------------ power-up, settings */

static void test_power_up_says_ins_and_has_saved_settings(void **state)
{
	struct ccd_controller *c = controller_new();
	const struct ccd_settings *s = ccd_controller_settings(c);

	assert_string_equal(said(c), "S:INS200(1)");
	assert_int_equal(ccd_controller_boots(c), 1);
	assert_int_equal(s->readout_speed, CCD_READOUT_FAST);
	assert_int_equal(s->clear_speed, CCD_CLEAR_NORMAL);
	assert_int_equal(s->exposure_ms, 1000);
	assert_int_equal(s->format.bin_x, 2);
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_IDLE);
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_CLOSED);
	assert_false(ccd_controller_monitor(c));
	/* Nothing more happens by itself. */
	ccd_controller_advance(c, 10 * HOUR_MS);
	assert_string_equal(said(c), "");
	assert_int_equal(ccd_controller_next_event(c), UINT64_MAX);
	/* INS can be asked for. */
	frame(c, 10 * HOUR_MS, "INS200(1)");
	assert_string_equal(said(c), "S:INS200(1)");
	ccd_controller_free(c);
}

/* Each setting: busy with the old value at once, done with the new one
 * when its time is up, never before. */
static void test_every_setting_converges_with_immediate_and_delayed_status(void **state)
{
	static const struct {
		const char *command, *busy, *done;
		uint64_t ms;
	} cases[] = {
		{ "RSP101(1,1) RSP200(1) RSP201(1)", "S:RSP200(1,1,3)", "S:RSP201(1,0,1)", 500 },
		{ "RSP101(1,STANDARD) RSP200(1) RSP201(1)", "S:RSP200(1,1,1)", "S:RSP201(1,0,2)", 500 },
		{ "CSP101(1,1) CSP200(1) CSP201(1)", "S:CSP200(1,1,2)", "S:CSP201(1,0,1)", 200 },
		{ "PFL101(1,250) PFL200(1) PFL201(1)", "S:PFL200(1,1,0)", "S:PFL201(1,0,250)", 50 },
		{ "EXP101(1,30000) EXP200(1) EXP201(1)", "S:EXP200(1,1,1000)", "S:EXP201(1,0,30000)", 50 },
		{ "BIN101(1,3,4) BIN200(1) BIN201(1)", "S:BIN200(1,1,2,2)", "S:BIN201(1,0,3,4)", 200 },
		{ "WIN101(1,2,11,6,60,50,1) WIN200(1) WIN201(1)", "S:WIN200(1,1,2,0,0,0,0,0)",
		  "S:WIN201(1,0,2,11,6,60,50,1)", 200 },
		{ "WEN101(1,1) WEN200(1) WEN201(1)", "S:WEN200(1,1,0)", "S:WEN201(1,0,1)", 200 },
		{ "RGA101(102000) RGA200 RGA201", "S:RGA200(1,0)", "S:RGA201(0,102000)", 100 },
	};
	struct ccd_controller *c = controller_powered_up();
	uint64_t t = 1000;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		frame(c, t, cases[i].command);
		assert_string_equal(said(c), cases[i].busy);
		ccd_controller_advance(c, t + cases[i].ms - 1);
		assert_string_equal(said(c), "");
		ccd_controller_advance(c, t + cases[i].ms);
		assert_string_equal(said(c), cases[i].done);
		t += 10000;
	}
	/* Asked again, each reports its value, done. */
	frame(c, t, "BIN200(1) WIN200(1) EXP201(1)");
	assert_string_equal(said(c), "S:BIN200(1,0,3,4) S:WIN200(1,0,2,11,6,60,50,1) "
				     "S:EXP201(1,0,30000)");
	assert_true(ccd_controller_settings(c)->format.windows_enabled);
	ccd_controller_free(c);
}

static void test_bad_commands_get_0x02_at_once_and_change_nothing(void **state)
{
	static const char *const bad[] = {
		"RSP101(1,4)", "RSP101(1,0)", "RSP101(1,QUICK)", "RSP101(2,1)", "RSP101(1)",
		"RSP101", "RSP101(1,1,1)", "CSP101(1,3)", "PFL101(1,3600001)",
		"EXP101(1,86400001)", "EXP101(1,-1)", "BIN101(1,0,1)", "BIN101(1,17,1)",
		"BIN101(1,2)", "WIN101(1,3,1,1,10,10,1)", "WIN101(1,1,0,1,10,10,1)",
		"WIN101(1,1,1,1,121,10,1)", "WIN101(1,1,1,1,10,111,1)", "WIN101(1,1,10,1,10,10,1)",
		"WIN101(1,1,1,10,10,5,1)", "WIN101(1,1,1,1,10,10,2)", "WIN101(1,1,500,1,10,10,0)",
		"WEN101(1,2)", "MON101(1,2)", "RGA101(1000000)", "RGA101(1,2)", "SSH101(1,SHUT)",
		"SSH101(1,1)", "CLR101(1,1)", "PIC101", "INS101(1)", "SYN101(1,1)",
	};
	struct ccd_controller *c = controller_powered_up();
	struct ccd_settings before = *ccd_controller_settings(c);
	char body[128], expect[64], mnemonic[4] = "";

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		memcpy(mnemonic, bad[i], 3);
		snprintf(body, sizeof(body), "%s %s200%s %s201%s", bad[i], mnemonic,
			 strcmp(mnemonic, "RGA") ? "(1)" : "", mnemonic,
			 strcmp(mnemonic, "RGA") ? "(1)" : "");
		frame(c, 1000 + i, body);
		/* Both answers at once, err 2; the values they carry unchanged. */
		const char *got = said(c);

		snprintf(expect, sizeof(expect), "S:%s200(", mnemonic);
		assert_non_null(strstr(got, expect));
		if (strcmp(mnemonic, "RGA") == 0)
			assert_non_null(strstr(got, "S:RGA200(2,0) S:RGA201(2,0)"));
		else if (strcmp(mnemonic, "INS") != 0)
			assert_non_null(strstr(got, "(1,2"));
		ccd_controller_advance(c, 2000 + i);
		assert_string_equal(said(c), "");
	}
	assert_memory_equal(&before, ccd_controller_settings(c), sizeof(before));
	assert_false(ccd_controller_monitor(c));
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_IDLE);
	/* A status request for another head, or with no head. */
	frame(c, 5000, "RSP200(2) BIN201 RGA200(1)");
	assert_string_equal(said(c), "S:RSP200(1,2,3) S:BIN201(1,2,2,2) S:RGA200(2,0)");
	/* A good command after a refused one is taken. */
	frame(c, 6000, "RSP101(1,1) RSP201(1)");
	ccd_controller_advance(c, 6500);
	assert_string_equal(said(c), "S:RSP201(1,0,1)");
	ccd_controller_free(c);
}

static void test_unknown_mechanisms_and_codes_are_not_taken(void **state)
{
	struct ccd_controller *c = controller_powered_up();
	struct unet_mech m = { .mnemonic = "XYZ", .code = 101, .n_args = 1,
			       .args = { { .kind = UNET_ARG_NUMBER, .number = 1 } } };

	assert_int_equal(ccd_controller_command(c, 10, &m), CCD_COMMAND_UNKNOWN_MECHANISM);
	memcpy(m.mnemonic, "RSP", 4);
	m.code = 102;
	assert_int_equal(ccd_controller_command(c, 10, &m), CCD_COMMAND_UNKNOWN_CODE);
	m.code = 0;
	assert_int_equal(ccd_controller_command(c, 10, &m), CCD_COMMAND_UNKNOWN_CODE);
	assert_string_equal(said(c), "");
	ccd_controller_free(c);
}

/* Monitor mode: every change reported unsolicited, once. */
static void test_monitor_mode_reports_changes_once(void **state)
{
	struct ccd_controller *c = controller_powered_up();

	/* Off: a change nobody asked the delayed status of goes unreported. */
	frame(c, 0, "CSP101(1,1)");
	ccd_controller_advance(c, 1000);
	assert_string_equal(said(c), "");
	frame(c, 1000, "MON101(1,1) MON200(1) MON201(1)");
	assert_string_equal(said(c), "S:MON200(1,0) S:MON201(1,0)");
	assert_true(ccd_controller_monitor(c));
	/* On: reported when it happens... */
	frame(c, 2000, "CSP101(1,2)");
	ccd_controller_advance(c, 2199);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, 2200);
	assert_string_equal(said(c), "S:CSP200(1,0,2)");
	/* ...not twice when the delayed status says it... */
	frame(c, 3000, "CSP101(1,1) CSP201(1)");
	ccd_controller_advance(c, 3200);
	assert_string_equal(said(c), "S:CSP201(1,0,1)");
	/* ...and not when nothing changed. */
	frame(c, 4000, "CSP101(1,1)");
	ccd_controller_advance(c, 4200);
	assert_string_equal(said(c), "");
	/* The shutter too. */
	frame(c, 5000, "SSH101(1,OPEN)");
	ccd_controller_advance(c, 5300);
	assert_string_equal(said(c), "S:SSH200(1,0,1)");
	frame(c, 6000, "MON101(1,0)");
	frame(c, 6000, "SSH101(1,CLOSE)");
	ccd_controller_advance(c, 7000);
	assert_string_equal(said(c), "");
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_CLOSED);
	ccd_controller_free(c);
}

/* ------------------------------------------------------------ runs */

/* A fresh controller with the run settings sent, at t = 10000. */
static struct ccd_controller *controller_for_runs(uint32_t exposure_ms, uint32_t preflash_ms)
{
	struct ccd_controller *c = controller_powered_up();
	char body[128];

	snprintf(body, sizeof(body), "EXP101(1,%u) PFL101(1,%u) CSP101(1,QUICK) BIN101(1,1,1)",
		 exposure_ms, preflash_ms);
	frame(c, 0, body);
	ccd_controller_advance(c, 10000);
	assert_string_equal(said(c), "");
	return c;
}

/* Clear time of the test chip at QUICK: 110 rows x 0.2 ms + 100 ms. */
#define CLEAR_MS 122

static void test_pic_runs_every_phase_and_reads_out_silently(void **state)
{
	struct ccd_controller *c = controller_for_runs(2000, 100);
	struct ccd_readout r;
	uint64_t t = 10000, exposure_start, readout_start, readout_ms;

	frame(c, t, "MON101(1,1)");
	frame(c, t, "PIC101(1) PIC200(1) PIC201(1)");
	assert_string_equal(said(c), "S:PIC200(1,1,1,0)");
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_CLEARING);
	assert_false(ccd_controller_quiet(c));
	ccd_controller_advance(c, t + CLEAR_MS - 1);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, t + CLEAR_MS);
	assert_string_equal(said(c), "S:PIC200(1,1,2,0)");
	ccd_controller_advance(c, t + CLEAR_MS + 100);
	exposure_start = t + CLEAR_MS + 100;
	/* The shutter opens (monitor mode says so), the exposure starts. */
	assert_string_equal(said(c), "S:SSH200(1,0,1) S:PIC200(1,1,3,0)");
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_OPEN);
	/* Monitor mode: the elapsed time every progress interval. */
	ccd_controller_advance(c, exposure_start + 1000);
	assert_string_equal(said(c), "S:PIC200(1,1,3,1000)");
	ccd_controller_advance(c, exposure_start + 1999);
	assert_string_equal(said(c), "");
	/* The end of exposure: shutter closed, reading out, and then silence. */
	ccd_controller_advance(c, exposure_start + 2000);
	assert_string_equal(said(c), "S:SSH200(1,0,0) S:PIC200(1,1,5,2000)");
	assert_true(ccd_controller_quiet(c));
	readout_start = exposure_start + 2000;
	readout_ms = ccd_controller_next_event(c) - readout_start;
	assert_true(readout_ms > 100);
	ccd_controller_advance(c, readout_start + readout_ms - 1);
	assert_false(ccd_controller_take_readout(c, &r));
	ccd_controller_advance(c, readout_start + readout_ms);
	/* Pixels due: what the chip saw. */
	assert_true(ccd_controller_take_readout(c, &r));
	assert_false(ccd_controller_take_readout(c, &r));
	assert_int_equal(r.mech, CCD_MECH_PIC);
	assert_int_equal(r.light_ms, 2000);
	assert_int_equal(r.preflash_ms, 100);
	assert_int_equal(r.dark_ms, 2100);
	assert_int_equal(r.format.bin_x, 1);
	assert_int_equal(r.readout_speed, CCD_READOUT_FAST);
	/* Still silent until the pixels are out; then complete. */
	ccd_controller_advance(c, readout_start + readout_ms + 5000);
	assert_string_equal(said(c), "");
	assert_true(ccd_controller_quiet(c));
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_READING_OUT);
	ccd_controller_readout_delivered(c, readout_start + readout_ms + 5000);
	assert_string_equal(said(c), "S:PIC200(1,0,6,2000) S:PIC201(1,0,6,2000)");
	assert_false(ccd_controller_quiet(c));
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_COMPLETE);
	/* Asked later: still the last run's end. */
	frame(c, readout_start + readout_ms + 6000, "PIC200(1) PIC201(1)");
	assert_string_equal(said(c), "S:PIC200(1,0,6,2000) S:PIC201(1,0,6,2000)");
	ccd_controller_free(c);
}

/* The read-out takes the pixel time of its speed for each binned pixel. */
static void test_readout_time_follows_speed_binning_and_windows(void **state)
{
	struct ccd_chip chip = { .size_x = 2148, .size_y = 4128, .x_under = 50, .y_under = 0,
				 .x_silicon = 2048, .y_silicon = 4096 };
	struct ccd_readout r = { .format = { .bin_x = 1, .bin_y = 1 },
				 .readout_speed = CCD_READOUT_STANDARD };
	uint64_t standard, slow, fast, binned, windowed;

	standard = ccd_readout_duration_ms(&chip, &r);
	r.readout_speed = CCD_READOUT_SLOW;
	slow = ccd_readout_duration_ms(&chip, &r);
	r.readout_speed = CCD_READOUT_FAST;
	fast = ccd_readout_duration_ms(&chip, &r);
	/* A 2k x 4k chip: about two and a half minutes at STANDARD. */
	assert_true(standard > 120000 && standard < 180000);
	assert_true(slow > 2 * standard && fast < standard / 1.5);
	r.readout_speed = CCD_READOUT_STANDARD;
	r.format.bin_x = r.format.bin_y = 2;
	binned = ccd_readout_duration_ms(&chip, &r);
	assert_true(binned < standard / 3);
	r.format.bin_x = r.format.bin_y = 1;
	r.format.windows_enabled = true;
	r.format.window[1] = (struct ccd_window) { .valid = true, .x1 = 1, .y1 = 1, .x2 = 100,
						   .y2 = 100 };
	windowed = ccd_readout_duration_ms(&chip, &r);
	assert_true(windowed < 1000);
}

static void test_pause_continue_finish_count_elapsed_with_pauses(void **state)
{
	struct ccd_controller *c = controller_for_runs(10000, 0);
	uint64_t t = 10000, e;
	struct ccd_readout r;

	frame(c, t, "PIC101(1)");
	ccd_controller_advance(c, t + CLEAR_MS);
	e = t + CLEAR_MS;	/* exposure starts */
	assert_string_equal(said(c), "S:PIC200(1,1,3,0)");
	/* PAUSE: busy while the shutter closes, then paused. */
	frame(c, e + 500, "PAU101(1) PAU200(1) PAU201(1)");
	assert_string_equal(said(c), "S:PAU200(1,1,3,500)");
	ccd_controller_advance(c, e + 799);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, e + 800);
	assert_string_equal(said(c), "S:PIC200(1,1,4,800) S:PAU201(1,0,4,800)");
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_CLOSED);
	/* Paused: no end of exposure comes, however long. */
	ccd_controller_advance(c, e + 60000);
	assert_string_equal(said(c), "");
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_PAUSED);
	/* Kicks that do not fit the phase. */
	frame(c, e + 60000, "PAU101(1) PAU201(1) CON200(1)");
	assert_string_equal(said(c), "S:PAU201(1,2,4,60000) S:CON200(1,0,4,60000)");
	/* CONTINUE: the shutter opens, exposing again. */
	frame(c, e + 60000, "CON101(1) CON201(1)");
	ccd_controller_advance(c, e + 60300);
	assert_string_equal(said(c), "S:PIC200(1,1,3,60300) S:CON201(1,0,3,60300)");
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_OPEN);
	/* FINISH early: read out what there is. */
	frame(c, e + 61300, "FIN101(1) FIN201(1)");
	ccd_controller_advance(c, e + 61600);
	assert_string_equal(said(c), "S:PIC200(1,1,5,61600) S:FIN201(1,0,5,61600)");
	assert_true(ccd_controller_quiet(c));
	ccd_controller_advance(c, e + 200000);
	assert_true(ccd_controller_take_readout(c, &r));
	/* Light: 500 ms before the pause, 1000 ms after; elapsed with pauses. */
	assert_int_equal(r.light_ms, 1500);
	assert_int_equal(r.dark_ms, 61600);
	ccd_controller_readout_delivered(c, e + 200000);
	assert_string_equal(said(c), "S:PIC200(1,0,6,61600)");
	assert_int_equal(ccd_controller_elapsed_ms(c), 61600);
	ccd_controller_free(c);
}

static void test_abort_in_each_active_phase_ends_the_run_without_pixels(void **state)
{
	/* How long after the start to abort: clearing, preflash, exposing,
	 * paused (PAU at 300), reading out. */
	static const uint64_t at[] = { 50, CLEAR_MS + 50, CLEAR_MS + 100 + 500,
				       CLEAR_MS + 100 + 2000, CLEAR_MS + 100 + 3000 + 10 };
	static const enum ccd_phase phase[] = { CCD_PHASE_CLEARING, CCD_PHASE_PREFLASH,
						CCD_PHASE_EXPOSING, CCD_PHASE_PAUSED,
						CCD_PHASE_READING_OUT };

	for (size_t i = 0; i < ELEMENTSOF(at); i++) {
		struct ccd_controller *c = controller_for_runs(3000, 100);
		uint64_t t = 10000;
		struct ccd_readout r;

		frame(c, t, "PIC101(1) PIC201(1)");
		if (phase[i] == CCD_PHASE_PAUSED)
			frame(c, t + CLEAR_MS + 100 + 300, "PAU101(1)");
		ccd_controller_advance(c, t + at[i]);
		assert_int_equal(ccd_controller_phase(c), phase[i]);
		said(c);
		frame(c, t + at[i], "ABT101(1) ABT200(1) ABT201(1)");
		ccd_controller_advance(c, t + at[i] + 300);
		/* Aborted, err 0x10; the kick itself done. */
		const char *got = said(c);

		assert_non_null(strstr(got, "S:PIC200(1,16,7,"));
		assert_non_null(strstr(got, "S:PIC201(1,16,7,"));
		assert_non_null(strstr(got, "S:ABT201(1,0,7,"));
		assert_int_equal(ccd_controller_phase(c), CCD_PHASE_ABORTED);
		assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_CLOSED);
		assert_false(ccd_controller_quiet(c));
		ccd_controller_advance(c, t + 1000000);
		assert_false(ccd_controller_take_readout(c, &r));
		/* And again after the end: not in this phase. */
		frame(c, t + 1000000, "ABT101(1) ABT201(1)");
		assert_non_null(strstr(said(c), "S:ABT201(1,2,7,"));
		ccd_controller_free(c);
	}
}

static void test_dar_keeps_the_shutter_closed_and_counts_dark_time(void **state)
{
	struct ccd_controller *c = controller_for_runs(5000, 0);
	struct ccd_readout r;
	uint64_t t = 10000;

	frame(c, t, "MON101(1,1)");
	frame(c, t, "DAR101(1) DAR200(1) DAR201(1)");
	assert_string_equal(said(c), "S:DAR200(1,1,1,0)");
	ccd_controller_advance(c, t + CLEAR_MS + 5000);
	/* No shutter report: it never moved. */
	assert_string_equal(said(c), "S:DAR200(1,1,3,0) S:DAR200(1,1,3,1000) S:DAR200(1,1,3,2000) "
				     "S:DAR200(1,1,3,3000) S:DAR200(1,1,3,4000) "
				     "S:DAR200(1,1,5,5000)");
	ccd_controller_advance(c, t + 100000);
	assert_true(ccd_controller_take_readout(c, &r));
	assert_int_equal(r.mech, CCD_MECH_DAR);
	assert_int_equal(r.light_ms, 0);
	assert_int_equal(r.dark_ms, 5000);
	ccd_controller_readout_delivered(c, t + 100000);
	assert_string_equal(said(c), "S:DAR200(1,0,6,5000) S:DAR201(1,0,6,5000)");
	/* A bias: DAR with no exposure. */
	frame(c, t + 200000, "EXP101(1,0)");
	ccd_controller_advance(c, t + 200100);
	said(c);
	frame(c, t + 200100, "DAR101(1) DAR201(1)");
	ccd_controller_advance(c, t + 300000);
	assert_true(ccd_controller_take_readout(c, &r));
	assert_int_equal(r.dark_ms, 0);
	ccd_controller_readout_delivered(c, t + 300000);
	assert_non_null(strstr(said(c), "S:DAR201(1,0,6,0)"));
	ccd_controller_free(c);
}

static void test_new_exposure_time_during_the_exposure(void **state)
{
	struct ccd_controller *c = controller_for_runs(10000, 0);
	uint64_t t = 10000, e = t + CLEAR_MS;
	struct ccd_readout r;

	frame(c, t, "PIC101(1)");
	ccd_controller_advance(c, e + 1000);
	said(c);
	/* Shorter than what has passed: the exposure ends at once. */
	frame(c, e + 3000, "EXP101(1,2500) EXP201(1)");
	ccd_controller_advance(c, e + 3050);
	assert_string_equal(said(c), "S:EXP201(1,0,2500) S:PIC200(1,1,5,3050)");
	ccd_controller_advance(c, e + 100000);
	assert_true(ccd_controller_take_readout(c, &r));
	assert_int_equal(r.light_ms, 3050);
	ccd_controller_free(c);

	/* Longer: it goes on to the new time. */
	c = controller_for_runs(2000, 0);
	frame(c, t, "PIC101(1)");
	frame(c, e + 1000, "EXP101(1,4000)");
	ccd_controller_advance(c, e + 3999);
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_EXPOSING);
	ccd_controller_advance(c, e + 4000);
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_READING_OUT);
	ccd_controller_free(c);
}

static void test_the_chip_is_busy_during_a_run(void **state)
{
	struct ccd_controller *c = controller_for_runs(5000, 0);
	uint64_t t = 10000;

	frame(c, t, "PIC101(1)");
	ccd_controller_advance(c, t + 1000);
	said(c);
	frame(c, t + 1000, "PIC101(1) PIC201(1) DAR101(1) DAR201(1) CLR101(1) CLR201(1) "
			   "RED101(1) RED201(1)");
	/* The run mechanisms' statuses carry the run's phase and elapsed time. */
	assert_string_equal(said(c), "S:PIC201(1,2,3,878) S:DAR201(1,2,3,878) S:CLR201(1,2) "
				     "S:RED201(1,2)");
	frame(c, t + 1000, "RSP101(1,1) RSP201(1) SSH101(1,CLOSE) SSH201(1)");
	assert_string_equal(said(c), "S:RSP201(1,2,3) S:SSH201(1,2,1)");
	assert_int_equal(ccd_controller_settings(c)->readout_speed, CCD_READOUT_FAST);
	ccd_controller_free(c);
}

/* ------------------------------------------------------------ clear, read-out */

static void test_clear_and_unpackaged_readout(void **state)
{
	struct ccd_controller *c = controller_for_runs(1000, 0);
	struct ccd_readout r;
	uint64_t t = 10000;

	frame(c, t, "CLR101(1) CLR200(1) CLR201(1)");
	assert_string_equal(said(c), "S:CLR200(1,1)");
	ccd_controller_advance(c, t + CLEAR_MS);
	assert_string_equal(said(c), "S:CLR201(1,0)");
	/* Dark charge since the clear is what RED reads; silent meanwhile. */
	frame(c, t + 60000, "RED101(1) RED200(1) RED201(1)");
	assert_string_equal(said(c), "S:RED200(1,1)");
	assert_true(ccd_controller_quiet(c));
	ccd_controller_advance(c, t + 200000);
	assert_string_equal(said(c), "");
	assert_true(ccd_controller_take_readout(c, &r));
	assert_int_equal(r.mech, CCD_MECH_RED);
	assert_int_equal(r.dark_ms, 60000 - CLEAR_MS);
	assert_int_equal(r.light_ms, 0);
	ccd_controller_readout_delivered(c, t + 200000);
	assert_string_equal(said(c), "S:RED201(1,0)");
	assert_false(ccd_controller_quiet(c));
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_IDLE);
	/* The shutter opened by hand lights the chip. */
	frame(c, t + 300000, "SSH101(1,OPEN)");
	frame(c, t + 310000, "SSH101(1,CLOSE)");
	frame(c, t + 320000, "RED101(1)");
	ccd_controller_advance(c, t + 500000);
	assert_true(ccd_controller_take_readout(c, &r));
	assert_int_equal(r.light_ms, 10000);
	ccd_controller_free(c);
}

/* ------------------------------------------------------------ shutter */

static void test_shutter_moves_jams_and_unjams(void **state)
{
	struct ccd_controller *c = controller_powered_up();

	frame(c, 0, "SSH101(1,OPEN) SSH200(1) SSH201(1)");
	assert_string_equal(said(c), "S:SSH200(1,1,0)");
	ccd_controller_advance(c, 300);
	assert_string_equal(said(c), "S:SSH201(1,0,1)");
	/* A jam at the next move: hardware fault, position jammed. */
	ccd_controller_jam(c, false);
	frame(c, 1000, "SSH101(1,CLOSE) SSH201(1)");
	ccd_controller_advance(c, 1300);
	assert_string_equal(said(c), "S:SSH201(1,4,2)");
	/* Jammed blades do not move. */
	frame(c, 2000, "SSH101(1,OPEN) SSH201(1)");
	ccd_controller_advance(c, 2000);
	assert_string_equal(said(c), "S:SSH201(1,4,2)");
	/* A run needs the shutter: it fails at once with a hardware fault. */
	frame(c, 2000, "PIC101(1) PIC201(1)");
	assert_string_equal(said(c), "S:PIC200(1,4,7,0) S:PIC201(1,4,7,0)");
	/* A reset does not free it. */
	ccd_controller_power_glitch(c, 3000);
	ccd_controller_advance(c, 3000 + RESET_MS);
	said(c);
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_JAMMED);
	/* UNJAM does, closed. */
	frame(c, 10000, "SSH101(1,UNJAM) SSH200(1) SSH201(1)");
	assert_string_equal(said(c), "S:SSH200(1,1,2)");
	ccd_controller_advance(c, 10999);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, 11000);
	assert_string_equal(said(c), "S:SSH201(1,0,0)");
	/* A hard jam: UNJAM fails until the fault is cleared. */
	ccd_controller_jam(c, true);
	frame(c, 12000, "SSH101(1,OPEN) SSH201(1)");
	ccd_controller_advance(c, 12300);
	assert_string_equal(said(c), "S:SSH201(1,4,2)");
	frame(c, 13000, "SSH101(1,UNJAM) SSH201(1)");
	ccd_controller_advance(c, 14000);
	assert_string_equal(said(c), "S:SSH201(1,4,2)");
	ccd_controller_clear_faults(c);
	frame(c, 15000, "SSH101(1,UNJAM) SSH201(1)");
	ccd_controller_advance(c, 16000);
	assert_string_equal(said(c), "S:SSH201(1,0,0)");
	ccd_controller_free(c);
}

static void test_a_shutter_that_jams_as_the_exposure_starts_fails_the_run(void **state)
{
	struct ccd_controller *c = controller_for_runs(5000, 0);
	struct ccd_readout r;
	uint64_t t = 10000;

	ccd_controller_jam(c, false);
	frame(c, t, "PIC101(1) PIC201(1)");
	ccd_controller_advance(c, t + CLEAR_MS);
	assert_string_equal(said(c), "S:PIC200(1,4,7,0) S:PIC201(1,4,7,0)");
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_JAMMED);
	ccd_controller_advance(c, t + 100000);
	assert_false(ccd_controller_take_readout(c, &r));
	ccd_controller_free(c);
}

/* ------------------------------------------------------------ reset */

static void test_res_is_silent_then_ins_and_saved_settings(void **state)
{
	struct ccd_controller *c = controller_for_runs(5000, 0);
	struct ccd_readout r;
	uint64_t t = 10000;

	frame(c, t, "MON101(1,1) RSP101(1,1)");
	frame(c, t + 1000, "PIC101(1) PIC201(1)");
	ccd_controller_advance(c, t + 2000);
	said(c);
	/* The rest of the frame is not heard: the controller is resetting. */
	frame(c, t + 2000, "RES101(1) RES200(1) RES201(1)");
	assert_string_equal(said(c), "");
	assert_true(ccd_controller_resetting(c));
	frame(c, t + 3000, "RSP200(1) INS200(1)");
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, t + 2000 + RESET_MS - 1);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, t + 2000 + RESET_MS);
	assert_string_equal(said(c), "S:INS200(1)");
	assert_false(ccd_controller_resetting(c));
	assert_int_equal(ccd_controller_boots(c), 2);
	/* The run is gone with no end; settings back to the saved ones. */
	assert_int_equal(ccd_controller_phase(c), CCD_PHASE_IDLE);
	assert_false(ccd_controller_monitor(c));
	assert_int_equal(ccd_controller_settings(c)->readout_speed, CCD_READOUT_FAST);
	assert_int_equal(ccd_controller_settings(c)->exposure_ms, 1000);
	ccd_controller_advance(c, t + 100000);
	assert_string_equal(said(c), "");
	assert_false(ccd_controller_take_readout(c, &r));
	/* RES for another head is refused. */
	frame(c, t + 100000, "RES101(2) RES200(1)");
	assert_string_equal(said(c), "S:RES200(1,2)");
	assert_false(ccd_controller_resetting(c));
	ccd_controller_free(c);
}

static void test_power_glitch_while_reading_out_loses_the_pixels(void **state)
{
	struct ccd_controller *c = controller_for_runs(1000, 0);
	struct ccd_readout r;
	uint64_t t = 10000;

	frame(c, t, "PIC101(1) PIC201(1)");
	ccd_controller_advance(c, t + CLEAR_MS + 1000 + 10);
	assert_true(ccd_controller_quiet(c));
	said(c);
	ccd_controller_power_glitch(c, t + CLEAR_MS + 1000 + 10);
	assert_false(ccd_controller_quiet(c));
	ccd_controller_advance(c, t + 100000);
	assert_string_equal(said(c), "S:INS200(1)");
	assert_false(ccd_controller_take_readout(c, &r));
	ccd_controller_free(c);
}

/* ------------------------------------------------------------ RTC synchronisation */

#define UTC_S 1764670000	/* 2025-12-02 10:06:40 */
#define UTC_MS ((int64_t)UTC_S * 1000)

static void test_syn_asks_tim_for_utc_and_time_of_day(void **state)
{
	struct ccd_controller *c = controller_powered_up();
	char text[64];

	frame(c, 1000, "SYN101(1) SYN200(1) SYN201(1)");
	assert_string_equal(said(c), "C:UTC200 S:SYN200(1,1)");
	assert_true(ccd_controller_syncing(c));
	/* The controller's RTC is 37 s fast; TIM tells it the time. */
	time_reply(c, 1100, UTC_MS + 250, "UTC200(0,1764670000,250000)");
	assert_string_equal(said(c), "C:TIM200");
	assert_int_equal(ccd_controller_rtc_error_ms(c), 37000);
	snprintf(text, sizeof(text), "TIM200(0,%d,300000)", UTC_S % 86400);
	time_reply(c, 1150, UTC_MS + 300, text);
	/* Loaded on the next whole minute: 19.75 s after 10:06:40.25. */
	ccd_controller_advance(c, 1150 + 19749);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, 1150 + 19750);
	assert_string_equal(said(c), "S:SYN201(1,0)");
	assert_int_equal(ccd_controller_rtc_error_ms(c), 0);
	assert_false(ccd_controller_syncing(c));
	ccd_controller_free(c);
}

static void test_syn_asks_three_times_then_times_out(void **state)
{
	struct ccd_controller *c = controller_powered_up();

	frame(c, 0, "SYN101(1) SYN201(1)");
	assert_string_equal(said(c), "C:UTC200");
	ccd_controller_advance(c, REPLY_TIMEOUT_MS);
	assert_string_equal(said(c), "C:UTC200");
	ccd_controller_advance(c, 2 * REPLY_TIMEOUT_MS);
	assert_string_equal(said(c), "C:UTC200");
	ccd_controller_advance(c, 3 * REPLY_TIMEOUT_MS - 1);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, 3 * REPLY_TIMEOUT_MS);
	assert_string_equal(said(c), "S:SYN201(1,8)");
	/* A late answer is not asked for. */
	time_reply(c, 3 * REPLY_TIMEOUT_MS + 1, UTC_MS, "UTC200(0,1764670000,0)");
	assert_string_equal(said(c), "");
	frame(c, 4 * REPLY_TIMEOUT_MS, "SYN200(1)");
	assert_string_equal(said(c), "S:SYN200(1,8)");
	ccd_controller_free(c);
}

static void test_syn_refuses_bad_answers_from_tim(void **state)
{
	struct ccd_controller *c = controller_powered_up();
	char text[64];

	/* Malformed answers are not taken: the controller asks again later. */
	frame(c, 0, "SYN101(1) SYN201(1)");
	said(c);
	time_reply(c, 10, UTC_MS, "UTC200(0,1764670000)");
	time_reply(c, 10, UTC_MS, "UTC200(0,1764670000,1000000)");
	time_reply(c, 10, UTC_MS, "TIM200(0,1,0)");
	time_reply(c, 10, UTC_MS, "UTC201(0,1764670000,0)");
	assert_string_equal(said(c), "");
	assert_true(ccd_controller_syncing(c));
	/* TIM's time of day must be UTC's. */
	time_reply(c, 20, UTC_MS, "UTC200(0,1764670000,0)");
	assert_string_equal(said(c), "C:TIM200");
	snprintf(text, sizeof(text), "TIM200(0,%d,0)", (UTC_S + 3600) % 86400);
	time_reply(c, 30, UTC_MS + 10, text);
	assert_string_equal(said(c), "S:SYN201(1,2)");
	/* An error from TIM fails the synchronisation. */
	frame(c, 100, "SYN101(1) SYN201(1)");
	said(c);
	time_reply(c, 110, UTC_MS, "UTC200(4,0,0)");
	assert_string_equal(said(c), "S:SYN201(1,4)");
	ccd_controller_free(c);
}

static void test_automatic_sync_every_interval(void **state)
{
	struct ccd_controller_params p;
	struct ccd_controller *c = NULL;

	ccd_controller_params_default(&p);
	p.auto_sync_interval_ms = 24 * HOUR_MS;
	assert_int_equal(ccd_controller_new(&p, 0, &c), 0);
	said(c);
	ccd_controller_advance(c, 24 * HOUR_MS - 1);
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, 24 * HOUR_MS);
	assert_string_equal(said(c), "C:UTC200");
	/* SYN from the host joins it; both end together. */
	frame(c, 24 * HOUR_MS + 10, "SYN101(1) SYN201(1)");
	assert_string_equal(said(c), "");
	ccd_controller_advance(c, 24 * HOUR_MS + 3 * p.reply_timeout_ms);
	assert_string_equal(said(c), "C:UTC200 C:UTC200 S:SYN201(1,8)");
	assert_int_equal(ccd_controller_start_sync(c, 25 * HOUR_MS), 0);
	assert_int_equal(ccd_controller_start_sync(c, 25 * HOUR_MS), -EBUSY);
	ccd_controller_free(c);
}

/* ------------------------------------------------------------ faults */

static void test_a_setting_that_errors_keeps_its_value(void **state)
{
	struct ccd_controller *c = controller_powered_up();

	assert_int_equal(ccd_controller_fail_next(c, CCD_MECH_RSP, CCD_ERR_HARDWARE, 1), 0);
	frame(c, 0, "RSP101(1,1) RSP200(1) RSP201(1)");
	assert_string_equal(said(c), "S:RSP200(1,1,3)");
	ccd_controller_advance(c, 500);
	assert_string_equal(said(c), "S:RSP201(1,4,3)");
	frame(c, 1000, "RSP200(1)");
	assert_string_equal(said(c), "S:RSP200(1,4,3)");
	/* Once only. */
	frame(c, 2000, "RSP101(1,1) RSP201(1)");
	ccd_controller_advance(c, 2500);
	assert_string_equal(said(c), "S:RSP201(1,0,1)");
	/* Any error bits, any count; a run fails after its clear. */
	assert_int_equal(ccd_controller_fail_next(c, CCD_MECH_PIC, 0x08, 2), 0);
	frame(c, 3000, "PIC101(1) PIC201(1)");
	ccd_controller_advance(c, 3000 + 1200);
	assert_string_equal(said(c), "S:PIC200(1,8,7,0) S:PIC201(1,8,7,0)");
	assert_int_equal(ccd_controller_fail_next(c, CCD_MECH_RES, 4, 1), -EINVAL);
	assert_int_equal(ccd_controller_fail_next(c, CCD_MECH_RSP, 1, 1), -EINVAL);
	assert_int_equal(ccd_controller_fail_next(c, CCD_MECH_COUNT, 4, 1), -EINVAL);
	ccd_controller_free(c);
}

static void test_a_hung_mechanism_takes_commands_and_never_answers(void **state)
{
	struct ccd_controller *c = controller_powered_up();

	assert_int_equal(ccd_controller_hang(c, CCD_MECH_SSH, true), 0);
	frame(c, 0, "SSH101(1,OPEN) SSH200(1) SSH201(1)");
	ccd_controller_advance(c, 60000);
	assert_string_equal(said(c), "");
	assert_int_equal(ccd_controller_shutter(c), CCD_SHUTTER_CLOSED);
	/* The others go on. */
	frame(c, 60000, "CSP101(1,1) CSP201(1)");
	ccd_controller_advance(c, 60200);
	assert_string_equal(said(c), "S:CSP201(1,0,1)");
	assert_int_equal(ccd_controller_hang(c, CCD_MECH_SSH, false), 0);
	frame(c, 70000, "SSH101(1,OPEN) SSH201(1)");
	ccd_controller_advance(c, 70300);
	assert_string_equal(said(c), "S:SSH201(1,0,1)");
	assert_int_equal(ccd_controller_hang(c, CCD_MECH_INS, true), -EINVAL);
	ccd_controller_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_up_says_ins_and_has_saved_settings),
		cmocka_unit_test(test_every_setting_converges_with_immediate_and_delayed_status),
		cmocka_unit_test(test_bad_commands_get_0x02_at_once_and_change_nothing),
		cmocka_unit_test(test_unknown_mechanisms_and_codes_are_not_taken),
		cmocka_unit_test(test_monitor_mode_reports_changes_once),
		cmocka_unit_test(test_pic_runs_every_phase_and_reads_out_silently),
		cmocka_unit_test(test_readout_time_follows_speed_binning_and_windows),
		cmocka_unit_test(test_pause_continue_finish_count_elapsed_with_pauses),
		cmocka_unit_test(test_abort_in_each_active_phase_ends_the_run_without_pixels),
		cmocka_unit_test(test_dar_keeps_the_shutter_closed_and_counts_dark_time),
		cmocka_unit_test(test_new_exposure_time_during_the_exposure),
		cmocka_unit_test(test_the_chip_is_busy_during_a_run),
		cmocka_unit_test(test_clear_and_unpackaged_readout),
		cmocka_unit_test(test_shutter_moves_jams_and_unjams),
		cmocka_unit_test(test_a_shutter_that_jams_as_the_exposure_starts_fails_the_run),
		cmocka_unit_test(test_res_is_silent_then_ins_and_saved_settings),
		cmocka_unit_test(test_power_glitch_while_reading_out_loses_the_pixels),
		cmocka_unit_test(test_syn_asks_tim_for_utc_and_time_of_day),
		cmocka_unit_test(test_syn_asks_three_times_then_times_out),
		cmocka_unit_test(test_syn_refuses_bad_answers_from_tim),
		cmocka_unit_test(test_automatic_sync_every_interval),
		cmocka_unit_test(test_a_setting_that_errors_keeps_its_value),
		cmocka_unit_test(test_a_hung_mechanism_takes_commands_and_never_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
