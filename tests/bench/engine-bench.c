// SPDX-License-Identifier: GPL-2.0
/*
 * Autofill engine costs for big stations: one scan when idle, one scan
 * while every detector fills, FILL all, engine start-up (restore) and
 * saving every state area; 72, 1008 and 4212 detectors on manifolds of
 * six. The hardware is a no-op stub (every sensor warm), so the numbers
 * are the engine's own. Prints medians; nothing passes or fails on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "daemon/autofill/engine.h"
#include "tests/bench/bench-stats.h"

#define RUNS 15

static int stub_sensor(void *u, const struct channel_ref *r, int32_t *mv)
{
	*mv = 2000;
	return 0;
}

static int stub_valve(void *u, const struct channel_ref *r, bool open)
{
	return 0;
}

static int stub_input(void *u, const struct channel_ref *r, bool *on)
{
	*on = false;
	return 0;
}

static int stub_output(void *u, const struct channel_ref *r, bool on)
{
	return 0;
}

static const struct engine_hw stub_hw = {
	.read_sensor_mv = stub_sensor,
	.set_valve = stub_valve,
	.read_input = stub_input,
	.set_output = stub_output,
};

static struct station *make_station(unsigned n_manifolds)
{
	struct station *s = station_new();

	if (!s)
		abort();
	for (unsigned m = 0; m < n_manifolds; m++) {
		struct manifold *mf = station_add_manifold(s);

		if (!mf)
			abort();
		/* A..Z, then AA..ZZ */
		if (m < 26)
			snprintf(mf->name, sizeof(mf->name), "%c", 'A' + m);
		else
			snprintf(mf->name, sizeof(mf->name), "%c%c", 'A' + (m - 26) / 26, 'A' + (m - 26) % 26);
		mf->sensor = (struct channel_ref) { .card = (uint16_t)m, .kind = LINE_ADC, .index = 30 };
		mf->input_valve = (struct channel_ref) { .card = (uint16_t)m, .kind = LINE_RELAY, .index = 30 };
		mf->output_valve = (struct channel_ref) { .card = (uint16_t)m, .kind = LINE_RELAY, .index = 31 };
		mf->manual_fill_key = (struct channel_ref) { .card = 0xFC00, .kind = LINE_PORT, .index = 0 };
		mf->reference_mv = 1000;
		mf->max_fill_s = 600;
		mf->closure_delay_s = 5;
		for (unsigned i = 0; i < 6; i++) {
			struct detector *d = station_add_detector(s);

			if (!d)
				abort();
			d->number = m * 6 + i + 1;
			snprintf(d->manifold_name, sizeof(d->manifold_name), "%s", mf->name);
			d->sensor = (struct channel_ref) { .card = (uint16_t)m, .kind = LINE_ADC, .index = (uint8_t)i };
			d->valve = (struct channel_ref) { .card = (uint16_t)m, .kind = LINE_RELAY, .index = (uint8_t)i };
			d->bias_shutdown = (struct channel_ref) { .card = 0xFC00, .kind = LINE_PORT, .index = 1 };
			d->reference_mv = 1000;
			d->max_fill_s = 600;
			d->closure_delay_s = 5;
			d->n_presets = 4;
			d->preset[0] = 120;
			d->preset[1] = 480;
			d->preset[2] = 840;
			d->preset[3] = 1200;
		}
	}
	station_sort(s);
	if (station_link(s) < 0)
		abort();
	return s;
}

static void bench(unsigned n_manifolds)
{
	struct station *s = make_station(n_manifolds);
	unsigned n = n_manifolds * 6;
	int64_t real = 1767600000ll * 1000000, mono = 1000000;
	double idle[RUNS], filling[RUNS], fill[RUNS], start[RUNS], save[RUNS], t;
	struct engine *e = NULL;
	char error[256];

	for (int i = 0; i < RUNS; i++) {
		t = bench_now_ms();
		if (engine_new(s, &stub_hw, NULL, NULL, NULL, real, mono, &e, error, sizeof(error)) < 0)
			abort();
		start[i] = bench_now_ms() - t;
		t = bench_now_ms();
		engine_save_state(e);
		save[i] = bench_now_ms() - t;
		if (i < RUNS - 1) {
			engine_shutdown(e, real, mono);
			e = engine_free(e);
		}
	}
	for (int i = 0; i < RUNS; i++) {
		real += 1000000;
		mono += 1000000;
		t = bench_now_ms();
		engine_scan(e, real, mono);
		idle[i] = bench_now_ms() - t;
	}
	t = bench_now_ms();
	if (engine_fill(e, "all", NULL, real, mono, error, sizeof(error)) < 0)
		abort();
	fill[0] = bench_now_ms() - t;
	for (int i = 0; i < RUNS; i++) {
		real += 1000000;
		mono += 1000000;
		t = bench_now_ms();
		engine_scan(e, real, mono);
		filling[i] = bench_now_ms() - t;
	}
	printf("engine %u detectors (µs): scan idle %.1f, scan with all filling %.1f, FILL all %.1f, "
	       "start with restore %.1f, save every state area %.1f\n",
	       n, 1e3 * bench_median(idle, RUNS), 1e3 * bench_median(filling, RUNS), 1e3 * fill[0],
	       1e3 * bench_median(start, RUNS), 1e3 * bench_median(save, RUNS));
	engine_shutdown(e, real, mono);
	engine_free(e);
	station_free(s);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	bench(12);
	bench(168);
	bench(702);
	return 0;
}
