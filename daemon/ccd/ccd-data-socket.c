// SPDX-License-Identifier: GPL-2.0
/*
 * The pixel data channel (see ccd-data-socket.h).
 */
#include "daemon/ccd/ccd-data-socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/shared/log.h"

struct connection {
	int fd;
	sd_event_source *source;
	char line[CCD_IMAGE_HEADER_MAX];
	size_t line_len;
	bool in_pixels;			/* reading the current image's pixels */
	uint64_t got;			/* of its bytes */
	struct ccd_image images[CCD_WINDOWS];
	size_t n_images;
	uint64_t total;			/* pixel bytes of this read-out */
};

struct ccd_data_socket {
	sd_event *event;
	char *path;
	int listen_fd;
	sd_event_source *listen_source;
	struct connection *connection;
	uint64_t max_bytes;
	ccd_data_received_t received;
	void *userdata;
	uint64_t n_received, n_refused;
};

void ccd_images_free(struct ccd_image *images, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(images[i].pixels);
	free(images);
}

static void connection_close(struct ccd_data_socket *d)
{
	struct connection *c = d->connection;

	if (!c)
		return;
	sd_event_source_disable_unref(c->source);
	safe_close(c->fd);
	for (size_t i = 0; i < c->n_images; i++)
		free(c->images[i].pixels);
	free(c);
	d->connection = NULL;
	/* Ready for the next one. */
	(void)sd_event_source_set_enabled(d->listen_source, SD_EVENT_ON);
}

static void refuse(struct ccd_data_socket *d, const char *why)
{
	d->n_refused++;
	log_warning("ccd data %s: read-out refused: %s", d->path, why);
	connection_close(d);
}

/* The connection ended: hand over what it brought, if it is whole. */
static void connection_ended(struct ccd_data_socket *d)
{
	struct connection *c = d->connection;
	struct ccd_image *images;

	if (c->in_pixels || c->line_len) {
		refuse(d, "the connection closed in the middle of an image");
		return;
	}
	if (!c->n_images) {
		refuse(d, "the connection closed without an image");
		return;
	}
	images = calloc(c->n_images, sizeof(*images));
	if (!images) {
		refuse(d, "out of memory");
		return;
	}
	memcpy(images, c->images, c->n_images * sizeof(*images));
	d->n_received++;
	d->received(images, c->n_images, d->userdata);
	c->n_images = 0;	/* handed over */
	connection_close(d);
}

/* Take bytes from buf; false when the connection was refused. */
static bool consume(struct ccd_data_socket *d, const uint8_t *buf, size_t n)
{
	struct connection *c = d->connection;

	while (n) {
		if (c->in_pixels) {
			struct ccd_image *im = &c->images[c->n_images - 1];
			size_t take = n;

			if (take > im->header.bytes - c->got)
				take = (size_t)(im->header.bytes - c->got);
			memcpy(im->pixels + c->got, buf, take);
			c->got += take;
			buf += take;
			n -= take;
			if (c->got == im->header.bytes)
				c->in_pixels = false;
			continue;
		}
		/* A header line, up to its newline. */
		const uint8_t *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;
		struct ccd_image_header h;
		char why[160];

		if (c->line_len + take >= sizeof(c->line)) {
			refuse(d, "a header line longer than 255 bytes");
			return false;
		}
		memcpy(c->line + c->line_len, buf, take);
		c->line_len += take;
		buf += take;
		n -= take;
		if (!nl)
			break;
		buf++;
		n--;
		if (ccd_image_header_parse(c->line, c->line_len, &h, why, sizeof(why)) < 0) {
			refuse(d, why);
			return false;
		}
		c->line_len = 0;
		if (c->n_images == CCD_WINDOWS) {
			refuse(d, "more than 2 images in one read-out");
			return false;
		}
		if (h.bytes > d->max_bytes || c->total + h.bytes > d->max_bytes) {
			refuse(d, "more pixels than the CCD's full frame");
			return false;
		}
		c->images[c->n_images] = (struct ccd_image){
			.header = h,
			.pixels = malloc(h.bytes ? h.bytes : 1),
		};
		if (!c->images[c->n_images].pixels) {
			refuse(d, "out of memory");
			return false;
		}
		c->n_images++;
		c->total += h.bytes;
		c->in_pixels = h.bytes > 0;
		c->got = 0;
	}
	return true;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct ccd_data_socket *d = userdata;
	uint8_t buf[64 * 1024];
	size_t budget = CCD_DATA_READ_BUDGET;

	while (budget) {
		ssize_t n = read(fd, buf, budget < sizeof(buf) ? budget : sizeof(buf));

		if (n > 0) {
			budget -= (size_t)n;
			if (!consume(d, buf, (size_t)n))
				return 0;
			continue;
		}
		if (n == 0) {
			connection_ended(d);
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0;
		refuse(d, strerror(errno));
		return 0;
	}
	/* Budget spent: the loop comes back when the scan has had its turn. */
	return 0;
}

static int on_listen(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct ccd_data_socket *d = userdata;
	struct connection *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_error_errno(errno, "ccd data %s: accept failed", d->path);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		safe_close(cfd);
		return 0;
	}
	c->fd = cfd;
	r = sd_event_add_io(d->event, &c->source, cfd, EPOLLIN, on_connection, d);
	if (r >= 0)
		r = sd_event_source_set_priority(c->source, CCD_DATA_PRIORITY);
	if (r < 0) {
		sd_event_source_disable_unref(c->source);
		safe_close(cfd);
		free(c);
		log_error_errno(r, "ccd data %s: cannot watch a connection", d->path);
		return 0;
	}
	d->connection = c;
	/* One read-out at a time: the next waits in the backlog. */
	(void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

int ccd_data_socket_new(sd_event *event, const char *path, uint64_t max_bytes,
			ccd_data_received_t received, void *userdata, struct ccd_data_socket **ret)
{
	_cleanup_(ccd_data_socket_freep) struct ccd_data_socket *d = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->listen_fd = -EBADF;
	d->event = sd_event_ref(event);
	d->max_bytes = max_bytes;
	d->received = received;
	d->userdata = userdata;
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	/* A socket left by a daemon that was killed: ours to replace. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (unlink(path) < 0)
			return -errno;
	}
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0)
		return -errno;
	if (bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(d->listen_fd, 4) < 0)
		return -errno;
	r = sd_event_add_io(event, &d->listen_source, d->listen_fd, EPOLLIN, on_listen, d);
	if (r < 0)
		return r;
	r = sd_event_source_set_priority(d->listen_source, CCD_DATA_PRIORITY);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(d);
	return 0;
}

struct ccd_data_socket *ccd_data_socket_free(struct ccd_data_socket *d)
{
	if (!d)
		return NULL;
	connection_close(d);
	sd_event_source_disable_unref(d->listen_source);
	if (d->listen_fd >= 0) {
		safe_close(d->listen_fd);
		(void)unlink(d->path);
	}
	free(d->path);
	sd_event_unref(d->event);
	free(d);
	return NULL;
}

void ccd_data_socket_set_max_bytes(struct ccd_data_socket *d, uint64_t max_bytes)
{
	d->max_bytes = max_bytes;
}

uint64_t ccd_data_socket_received(const struct ccd_data_socket *d)
{
	return d->n_received;
}

uint64_t ccd_data_socket_refused(const struct ccd_data_socket *d)
{
	return d->n_refused;
}
