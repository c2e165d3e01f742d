/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where configuration text comes from. The compiler asks a loader for the
 * top-level file and for every `include`, so the same parser reads files
 * from disk (the compiler, the daemon) or only an in-memory buffer (the
 * fuzzer, unit tests).
 */
#ifndef STATIOND_CONFIG_LOADER_H
#define STATIOND_CONFIG_LOADER_H

#include <stddef.h>

struct loaded_source {
	char *name;		/* for messages: the path as the user would write it */
	char *identity;		/* equal for the same file however named (cycle check) */
	char *text;
	size_t size;
};

void loaded_source_done(struct loaded_source *s);

struct config_loader {
	/*
	 * Load `path`, as written in an include inside the source named
	 * `from` (NULL for the top-level file). Returns 0 or a negative
	 * errno; on error *why may name the reason (static string).
	 */
	int (*load)(const struct config_loader *loader, const char *from, const char *path,
		    struct loaded_source *ret, const char **why);
	void *userdata;
};

/* Files on disk; includes are relative to the directory of the including file. */
extern const struct config_loader config_loader_files;

/* Refuses every include (compiling a single in-memory buffer). */
extern const struct config_loader config_loader_no_includes;

/* Include paths are resolved against the including file's directory:
 * join("conf/station.conf", "cards.conf") = "conf/cards.conf". */
char *include_path_join(const char *from, const char *path);

#endif
