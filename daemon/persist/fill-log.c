// SPDX-License-Identifier: GPL-2.0
/* The fill log: fixed-size CRC'd records appended as fills end (fill-log.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/persist/fill-log.h"
#include "daemon/shared/atomic-replace.h"
#include "daemon/shared/crc32.h"
#include "daemon/shared/little-endian.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/read-full.h"
#include "daemon/shared/write-full.h"

#define CRC_OFFSET (FILL_LOG_RECORD_SIZE - 4)
#define RESERVED_OFFSET 36u

struct fill_log {
	char *path;
	int fd;
	uint64_t size;			/* bytes in the file: header + whole records */
	bool unsynced;			/* appended since the last flush */
};

void fill_log_encode_header(uint8_t out[static FILL_LOG_HEADER_SIZE])
{
	memcpy(out, FILL_LOG_MAGIC, FILL_LOG_MAGIC_SIZE);
	put_le32(out + 8, FILL_LOG_VERSION);
	put_le32(out + 12, FILL_LOG_RECORD_SIZE);
}

void fill_log_encode_entry(const struct fill_log_entry *entry, uint8_t out[static FILL_LOG_RECORD_SIZE])
{
	const struct fill_record *r = &entry->record;

	memset(out, 0, FILL_LOG_RECORD_SIZE);
	put_le32(out + 0, entry->detector);
	put_le32(out + 4, (uint32_t)r->result);
	put_le64(out + 8, (uint64_t)r->start_usec);
	put_le64(out + 16, (uint64_t)r->end_usec);
	put_le64(out + 24, r->duration_usec);
	put_le32(out + 32, (uint32_t)r->lowest_mv);
	put_le32(out + CRC_OFFSET, crc32_of(out, CRC_OFFSET));
}

/* Decode one record; a message in @why when it is not valid. */
static int decode_entry(const uint8_t *in, struct fill_log_entry *ret, char *why, size_t why_size)
{
	uint32_t stored = get_le32(in + CRC_OFFSET), computed = crc32_of(in, CRC_OFFSET);
	uint32_t result;

	if (stored != computed) {
		snprintf(why, why_size, "checksum mismatch (stored 0x%08x, computed 0x%08x)",
			 stored, computed);
		return -EBADMSG;
	}
	result = get_le32(in + 4);
	if (result >= _FILL_RESULT_MAX) {
		snprintf(why, why_size, "result %u out of range", result);
		return -EBADMSG;
	}
	for (unsigned i = RESERVED_OFFSET; i < CRC_OFFSET; i++)
		if (in[i]) {
			snprintf(why, why_size, "reserved byte %u is not zero", i);
			return -EBADMSG;
		}
	*ret = (struct fill_log_entry){
		.detector = get_le32(in),
		.record = {
			.result = (enum fill_result)result,
			.start_usec = (int64_t)get_le64(in + 8),
			.end_usec = (int64_t)get_le64(in + 16),
			.duration_usec = get_le64(in + 24),
			.lowest_mv = (int32_t)get_le32(in + 32),
		},
	};
	return 0;
}

int fill_log_parse(const uint8_t *buf, size_t size, fill_log_entry_fn fn, void *userdata,
		   struct fill_log_scan *ret, char *why, size_t why_size)
{
	struct fill_log_scan scan = {};
	size_t n_whole;
	int r;

	if (why_size)
		why[0] = '\0';
	*ret = scan;
	if (size < FILL_LOG_HEADER_SIZE) {
		snprintf(why, why_size, "%zu bytes, shorter than the %u-byte header", size,
			 FILL_LOG_HEADER_SIZE);
		return -EBADMSG;
	}
	if (memcmp(buf, FILL_LOG_MAGIC, FILL_LOG_MAGIC_SIZE) != 0) {
		snprintf(why, why_size, "not a fill log (bad magic)");
		return -EBADMSG;
	}
	if (get_le32(buf + 8) != FILL_LOG_VERSION || get_le32(buf + 12) != FILL_LOG_RECORD_SIZE) {
		snprintf(why, why_size, "version %u with %u-byte records, this daemon reads "
			 "version %u with %u-byte records", get_le32(buf + 8), get_le32(buf + 12),
			 FILL_LOG_VERSION, FILL_LOG_RECORD_SIZE);
		return -EBADMSG;
	}

	n_whole = (size - FILL_LOG_HEADER_SIZE) / FILL_LOG_RECORD_SIZE;
	scan.torn_bytes = (size - FILL_LOG_HEADER_SIZE) % FILL_LOG_RECORD_SIZE;
	scan.valid_size = FILL_LOG_HEADER_SIZE + (uint64_t)n_whole * FILL_LOG_RECORD_SIZE;
	for (size_t i = 0; i < n_whole; i++) {
		size_t offset = FILL_LOG_HEADER_SIZE + i * FILL_LOG_RECORD_SIZE;
		struct fill_log_entry entry;
		char bad[96];

		if (decode_entry(buf + offset, &entry, bad, sizeof(bad)) < 0) {
			if (scan.n_corrupt++ == 0)
				snprintf(scan.first_corrupt, sizeof(scan.first_corrupt),
					 "record %zu at offset %zu: %s", i, offset, bad);
			continue;
		}
		scan.n_records++;
		if (fn) {
			r = fn(userdata, &entry);
			if (r < 0) {
				*ret = scan;
				return r;
			}
		}
	}
	*ret = scan;
	return 0;
}

