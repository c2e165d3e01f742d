// SPDX-License-Identifier: GPL-2.0
/*
 * The backup chain (see backup.h for the files and the crash-safety
 * argument).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/persist/backup.h"
#include "daemon/persist/carry-over.h"
#include "daemon/shared/macro.h"

struct backup {
	char *state_dir;
	char *compiled_path;
	char *primary_path;
	char *secondary_path;
	/* The primary, open for in-place updates after backup_load(). */
	int primary_fd;
	struct database_layout layout;
};

int backup_open(const char *state_dir, const char *compiled_path, struct backup **ret)
{
	_cleanup_backup_ struct backup *b = NULL;

	if (!state_dir || !*state_dir || !compiled_path || !*compiled_path)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->primary_fd = -EBADF;
	b->state_dir = strdup(state_dir);
	b->compiled_path = strdup(compiled_path);
	if (!b->state_dir || !b->compiled_path)
		return -ENOMEM;
	if (asprintf(&b->primary_path, "%s/" BACKUP_PRIMARY_NAME, state_dir) < 0) {
		b->primary_path = NULL;
		return -ENOMEM;
	}
	if (asprintf(&b->secondary_path, "%s/" BACKUP_SECONDARY_NAME, state_dir) < 0) {
		b->secondary_path = NULL;
		return -ENOMEM;
	}
	*ret = TAKE_PTR(b);
	return 0;
}

struct backup *backup_free(struct backup *b)
{
	if (!b)
		return NULL;
	if (b->primary_fd >= 0)
		close(b->primary_fd);
	free(b->state_dir);
	free(b->compiled_path);
	free(b->primary_path);
	free(b->secondary_path);
	free(b);
	return NULL;
}

const char *backup_primary_path(const struct backup *b)
{
	return b->primary_path;
}

const char *backup_secondary_path(const struct backup *b)
{
	return b->secondary_path;
}

const char *backup_source_name(enum backup_source source)
{
	switch (source) {
	case BACKUP_SOURCE_PRIMARY:
		return "primary";
	case BACKUP_SOURCE_SECONDARY:
		return "secondary";
	case BACKUP_SOURCE_COMPILED:
		return "compiled database";
	default:
		return "unknown";
	}
}

/*
 * A name database_write_file() gives its temporary file: "<name>." and
 * the six characters mkostemp() fills in.
 */
static bool is_leftover_temp(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '.' && strlen(entry + n + 1) == 6;
}

/*
 * Remove the temporary files of a database_write_file() that was killed
 * before its rename(): they are incomplete by definition and would pile
 * up. Failing to remove one is harmless (nothing ever loads them).
 */
