// SPDX-License-Identifier: GPL-2.0
/*
 * plant-bench: what one plant tick costs. A plant simulator updates
 * every ADC input of the crate (~100 channels) at 20 Hz, so a tick is
 * one plant_ain_set_all() per XVME-560 card; the same tick written
 * channel by channel shows what the whole-card write saves. The floor,
 * measured in the same run, is one read of a card's tiny "fault" file:
 * under TCG only ratios to it carry over to real machines.
 *
 *   plant-bench [--root DIR] [--ticks N] CARD...
 *
 * Prints median and p99 per tick in microseconds, and the share of the
 * 50 ms tick budget at 20 Hz the median uses.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/bench-stats.h"
#include "tests/sim/plant.h"

#define MAX_CARDS 16
#define TICK_BUDGET_US 50000.0	/* 20 Hz */

struct bench {
	struct plant_card *cards[MAX_CARDS];
	int n_cards;
	unsigned long ticks;
	double *samples;
};

static void bench_done(struct bench *b)
{
	for (int i = 0; i < b->n_cards; i++)
		plant_card_close(b->cards[i]);
	free(b->samples);
}

/* A plausible plant: each channel ramps at its own rate within +-10 V. */
static void plant_values(unsigned long tick, int card, int mv[PLANT_AIN_CHANNELS])
{
	for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
		mv[ch] = (int)((tick * (ch + 1) + card * 997) % 20000) - 10000;
}

static int tick_whole_cards(struct bench *b, unsigned long tick)
{
	int mv[PLANT_AIN_CHANNELS];

	for (int c = 0; c < b->n_cards; c++) {
		int r;

		plant_values(tick, c, mv);
		r = plant_ain_set_all(b->cards[c], mv);
		if (r < 0)
			return r;
	}
	return 0;
}

static int tick_per_channel(struct bench *b, unsigned long tick)
{
	int mv[PLANT_AIN_CHANNELS];

	for (int c = 0; c < b->n_cards; c++) {
		plant_values(tick, c, mv);
		for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++) {
			int r = plant_ain_set(b->cards[c], ch, mv[ch]);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int tick_floor(struct bench *b, unsigned long tick)
{
	enum plant_fault fault;

	return plant_fault_get(b->cards[0], &fault);
}

static int measure(struct bench *b, const char *what,
		   int (*tick_fn)(struct bench *, unsigned long),
		   double *ret_median)
{
	double median, p99;

	for (unsigned long t = 0; t < b->ticks; t++) {
		double start = bench_now_us();
		int r = tick_fn(b, t);

		if (r < 0) {
			fprintf(stderr, "plant-bench: %s: %s\n", what, strerror(-r));
			return r;
		}
		b->samples[t] = bench_now_us() - start;
	}
	bench_sort(b->samples, b->ticks);
	median = bench_median_sorted(b->samples, b->ticks);
	p99 = bench_p99_sorted(b->samples, b->ticks);
	printf("plant-bench: %-34s median %8.1f us  p99 %8.1f us", what, median, p99);
	if (ret_median)
		*ret_median = median;
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "ticks", required_argument, NULL, 't' },
		{}
	};
	_cleanup_plant_ struct plant *plant = NULL;
	_cleanup_(bench_done) struct bench b = { .ticks = 1000 };
	double floor_us, whole_us, channel_us;
	const char *root = NULL;
	char desc[64];
	int c, r;

	while ((c = getopt_long(argc, argv, "r:t:", options, NULL)) >= 0) {
		char *end;

		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 't':
			errno = 0;
			b.ticks = strtoul(optarg, &end, 10);
			if (errno || *end || b.ticks < 100 || b.ticks > 1000000) {
				fprintf(stderr, "plant-bench: --ticks takes 100..1000000\n");
				return EXIT_FAILURE;
			}
			break;
		default:
			return EXIT_FAILURE;
		}
	}
	if (optind == argc || argc - optind > MAX_CARDS) {
		fprintf(stderr, "Usage: plant-bench [--root DIR] [--ticks N] CARD... (1..%d XVME-560 cards)\n",
			MAX_CARDS);
		return EXIT_FAILURE;
	}

	r = plant_open(root, &plant);
	if (r < 0) {
		fprintf(stderr, "plant-bench: plant root: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	for (int i = optind; i < argc; i++) {
		r = plant_card_open(plant, argv[i], &b.cards[b.n_cards]);
		if (r < 0) {
			fprintf(stderr, "plant-bench: %s: %s\n", argv[i], strerror(-r));
			return EXIT_FAILURE;
		}
		b.n_cards++;
	}
	b.samples = calloc(b.ticks, sizeof(double));
	if (!b.samples) {
		fprintf(stderr, "plant-bench: %s\n", strerror(ENOMEM));
		return EXIT_FAILURE;
	}

	printf("plant-bench: %d cards, %d channels, %lu ticks each, root %s\n",
	       b.n_cards, b.n_cards * PLANT_AIN_CHANNELS, b.ticks,
	       plant_root(plant));
	if (measure(&b, "floor: read one fault file", tick_floor, &floor_us) < 0)
		return EXIT_FAILURE;
	printf("\n");
	snprintf(desc, sizeof(desc), "tick, whole cards (%d writes)", b.n_cards);
	if (measure(&b, desc, tick_whole_cards, &whole_us) < 0)
		return EXIT_FAILURE;
	printf("  %.1fx floor, %.3f%% of the 20 Hz budget\n", whole_us / floor_us,
	       100.0 * whole_us / TICK_BUDGET_US);
	snprintf(desc, sizeof(desc), "tick, per channel (%d writes)",
		 b.n_cards * PLANT_AIN_CHANNELS);
	if (measure(&b, desc, tick_per_channel, &channel_us) < 0)
		return EXIT_FAILURE;
	printf("  %.1fx floor, %.1fx the whole-card tick\n", channel_us / floor_us,
	       channel_us / whole_us);
	return EXIT_SUCCESS;
}
