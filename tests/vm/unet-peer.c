// SPDX-License-Identifier: GPL-2.0
/*
 * unet-peer: the far end of a UtilityNet line for the n_unet VM tests.
 *
 * Creates a pseudo-terminal pair, attaches the discipline to the slave
 * with TIOCSETD and plays the CCD controller on the master, checking
 * what arrives on /dev/unetN and on the line. Prints TAP lines
 * ("ok - unet ..."/"not ok - unet ..."); exits 1 if any check failed.
 *
 *   unet-peer framing         noise, split writes, corruption -> payloads, counters
 *   unet-peer sysfs           attributes: tty, validated limits and interval
 *   unet-peer write           SYN payload EOT on the line, EINVAL refusals,
 *                             partial writes, no interleaving
 *   unet-peer xon             keep-alive on an idle line, XOFF/XON
 *   unet-peer stress [N]      N frames (10000), 1 % corrupted: accounting
 *   unet-peer teardown MODE   readers/pollers/writers blocked, then MODE:
 *                             detach | hangup | close-master
 *   unet-peer cycle [N]       attach/detach N times (100)
 *   unet-peer ldattach        attach with ldattach(8) instead of TIOCSETD
 *   unet-peer hold            attach, print "<unetN> <tty>", wait for a signal
 *   unet-peer closed-tty      slave closed, master open: nothing reaches the
 *                             line (write EIO, no XON, no resumed output)
 *   unet-peer unprivileged    without CAP_NET_ADMIN: attaching is refused
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "kernel/unet/unet_framer.h"
#include "tests/vm/unet-link.h"

static int failed;

static _printf_(2, 3) bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - unet ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failed = 1;
	return ok;
}

static _printf_(1, 2) void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* xorshift64*: reproducible corruption from a printed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

/*
 * The payload of frame @seq with @len characters: a 10-character
 * sequence prefix, then printable filler derived from seq, so the
 * reader can regenerate and compare it.
 */
static void payload_make(uint8_t *buf, uint32_t seq, size_t len)
{
	char prefix[16];
	size_t i;

	snprintf(prefix, sizeof(prefix), "C%09u", seq);
	for (i = 0; i < len; i++)
		buf[i] = i < 10 ? (uint8_t)prefix[i] :
				  (uint8_t)(0x20 + (seq * 7 + i * 13) % 95);
}

static size_t frame_make(uint8_t *frame, const uint8_t *payload, size_t len)
{
	frame[0] = UNET_SYN;
	memcpy(frame + 1, payload, len);
	frame[len + 1] = UNET_EOT;
	return len + 2;
}

/* Write a string literal, without its terminating NUL. */
#define WRITE_LITERAL(fd, s) write_all(fd, s, sizeof(s) - 1)

static bool link_or_bail(struct unet_link *link, int flags)
{
	int r = unet_link_open(link, flags);

	if (!tap(r == 0, "pty pair with the discipline attached (%s)",
		 r ? strerror(-r) : link->name))
		return false;
	diag("%s on %s", link->name, link->tty);
	return true;
}

static bool counter_is(struct unet_link *link, const char *attr,
		       uint64_t want)
{
	uint64_t v = UINT64_MAX;
	int r = unet_sysfs_read_u64(link, attr, &v);

	return tap(r == 0 && v == want, "%s counter is %llu (read %llu%s%s)",
		   attr, (unsigned long long)want, (unsigned long long)v,
		   r ? ", " : "", r ? strerror(-r) : "");
}

/* Read one payload and compare it with @want. */
static bool expect_payload(int fd, const uint8_t *want, size_t len,
			   const char *what)
{
	uint8_t buf[512];
	ssize_t n = read_timeout(fd, buf, sizeof(buf), 5000);

	if (n < 0)
		return tap(false, "%s arrives (%s)", what, strerror((int)-n));
	return tap((size_t)n == len && memcmp(buf, want, len) == 0,
		   "%s arrives as the exact payload (%zd bytes, want %zu)",
		   what, n, len);
}

/* ------------------------------------------------------------ framing */

