/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration parser: statements, blocks and keys into a station
 * model, with every syntax, key and range error reported (it recovers at
 * the end of each statement or key and goes on). Cross-references between
 * statements are checked afterwards by config_check().
 */
#ifndef STATIOND_CONFIG_PARSER_H
#define STATIOND_CONFIG_PARSER_H

#include "daemon/config/diagnostics.h"
#include "daemon/config/loader.h"
#include "daemon/config/station.h"

#define INCLUDE_DEPTH_MAX 16

/*
 * Parse `path` (loaded through `loader`) and everything it includes into
 * `station`. Returns 0 when parsing ran (diagnostics may hold errors), or
 * a negative errno when it could not (out of memory).
 */
int config_parse(struct station *station, const struct config_loader *loader, const char *path,
		 struct diagnostics *diagnostics);

/* The same for a text already in memory; includes go through `loader`. */
int config_parse_text(struct station *station, const struct config_loader *loader,
		      const char *name, const char *text, size_t size,
		      struct diagnostics *diagnostics);

#endif
