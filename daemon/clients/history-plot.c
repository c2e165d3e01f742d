// SPDX-License-Identifier: GPL-2.0
/*
 * The fill-duration plot (see history-plot.h): time across, duration up,
 * the axis from 0 to the longest fill so a creep is seen against zero.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/clients/history-plot.h"

#define WIDTH_MAX 200
#define HEIGHT_MAX 50

static void format_time(int64_t t, char buf[static 16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm))
		strftime(buf, 16, "%m-%d %H:%M", &tm);
	else
		snprintf(buf, 16, "?");
}

void history_plot(FILE *out, const struct plot_point *points, size_t n, unsigned width,
		  unsigned height)
{
	char grid[HEIGHT_MAX][WIDTH_MAX + 1];
	int64_t t0, t1;
	double top = 0;
	char first[16], last[16];

	if (n == 0)
		return;
	width = width < 10 ? 10 : width > WIDTH_MAX ? WIDTH_MAX : width;
	height = height < 3 ? 3 : height > HEIGHT_MAX ? HEIGHT_MAX : height;
	t0 = t1 = points[0].time_s;
	for (size_t i = 0; i < n; i++) {
		if (points[i].time_s < t0)
			t0 = points[i].time_s;
		if (points[i].time_s > t1)
			t1 = points[i].time_s;
		if (isfinite(points[i].minutes) && points[i].minutes > top)
			top = points[i].minutes;
	}
	if (top <= 0)
		top = 1;
	for (unsigned r = 0; r < height; r++) {
		memset(grid[r], ' ', width);
		grid[r][width] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		double y = isfinite(points[i].minutes) && points[i].minutes > 0 ? points[i].minutes : 0;
		unsigned col = t1 > t0 ? (unsigned)llround((double)(points[i].time_s - t0) *
							   (width - 1) / (double)(t1 - t0)) : 0;
		unsigned row = (unsigned)llround(y * (height - 1) / top);
		char *cell = &grid[height - 1 - row][col];

		/* An unusual ending stays visible under a normal fill. */
		if (*cell == ' ' || *cell == '*')
			*cell = points[i].mark;
	}
	fprintf(out, "fill duration (min)\n");
	for (unsigned r = 0; r < height; r++) {
		double label = top * (height - 1 - r) / (height - 1);
		size_t used = width;

		if (r == 0 || r == height - 1 || r == (height - 1) / 2)
			fprintf(out, "%7.1f +", label);
		else
			fprintf(out, "        |");
		/* No trailing blanks. */
		while (used > 0 && grid[r][used - 1] == ' ')
			used--;
		fprintf(out, "%.*s\n", (int)used, grid[r]);
	}
	fprintf(out, "        +");
	for (unsigned c = 0; c < width; c++)
		fputc('-', out);
	fputc('\n', out);
	format_time(t0, first);
	format_time(t1, last);
	if (t1 > t0 && width > strlen(first) + strlen(last))
		fprintf(out, "         %s%*s\n", first, (int)(width - strlen(first)), last);
	else
		fprintf(out, "         %s\n", first);
	fprintf(out, "         * full  u underfull  x aborted, cancelled or interrupted\n");
}