static int test_framing(void)
{
	struct unet_link link;
	uint8_t p[4][UNET_PAYLOAD_LIMIT], frame[UNET_FRAME_LIMIT + 8];
	uint8_t longp[257], buf[300];
	size_t lens[4] = { 25, 60, 255, 33 }, n, i;
	uint64_t rx_bytes = 0;
	_cleanup_close_ int nb = -EBADF;
	ssize_t r;

	if (!link_or_bail(&link, O_RDWR))
		return 1;
	for (i = 0; i < 4; i++) {
		payload_make(p[i], (uint32_t)i, lens[i]);
		rx_bytes += lens[i];
	}

	/* Noise before a frame, in one write. */
	WRITE_LITERAL(link.master, "junk");
	n = frame_make(frame, p[0], lens[0]);
	write_all(link.master, frame, n);
	expect_payload(link.unet, p[0], lens[0], "frame after noise");

	/* Split into single-byte writes, with an XON inside the frame. */
	n = frame_make(frame, p[1], lens[1]);
	for (i = 0; i < n; i++) {
		write_all(link.master, frame + i, 1);
		if (i == 7)
			WRITE_LITERAL(link.master, "\x11");
		if (i % 16 == 0)
			msleep(1);
	}
	expect_payload(link.unet, p[1], lens[1],
		       "frame written byte by byte with XON inside");

	/* Noise between frames, then every kind of spoilt frame. */
	WRITE_LITERAL(link.master, "\r\n");
	WRITE_LITERAL(link.master, "\x16SYS \x01 CCD1      00A1A\x04");
	WRITE_LITERAL(link.master, "\x16short\x04");
	memset(longp, 'L', sizeof(longp));
	longp[0] = UNET_SYN;
	write_all(link.master, longp, sizeof(longp));
	WRITE_LITERAL(link.master, "\x04");
	WRITE_LITERAL(link.master, "\x16partial");
	n = frame_make(frame, p[2], lens[2]);
	write_all(link.master, frame, n);
	expect_payload(link.unet, p[2], lens[2],
		       "255-character frame after an aborted one");

	/* EOT without SYN is noise; then a last good frame. */
	WRITE_LITERAL(link.master, "\x04");
	n = frame_make(frame, p[3], lens[3]);
	write_all(link.master, frame, n);

	/* Too small a buffer: EOVERFLOW and the frame stays queued. */
	msleep(200);
	r = read(link.unet, buf, 10);
	tap(r < 0 && errno == EOVERFLOW,
	    "read with a 10-byte buffer fails with EOVERFLOW (%zd, %s)", r,
	    r < 0 ? strerror(errno) : "-");
	expect_payload(link.unet, p[3], lens[3], "frame refused to a small buffer");

	nb = unet_device_open(link.name, O_RDWR | O_NONBLOCK);
	r = nb < 0 ? nb : read(nb, buf, sizeof(buf));
	tap(r < 0 && errno == EAGAIN,
	    "O_NONBLOCK read on an empty queue fails with EAGAIN");

	counter_is(&link, "rx_frames", 4);
	counter_is(&link, "rx_bytes", rx_bytes);
	counter_is(&link, "noise_bytes", 4 + 2 + 1);
	counter_is(&link, "bad_frames", 1);
	counter_is(&link, "short_frames", 1);
	counter_is(&link, "long_frames", 1);
	counter_is(&link, "aborted_frames", 1);
	counter_is(&link, "overruns", 0);

	/* More than the queue holds, unread: the oldest go, counted. */
	for (i = 0; i < 70; i++) {
		payload_make(p[0], 100 + (uint32_t)i, 25);
		n = frame_make(frame, p[0], 25);
		write_all(link.master, frame, n);
	}
	msleep(300);
	counter_is(&link, "overruns", 6);
	payload_make(p[0], 106, 25);
	expect_payload(link.unet, p[0], 25,
		       "oldest frame kept after an overrun (seq 106)");

	unet_link_close(&link);
	return failed;
}

/* -------------------------------------------------------------- sysfs */

static bool attr_refused(struct unet_link *link, const char *attr,
			 const char *value, uint64_t unchanged)
{
	int r = unet_sysfs_write(link, attr, value);
	uint64_t v = 0;

	unet_sysfs_read_u64(link, attr, &v);
	return tap(r == -EINVAL && v == unchanged,
		   "%s refuses \"%s\" with EINVAL and stays %llu (got %s, %llu)",
		   attr, value, (unsigned long long)unchanged,
		   r ? strerror(-r) : "success", (unsigned long long)v);
}

static int test_sysfs(void)
{
	struct unet_link link;
	char tty[64] = "", path[160];
	uint8_t frame[64], buf[64];
	_cleanup_fclose_ FILE *f = NULL;
	ssize_t r;

	if (!link_or_bail(&link, O_RDWR))
		return 1;

	snprintf(path, sizeof(path), "%s/tty", link.sysfs);
	f = fopen(path, "re");
	if (f && fgets(tty, sizeof(tty), f))
		tty[strcspn(tty, "\n")] = 0;
	tap(strcmp(tty, link.tty) == 0, "tty attribute names the tty (%s)", tty);

	counter_is(&link, "min_len", 25);
	counter_is(&link, "max_len", 255);
	counter_is(&link, "xon_interval_ms", 500);
	counter_is(&link, "flow_stopped", 0);

	attr_refused(&link, "min_len", "0", 25);
	attr_refused(&link, "min_len", "256", 25);
	attr_refused(&link, "min_len", "abc", 25);
	attr_refused(&link, "min_len", "-1", 25);
	attr_refused(&link, "max_len", "24", 255);
	attr_refused(&link, "max_len", "256", 255);
	attr_refused(&link, "xon_interval_ms", "5", 500);
	attr_refused(&link, "xon_interval_ms", "60001", 500);
	attr_refused(&link, "xon_interval_ms", "1x", 500);

	tap(unet_sysfs_write(&link, "min_len", "5") == 0 &&
	    unet_sysfs_write(&link, "max_len", "10") == 0 &&
	    unet_sysfs_write(&link, "xon_interval_ms", "0") == 0,
	    "min_len 5, max_len 10, xon_interval_ms 0 accepted");
	attr_refused(&link, "min_len", "11", 5);

	/* The new limits apply to both directions. */
	WRITE_LITERAL(link.master, "\x16" "abcd\x04\x16" "abcde\x04\x16" "abcdefghijk\x04");
	expect_payload(link.unet, (const uint8_t *)"abcde", 5,
		       "5-character frame with min_len 5");
	counter_is(&link, "short_frames", 1);
	counter_is(&link, "long_frames", 1);

	r = write(link.unet, "abcd", 4);
	tap(r < 0 && errno == EINVAL, "write of 4 characters refused with min_len 5");
	r = write(link.unet, "abcdefghijk", 11);
	tap(r < 0 && errno == EINVAL, "write of 11 characters refused with max_len 10");
	r = write(link.unet, "abcdefghij", 10);
	tap(r == 10, "write of 10 characters accepted with max_len 10");
	r = (ssize_t)drain(link.master, buf, sizeof(buf), 300);
	frame_make(frame, (const uint8_t *)"abcdefghij", 10);
	tap(r == 12 && memcmp(buf, frame, 12) == 0,
	    "exactly that frame on the line (%zd bytes)", r);

	unet_link_close(&link);
	return failed;
}

