// SPDX-License-Identifier: GPL-2.0
/*
 * The CCD controller simulator's serial line (see ccd-sim-line.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "kernel/unet/unet_framer.h"
#include "tests/sim/ccd-sim-line.h"
#include "tests/vm/unet-link.h"

#define UART_FIFO 16		/* characters a UART takes at once */

struct ccd_line {
	int fd;			/* the controller's end */
	int slave;		/* pty: held open, never read */
	char tty[64];
	char *link;
	unsigned int baud;	/* 0: as fast as the line takes it */

	struct unet_framer framer;
	const struct ccd_line_ops *ops;
	void *userdata;
	uint64_t heard;
	bool stopped;		/* the host said XOFF */

	uint8_t out[CCD_LINE_OUTPUT_MAX];
	size_t out_len;
	double credit;		/* characters the pace allows now */
	uint64_t paced_at;
	bool blocked;		/* the kernel said EAGAIN */
};

static int line_new(unsigned int baud, struct ccd_line **ret)
{
	struct ccd_line *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->fd = l->slave = -EBADF;
	l->baud = baud;
	l->credit = UART_FIFO;
	unet_framer_init(&l->framer);
	*ret = l;
	return 0;
}

int ccd_line_open_pty(const char *link, unsigned int baud, struct ccd_line **ret)
{
	struct ccd_line *l;
	char name[32];
	int r;

	r = line_new(baud, &l);
	if (r < 0)
		return r;
	r = pty_pair_open(&l->fd, &l->slave, name, sizeof(name));
	if (r < 0)
		goto fail;
	snprintf(l->tty, sizeof(l->tty), "/dev/pts/%s", name + strlen("pts"));
	if (fcntl(l->fd, F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto fail;
	}
	if (link) {
		struct stat st;

		/* Replace a stale link, never anything else. */
		if (lstat(link, &st) == 0 && S_ISLNK(st.st_mode))
			unlink(link);
		if (symlink(l->tty, link) < 0) {
			r = -errno;
			goto fail;
		}
		l->link = strdup(link);
		if (!l->link) {
			unlink(link);
			r = -ENOMEM;
			goto fail;
		}
	}
	*ret = l;
	return 0;
fail:
	ccd_line_free(l);
	return r;
}

static speed_t baud_constant(unsigned int baud)
{
	switch (baud) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 0:
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	default: return B0;
	}
}

int ccd_line_open_tty(const char *path, unsigned int baud, struct ccd_line **ret)
{
	speed_t speed = baud_constant(baud);
	struct ccd_line *l;
	struct termios t;
	int r;

	if (speed == B0)
		return -EINVAL;
	r = line_new(baud ? baud : 9600, &l);
	if (r < 0)
		return r;
	snprintf(l->tty, sizeof(l->tty), "%s", path);
	l->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0 || tcgetattr(l->fd, &t) < 0) {
		r = -errno;
		goto fail;
	}
	/* The profile's line: 7 data bits, even parity, checked; raw. */
	cfmakeraw(&t);
	t.c_cflag &= ~(CSIZE | PARODD | CSTOPB | CRTSCTS);
	t.c_cflag |= CS7 | PARENB | CLOCAL | CREAD;
	t.c_iflag |= INPCK | IGNPAR;
	if (cfsetspeed(&t, speed) < 0 || tcsetattr(l->fd, TCSANOW, &t) < 0) {
		r = -errno;
		goto fail;
	}
	/* The UART paces the line itself. */
	l->baud = 0;
	*ret = l;
	return 0;
fail:
	ccd_line_free(l);
	return r;
}

void ccd_line_free(struct ccd_line *l)
{
	if (!l)
		return;
	if (l->link) {
		unlink(l->link);
		free(l->link);
	}
	safe_close(l->slave);
	safe_close(l->fd);
	free(l);
}

void ccd_line_set_ops(struct ccd_line *l, const struct ccd_line_ops *ops, void *userdata)
{
	l->ops = ops;
	l->userdata = userdata;
}

int ccd_line_fd(const struct ccd_line *l)
{
	return l->fd;
}

const char *ccd_line_tty(const struct ccd_line *l)
{
	return l->tty;
}

uint64_t ccd_line_bytes_heard(const struct ccd_line *l)
{
	return l->heard;
}

/* Which of the framer's drop counters moved, if any. */
static const char *framer_dropped(const struct unet_rx_stats *before,
				  const struct unet_rx_stats *after)
{
	if (after->short_frames != before->short_frames)
		return "short";
	if (after->long_frames != before->long_frames)
		return "long";
	if (after->bad_frames != before->bad_frames)
		return "bad";
	if (after->aborted_frames != before->aborted_frames)
		return "aborted";
	return NULL;
}

int ccd_line_read(struct ccd_line *l)
{
	uint8_t buf[512];
	ssize_t n;

	n = read(l->fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -EIO;
	l->heard += (uint64_t)n;
	for (ssize_t i = 0; i < n; i++) {
		struct unet_rx_stats before = l->framer.stats;
		enum unet_rx_event ev = unet_framer_rx_byte(&l->framer, buf[i], false);
		const char *why = framer_dropped(&before, &l->framer.stats);

		if (why && l->ops && l->ops->dropped)
			l->ops->dropped(l->userdata, why);
		switch (ev) {
		case UNET_RX_FRAME:
			if (l->ops && l->ops->payload)
				l->ops->payload(l->userdata, l->framer.payload, l->framer.len);
			break;
		case UNET_RX_XON:
		case UNET_RX_XOFF:
			if (l->stopped != (ev == UNET_RX_XOFF)) {
				l->stopped = ev == UNET_RX_XOFF;
				if (l->ops && l->ops->flow)
					l->ops->flow(l->userdata, l->stopped);
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

int ccd_line_queue(struct ccd_line *l, const uint8_t *bytes, size_t n)
{
	if (n > sizeof(l->out) - l->out_len)
		return -ENOBUFS;
	memcpy(l->out + l->out_len, bytes, n);
	l->out_len += n;
	return 0;
}

int ccd_line_flush(struct ccd_line *l, uint64_t now_ms)
{
	size_t allowed = l->out_len;
	ssize_t n;

	if (l->baud) {
		l->credit += (double)(now_ms - l->paced_at) * l->baud / 10000.0;
		if (l->credit > UART_FIFO)
			l->credit = UART_FIFO;
		l->paced_at = now_ms;
		if (allowed > (size_t)l->credit)
			allowed = (size_t)l->credit;
	}
	if (!allowed || l->stopped)
		return 0;
	n = write(l->fd, l->out, allowed);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			l->blocked = true;
			return 0;
		}
		return -errno;
	}
	l->blocked = (size_t)n < allowed;
	memmove(l->out, l->out + n, l->out_len - (size_t)n);
	l->out_len -= (size_t)n;
	if (l->baud)
		l->credit -= (double)n;
	return 0;
}

uint64_t ccd_line_next_write(const struct ccd_line *l, uint64_t now_ms)
{
	double wait_ms;

	if (!l->out_len || l->stopped || l->blocked)
		return UINT64_MAX;
	if (!l->baud || l->credit >= 1.0)
		return now_ms;
	wait_ms = (1.0 - l->credit) * 10000.0 / l->baud;
	return l->paced_at + (uint64_t)wait_ms + 1;
}

bool ccd_line_wants_pollout(const struct ccd_line *l)
{
	return l->out_len && !l->stopped && l->blocked;
}
