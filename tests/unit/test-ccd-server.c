// SPDX-License-Identifier: GPL-2.0
/*
 * The SCCD server's logic (daemon/ccd/ccd-server.c), each test from a
 * sentence of the seed (§4.4-4.7, §7.6-7.14) or of the spec's decisions.
 * The test plays the controller: it sees every command the server queues
 * (as the body of its C frame) and answers with status messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/ccd/ccd-server.h"

#define SEC UINT64_C(1000000)
#define MAX_EVENTS 128
#define REALTIME (UINT64_C(1764670000) * SEC)

struct done {
	uint64_t id;
	enum ccd_operation_kind kind;
	struct ccd_result result;
};

struct fixture {
	struct ccd_server *server;
	struct ccd_profile profile;
	char sent[MAX_EVENTS][UNET_BODY_MAX + 1];
	uint64_t sent_tag[MAX_EVENTS];
	size_t n_sent;
	int send_result;
	struct done done[MAX_EVENTS];
	size_t n_done;
	uint32_t changed;		/* properties reported, or-ed */
	size_t n_started, n_ended, n_resets;
	struct ccd_run last_ended;
	uint32_t next_number;
	int number_result;
	uint64_t now;
};

static int on_send(void *userdata, const char *dest, const struct unet_mech *command,
		   bool head_number, bool plain, uint64_t tag)
{
	struct fixture *fx = userdata;
	int n;

	if (fx->send_result)
		return fx->send_result;
	assert_string_equal(dest, "CCD1");
	assert_true(fx->n_sent < MAX_EVENTS);
	if (plain)
		n = unet_mech_format(command, fx->sent[fx->n_sent], sizeof(fx->sent[0]));
	else
		n = unet_cmdreq_body(command, head_number, fx->sent[fx->n_sent], sizeof(fx->sent[0]));
	assert_true(n > 0);
	fx->sent_tag[fx->n_sent++] = tag;
	return 0;
}

static int on_next_run_number(void *userdata, uint32_t *ret)
{
	struct fixture *fx = userdata;

	if (fx->number_result)
		return fx->number_result;
	*ret = ++fx->next_number;
	return 0;
}

static void on_done(void *userdata, uint64_t id, enum ccd_operation_kind kind,
		    const struct ccd_result *result)
{
	struct fixture *fx = userdata;

	assert_true(fx->n_done < MAX_EVENTS);
	fx->done[fx->n_done++] = (struct done){ .id = id, .kind = kind, .result = *result };
}

static void on_changed(void *userdata, uint32_t mask)
{
	struct fixture *fx = userdata;

	fx->changed |= mask;
}

static void on_run_started(void *userdata, const struct ccd_run *run)
{
	struct fixture *fx = userdata;

	assert_true(run->active);
	fx->n_started++;
}

static void on_run_ended(void *userdata, const struct ccd_run *run)
{
	struct fixture *fx = userdata;

	assert_false(run->active);
	fx->n_ended++;
	fx->last_ended = *run;
}

static void on_reset(void *userdata)
{
	struct fixture *fx = userdata;

	fx->n_resets++;
}

static const struct ccd_server_ops ops = {
	.send = on_send,
	.next_run_number = on_next_run_number,
	.operation_done = on_done,
	.properties_changed = on_changed,
	.run_started = on_run_started,
	.run_ended = on_run_ended,
	.controller_reset = on_reset,
};

static void make_profile(struct ccd_profile *p)
{
	ccd_profile_defaults(p);
	strcpy(p->path, "/etc/stationd/ccd/TEK5");
	strcpy(p->ccd_name, "TEK5");
	strcpy(p->ccd_type, "TEK 1024");
	strcpy(p->unet_remote, "CCD1");
	p->size_x = p->size_y = 1124;
	p->head_number = 1;
	p->gain_e_per_adu = 1.5;
	p->exposure_ms = 1000;
	p->readout_time_s = 60;
}