/* -------------------------------------------------------------- write */

struct line_reader {
	int fd;
	uint8_t *buf;
	size_t size, got;
	size_t until;	/* stop after this many bytes */
};

static void *line_reader_run(void *arg)
{
	struct line_reader *lr = arg;

	while (lr->got < lr->until) {
		ssize_t n = read_timeout(lr->fd, lr->buf + lr->got,
					 lr->size - lr->got, 5000);
		if (n <= 0)
			break;
		lr->got += n;
	}
	return NULL;
}

/*
 * Parse what the discipline put on the line: frames must come whole and
 * in order, XONs only between them. Returns the number of frames that
 * matched seq first_seq.. with lengths len_of(seq), or -1.
 */
static long line_check(const uint8_t *buf, size_t n, uint32_t first_seq,
		       size_t (*len_of)(uint32_t), size_t *xons)
{
	uint8_t want[UNET_PAYLOAD_LIMIT];
	uint32_t seq = first_seq;
	size_t i = 0;

	*xons = 0;
	while (i < n) {
		size_t len = len_of(seq);

		if (buf[i] == UNET_XON) {
			(*xons)++;
			i++;
			continue;
		}
		if (buf[i] != UNET_SYN || i + len + 2 > n)
			return -1;
		payload_make(want, seq, len);
		if (memcmp(buf + i + 1, want, len) != 0 ||
		    buf[i + len + 1] != UNET_EOT)
			return -1;
		i += len + 2;
		seq++;
	}
	return (long)(seq - first_seq);
}

static size_t len_long(uint32_t seq)
{
	return 200 + seq % 56;
}

static int test_write(void)
{
	static const char *const bad[] = {
		"SYS       CCD1      00A1\x01", "SYS       CCD1      00A1\x7f",
		"SYS       CCD1      00A1\x80", "SYS       CCD1      00A1\x11",
		"SYS       CCD1      00A1\x16", "SYS       CCD1      00A1\x04",
	};
	struct unet_link link;
	uint8_t p[UNET_PAYLOAD_LIMIT + 1], frame[UNET_FRAME_LIMIT];
	uint8_t buf[512];
	struct line_reader lr = {};
	pthread_t reader;
	size_t n, i, xons, total = 0;
	_cleanup_close_ int nb = -EBADF;
	struct pollfd pfd;
	unsigned int queued = 0;
	uint32_t seq;
	ssize_t r;
	long frames;

	if (!link_or_bail(&link, O_RDWR))
		return 1;
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	drain(link.master, buf, sizeof(buf), 100);

	payload_make(p, 1, 40);
	r = write(link.unet, p, 40);
	n = drain(link.master, buf, sizeof(buf), 300);
	frame_make(frame, p, 40);
	tap(r == 40 && n == 42 && memcmp(buf, frame, 42) == 0,
	    "write appears on the line as SYN payload EOT (%zd -> %zu bytes)",
	    r, n);

	for (i = 0; i < ELEMENTSOF(bad); i++) {
		r = write(link.unet, bad[i], 25);
		tap(r < 0 && errno == EINVAL,
		    "payload with byte 0x%02x refused with EINVAL",
		    (uint8_t)bad[i][24]);
	}
	memset(p, 'A', sizeof(p));
	r = write(link.unet, p, 24);
	tap(r < 0 && errno == EINVAL, "24-character payload refused with EINVAL");
	r = write(link.unet, p, 256);
	tap(r < 0 && errno == EINVAL, "256-character payload refused with EINVAL");
	r = write(link.unet, p, 0);
	tap(r < 0 && errno == EINVAL, "empty payload refused with EINVAL");
	n = drain(link.master, buf, sizeof(buf), 300);
	tap(n == 0, "nothing on the line after refused writes (%zu bytes)", n);
	counter_is(&link, "tx_frames", 1);
	counter_is(&link, "tx_bytes", 40);

	/*
	 * Partial writes: nobody reads the master, so the pty fills and
	 * the discipline keeps the rest queued; O_NONBLOCK writes then
	 * fail with EAGAIN and POLLOUT is clear.
	 */
	nb = unet_device_open(link.name, O_RDWR | O_NONBLOCK);
	for (seq = 0; seq < 2000; seq++) {
		payload_make(p, seq, len_long(seq));
		r = write(nb, p, len_long(seq));
		if (r < 0)
			break;
		queued++;
		total += len_long(seq) + 2;
	}
	tap(r < 0 && errno == EAGAIN,
	    "O_NONBLOCK write fails with EAGAIN once the queue is full (after %u frames)",
	    queued);
	pfd = (struct pollfd){ .fd = nb, .events = POLLOUT };
	tap(poll(&pfd, 1, 0) == 0, "POLLOUT clear while the queue is full");

	/* Start reading the line; blocking writes of 300 more frames. */
	lr = (struct line_reader){ .fd = link.master, .size = 400000 };
	lr.buf = malloc(lr.size);
	for (i = 0; i < 300; i++)
		total += len_long(queued + (uint32_t)i) + 2;
	lr.until = total;
	pthread_create(&reader, NULL, line_reader_run, &lr);
	unet_sysfs_write(&link, "xon_interval_ms", "10");
	for (seq = queued; seq < queued + 300; seq++) {
		payload_make(p, seq, len_long(seq));
		if (write(link.unet, p, len_long(seq)) != (ssize_t)len_long(seq))
			break;
	}
	tap(seq == queued + 300, "300 blocking writes of 200-255 characters complete");
	pthread_join(reader, NULL);
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	lr.got += drain(link.master, lr.buf + lr.got, lr.size - lr.got, 300);
	frames = line_check(lr.buf, lr.got, 0, len_long, &xons);
	tap(frames == queued + 300,
	    "all %u frames on the line whole, in order, XON only between frames (%ld frames, %zu XONs, %zu bytes)",
	    queued + 300, frames, xons, lr.got);
	counter_is(&link, "tx_frames", 1 + queued + 300);
	free(lr.buf);

	unet_link_close(&link);
	return failed;
}

