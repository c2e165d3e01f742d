/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration text to station model: parse, then check. The entry points
 * for stationd-compile, the daemon and the tests.
 */
#ifndef STATIOND_CONFIG_COMPILE_H
#define STATIOND_CONFIG_COMPILE_H

#include "daemon/config/diagnostics.h"
#include "daemon/config/loader.h"
#include "daemon/config/station.h"

/*
 * Compile a configuration file and its includes. Returns 0 and a sorted,
 * linked station; -EINVAL when the configuration has errors (all of them
 * are in diagnostics, in file order); -ENOMEM.
 * Warnings do not fail a compile.
 */
int config_compile_file(const char *path, struct diagnostics *diagnostics,
			struct station **ret);

/* The same for a text in memory named `name` (for messages). */
int config_compile_text(const char *name, const char *text, size_t size,
			const struct config_loader *loader, struct diagnostics *diagnostics,
			struct station **ret);

#endif