int fill_log_new(const char *state_dir, struct fill_log **ret)
{
	_cleanup_free_ struct fill_log *l = NULL;

	if (!state_dir || !*state_dir)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (asprintf(&l->path, "%s/" FILL_LOG_NAME, state_dir) < 0)
		return -ENOMEM;
	l->fd = -EBADF;
	*ret = TAKE_PTR(l);
	return 0;
}

struct fill_log *fill_log_free(struct fill_log *l)
{
	if (!l)
		return NULL;
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l);
	return NULL;
}

const char *fill_log_path(const struct fill_log *l)
{
	return l->path;
}

size_t fill_log_size(const struct fill_log *l)
{
	return l->size < FILL_LOG_HEADER_SIZE ? 0 :
		(size_t)((l->size - FILL_LOG_HEADER_SIZE) / FILL_LOG_RECORD_SIZE);
}

/* Write a log of @n entries to a temporary file and rename it over the
 * log; the new file's descriptor in *ret_fd. */
static int write_log_file(const char *path, const struct fill_log_entry *entries, size_t n,
			  int *ret_fd)
{
	_cleanup_free_ uint8_t *image = NULL;
	size_t size = FILL_LOG_HEADER_SIZE + n * FILL_LOG_RECORD_SIZE;

	image = malloc(size);
	if (!image)
		return -ENOMEM;
	fill_log_encode_header(image);
	for (size_t i = 0; i < n; i++)
		fill_log_encode_entry(&entries[i], image + FILL_LOG_HEADER_SIZE + i * FILL_LOG_RECORD_SIZE);
	return atomic_replace_file(path, image, size, ret_fd);
}

static int read_file(int fd, uint8_t **ret, size_t *ret_size)
{
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	n = pread_full(fd, buf, (size_t)st.st_size, 0);
	if (n < 0)
		return (int)n;
	*ret = TAKE_PTR(buf);
	*ret_size = (size_t)n;
	return 0;
}

/* Remove what a compaction killed before its rename() left: fills.log.XXXXXX. */
static void remove_leftover_temps(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	const char *name;
	size_t n;
	DIR *dir;
	struct dirent *de;

	if (!copy)
		return;
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	n = strlen(name);
	dir = opendir(dirname(copy));
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, name, n) == 0 && de->d_name[n] == '.' &&
		    strlen(de->d_name + n + 1) == 6)
			(void)unlinkat(dirfd(dir), de->d_name, 0);
	closedir(dir);
}

int fill_log_load(struct fill_log *l, fill_log_entry_fn fn, void *userdata,
		  struct fill_log_scan *ret, char *why, size_t why_size)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ char *aside = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t size = 0;
	int r;

	*ret = (struct fill_log_scan){};
	if (why_size)
		why[0] = '\0';
	remove_leftover_temps(l->path);
	fd = open(l->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno != ENOENT)
		return -errno;
	if (fd < 0)
		goto start_new;

	r = read_file(fd, &buf, &size);
	if (r < 0)
		return r;
	r = fill_log_parse(buf, size, fn, userdata, ret, why, why_size);
	if (r == -EBADMSG) {
		/* Nothing in it can be trusted: keep it for a post-mortem. */
		if (asprintf(&aside, "%s.rejected", l->path) < 0) {
			aside = NULL;
			return -ENOMEM;
		}
		if (rename(l->path, aside) < 0)
			return -errno;
		*ret = (struct fill_log_scan){};
		goto start_new;
	}
	if (r < 0)
		return r;
	if (ret->torn_bytes > 0) {
		/* Appending after a partial record would misalign every
		 * record that follows: cut it off for good. */
		if (ftruncate(fd, (off_t)ret->valid_size) < 0 || fdatasync(fd) < 0)
			return -errno;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = TAKE_FD(fd);
	l->size = ret->valid_size;
	l->unsynced = false;
	return 0;

start_new:
	r = write_log_file(l->path, NULL, 0, &fd);
	if (r < 0)
		return r;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = TAKE_FD(fd);
	l->size = FILL_LOG_HEADER_SIZE;
	l->unsynced = false;
	ret->valid_size = l->size;
	return 0;
}

int fill_log_append(struct fill_log *l, const struct fill_log_entry *entry)
{
	uint8_t record[FILL_LOG_RECORD_SIZE];
	int r;

	if (l->fd < 0)
		return -EBADFD;
	if ((unsigned)entry->record.result >= _FILL_RESULT_MAX)
		return -EINVAL;
	fill_log_encode_entry(entry, record);
	/* At the known end, not O_APPEND: a short write is retried at the
	 * right offset and a failed one is overwritten by the next append. */
	r = pwrite_full(l->fd, record, sizeof(record), (off_t)l->size);
	if (r < 0)
		return r;
	l->size += FILL_LOG_RECORD_SIZE;
	l->unsynced = true;
	return 0;
}

int fill_log_sync(struct fill_log *l)
{
	if (l->fd < 0)
		return -EBADFD;
	if (!l->unsynced)
		return 0;
	/* The file grew: fdatasync flushes the size with the data. */
	if (fdatasync(l->fd) < 0)
		return -errno;
	l->unsynced = false;
	return 0;
}

int fill_log_rewrite(struct fill_log *l, const struct fill_log_entry *entries, size_t n)
{
	int fd = -EBADF, r;

	r = write_log_file(l->path, entries, n, &fd);
	if (r < 0)
		return r;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = fd;
	l->size = FILL_LOG_HEADER_SIZE + (uint64_t)n * FILL_LOG_RECORD_SIZE;
	l->unsynced = false;
	return 0;
}