/* ---------------------------------------------------------------- xon */

static int test_xon(void)
{
	struct unet_link link;
	uint8_t buf[4096], p[64], frame[80];
	uint64_t before = 0, after = 0, stopped = 9;
	size_t n, i, xons = 0;
	bool only_xon = true;
	uint64_t t0;
	ssize_t r;

	if (!link_or_bail(&link, O_RDWR))
		return 1;

	unet_sysfs_read_u64(&link, "xon_sent", &before);
	tap(unet_sysfs_write(&link, "xon_interval_ms", "50") == 0,
	    "xon_interval_ms set to 50");
	t0 = now_ns();
	n = 0;
	while (now_ns() - t0 < 1000000000ull) {
		r = read_timeout(link.master, buf + n, sizeof(buf) - n, 100);
		if (r > 0)
			n += r;
	}
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	n += drain(link.master, buf + n, sizeof(buf) - n, 200);
	unet_sysfs_read_u64(&link, "xon_sent", &after);
	for (i = 0; i < n; i++) {
		if (buf[i] == UNET_XON)
			xons++;
		else
			only_xon = false;
	}
	tap(only_xon && xons >= 5,
	    "idle line carries XON keep-alives only (%zu XONs in 1 s at 50 ms)",
	    xons);
	tap(after - before == xons, "xon_sent counts every XON on the line (%llu)",
	    (unsigned long long)(after - before));

	/* XOFF from the peer holds output, XON releases it. */
	unet_sysfs_write(&link, "xon_interval_ms", "50");
	WRITE_LITERAL(link.master, "\x13");
	for (i = 0; i < 100 && stopped != 1; i++) {
		msleep(10);
		unet_sysfs_read_u64(&link, "flow_stopped", &stopped);
	}
	tap(stopped == 1, "flow_stopped is 1 after XOFF");
	drain(link.master, buf, sizeof(buf), 100);
	payload_make(p, 7, 30);
	r = write(link.unet, p, 30);
	n = drain(link.master, buf, sizeof(buf), 500);
	tap(r == 30 && n == 0,
	    "frame written while stopped is held (write %zd, %zu bytes on the line, no XON either)",
	    r, n);
	WRITE_LITERAL(link.master, "\x11");
	msleep(200);
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	n = drain(link.master, buf, sizeof(buf), 300);
	frame_make(frame, p, 30);
	for (i = 0; i < n && buf[i] != UNET_SYN; i++)
		;
	tap(i + 32 <= n && memcmp(buf + i, frame, 32) == 0,
	    "after XON the held frame goes out whole (%zu bytes)", n);
	unet_sysfs_read_u64(&link, "flow_stopped", &stopped);
	tap(stopped == 0, "flow_stopped is 0 after XON");

	unet_link_close(&link);
	return failed;
}

/* ------------------------------------------------------------- stress */

enum corruption { CLEAN, BAD, ABORT, SHORT, LONG };

struct expected {
	uint32_t seq;
	uint16_t len;
};

