// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration loaders: files on disk, or nothing (in-memory compiles).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/config/loader.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/read-full.h"

/* A configuration larger than this is a mistake, not a station. */
#define CONFIG_FILE_MAX (64u * 1024u * 1024u)

void loaded_source_done(struct loaded_source *s)
{
	free(s->name);
	free(s->identity);
	free(s->text);
	*s = (struct loaded_source){};
}

char *include_path_join(const char *from, const char *path)
{
	const char *slash;
	char *joined;

	if (!from || path[0] == '/' || !(slash = strrchr(from, '/')))
		return strdup(path);
	if (asprintf(&joined, "%.*s/%s", (int)(slash - from), from, path) < 0)
		return NULL;
	return joined;
}

static int read_whole_file(const char *path, char **ret_text, size_t *ret_size, const char **why)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *text = NULL;
	size_t size = 0, cap = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		*why = "is a directory";
		return -EISDIR;
	}
	for (;;) {
		if (size == cap) {
			char *p;

			if (cap >= CONFIG_FILE_MAX) {
				*why = "is larger than 64 MiB";
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 64 * 1024;
			p = realloc(text, cap + 1);
			if (!p)
				return -ENOMEM;
			text = p;
		}
		ssize_t n = read_full(fd, text + size, cap - size);

		if (n < 0)
			return n;
		size += n;
		if (size < cap)
			break;	/* end of file */
	}
	if (!text) {
		text = malloc(1);
		if (!text)
			return -ENOMEM;
	}
	text[size] = '\0';
	*ret_text = TAKE_PTR(text);
	*ret_size = size;
	return 0;
}

static int load_file(const struct config_loader *loader, const char *from, const char *path,
		     struct loaded_source *ret, const char **why)
{
	struct loaded_source s = {};
	int r;

	s.name = include_path_join(from, path);
	if (!s.name)
		return -ENOMEM;
	r = read_whole_file(s.name, &s.text, &s.size, why);
	if (r < 0) {
		loaded_source_done(&s);
		return r;
	}
	s.identity = realpath(s.name, NULL);
	if (!s.identity) {
		r = -errno;
		loaded_source_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}

const struct config_loader config_loader_files = {
	.load = load_file,
};

static int load_nothing(const struct config_loader *loader, const char *from, const char *path,
			struct loaded_source *ret, const char **why)
{
	*why = "includes are not available when compiling from memory";
	return -EPERM;
}

const struct config_loader config_loader_no_includes = {
	.load = load_nothing,
};
