// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration benchmark: what the daemon pays at start-up and per
 * command for big stations. Compile (text -> checked station), database
 * encode and decode (the backup chain), the next preset of every detector
 * (after each fill, and for all after PRESET all), and the targets parser.
 * Prints medians of repeated runs; nothing passes or fails on a number.
 *
 *   config-bench [-n detectors]... (default: 72 1000 4212)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/autofill/schedule.h"
#include "daemon/autofill/targets.h"
#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

#define RUNS 9

static char *generate(unsigned n, size_t *size)
{
	char cmd[256], *text = NULL;
	size_t cap = 0, used = 0, got;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "python3 daemon/examples/generate-station -n %u", n);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	do {
		if (used + 65536 + 1 > cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 1 << 20);

			if (!t) {
				free(text);
				pclose(p);
				return NULL;
			}
			text = t;
		}
		got = fread(text + used, 1, 65536, p);
		used += got;
	} while (got > 0);
	if (pclose(p) != 0) {
		free(text);
		return NULL;
	}
	text[used] = '\0';
	*size = used;
	return text;
}

static int bench_station(unsigned n)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_free_ uint8_t *image = NULL;
	double t[RUNS];
	size_t size, image_size;
	char range[32], error[256];

	text = generate(n, &size);
	if (!text) {
		fprintf(stderr, "config-bench: cannot generate a %u-detector station\n", n);
		return -1;
	}
	for (int i = 0; i < RUNS; i++) {
		struct station *c = NULL;
		struct diagnostics d;
		double t0 = bench_now_ms();

		diagnostics_init(&d);
		if (config_compile_text("bench.conf", text, size, &config_loader_no_includes, &d,
					&c) < 0) {
			diagnostics_print(&d, stderr);
			return -1;
		}
		t[i] = bench_now_ms() - t0;
		diagnostics_done(&d);
		station_free(s);
		s = c;
	}
	printf("compile %u detectors (%zu KiB of text): median %.2f ms\n", n, size / 1024,
	       bench_median(t, RUNS));

	for (int i = 0; i < RUNS; i++) {
		double t0 = bench_now_ms();

		free(image);
		if (database_encode(s, &image, &image_size) < 0)
			return -1;
		t[i] = bench_now_ms() - t0;
	}
	printf("database encode %u detectors (%zu bytes): median %.3f ms\n", n, image_size,
	       bench_median(t, RUNS));

	for (int i = 0; i < RUNS; i++) {
		struct station *decoded = NULL;
		struct database_error err;
		double t0 = bench_now_ms();

		if (database_decode(image, image_size, &decoded, &err) < 0) {
			fprintf(stderr, "config-bench: %s\n", err.message);
			return -1;
		}
		t[i] = bench_now_ms() - t0;
		station_free(decoded);
	}
	printf("database decode+validate %u detectors: median %.3f ms\n", n, bench_median(t, RUNS));

	/* Every detector's next preset, four presets each, in a DST zone. */
	static const uint16_t presets[] = { 6 * 60, 12 * 60, 18 * 60, 23 * 60 + 30 };
	int64_t start = 1774742400;	/* 2026-03-29 00:00 UTC, the spring-forward day */
	volatile int64_t sink = 0;

	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	for (int i = 0; i < RUNS; i++) {
		double t0 = bench_now_ms();

		for (unsigned k = 0; k < s->n_detectors; k++)
			sink += schedule_next_preset(presets, 4, start + k);
		t[i] = bench_now_ms() - t0;
	}
	(void)sink;
	printf("next preset of all %u detectors (4 presets each, Europe/Paris): median %.3f ms\n",
	       n, bench_median(t, RUNS));

	snprintf(range, sizeof(range), "1-%u", n);
	for (int i = 0; i < RUNS; i++) {
		struct target_set set;
		double t0 = bench_now_ms();

		if (targets_parse(s, range, &set, error, sizeof(error)) < 0) {
			fprintf(stderr, "config-bench: %s\n", error);
			return -1;
		}
		t[i] = bench_now_ms() - t0;
		target_set_done(&set);
	}
	printf("targets \"%s\": median %.3f ms\n", range, bench_median(t, RUNS));
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned defaults[] = { 72, 1000, 4212 };
	int rc = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (bench_station(strtoul(argv[i], NULL, 10)) < 0)
				rc = 1;
	} else {
		for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
			if (bench_station(defaults[i]) < 0)
				rc = 1;
	}
	return rc;
}
