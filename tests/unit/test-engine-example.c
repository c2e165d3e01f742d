// SPDX-License-Identifier: GPL-2.0
/*
 * The autofill engine on the example station (daemon/examples/
 * station.conf, 72 detectors on manifolds A-L, compiled by the real
 * compiler): its real wiring (port-line keys, bias inputs and dewar
 * inhibit, flag alarm) through a generic fake that knows lines only by
 * their channel references. The morning fills (manifold A at 06:00, B at
 * 06:05, ... L at 06:55) run each manifold's sequence in the spec's order
 * and fill everyone.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "daemon/autofill/engine.h"
#include "daemon/config/compile.h"

#define EXAMPLE "daemon/examples/station.conf"
#define LINES_MAX 512
#define LOG_MAX 1024

struct line {
	struct channel_ref ref;
	bool on;
	unsigned on_scans;	/* scans it has been on (valves) */
};

struct plant {
	struct station *station;
	struct line lines[LINES_MAX];
	unsigned n_lines;
	struct { const struct channel_ref *ref; bool on; } log[LOG_MAX];
	unsigned n_log;
	unsigned n_full, n_faults;
};

static bool same_ref(const struct channel_ref *a, const struct channel_ref *b)
{
	return a->crate == b->crate && a->card == b->card && a->kind == b->kind && a->index == b->index;
}

static struct line *line_of(struct plant *p, const struct channel_ref *ref)
{
	for (unsigned i = 0; i < p->n_lines; i++)
		if (same_ref(&p->lines[i].ref, ref))
			return &p->lines[i];
	assert_true(p->n_lines < LINES_MAX);
	p->lines[p->n_lines].ref = *ref;
	return &p->lines[p->n_lines++];
}

/* LN2 reaches a detector's exhaust after 2 scans of its valve open with
 * the manifold input open; a manifold's after 1 scan of its output open. */
static int read_sensor(void *u, const struct channel_ref *ref, int32_t *mv)
{
	struct plant *p = u;

	*mv = 2000;
	for (size_t m = 0; m < p->station->n_manifolds; m++) {
		const struct manifold *mf = &p->station->manifolds[m];

		if (same_ref(&mf->sensor, ref)) {
			if (line_of(p, &mf->input_valve)->on && line_of(p, &mf->output_valve)->on_scans >= 1)
				*mv = 500;
			return 0;
		}
	}
	for (size_t d = 0; d < p->station->n_detectors; d++) {
		const struct detector *det = &p->station->detectors[d];

		if (same_ref(&det->sensor, ref)) {
			const struct manifold *mf = &p->station->manifolds[det->manifold];

			if (line_of(p, &mf->input_valve)->on && line_of(p, &det->valve)->on_scans >= 2)
				*mv = 500;
			return 0;
		}
	}
	return -ENODEV;
}

static int set_line(void *u, const struct channel_ref *ref, bool on)
{
	struct plant *p = u;
	struct line *l = line_of(p, ref);

	l->on = on;
	if (!on)
		l->on_scans = 0;
	assert_true(p->n_log < LOG_MAX);
	p->log[p->n_log].ref = &l->ref;
	p->log[p->n_log++].on = on;
	return 0;
}

static int read_input(void *u, const struct channel_ref *ref, bool *on)
{
	*on = line_of(u, ref)->on;
	return 0;
}

static const struct engine_hw hw = {
	.read_sensor_mv = read_sensor,
	.set_valve = set_line,
	.read_input = read_input,
	.set_output = set_line,
};

static void on_ended(void *u, uint32_t d, const struct fill_record *r)
{
	((struct plant *)u)->n_full += r->result == FILL_RESULT_FULL;
}

static void on_fault(void *u, const struct engine_fault *f)
{
	((struct plant *)u)->n_faults++;
}

static const struct engine_observer observer = { .fill_ended = on_ended, .fault = on_fault };

/* Position of the first (or last) log entry for ref switched to on; -1 if none. */
static int log_find(const struct plant *p, const struct channel_ref *ref, bool on, bool last)
{
	int found = -1;

	for (unsigned i = 0; i < p->n_log; i++)
		if (same_ref(p->log[i].ref, ref) && p->log[i].on == on) {
			found = (int)i;
			if (!last)
				break;
		}
	return found;
}

static void test_example_station_scheduled_fill(void **state)
{
	struct plant *p = calloc(1, sizeof(*p));
	const struct station_globals *g;
	struct diagnostics diag;
	struct engine *e = NULL;
	char error[256] = "";
	/* Monday 2026-01-05 05:59:55 UTC */
	int64_t real = 1767592795ll * 1000000, mono = 5000000;

	assert_non_null(p);
	setenv("TZ", "UTC", 1);
	tzset();
	diagnostics_init(&diag);
	assert_int_equal(config_compile_file(EXAMPLE, &diag, &p->station), 0);
	diagnostics_done(&diag);
	assert_int_equal(p->station->n_detectors, 72);
	assert_int_equal(p->station->n_manifolds, 12);
	g = &p->station->globals;

	assert_int_equal(engine_new(p->station, &hw, p, &observer, p, real, mono, &e, error, sizeof(error)), 0);
	p->n_log = 0;
	for (int i = 0; i < 3700; i++) {	/* to 07:01: A at 06:00 ... L at 06:55 */
		real += 1000000;
		mono += 1000000;
		for (unsigned l = 0; l < p->n_lines; l++)
			if (p->lines[l].on)
				p->lines[l].on_scans++;
		engine_scan(e, real, mono);
	}
	assert_int_equal(p->n_full, 72);
	assert_int_equal(p->n_faults, 0);

	/* The dewar inhibit brackets every valve movement. */
	int inhibit_on = log_find(p, &g->dewar_inhibit, true, false);
	int inhibit_off = log_find(p, &g->dewar_inhibit, false, true);

	assert_int_equal(inhibit_on, 0);
	assert_int_equal(inhibit_off, (int)p->n_log - 1);

	for (size_t m = 0; m < p->station->n_manifolds; m++) {
		const struct manifold *mf = &p->station->manifolds[m];
		int in_open = log_find(p, &mf->input_valve, true, false);
		int out_open = log_find(p, &mf->output_valve, true, false);
		int out_close = log_find(p, &mf->output_valve, false, true);
		int in_close = log_find(p, &mf->input_valve, false, true);
		int n = 0;

		assert_true(in_open > inhibit_on && in_open < out_open);
		for (size_t d = 0; d < p->station->n_detectors; d++) {
			const struct detector *det = &p->station->detectors[d];

			if (det->manifold != m)
				continue;
			n++;
			int v_open = log_find(p, &det->valve, true, false);
			int v_close = log_find(p, &det->valve, false, true);

			/* input+output, detectors, output closed, detectors closed, input */
			assert_true(out_open < v_open && v_open < out_close);
			assert_true(out_close < v_close && v_close < in_close);
		}
		assert_int_equal(n, 6);
		assert_true(in_close < inhibit_off);
	}
	for (unsigned l = 0; l < p->n_lines; l++)
		assert_false(p->lines[l].on);

	engine_free(e);
	station_free(p->station);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_station_scheduled_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