static int setup(void **state)
{
	struct fixture *fx = test_calloc(1, sizeof(*fx));

	make_profile(&fx->profile);
	fx->now = 1000 * SEC;
	assert_int_equal(ccd_server_new("CCD1", "SYS", &ops, fx, &fx->server), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ccd_server_free(fx->server);
	test_free(fx);
	return 0;
}

/* A status from the controller: "RSP201(1,0,3)". */
static void status(struct fixture *fx, const char *text)
{
	struct unet_body_iter it;
	struct unet_mech m;

	unet_body_iter_init(&it, text, strlen(text));
	assert_int_equal(unet_body_next(&it, &m, NULL), 1);
	ccd_server_mechanism(fx->server, "CCD1", "SYS", &m, fx->now, REALTIME + fx->now);
}

static void advance(struct fixture *fx, uint64_t usec)
{
	fx->now += usec;
	ccd_server_tick(fx->server, fx->now, REALTIME + fx->now);
}

static const struct done *last_done(struct fixture *fx)
{
	assert_true(fx->n_done > 0);
	return &fx->done[fx->n_done - 1];
}

static void expect_done(struct fixture *fx, uint64_t id, enum ccd_error error)
{
	const struct done *d = last_done(fx);

	if (d->id != id || d->result.error != error)
		fail_msg("operation %llu ended %s (%s), want %llu %s", (unsigned long long)d->id,
			 ccd_error_to_string(d->result.error), d->result.message,
			 (unsigned long long)id, ccd_error_to_string(error));
}

/* An operation refused at once, with nothing sent. */
static void expect_refused(struct fixture *fx, int r, const struct ccd_result *result,
			   enum ccd_error error, size_t sent_before)
{
	assert_true(r < 0);
	if (result->error != error)
		fail_msg("refused %s (%s), want %s", ccd_error_to_string(result->error),
			 result->message, ccd_error_to_string(error));
	assert_int_equal(fx->n_sent, sent_before);
}

/* Every setting of the profile and MON, each answered done. */
static void do_setup(struct fixture *fx)
{
	struct ccd_result result;
	uint64_t id;

	assert_int_equal(ccd_server_setup(fx->server, &fx->profile, fx->now, &id, &result), 0);
	status(fx, "RSP201(1,0,2)");
	status(fx, "CSP201(1,0,1)");
	status(fx, "PFL201(1,0,0)");
	status(fx, "EXP201(1,0,1000)");
	status(fx, "BIN201(1,0,1,1)");
	status(fx, "WIN201(1,0,1,0,0,0,0,0)");
	status(fx, "WIN201(1,0,2,0,0,0,0,0)");
	status(fx, "WEN201(1,0,0)");
	status(fx, "MON201(1,0)");
	expect_done(fx, id, CCD_OK);
	assert_true(ccd_server_initialized(fx->server));
	fx->n_sent = 0;
	fx->n_done = 0;
	fx->changed = 0;
}

static void test_nothing_before_setup(void **state)
{
	struct fixture *fx = *state;
	struct ccd_format f;
	struct ccd_result r;
	uint64_t id;

	/* "A setting asked for before INIT fails at once (NotInitialized)";
	 * "nothing is sent before Setup has the controller's network name". */
	expect_refused(fx, ccd_server_set_readout_speed(fx->server, CCD_READOUT_FAST, fx->now, &id, &r),
		       &r, CCD_ERROR_NOT_INITIALIZED, 0);
	ccd_format_default(&f);
	expect_refused(fx, ccd_server_set_format(fx->server, &f, fx->now, &id, &r), &r,
		       CCD_ERROR_NOT_INITIALIZED, 0);
	expect_refused(fx, ccd_server_clear(fx->server, fx->now, &id, &r), &r,
		       CCD_ERROR_NOT_INITIALIZED, 0);
	expect_refused(fx, ccd_server_start_run(fx->server, CCD_RUN_RUN, "", fx->now, REALTIME, &id, &r),
		       &r, CCD_ERROR_NOT_INITIALIZED, 0);
	expect_refused(fx, ccd_server_move_shutter(fx->server, CCD_SHUTTER_OPEN, fx->now, &id, &r), &r,
		       CCD_ERROR_NOT_INITIALIZED, 0);
	expect_refused(fx, ccd_server_sync_clock(fx->server, fx->now, &id, &r), &r,
		       CCD_ERROR_NOT_INITIALIZED, 0);
	/* "Reset needs a loaded profile". */
	expect_refused(fx, ccd_server_reset(fx->server, fx->now, &id, &r), &r,
		       CCD_ERROR_NOT_INITIALIZED, 0);
	expect_refused(fx, ccd_server_kick(fx->server, CCD_KICK_ABORT, fx->now, &id, &r), &r,
		       CCD_ERROR_WRONG_STATE, 0);
	assert_null(ccd_server_profile(fx->server));
	assert_int_equal(fx->n_done, 0);
}

static void test_setup(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	fx->profile.readout_speed = CCD_READOUT_FAST;
	fx->profile.format.bin_x = 2;
	fx->profile.format.window[0] = (struct ccd_window){ true, 10, 20, 110, 220 };
	assert_int_equal(ccd_server_setup(fx->server, &fx->profile, fx->now, &id, &r), 0);
	/* Every setting and monitor mode, each a command request. */
	assert_int_equal(fx->n_sent, 9);
	assert_string_equal(fx->sent[0], "RSP101(1,3) RSP200(1) RSP201(1)");
	assert_string_equal(fx->sent[1], "CSP101(1,1) CSP200(1) CSP201(1)");
	assert_string_equal(fx->sent[2], "PFL101(1,0) PFL200(1) PFL201(1)");
	assert_string_equal(fx->sent[3], "EXP101(1,1000) EXP200(1) EXP201(1)");
	assert_string_equal(fx->sent[4], "BIN101(1,2,1) BIN200(1) BIN201(1)");
	assert_string_equal(fx->sent[5], "WIN101(1,1,10,20,110,220,1) WIN200(1) WIN201(1)");
	assert_string_equal(fx->sent[6], "WIN101(1,2,0,0,0,0,0) WIN200(1) WIN201(1)");
	assert_string_equal(fx->sent[7], "WEN101(1,0) WEN200(1) WEN201(1)");
	assert_string_equal(fx->sent[8], "MON101(1,1) MON200(1) MON201(1)");
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(fx->sent_tag[i], id);
	assert_non_null(ccd_server_profile(fx->server));
	assert_true(fx->changed & (1u << CCD_PROP_PROFILE));

	/* INIT is false while it runs: immediate statuses do not complete it. */
	status(fx, "RSP200(1,1,2)");
	status(fx, "RSP201(1,0,3)");
	status(fx, "CSP201(1,0,1)");
	status(fx, "PFL201(1,0,0)");
	status(fx, "EXP201(1,0,1000)");
	status(fx, "BIN201(1,0,2,1)");
	status(fx, "WIN201(1,0,1,10,20,110,220,1)");
	status(fx, "WIN201(1,0,2,0,0,0,0,0)");
	status(fx, "WEN201(1,0,0)");
	assert_false(ccd_server_initialized(fx->server));
	assert_int_equal(fx->n_done, 0);
	fx->changed = 0;
	status(fx, "MON201(1,0)");
	expect_done(fx, id, CCD_OK);
	assert_true(ccd_server_initialized(fx->server));
	assert_true(fx->changed & (1u << CCD_PROP_INITIALIZED));
	assert_int_equal(ccd_server_settings(fx->server)->current.readout_speed, CCD_READOUT_FAST);
	assert_int_equal(ccd_server_settings(fx->server)->current.format.bin_x, 2);
	assert_int_equal(ccd_server_settings(fx->server)->current.format.window[0].y2, 220);
}

static void test_setup_refused_and_timeout(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	/* A profile setting the controller refuses: Setup fails, INIT false. */
	assert_int_equal(ccd_server_setup(fx->server, &fx->profile, fx->now, &id, &r), 0);
	status(fx, "EXP201(1,2,0)");
	expect_done(fx, id, CCD_ERROR_CONTROLLER_ERROR);
	assert_int_equal(last_done(fx)->result.mech_error, 2);
	assert_non_null(strstr(last_done(fx)->result.message, "exposure time: bad-argument (0x02)"));
	assert_false(ccd_server_initialized(fx->server));

	/* No answer: Timeout after SETUP_FAIL (30 s), not before. */
	assert_int_equal(ccd_server_setup(fx->server, &fx->profile, fx->now, &id, &r), 0);
	advance(fx, 30 * SEC - 1);
	assert_int_equal(last_done(fx)->id != id, true);
	advance(fx, 1);
	expect_done(fx, id, CCD_ERROR_TIMEOUT);
	assert_false(ccd_server_initialized(fx->server));
}

static void test_settings_converge(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	/* Only the drifted setting is sent. */
	assert_int_equal(ccd_server_set_readout_speed(fx->server, CCD_READOUT_SLOW, fx->now, &id, &r), 0);
	assert_int_equal(fx->n_sent, 1);
	assert_string_equal(fx->sent[0], "RSP101(1,1) RSP200(1) RSP201(1)");
	status(fx, "RSP200(1,1,2)");
	assert_int_equal(fx->n_done, 0);
	status(fx, "RSP201(1,0,1)");
	expect_done(fx, id, CCD_OK);
	assert_true(fx->changed & (1u << CCD_PROP_READOUT_SPEED));

	/* "ALREADYTHERE" when nothing drifted; nothing sent. */
	expect_refused(fx, ccd_server_set_readout_speed(fx->server, CCD_READOUT_SLOW, fx->now, &id, &r),
		       &r, CCD_ERROR_ALREADY_THERE, 1);
	expect_refused(fx, ccd_server_set_exposure(fx->server, 1000, fx->now, &id, &r), &r,
		       CCD_ERROR_ALREADY_THERE, 1);
	{
		struct ccd_format f;

		ccd_format_default(&f);
		expect_refused(fx, ccd_server_set_format(fx->server, &f, fx->now, &id, &r), &r,
			       CCD_ERROR_ALREADY_THERE, 1);
		/* A new format: only what changed (binning and window 2). */
		f.bin_x = 4;
		f.bin_y = 4;
		f.window[1] = (struct ccd_window){ true, 1, 1, 100, 100 };
		assert_int_equal(ccd_server_set_format(fx->server, &f, fx->now, &id, &r), 0);
		assert_int_equal(fx->n_sent, 3);
		assert_string_equal(fx->sent[1], "BIN101(1,4,4) BIN200(1) BIN201(1)");
		assert_string_equal(fx->sent[2], "WIN101(1,2,1,1,100,100,1) WIN200(1) WIN201(1)");
		status(fx, "BIN201(1,0,4,4)");
		assert_false(last_done(fx)->id == id);
		status(fx, "WIN201(1,0,2,1,1,100,100,1)");
		expect_done(fx, id, CCD_OK);
	}
	assert_int_equal(ccd_server_settings(fx->server)->current.format.bin_y, 4);
}

static void test_settings_error_not_retried(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	/* The controller refuses: ControllerError naming the bits, and
	 * required := current, so the next change does not resend it. */
	assert_int_equal(ccd_server_set_preflash(fx->server, 5000, fx->now, &id, &r), 0);
	status(fx, "PFL201(1,6,0)");
	expect_done(fx, id, CCD_ERROR_CONTROLLER_ERROR);
	assert_non_null(strstr(last_done(fx)->result.message, "bad-argument|hardware-fault (0x06)"));
	assert_int_equal(ccd_server_settings(fx->server)->required.preflash_ms, 0);
	assert_int_equal(ccd_server_set_clear_speed(fx->server, CCD_CLEAR_NORMAL, fx->now, &id, &r), 0);
	assert_int_equal(fx->n_sent, 2);
	assert_string_equal(fx->sent[1], "CSP101(1,2) CSP200(1) CSP201(1)");
}

static void test_settings_timeout_and_busy(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id, id2;

	do_setup(fx);
	assert_int_equal(ccd_server_set_exposure(fx->server, 5000, fx->now, &id, &r), 0);
	/* One at a time per setting method. */
	expect_refused(fx, ccd_server_set_exposure(fx->server, 6000, fx->now, &id2, &r), &r,
		       CCD_ERROR_BUSY, 1);
	/* A busy status is progress: the 10 s start again. */
	advance(fx, 9 * SEC);
	status(fx, "EXP200(1,1,1000)");
	advance(fx, 9 * SEC);
	assert_int_equal(fx->n_done, 0);
	advance(fx, 1 * SEC);
	expect_done(fx, id, CCD_ERROR_TIMEOUT);
	assert_non_null(strstr(last_done(fx)->result.message, "within 10 s"));
}

static void test_bad_arguments(void **state)
{
	struct fixture *fx = *state;
	struct ccd_format f;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	ccd_format_default(&f);
	f.window[0] = (struct ccd_window){ true, 1, 1, 1125, 10 };
	expect_refused(fx, ccd_server_set_format(fx->server, &f, fx->now, &id, &r), &r,
		       CCD_ERROR_INVALID_ARGS, 0);
	assert_non_null(strstr(r.message, "outside the chip"));
	ccd_format_default(&f);
	f.bin_x = 9;
	expect_refused(fx, ccd_server_set_format(fx->server, &f, fx->now, &id, &r), &r,
		       CCD_ERROR_INVALID_ARGS, 0);
	expect_refused(fx, ccd_server_set_readout_speed(fx->server, 4, fx->now, &id, &r), &r,
		       CCD_ERROR_INVALID_ARGS, 0);
	expect_refused(fx, ccd_server_set_clear_speed(fx->server, 0, fx->now, &id, &r), &r,
		       CCD_ERROR_INVALID_ARGS, 0);
	expect_refused(fx, ccd_server_start_run(fx->server, CCD_RUN_RUN, "M31\n", fx->now, REALTIME,
						&id, &r), &r, CCD_ERROR_INVALID_ARGS, 0);
	expect_refused(fx, ccd_server_start_run(fx->server, 99, "", fx->now, REALTIME, &id, &r), &r,
		       CCD_ERROR_INVALID_ARGS, 0);
	/* Not even a run number was taken. */
	assert_int_equal(fx->next_number, 0);
}

/* Start a run of type and answer until it has started. */
static uint64_t start_run(struct fixture *fx, enum ccd_run_type type, const char *title,
			  const char *command)
{
	struct ccd_result r;
	uint64_t id;
	char first[32];

	assert_int_equal(ccd_server_start_run(fx->server, type, title, fx->now, REALTIME + fx->now,
					      &id, &r), 0);
	assert_string_equal(fx->sent[fx->n_sent - 1], command);
	snprintf(first, sizeof(first), "%.3s200(1,1,1,0)", command);
	status(fx, first);
	expect_done(fx, id, CCD_OK);
	assert_int_equal(fx->n_started, 1);
	return id;
}

static void test_run_with_pause_continue_finish(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	fx->next_number = 41;
	id = start_run(fx, CCD_RUN_RUN, "M31", "PIC101(1) PIC200(1) PIC201(1)");
	assert_int_equal(last_done(fx)->result.run_number, 42);
	assert_int_equal(ccd_server_run_number(fx->server), 42);
	assert_string_equal(ccd_server_run(fx->server)->title, "M31");
	assert_true(fx->changed & (1u << CCD_PROP_RUN_NUMBER));

	/* Kicks only in their phases: PAUSE while exposing. */
	expect_refused(fx, ccd_server_kick(fx->server, CCD_KICK_PAUSE, fx->now, &id, &r), &r,
		       CCD_ERROR_WRONG_STATE, 1);
	expect_refused(fx, ccd_server_kick(fx->server, CCD_KICK_CONTINUE, fx->now, &id, &r), &r,
		       CCD_ERROR_WRONG_STATE, 1);
	/* Nothing else while a run is active. */
	expect_refused(fx, ccd_server_set_exposure(fx->server, 2000, fx->now, &id, &r), &r,
		       CCD_ERROR_WRONG_STATE, 1);
	expect_refused(fx, ccd_server_start_run(fx->server, CCD_RUN_RUN, "", fx->now, REALTIME, &id, &r),
		       &r, CCD_ERROR_WRONG_STATE, 1);
	status(fx, "PIC200(1,1,3,0)");
	assert_int_equal(ccd_server_phase(fx->server), CCD_PHASE_EXPOSING);
	assert_int_equal(ccd_server_run(fx->server)->exposure_realtime, REALTIME + fx->now);

	assert_int_equal(ccd_server_kick(fx->server, CCD_KICK_PAUSE, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[1], "PAU101(1) PAU200(1) PAU201(1)");
	status(fx, "PAU200(1,1,3,400)");
	assert_int_equal(fx->n_done, 1);
	status(fx, "PAU201(1,0,4,400)");
	expect_done(fx, id, CCD_OK);
	assert_int_equal(ccd_server_phase(fx->server), CCD_PHASE_PAUSED);
	assert_int_equal(ccd_server_elapsed_ms(fx->server), 400);

	/* A long pause does not time the run out: the limit waits. */
	advance(fx, 3600 * SEC);
	assert_int_equal(fx->n_ended, 0);

	assert_int_equal(ccd_server_kick(fx->server, CCD_KICK_CONTINUE, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[2], "CON101(1) CON200(1) CON201(1)");
	status(fx, "CON201(1,0,3,3600400)");
	expect_done(fx, id, CCD_OK);

	assert_int_equal(ccd_server_kick(fx->server, CCD_KICK_FINISH, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[3], "FIN101(1) FIN200(1) FIN201(1)");
	status(fx, "FIN201(1,0,5,3600500)");
	expect_done(fx, id, CCD_OK);
	assert_int_equal(ccd_server_phase(fx->server), CCD_PHASE_READING_OUT);
	/* ABORT is legal while reading out, FINISH no more. */
	expect_refused(fx, ccd_server_kick(fx->server, CCD_KICK_FINISH, fx->now, &id, &r), &r,
		       CCD_ERROR_WRONG_STATE, 4);
	status(fx, "PIC201(1,0,6,3600500)");
	assert_int_equal(fx->n_ended, 1);
	assert_int_equal(fx->last_ended.result, CCD_RUN_COMPLETE);
	assert_int_equal(fx->last_ended.number, 42);
	assert_int_equal(fx->last_ended.elapsed_ms, 3600500);
	assert_false(ccd_server_run(fx->server)->active);
}

static void test_bias_dark_scratch(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	/* BIAS: exposure 0 first (it was 1 s), then DAR. */
	assert_int_equal(ccd_server_start_run(fx->server, CCD_RUN_BIAS, "", fx->now, REALTIME, &id, &r), 0);
	assert_int_equal(fx->n_sent, 1);
	assert_string_equal(fx->sent[0], "EXP101(1,0) EXP200(1) EXP201(1)");
	status(fx, "EXP201(1,0,0)");
	assert_int_equal(fx->n_sent, 2);
	assert_string_equal(fx->sent[1], "DAR101(1) DAR200(1) DAR201(1)");
	status(fx, "DAR200(1,1,1,0)");
	expect_done(fx, id, CCD_OK);
	assert_string_equal(ccd_server_run(fx->server)->title, "BIAS");
	assert_int_equal(ccd_server_run(fx->server)->settings.exposure_ms, 0);
	/* A PIC status is not this run's. */
	status(fx, "PIC201(1,0,6,0)");
	assert_int_equal(fx->n_ended, 0);
	status(fx, "DAR201(1,0,6,0)");
	assert_int_equal(fx->n_ended, 1);
	assert_int_equal(fx->last_ended.number, 1);

	/* DARK uses DAR too; the exposure is already 0 now: DAR at once. */
	fx->n_started = 0;
	id = start_run(fx, CCD_RUN_DARK, "dark 1", "DAR101(1) DAR200(1) DAR201(1)");
	assert_int_equal(last_done(fx)->result.run_number, 2);
	status(fx, "DAR201(1,0,6,0)");

	/* SCRATCH and GLANCE take no run number, and use PIC. */
	fx->n_started = 0;
	id = start_run(fx, CCD_RUN_SCRATCH, "", "PIC101(1) PIC200(1) PIC201(1)");
	assert_int_equal(last_done(fx)->result.run_number, 0);
	assert_int_equal(ccd_server_run_number(fx->server), 2);
	assert_int_equal(fx->next_number, 2);
}

static void test_abort_and_errors(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	start_run(fx, CCD_RUN_FLAT, "", "PIC101(1) PIC200(1) PIC201(1)");
	status(fx, "PIC200(1,1,5,1000)");
	assert_int_equal(ccd_server_kick(fx->server, CCD_KICK_ABORT, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[1], "ABT101(1) ABT200(1) ABT201(1)");
	status(fx, "PIC201(1,16,7,1000)");
	assert_int_equal(fx->last_ended.result, CCD_RUN_ABORTED);
	/* ABORT got what it asked for. */
	expect_done(fx, id, CCD_OK);

	/* A run the controller refuses to start: ControllerError. */
	assert_int_equal(ccd_server_start_run(fx->server, CCD_RUN_RUN, "", fx->now, REALTIME, &id, &r), 0);
	status(fx, "PIC200(1,32,0,0)");
	expect_done(fx, id, CCD_ERROR_CONTROLLER_ERROR);
	assert_non_null(strstr(last_done(fx)->result.message, "not-initialised (0x20)"));
	assert_false(ccd_server_run(fx->server)->active);

	/* The run number could not be saved: nothing sent. */
	fx->number_result = -EROFS;
	expect_refused(fx, ccd_server_start_run(fx->server, CCD_RUN_RUN, "", fx->now, REALTIME, &id, &r),
		       &r, CCD_ERROR_FAILED, fx->n_sent);
}

static void test_ins_mid_run(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	start_run(fx, CCD_RUN_RUN, "", "PIC101(1) PIC200(1) PIC201(1)");
	status(fx, "PIC200(1,1,3,100)");
	assert_int_equal(ccd_server_kick(fx->server, CCD_KICK_PAUSE, fx->now, &id, &r), 0);
	/* An unsolicited INS fails every pending operation with
	 * ControllerReset, ends the run and clears INIT. */
	fx->changed = 0;
	status(fx, "INS200(1)");
	expect_done(fx, id, CCD_ERROR_CONTROLLER_RESET);
	assert_int_equal(fx->last_ended.result, CCD_RUN_RESET);
	assert_false(ccd_server_initialized(fx->server));
	assert_true(fx->changed & (1u << CCD_PROP_INITIALIZED));
	assert_int_equal(fx->n_resets, 1);
	expect_refused(fx, ccd_server_set_exposure(fx->server, 1, fx->now, &id, &r), &r,
		       CCD_ERROR_NOT_INITIALIZED, fx->n_sent);
	/* After a reset every setting is unknown: Setup sends them all. */
	assert_int_equal(ccd_server_setup(fx->server, &fx->profile, fx->now, &id, &r), 0);
}

static void test_reset(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id, clear;

	do_setup(fx);
	assert_int_equal(ccd_server_clear(fx->server, fx->now, &clear, &r), 0);
	/* Reset: RES alone, no status requests; done when acknowledged;
	 * INIT false at once (seed §4.4). */
	assert_int_equal(ccd_server_reset(fx->server, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[1], "RES101(1)");
	assert_false(ccd_server_initialized(fx->server));
	ccd_server_delivery(fx->server, id, true, fx->now);
	expect_done(fx, id, CCD_OK);
	/* Then the INS: what was pending ends with ControllerReset. */
	status(fx, "INS200(1)");
	expect_done(fx, clear, CCD_ERROR_CONTROLLER_RESET);
	/* Reset works without INIT (a profile is loaded). */
	assert_int_equal(ccd_server_reset(fx->server, fx->now, &id, &r), 0);
}

static void test_link_timeout(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	assert_int_equal(ccd_server_clear(fx->server, fx->now, &id, &r), 0);
	assert_int_equal(fx->sent_tag[0], id);
	/* The message dropped after its resends: the operation fails at
	 * once, not at its own timeout. */
	ccd_server_delivery(fx->server, id, false, fx->now + 6 * SEC);
	expect_done(fx, id, CCD_ERROR_LINK_TIMEOUT);
	/* Delivered messages of others change nothing. */
	ccd_server_delivery(fx->server, 12345, false, fx->now);
	assert_int_equal(fx->n_done, 1);
	/* A full transmit table: Busy, and the slot is free again. */
	fx->send_result = -EBUSY;
	expect_refused(fx, ccd_server_clear(fx->server, fx->now, &id, &r), &r, CCD_ERROR_BUSY, 1);
	fx->send_result = 0;
	assert_int_equal(ccd_server_clear(fx->server, fx->now, &id, &r), 0);
}

static void test_clear_readout(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	assert_int_equal(ccd_server_clear(fx->server, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[0], "CLR101(1) CLR200(1) CLR201(1)");
	status(fx, "CLR200(1,1)");
	status(fx, "CLR201(1,0)");
	expect_done(fx, id, CCD_OK);
	assert_int_equal(ccd_server_readout(fx->server, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[1], "RED101(1) RED200(1) RED201(1)");
	status(fx, "RED201(1,8)");
	expect_done(fx, id, CCD_ERROR_CONTROLLER_ERROR);
	assert_non_null(strstr(last_done(fx)->result.message, "RED: the controller reports timeout (0x08)"));
	/* "If nothing happens by SCCD_STARTACTION_FAIL seconds": Timeout. */
	assert_int_equal(ccd_server_clear(fx->server, fx->now, &id, &r), 0);
	advance(fx, 10 * SEC);
	expect_done(fx, id, CCD_ERROR_TIMEOUT);
}

static void test_shutter(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	assert_int_equal(ccd_server_shutter(fx->server), CCD_SHUTTER_UNKNOWN);
	assert_int_equal(ccd_server_move_shutter(fx->server, CCD_SHUTTER_OPEN, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[0], "SSH101(1,OPEN) SSH200(1) SSH201(1)");
	status(fx, "SSH201(1,0,1)");
	expect_done(fx, id, CCD_OK);
	assert_int_equal(ccd_server_shutter(fx->server), CCD_SHUTTER_OPENED);
	assert_true(ccd_server_shutter_ok(fx->server));

	/* Jammed: the position says so, the move fails, ShutterOk false. */
	assert_int_equal(ccd_server_move_shutter(fx->server, CCD_SHUTTER_CLOSE, fx->now, &id, &r), 0);
	fx->changed = 0;
	status(fx, "SSH201(1,4,2)");
	expect_done(fx, id, CCD_ERROR_CONTROLLER_ERROR);
	assert_int_equal(ccd_server_shutter(fx->server), CCD_SHUTTER_JAMMED);
	assert_false(ccd_server_shutter_ok(fx->server));
	assert_true(fx->changed & (1u << CCD_PROP_SHUTTER));
	assert_true(fx->changed & (1u << CCD_PROP_SHUTTER_OK));

	assert_int_equal(ccd_server_move_shutter(fx->server, CCD_SHUTTER_UNJAM, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[2], "SSH101(1,UNJAM) SSH200(1) SSH201(1)");
	status(fx, "SSH201(1,0,0)");
	expect_done(fx, id, CCD_OK);
	assert_int_equal(ccd_server_shutter(fx->server), CCD_SHUTTER_CLOSED);
	assert_true(ccd_server_shutter_ok(fx->server));
	/* No answer within SHUTTER_FAIL. */
	assert_int_equal(ccd_server_move_shutter(fx->server, CCD_SHUTTER_OPEN, fx->now, &id, &r), 0);
	advance(fx, 10 * SEC);
	expect_done(fx, id, CCD_ERROR_TIMEOUT);
}

static void test_sync(void **state)
{
	struct fixture *fx = *state;
	struct ccd_result r;
	uint64_t id;

	do_setup(fx);
	assert_int_equal(ccd_server_sync_clock(fx->server, fx->now, &id, &r), 0);
	assert_string_equal(fx->sent[0], "SYN101(1) SYN200(1) SYN201(1)");
	/* Up to 70 s; busy statuses do not extend the 90 s. */
	status(fx, "SYN200(1,1)");
	advance(fx, 60 * SEC);
	status(fx, "SYN200(1,1)");
	fx->changed = 0;
	status(fx, "SYN201(1,0)");
	expect_done(fx, id, CCD_OK);
	assert_int_equal(ccd_server_last_sync(fx->server), REALTIME + fx->now);
	assert_true(fx->changed & (1u << CCD_PROP_LAST_SYNC));
	assert_int_equal(ccd_server_sync_clock(fx->server, fx->now, &id, &r), 0);
	advance(fx, 30 * SEC);
	status(fx, "SYN200(1,1)");
	advance(fx, 60 * SEC);
	expect_done(fx, id, CCD_ERROR_TIMEOUT);
}

static void test_run_limit(void **state)
{
	struct fixture *fx = *state;
	uint64_t started;

	do_setup(fx);
	/* exposure 1 s + READOUT_TIME 60 s, and nothing from the controller. */
	started = fx->now;
	start_run(fx, CCD_RUN_RUN, "", "PIC101(1) PIC200(1) PIC201(1)");
	assert_int_equal(ccd_server_next_deadline(fx->server), started + 61 * SEC);
	advance(fx, 61 * SEC - 1);
	assert_int_equal(fx->n_ended, 0);
	advance(fx, 1);
	assert_int_equal(fx->n_ended, 1);
	assert_int_equal(fx->last_ended.result, CCD_RUN_TIMED_OUT);
}

static void test_filtering(void **state)
{
	struct fixture *fx = *state;
	const struct ccd_server_counters *k = ccd_server_counters(fx->server);
	struct unet_mech m = { .mnemonic = "RSP", .code = 201, .n_args = 3 };
	do_setup(fx);
	m.args[0] = unet_arg_number(1);
	m.args[1] = unet_arg_number(0);
	m.args[2] = unet_arg_number(3);
	/* Not from the profile's controller, or not to us: rejected. */
	ccd_server_mechanism(fx->server, "CCD2", "SYS", &m, fx->now, REALTIME);
	ccd_server_mechanism(fx->server, "CCD1", "TIM", &m, fx->now, REALTIME);
	assert_int_equal(k->foreign, 2);
	/* Another head. */
	status(fx, "RSP201(2,0,3)");
	assert_int_equal(k->other_head, 1);
	/* Unknown mnemonics are counted. */
	status(fx, "XYZ200(1,0)");
	status(fx, "QQQ201");
	assert_int_equal(k->unknown_mnemonics, 2);
	/* Without (head, err). */
	status(fx, "RSP201");
	status(fx, "RSP201(1)");
	assert_int_equal(k->malformed, 2);
	assert_int_equal(ccd_server_settings(fx->server)->current.readout_speed, 2);
	/* A monitor-mode report changes the current value and says so. */
	fx->changed = 0;
	status(fx, "RSP200(1,0,3)");
	assert_int_equal(ccd_server_settings(fx->server)->current.readout_speed, 3);
	assert_true(fx->changed & (1u << CCD_PROP_READOUT_SPEED));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_nothing_before_setup),
		T(test_setup),
		T(test_setup_refused_and_timeout),
		T(test_settings_converge),
		T(test_settings_error_not_retried),
		T(test_settings_timeout_and_busy),
		T(test_bad_arguments),
		T(test_run_with_pause_continue_finish),
		T(test_bias_dark_scratch),
		T(test_abort_and_errors),
		T(test_ins_mid_run),
		T(test_reset),
		T(test_link_timeout),
		T(test_clear_readout),
		T(test_shutter),
		T(test_sync),
		T(test_run_limit),
		T(test_filtering),
	};

	return cmocka_run_group_tests_name("ccd-server", tests, NULL, NULL);
}
