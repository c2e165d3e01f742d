/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stationctl history's plot: fill durations over time in the terminal,
 * one mark per fill (a creeping fill time is how a failing dewar vacuum
 * shows). Plain ASCII so it prints on any terminal and in a log.
 */
#ifndef STATIOND_CLIENTS_HISTORY_PLOT_H
#define STATIOND_CLIENTS_HISTORY_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct plot_point {
	int64_t time_s;		/* the fill's start, seconds since the epoch */
	double minutes;		/* its duration */
	char mark;		/* '*' full, 'u' underfull, 'x' other endings */
};

/* Plot n points (any order) in a width x height area plus axes; times
 * labelled in local time. Nothing for n == 0. */
void history_plot(FILE *out, const struct plot_point *points, size_t n, unsigned width,
		  unsigned height);

#endif
