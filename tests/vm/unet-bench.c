// SPDX-License-Identifier: GPL-2.0
/*
 * unet-bench: throughput and latency of the n_unet discipline over a
 * pseudo-terminal pair, next to the same measurements on a raw pty
 * (N_TTY, no discipline) taken in the same run as the floor.
 *
 *   unet-bench [frames] [payload-length]     defaults 5000 and 255
 *
 * Receive: the peer writes frames on the master in windows of 32
 * (the receive queue holds 64), a reader takes them from /dev/unetN.
 * Transmit: write() on /dev/unetN, the peer reads the master.
 * Latency: one frame at a time, write on one end to read() returning on
 * the other, median and 99th percentile.
 * Prints "name value unit" lines, and the ratio of the receive
 * throughput to a 9600-baud 7E1 line (960 characters/s).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "kernel/unet/unet_framer.h"
#include "tests/vm/unet-link.h"

#define WINDOW 32
#define LINE_RATE_CPS 960.0

static size_t frame_of(uint8_t *frame, size_t len, unsigned int seq)
{
	frame[0] = UNET_SYN;
	for (size_t i = 0; i < len; i++)
		frame[i + 1] = (uint8_t)(0x20 + (seq + i) % 95);
	frame[len + 1] = UNET_EOT;
	return len + 2;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double frames_per_s;
	double latency_median_ns;
};

static double report_latency(const char *name, uint64_t *ns, size_t n)
{
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("%s_latency_median %.1f us\n", name, ns[n / 2] / 1e3);
	printf("%s_latency_p99 %.1f us\n", name, ns[n * 99 / 100] / 1e3);
	return (double)ns[n / 2];
}

/* Guest numbers mean little alone: relate them to the raw pty floor. */
static void report_vs_floor(const char *name, const struct result *r,
			    const struct result *floor)
{
	printf("%s_throughput_vs_raw_pty %.2f x\n", name,
	       r->frames_per_s / floor->frames_per_s);
	printf("%s_latency_median_vs_raw_pty %.2f x\n", name,
	       r->latency_median_ns / floor->latency_median_ns);
}

/* A raw tty returns whatever arrived: count EOTs up to @frames frames. */
static int read_raw_frames(int fd, unsigned int frames)
{
	uint8_t buf[4096];

	while (frames) {
		ssize_t n = read_timeout(fd, buf, sizeof(buf), 5000);

		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == UNET_EOT && frames)
				frames--;
	}
	return 1;
}

/* One unit per frame: a payload from /dev/unetN, or raw bytes to EOT. */
static int read_frames(int fd, bool is_unet, unsigned int frames)
{
	uint8_t buf[UNET_FRAME_LIMIT];

	if (!is_unet)
		return read_raw_frames(fd, frames);
	while (frames--) {
		ssize_t n = read_timeout(fd, buf, sizeof(buf), 5000);

		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
	}
	return 1;
}

/* @reader_fd gets one unit per frame: a payload (unet) or a raw frame. */
static int measure(const char *name, int writer_fd, int reader_fd,
		   bool reader_is_unet, bool writer_is_unet,
		   unsigned int frames, size_t len, uint64_t *lat,
		   struct result *res)
{
	uint8_t frame[UNET_FRAME_LIMIT];
	unsigned int i, latency_rounds = frames / 5;
	uint64_t t0, elapsed;
	int r;

	/* Throughput, windowed so the receive queue never overruns. */
	t0 = now_ns();
	for (i = 0; i < frames; i += WINDOW) {
		unsigned int w = frames - i < WINDOW ? frames - i : WINDOW;

		for (unsigned int k = 0; k < w; k++) {
			size_t n = frame_of(frame, len, i + k);

			r = writer_is_unet ? write_all(writer_fd, frame + 1, len) :
					     write_all(writer_fd, frame, n);
			if (r < 0)
				return r;
		}
		r = read_frames(reader_fd, reader_is_unet, w);
		if (r < 0)
			return r;
	}
	elapsed = now_ns() - t0;
	res->frames_per_s = frames / (elapsed / 1e9);
	printf("%s_frames_per_s %.0f frames/s\n", name, res->frames_per_s);
	printf("%s_payload_bytes_per_s %.0f B/s\n", name,
	       frames * (double)len / (elapsed / 1e9));
	printf("%s_ratio_to_9600_baud %.1f x\n", name,
	       frames * (double)(len + 2) / (elapsed / 1e9) / LINE_RATE_CPS);

	/* Latency: one frame in flight. */
	for (i = 0; i < latency_rounds; i++) {
		size_t n = frame_of(frame, len, i);

		t0 = now_ns();
		r = writer_is_unet ? write_all(writer_fd, frame + 1, len) :
				     write_all(writer_fd, frame, n);
		if (r < 0)
			return r;
		r = read_frames(reader_fd, reader_is_unet, 1);
		if (r < 0)
			return r;
		lat[i] = now_ns() - t0;
	}
	res->latency_median_ns = report_latency(name, lat, latency_rounds);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int frames = argc > 1 ? (unsigned int)atoi(argv[1]) : 5000;
	size_t len = argc > 2 ? (size_t)atoi(argv[2]) : 255;
	_cleanup_free_ uint64_t *lat = NULL;
	_cleanup_close_ int m = -EBADF, s = -EBADF;
	struct unet_link link;
	struct result raw, rx, tx;
	uint64_t overruns = 0;
	char tty[32];
	int r;

	if (frames < WINDOW || len < UNET_PAYLOAD_MIN_DEFAULT ||
	    len > UNET_PAYLOAD_LIMIT) {
		fprintf(stderr, "usage: %s [frames >= %d] [payload 25..255]\n",
			argv[0], WINDOW);
		return 2;
	}
	lat = calloc(frames, sizeof(*lat));
	if (!lat)
		return 1;
	printf("# %u frames of %zu payload characters per direction\n",
	       frames, len);

	/* Floor: the same pty without the discipline (raw N_TTY). */
	r = pty_pair_open(&m, &s, tty, sizeof(tty));
	if (r < 0) {
		fprintf(stderr, "pty: %s\n", strerror(-r));
		return 1;
	}
	r = measure("raw_pty", m, s, false, false, frames, len, lat, &raw);
	if (r < 0) {
		fprintf(stderr, "raw pty: %s\n", strerror(-r));
		return 1;
	}

	r = unet_link_open(&link, O_RDWR);
	if (r < 0) {
		fprintf(stderr, "n_unet link: %s\n", strerror(-r));
		return 1;
	}
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	r = measure("unet_rx", link.master, link.unet, true, false, frames,
		    len, lat, &rx);
	if (r >= 0)
		r = measure("unet_tx", link.unet, link.master, false, true,
			    frames, len, lat, &tx);
	if (r >= 0) {
		report_vs_floor("unet_rx", &rx, &raw);
		report_vs_floor("unet_tx", &tx, &raw);
	}
	unet_sysfs_read_u64(&link, "overruns", &overruns);
	printf("unet_rx_overruns %llu frames\n", (unsigned long long)overruns);
	unet_link_close(&link);
	if (r < 0) {
		fprintf(stderr, "n_unet: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