static int test_stress(unsigned int frames)
{
	static const uint8_t bad_bytes[] = { 0x01, 0x0d, 0x7f, 0x80, 0xff };
	static const uint8_t noise_bytes[] = "\x04\r\n ~abcXYZ\x01\x7f";
	struct unet_link link;
	uint64_t want[LONG + 1] = { 0 }, noise = 0, rx_bytes = 0;
	uint64_t delivered = 0, duplicates = 0, mismatched = 0, missing = 0;
	uint8_t *line, p[UNET_PAYLOAD_LIMIT + 32], buf[512];
	struct expected batch[32];
	const char *seed_env = getenv("UNET_SEED");
	uint64_t t0 = now_ns();
	int64_t last_seq = -1;
	bool after_abort = false;
	unsigned int i = 0;

	if (seed_env)
		rng_state = strtoull(seed_env, NULL, 0) | 1;
	diag("seed 0x%llx", (unsigned long long)rng_state);
	if (!link_or_bail(&link, O_RDWR))
		return 1;
	line = malloc(32 * 400);

	while (i < frames) {
		size_t used = 0, nb = 0, k;

		for (k = 0; k < 32 && i < frames; k++, i++) {
			enum corruption c = CLEAN;
			size_t len = 25 + rnd(231), at;

			if (rnd(100) == 0)
				c = (enum corruption)(1 + rnd(4));
			if (c == ABORT && i == frames - 1)
				c = BAD;
			/* Noise between frames, but not inside an aborted one. */
			if (!after_abort && rnd(20) == 0) {
				size_t m = 1 + rnd(8);

				while (m--)
					line[used++] = noise_bytes[rnd(sizeof(noise_bytes) - 1)];
			}
			after_abort = false;
			if (c == SHORT)
				len = rnd(25);
			if (c == LONG)
				len = 256 + rnd(20);
			payload_make(p, i, len);
			if (c == BAD)
				p[rnd(len)] = bad_bytes[rnd(sizeof(bad_bytes))];

			line[used++] = UNET_SYN;
			at = rnd(50) == 0 ? rnd(len + 1) : SIZE_MAX;
			for (size_t j = 0; j < len; j++) {
				if (j == at)	/* flow control inside: ignored */
					line[used++] = UNET_XON;
				line[used++] = p[j];
			}
			if (c == ABORT)
				after_abort = true;
			else
				line[used++] = UNET_EOT;
			want[c]++;
			if (c == CLEAN) {
				batch[nb++] = (struct expected){ i, (uint16_t)len };
				rx_bytes += len;
			}
		}
		/* Noise: count what was put between frames. */
		for (size_t j = 0, in = 0; j < used; j++) {
			if (line[j] == UNET_SYN)
				in = 1;
			else if (!in)
				noise++;
			else if (line[j] == UNET_EOT)
				in = 0;
		}
		write_all(link.master, line, used);

		for (k = 0; k < nb; k++) {
			ssize_t n = read_timeout(link.unet, buf, sizeof(buf), 5000);
			uint32_t seq;
			uint8_t saved;

			if (n < 10) {
				missing += nb - k;
				break;
			}
			delivered++;
			saved = buf[10];	/* the prefix: 'C' and 9 digits */
			buf[10] = 0;
			seq = (uint32_t)strtoul((char *)buf + 1, NULL, 10);
			buf[10] = saved;
			if ((int64_t)seq <= last_seq)
				duplicates++;
			last_seq = seq;
			payload_make(p, batch[k].seq, batch[k].len);
			if (seq != batch[k].seq || (size_t)n != batch[k].len ||
			    memcmp(buf, p, n) != 0)
				mismatched++;
		}
	}
	free(line);

	diag("%u frames in %.1f s: %llu clean, %llu bad, %llu aborted, %llu short, %llu long, %llu noise bytes",
	     frames, (now_ns() - t0) / 1e9, (unsigned long long)want[CLEAN],
	     (unsigned long long)want[BAD], (unsigned long long)want[ABORT],
	     (unsigned long long)want[SHORT], (unsigned long long)want[LONG],
	     (unsigned long long)noise);
	tap(delivered == want[CLEAN] && missing == 0,
	    "every clean frame delivered (%llu of %llu)",
	    (unsigned long long)delivered, (unsigned long long)want[CLEAN]);
	tap(mismatched == 0, "delivered payloads exact and in order (%llu wrong)",
	    (unsigned long long)mismatched);
	tap(duplicates == 0, "no frame delivered twice (%llu)",
	    (unsigned long long)duplicates);
	counter_is(&link, "rx_frames", want[CLEAN]);
	counter_is(&link, "rx_bytes", rx_bytes);
	counter_is(&link, "bad_frames", want[BAD]);
	counter_is(&link, "aborted_frames", want[ABORT]);
	counter_is(&link, "short_frames", want[SHORT]);
	counter_is(&link, "long_frames", want[LONG]);
	counter_is(&link, "noise_bytes", noise);
	counter_is(&link, "overruns", 0);
	{
		uint64_t v[5] = { 0 };

		unet_sysfs_read_u64(&link, "rx_frames", &v[0]);
		unet_sysfs_read_u64(&link, "bad_frames", &v[1]);
		unet_sysfs_read_u64(&link, "aborted_frames", &v[2]);
		unet_sysfs_read_u64(&link, "short_frames", &v[3]);
		unet_sysfs_read_u64(&link, "long_frames", &v[4]);
		tap(v[0] + v[1] + v[2] + v[3] + v[4] == frames,
		    "delivered + dropped == sent (%llu + %llu == %u)",
		    (unsigned long long)v[0],
		    (unsigned long long)(v[1] + v[2] + v[3] + v[4]), frames);
	}
	unet_link_close(&link);
	return failed;
}

/* ----------------------------------------------------------- teardown */

struct blocked_call {
	int fd;
	pthread_t thread;
	volatile bool done;
	ssize_t result;
	int error;
	short revents;
};

static void *blocked_read(void *arg)
{
	struct blocked_call *c = arg;
	uint8_t buf[512];

	c->result = read(c->fd, buf, sizeof(buf));
	c->error = c->result < 0 ? errno : 0;
	c->done = true;
	return NULL;
}

static void *blocked_poll(void *arg)
{
	struct blocked_call *c = arg;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	c->result = poll(&pfd, 1, -1);
	c->error = c->result < 0 ? errno : 0;
	c->revents = pfd.revents;
	c->done = true;
	return NULL;
}

static void *blocked_write(void *arg)
{
	struct blocked_call *c = arg;
	uint8_t p[64];

	payload_make(p, 999, 40);
	c->result = write(c->fd, p, 40);
	c->error = c->result < 0 ? errno : 0;
	c->done = true;
	return NULL;
}

static bool joined(struct blocked_call *c)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	return pthread_timedjoin_np(c->thread, NULL, &deadline) == 0;
}

/*
 * A reader blocked in read(), another in poll() and a writer blocked on
 * a full transmit queue (output held by XOFF); then the tty goes away
 * by @mode. Everyone must wake with EOF / POLLHUP / EIO.
 */