static void remove_leftover_temps(const struct backup *b)
{
	DIR *d = opendir(b->state_dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (is_leftover_temp(de->d_name, BACKUP_PRIMARY_NAME) ||
		    is_leftover_temp(de->d_name, BACKUP_SECONDARY_NAME))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Load one backup whole (every checksum, range and reference). On failure
 * @reason says why, prefixed with the source's name. */
static int load_backup(const char *path, enum backup_source source, struct station **ret,
		       char *reason, size_t reason_size)
{
	_cleanup_station_ struct station *s = NULL;
	struct database_error err = {};
	int r;

	r = database_read_file(path, &s, &err);
	if (r == -ENOENT) {
		snprintf(reason, reason_size, "%s: %s does not exist", backup_source_name(source),
			 path);
		return r;
	}
	if (r < 0) {
		snprintf(reason, reason_size, "%s: %s", backup_source_name(source),
			 err.message[0] ? err.message : strerror(-r));
		return r;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

/*
 * A whole backup of another configuration: the compiled station, with the
 * run state of every detector and manifold the backup and the compiled
 * configuration have in common (by number and name).
 */
static int carry_over_backup(struct station *compiled, const struct station *backup,
			     struct backup_report *report)
{
	int r;

	r = carry_over_run_state(compiled, backup, &report->carry);
	if (r < 0)
		return r;
	report->carried_over = true;
	report->carried_from_id = database_configuration_id(backup);
	return 0;
}

/*
 * Make the primary a copy of @s: the old one, rejected, is kept aside for
 * a post-mortem, then the new one is written atomically.
 */
static int recreate_primary(const struct backup *b, const struct station *s, bool keep_old)
{
	_cleanup_free_ char *aside = NULL;

	if (keep_old) {
		if (asprintf(&aside, "%s.rejected", b->primary_path) < 0) {
			aside = NULL;
			return -ENOMEM;
		}
		if (rename(b->primary_path, aside) < 0 && errno != ENOENT)
			return -errno;
	}
	return database_write_file(b->primary_path, s);
}

static int open_primary(struct backup *b)
{
	struct database_error err = {};
	int fd, r;

	fd = open(b->primary_path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = database_read_layout(fd, &b->layout, &err);
	if (r < 0) {
		close(fd);
		return r;
	}
	if (b->primary_fd >= 0)
		close(b->primary_fd);
	b->primary_fd = fd;
	return 0;
}

void backup_report_done(struct backup_report *report)
{
	carry_over_done(&report->carry);
}

int backup_load(struct backup *b, struct station **ret, struct backup_report *report)
{
	_cleanup_station_ struct station *compiled = NULL;
	_cleanup_station_ struct station *s = NULL;
	struct database_error err = {};
	bool primary_exists = false;
	enum backup_source source;
	uint32_t id;
	int r;

	*report = (struct backup_report){};
	remove_leftover_temps(b);

	r = database_read_file(b->compiled_path, &compiled, &err);
	if (r < 0) {
		snprintf(report->rejected[BACKUP_SOURCE_COMPILED],
			 sizeof(report->rejected[0]), "compiled database: %s: %s",
			 b->compiled_path, err.message[0] ? err.message : strerror(-r));
		return r;
	}
	id = database_configuration_id(compiled);

	/* The first whole backup is the latest run state there is, whichever
	 * configuration it was written for. */
	for (source = BACKUP_SOURCE_PRIMARY; source < BACKUP_SOURCE_COMPILED; source++) {
		r = load_backup(source == BACKUP_SOURCE_PRIMARY ? b->primary_path : b->secondary_path,
				source, &s, report->rejected[source], sizeof(report->rejected[0]));
		if (r == -ENOMEM)
			return r;
		if (source == BACKUP_SOURCE_PRIMARY)
			primary_exists = r != -ENOENT;
		if (r >= 0)
			break;
	}
	report->used = source;
	if (source == BACKUP_SOURCE_COMPILED) {
		s = TAKE_PTR(compiled);
	} else if (database_configuration_id(s) != id) {
		/* Written for another configuration: its run state goes over to
		 * the compiled one, by detector number and manifold name. */
		r = carry_over_backup(compiled, s, report);
		if (r < 0)
			return r;
		station_free(s);
		s = TAKE_PTR(compiled);
	}
	if (source != BACKUP_SOURCE_PRIMARY || report->carried_over) {
		/* A rejected primary is kept aside; one of the old configuration
		 * is replaced (the secondary keeps its state until the next
		 * snapshot). */
		r = recreate_primary(b, s, source != BACKUP_SOURCE_PRIMARY && primary_exists);
		if (r < 0) {
			backup_report_done(report);
			return r;
		}
		report->primary_created = true;
	}
	r = open_primary(b);
	if (r < 0) {
		backup_report_done(report);
		return r;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

int backup_replace_primary(struct backup *b, const struct station *s)
{
	int r;

	r = recreate_primary(b, s, false);
	if (r < 0)
		return r;
	return open_primary(b);
}

int backup_primary_update(struct backup *b, const struct station *s,
			  const uint32_t *detectors, size_t n_detectors,
			  const uint32_t *manifolds, size_t n_manifolds)
{
	int r;

	if (b->primary_fd < 0)
		return -EBADFD;
	if (s->n_detectors != b->layout.n_detectors || s->n_manifolds != b->layout.n_manifolds)
		return -EINVAL;
	/* Check everything first: bad input writes nothing. */
	for (size_t i = 0; i < n_detectors; i++) {
		if (detectors[i] >= s->n_detectors)
			return -ERANGE;
		if (s->detectors[detectors[i]].manifold >= s->n_manifolds)
			return -EINVAL;
	}
	for (size_t i = 0; i < n_manifolds; i++)
		if (manifolds[i] >= s->n_manifolds)
			return -ERANGE;

	for (size_t i = 0; i < n_manifolds; i++) {
		r = database_write_manifold(b->primary_fd, &b->layout, manifolds[i],
					    &s->manifolds[manifolds[i]]);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n_detectors; i++) {
		r = database_write_detector(b->primary_fd, &b->layout, detectors[i],
					    &s->detectors[detectors[i]]);
		if (r < 0)
			return r;
	}
	/* The records overwrite allocated blocks and the size never changes,
	 * so the data is all there is to flush. */
	if (fdatasync(b->primary_fd) < 0)
		return -errno;
	return 0;
}

int backup_secondary_write(struct backup *b, const struct station *s)
{
	return database_write_file(b->secondary_path, s);
}
