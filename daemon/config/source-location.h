/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where something was written: file, line and column, all 1-based; line 0
 * means "not from a file" (a default, or a database). The file name points
 * into the station's list of file names (station_intern_file()).
 */
#ifndef STATIOND_CONFIG_SOURCE_LOCATION_H
#define STATIOND_CONFIG_SOURCE_LOCATION_H

struct source_location {
	const char *file;
	unsigned line;
	unsigned column;
};

static inline int source_location_is_set(const struct source_location *at)
{
	return at->line != 0;
}

#endif