static int test_teardown(const char *mode)
{
	struct unet_link link;
	struct blocked_call rd = {}, pl = {}, wr = {};
	_cleanup_close_ int fd_poll = -EBADF, fd_write = -EBADF;
	uint8_t p[64], buf[64];
	char path[160];
	struct pollfd pfd;
	unsigned int queued = 0;
	ssize_t r;
	bool ok;

	if (strcmp(mode, "detach") && strcmp(mode, "hangup") &&
	    strcmp(mode, "close-master")) {
		fprintf(stderr, "teardown: unknown mode '%s'\n", mode);
		return 2;
	}
	if (!link_or_bail(&link, O_RDWR))
		return 1;
	fd_poll = unet_device_open(link.name, O_RDWR);
	fd_write = unet_device_open(link.name, O_RDWR | O_NONBLOCK);

	/* Hold output and fill the transmit queue. */
	WRITE_LITERAL(link.master, "\x13");
	msleep(100);
	payload_make(p, 1, 40);
	while (queued < 1000 && write(fd_write, p, 40) == 40)
		queued++;
	fcntl(fd_write, F_SETFL, 0);

	rd.fd = link.unet;
	pl.fd = fd_poll;
	wr.fd = fd_write;
	pthread_create(&rd.thread, NULL, blocked_read, &rd);
	pthread_create(&pl.thread, NULL, blocked_poll, &pl);
	pthread_create(&wr.thread, NULL, blocked_write, &wr);
	msleep(300);
	tap(!rd.done && !pl.done && !wr.done,
	    "%s: reader, poller and writer blocked (%u frames queued)", mode,
	    queued);

	if (strcmp(mode, "detach") == 0)
		r = unet_link_detach(&link);
	else if (strcmp(mode, "hangup") == 0)
		r = ioctl(link.slave, TIOCVHANGUP) < 0 ? -errno : 0;
	else
		r = 0, link.master = safe_close(link.master);
	tap(r == 0, "%s done (%s)", mode, r ? strerror((int)-r) : "ok");

	/* Join first: tap()'s arguments are evaluated in no fixed order. */
	ok = joined(&rd);
	tap(ok && rd.result == 0, "%s: blocked read returns 0 (%zd %s)",
	    mode, rd.result, rd.error ? strerror(rd.error) : "");
	ok = joined(&pl);
	tap(ok && pl.result == 1 && (pl.revents & POLLHUP) &&
	    (pl.revents & POLLERR),
	    "%s: blocked poll wakes with POLLHUP|POLLERR (revents 0x%x)", mode,
	    pl.revents);
	ok = joined(&wr);
	tap(ok && wr.result < 0 && wr.error == EIO,
	    "%s: blocked write fails with EIO (%zd %s)", mode, wr.result,
	    wr.error ? strerror(wr.error) : "");

	/* The old file stays usable as a dead end. */
	r = read(link.unet, buf, sizeof(buf));
	tap(r == 0, "%s: read on the old file returns 0", mode);
	r = write(link.unet, p, 40);
	tap(r < 0 && errno == EIO, "%s: write on the old file fails with EIO", mode);
	pfd = (struct pollfd){ .fd = link.unet, .events = POLLIN | POLLOUT };
	r = poll(&pfd, 1, 0);
	tap(r == 1 && (pfd.revents & POLLHUP) &&
	    !(pfd.revents & POLLOUT),
	    "%s: poll on the old file reports POLLHUP only (0x%x)", mode,
	    pfd.revents);
	snprintf(path, sizeof(path), "%s", link.sysfs);
	tap(access(path, F_OK) < 0 && errno == ENOENT,
	    "%s: %s is gone", mode, path);

	unet_link_close(&link);
	return failed;
}

/* -------------------------------------------------------------- cycle */

static int test_cycle(unsigned int rounds)
{
	struct unet_link link = { .master = -EBADF, .slave = -EBADF,
				  .unet = -EBADF };
	unsigned int i, good = 0, gone = 0, eof = 0;
	uint8_t p[64], frame[80], buf[64];
	int r;

	r = pty_pair_open(&link.master, &link.slave, link.tty,
			  sizeof(link.tty));
	if (!tap(r == 0, "pty pair (%s)", r ? strerror(-r) : link.tty))
		return 1;

	for (i = 0; i < rounds; i++) {
		_cleanup_close_ int kept = -EBADF;
		size_t n;

		if (unet_link_attach(&link, O_RDWR) < 0)
			break;
		kept = unet_device_open(link.name, O_RDWR);
		payload_make(p, i, 30);
		n = frame_make(frame, p, 30);
		write_all(link.master, frame, n);
		if (read_timeout(link.unet, buf, sizeof(buf), 5000) == 30 &&
		    memcmp(buf, p, 30) == 0)
			good++;
		/* Half the rounds close before detach, half after. */
		if (i % 2)
			link.unet = safe_close(link.unet);
		if (unet_link_detach(&link) < 0)
			break;
		if (access(link.sysfs, F_OK) < 0)
			gone++;
		if (kept >= 0 && read(kept, buf, sizeof(buf)) == 0)
			eof++;
		link.unet = safe_close(link.unet);
	}
	tap(i == rounds, "attach/detach %u times (%u done)", rounds, i);
	tap(good == rounds, "a frame passed in every round (%u)", good);
	tap(gone == rounds, "the class device went away every time (%u)", gone);
	tap(eof == rounds, "files kept open read EOF after detach (%u)", eof);
	unet_link_close(&link);
	return failed;
}

