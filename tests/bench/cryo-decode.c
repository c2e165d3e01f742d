// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of decoding one Cryostream 800 status packet (what the daemon pays
 * per controller per second). Times batches of decodes of varied, valid
 * packets with CLOCK_MONOTONIC and prints the per-packet median and 99th
 * percentile over the batches.
 *
 * Usage: cryo-decode [BATCHES [PACKETS_PER_BATCH]]   (default 20000 x 10)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

#define VARIANTS 16

static unsigned long arg(const char *s, unsigned long def)
{
	char *end;
	unsigned long v;

	if (!s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 10000000) {
		fprintf(stderr, "cryo-decode: invalid count '%s'\n", s);
		exit(EXIT_FAILURE);
	}
	return v;
}

int main(int argc, char **argv)
{
	static uint8_t packets[VARIANTS][CS800_STATUS_EPICS_PACKET_SIZE];
	unsigned long batches = arg(argc > 1 ? argv[1] : NULL, 20000);
	unsigned long per_batch = arg(argc > 2 ? argv[2] : NULL, 10);
	_cleanup_free_ double *ns = calloc(batches, sizeof(double));
	volatile double sink = 0;
	struct cs800_status s;

	if (!ns)
		return EXIT_FAILURE;
	for (int v = 0; v < VARIANTS; v++) {
		struct cs800_status in = {
			.controller_number = 411,
			.device_min_temperature_k = 80,
			.device_max_temperature_k = 400,
			.set_point_k = 100 + v,
			.gas_temperature_k = 100.5 + v,
			.error_k = 0.5,
			.run_mode = CS800_RUN_MODE_RUN,
			.phase = (uint16_t)(v % 4),
			.gas_flow_l_per_min = 5,
		};

		cs800_status_build(&in, packets[v]);
	}

	/* Warm up caches and branch predictors. */
	for (int i = 0; i < 1000; i++)
		if (cs800_status_decode(packets[i % VARIANTS], CS800_STATUS_EPICS_PACKET_SIZE, 0, &s, NULL) < 0)
			return EXIT_FAILURE;

	for (unsigned long b = 0; b < batches; b++) {
		uint64_t t0 = bench_now_ns();

		for (unsigned long i = 0; i < per_batch; i++) {
			if (cs800_status_decode(packets[i % VARIANTS], CS800_STATUS_EPICS_PACKET_SIZE, 0,
						&s, NULL) < 0)
				return EXIT_FAILURE;
			sink += s.gas_temperature_k;
		}
		ns[b] = (double)(bench_now_ns() - t0) / per_batch;
	}
	bench_sort(ns, batches);
	printf("cryo-decode: %.0f ns/packet median, %.0f ns/packet p99 (%lu batches of %lu packets, 928-byte status packets)\n",
	       bench_median_sorted(ns, batches), bench_p99_sorted(ns, batches), batches, per_batch);
	return sink > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
