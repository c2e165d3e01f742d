/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A unit test's scratch directory under /tmp and the whole-file reads its
 * checks make there: the fixtures of the tests that write state files
 * (run state, fill log, backups, the compiled database).
 */
#ifndef STATIOND_TESTS_UNIT_SCRATCH_FILES_H
#define STATIOND_TESTS_UNIT_SCRATCH_FILES_H

#include <stddef.h>
#include <stdint.h>

/* Makes a fresh /tmp/<name>.XXXXXX and writes its path into dir.
 * Returns 0, or a negative errno (a setup returns failure). */
int scratch_dir_make(char *dir, size_t size, const char *name);

/* Removes dir and all below it. Returns 0, or a negative errno. */
int scratch_dir_remove(const char *dir);

/* The whole of the file at path, malloc'd with one spare byte (so text can
 * be NUL-terminated); its size in *ret_size. Asserts the file is there. */
uint8_t *slurp_file(const char *path, size_t *ret_size);

#endif