/*
 * Attach with ldattach(8), as an operator would on /dev/ttyS1, to the
 * slave of a pty pair (ldattach -d stays in the foreground holding the
 * line), pass a frame each way, then end ldattach and close the master:
 * the device goes.
 */
static int test_ldattach(void)
{
	struct unet_link link = { .master = -EBADF, .slave = -EBADF,
				  .unet = -EBADF };
	char path[256], ldisc[16];
	uint8_t p[64], frame[80], buf[128];
	int r, i, status;
	size_t n;
	pid_t pid;

	r = pty_pair_open(&link.master, &link.slave, link.tty,
			  sizeof(link.tty));
	if (!tap(r == 0, "pty pair (%s)", r ? strerror(-r) : link.tty))
		return 1;
	snprintf(path, sizeof(path), "/dev/pts/%s", link.tty + 3);
	snprintf(ldisc, sizeof(ldisc), "%d", unet_ldisc_number());
	/* ldattach must be the only one holding the tty, so its exit detaches. */
	link.slave = safe_close(link.slave);

	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* -d keeps it in the foreground; its chatter is not TAP. */
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execlp("ldattach", "ldattach", "-d", "-7", "-e", "-1", "-s",
		       "9600", ldisc, path, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (unet_device_find(link.tty, link.name, sizeof(link.name)) == 0)
			break;
		msleep(20);
	}
	if (!tap(i < 100, "ldattach %s %s creates a unet device (%s)", ldisc,
		 path, i < 100 ? link.name : "none")) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		unet_link_close(&link);
		return 1;
	}
	snprintf(link.sysfs, sizeof(link.sysfs), "/sys/class/unet/%s",
		 link.name);
	link.unet = unet_device_open(link.name, O_RDWR);

	payload_make(p, 42, 30);
	n = frame_make(frame, p, 30);
	write_all(link.master, frame, n);
	expect_payload(link.unet, p, 30, "frame from the peer via ldattach");
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	drain(link.master, buf, sizeof(buf), 100);
	r = (int)write(link.unet, p, 30);
	n = drain(link.master, buf, sizeof(buf), 300);
	tap(r == 30 && n == 32 && memcmp(buf, frame, 32) == 0,
	    "frame to the peer via ldattach (%zu bytes on the line)", n);

	/*
	 * A pty pair is released, and its discipline closed, only when
	 * both ends are: end ldattach, then the peer hangs up.
	 */
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	link.master = safe_close(link.master);
	for (i = 0; i < 100 && access(link.sysfs, F_OK) == 0; i++)
		msleep(20);
	tap(access(link.sysfs, F_OK) < 0,
	    "ending ldattach and closing the master removes %s", link.name);
	r = (int)read_timeout(link.unet, buf, sizeof(buf), 2000);
	tap(r == 0, "reader sees EOF after ldattach ends");
	unet_link_close(&link);
	return failed;
}

/*
 * Keep a link attached for outside checks (udev): print "<unetN> <tty>"
 * and wait for a signal.
 */
static int hold_link(void)
{
	struct unet_link link;
	int r = unet_link_open(&link, -1);

	if (r < 0) {
		fprintf(stderr, "hold: %s\n", strerror(-r));
		return 1;
	}
	printf("%s %s\n", link.name, link.tty);
	fflush(stdout);
	pause();
	unet_link_close(&link);
	return 0;
}

/* --------------------------------------------------------- closed tty */

/* Bytes on the line within @ms, and whether they were all XONs. */
static size_t line_bytes(struct unet_link *link, uint8_t *buf, size_t size,
			 unsigned int ms, bool *only_xon)
{
	uint64_t t0 = now_ns();
	size_t n = 0, i;
	ssize_t r;

	while (n < size && now_ns() - t0 < ms * 1000000ull) {
		r = read_timeout(link->master, buf + n, size - n, 20);
		if (r > 0)
			n += r;
	}
	*only_xon = true;
	for (i = 0; i < n; i++)
		if (buf[i] != UNET_XON)
			*only_xon = false;
	return n;
}

/*
 * The slave's last file closed while its master stays open: the tty
 * driver is closed (TTY_IO_ERROR) but the discipline stays attached, as
 * it is between the two steps of any tty_release(). Nothing may reach
 * the line then: no write() on /dev/unetN (EIO), no XON keep-alive, no
 * frame held by XOFF and resumed by the peer's XON. Opening the slave
 * again clears the error: the held frame and the keep-alive go out.
 */
static int test_closed_tty(void)
{
	struct unet_link link;
	uint8_t buf[4096], p1[64], p2[64], frame[80];
	char path[64];
	bool only_xon;
	size_t n, i;
	ssize_t r;

	if (!link_or_bail(&link, O_RDWR))
		return 1;
	tap(unet_sysfs_write(&link, "xon_interval_ms", "20") == 0,
	    "xon_interval_ms set to 20");
	n = line_bytes(&link, buf, sizeof(buf), 200, &only_xon);
	tap(n > 0 && only_xon, "open slave: XON keep-alives on the line (%zu)", n);

	/* Output held by the peer, a frame queued behind it. */
	WRITE_LITERAL(link.master, "\x13");
	msleep(100);
	drain(link.master, buf, sizeof(buf), 100);
	payload_make(p1, 1, 30);
	r = write(link.unet, p1, 30);
	tap(r == 30, "frame queued while the peer holds output (%zd)", r);

	if (ptsname_r(link.master, path, sizeof(path)) != 0)
		path[0] = 0;
	link.slave = safe_close(link.slave);
	tap(access(link.sysfs, F_OK) == 0,
	    "slave closed, master open: %s stays (the discipline is attached)",
	    link.name);

	payload_make(p2, 2, 30);
	r = write(link.unet, p2, 30);
	tap(r < 0 && errno == EIO, "write on %s to the closed tty fails with EIO (%zd %s)",
	    link.name, r, r < 0 ? strerror(errno) : "");

	/* The peer's XON resumes output (tx_work): not to a closed tty. */
	WRITE_LITERAL(link.master, "\x11");
	n = line_bytes(&link, buf, sizeof(buf), 300, &only_xon);
	tap(n == 0, "closed tty: nothing on the line after the peer's XON, no frame, no keep-alive (%zu bytes)",
	    n);

	link.slave = path[0] ? open(path, O_RDWR | O_NOCTTY | O_CLOEXEC) : -EBADF;
	tap(link.slave >= 0, "slave opened again (%s)", path);
	r = write(link.unet, p2, 30);
	tap(r == 30, "write works again once the tty is open (%zd %s)", r,
	    r < 0 ? strerror(errno) : "");
	n = line_bytes(&link, buf, sizeof(buf), 300, &only_xon);
	unet_sysfs_write(&link, "xon_interval_ms", "0");
	n += drain(link.master, buf + n, sizeof(buf) - n, 100);
	for (i = 0; i < n && buf[i] != UNET_SYN; i++)
		;
	frame_make(frame, p1, 30);
	tap(i + 32 <= n && memcmp(buf + i, frame, 32) == 0,
	    "the frame held before the close goes out first");
	frame_make(frame, p2, 30);
	tap(i + 64 <= n && memcmp(buf + i + 32, frame, 32) == 0,
	    "then the new one");
	tap(memchr(buf, UNET_XON, n) != NULL, "keep-alives resume");

	unet_link_close(&link);
	return failed;
}

/* ------------------------------------------------------- unprivileged */

static unsigned int unet_devices(void)
{
	DIR *dir = opendir("/sys/class/unet");
	struct dirent *de;
	unsigned int n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/*
 * Run without CAP_NET_ADMIN (the scenario drops to nobody): attaching
 * the discipline to a pty the user opened is refused with EPERM and
 * creates no unet device, whether by TIOCSETD or by ldattach(8).
 */
static int test_unprivileged(void)
{
	_cleanup_close_ int master = -EBADF, slave = -EBADF;
	int ldisc = unet_ldisc_number(), r, status, err_pipe[2];
	unsigned int before = unet_devices();
	char tty[32], path[64], msg[512];
	size_t n;
	pid_t pid;

	tap(geteuid() != 0, "running unprivileged (uid %u)", (unsigned int)geteuid());
	r = pty_pair_open(&master, &slave, tty, sizeof(tty));
	if (!tap(r == 0, "pty pair opened (%s)", r ? strerror(-r) : tty))
		return 1;
	r = ioctl(slave, TIOCSETD, &ldisc) < 0 ? -errno : 0;
	tap(r == -EPERM, "TIOCSETD %d on %s refused with EPERM (%s)", ldisc, tty,
	    r ? strerror(-r) : "attached");
	tap(unet_devices() == before, "no unet device created (%u before, %u after)",
	    before, unet_devices());

	if (ptsname_r(master, path, sizeof(path)) != 0)
		return 1;
	if (pipe2(err_pipe, O_CLOEXEC) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		char number[16];

		dup2(err_pipe[1], STDERR_FILENO);
		snprintf(number, sizeof(number), "%d", ldisc);
		execlp("ldattach", "ldattach", "-d", number, path, (char *)NULL);
		_exit(127);
	}
	close(err_pipe[1]);
	n = pid > 0 ? drain(err_pipe[0], (uint8_t *)msg, sizeof(msg) - 1, 2000) : 0;
	msg[n] = 0;
	close(err_pipe[0]);
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap(WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
	    strstr(msg, "cannot set line discipline: Operation not permitted"),
	    "ldattach %d %s fails setting the discipline: EPERM (exit status %d)",
	    ldisc, path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (!strstr(msg, "Operation not permitted"))
		diag("ldattach said: %s", msg);
	tap(unet_devices() == before, "still no unet device");
	return failed;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned int n = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "framing") == 0)
		return test_framing();
	if (strcmp(cmd, "sysfs") == 0)
		return test_sysfs();
	if (strcmp(cmd, "write") == 0)
		return test_write();
	if (strcmp(cmd, "xon") == 0)
		return test_xon();
	if (strcmp(cmd, "stress") == 0)
		return test_stress(n ? n : 10000);
	if (strcmp(cmd, "teardown") == 0 && argc > 2)
		return test_teardown(argv[2]);
	if (strcmp(cmd, "cycle") == 0)
		return test_cycle(n ? n : 100);
	if (strcmp(cmd, "ldattach") == 0)
		return test_ldattach();
	if (strcmp(cmd, "hold") == 0)
		return hold_link();
	if (strcmp(cmd, "closed-tty") == 0)
		return test_closed_tty();
	if (strcmp(cmd, "unprivileged") == 0)
		return test_unprivileged();
	fprintf(stderr,
		"usage: %s framing|sysfs|write|xon|stress [N]|teardown detach|hangup|close-master|cycle [N]|ldattach|hold|closed-tty|unprivileged\n",
		argv[0]);
	return 2;
}
