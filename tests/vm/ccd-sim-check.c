// SPDX-License-Identifier: GPL-2.0
/*
 * ccd-sim-check: the host's end of a UtilityNet line for the ccd-sim VM
 * scenario (tests/vm/scenarios/ccd-sim.sh). It plays the SCCD server on
 * /dev/unetN with the real n_unet discipline under it, while ccd-sim
 * plays the controller on the pty's master, and checks what arrives:
 * INS at start and its resends, ACKs, duplicates, statuses, a packaged
 * run with its phases, the silence while reading out and the pixels on
 * the data socket, the time service dialogue, RES, and what each fault
 * the control FIFO injects puts on the line (counted by the discipline
 * where the discipline drops it). Prints TAP ("ok - ccd-sim ..."), exits
 * 1 if a check failed.
 *
 *   ccd-sim-check TTY CONTROL-FIFO LOG DATA-SOCKET
 *
 * TTY is ccd-sim's pty slave (a path, e.g. its --pty-link): this program
 * attaches the discipline to it with ldattach(8) as an operator would,
 * and stops ldattach at the end. The data socket is ccd-sim's
 * --data-socket: created here, before the first read-out needs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "daemon/unet/unet-frame.h"
#include "tests/vm/unet-link.h"

#define SCALE 10	/* the scenario runs ccd-sim at -s 10 */

struct host {
	int unet;
	struct unet_link link;		/* for the sysfs counters */
	const char *control, *log;
	int data;			/* listening */
	uint16_t number;		/* our next message number */
	/* What the last collect() saw: bodies of S and C frames, in order. */
	char seen[8192];
};

static int failed;

static _printf_(2, 3) bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ccd-sim ", ok ? "ok" : "not ok");
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

static uint64_t ms(void)
{
	return now_ns() / 1000000;
}

/* ------------------------------------------------------------ frames */

static void send_frame(struct host *h, char type, const char *dest, const char *src,
		       uint16_t number, const char *body)
{
	char payload[UNET_PAYLOAD_MAX + 1];
	int n = snprintf(payload, sizeof(payload), "%c%-10s%-10s%04X%s", type, dest, src, number,
			 body);

	if (write(h->unet, payload, (size_t)n) != n)
		diag("write to the line: %m");
}

/* A C frame with a new number; returns the number. */
static uint16_t command(struct host *h, const char *body)
{
	uint16_t n = h->number++;

	send_frame(h, 'C', "CCD1", "SYS", n, body);
	return n;
}

static void ack(struct host *h, const struct unet_frame *f)
{
	send_frame(h, 'A', f->src, f->dest, f->msgno, "");
}

/*
 * The next payload within @timeout_ms: 1 with *f decoded, 0 for none,
 * -EBADMSG for one that does not decode (its text in @raw).
 */
static int receive(struct host *h, struct unet_frame *f, int timeout_ms, char *raw, size_t size)
{
	uint8_t payload[UNET_PAYLOAD_MAX + 1];
	ssize_t n = read_timeout(h->unet, payload, sizeof(payload) - 1, timeout_ms);

	if (n == -ETIMEDOUT)
		return 0;
	if (n < 0)
		return (int)n;
	if (raw)
		snprintf(raw, size, "%.*s", (int)n, (const char *)payload);
	return unet_frame_decode(payload, (size_t)n, f, NULL) < 0 ? -EBADMSG : 1;
}

/*
 * Read for up to @timeout_ms, acknowledging every S and C frame, until a
 * frame's body contains @until (NULL: the whole time). Bodies go to
 * h->seen ("S:body|C>TIM:body|..."), ACKs to us are skipped. Returns
 * true if @until came.
 */
static bool collect(struct host *h, int timeout_ms, const char *until)
{
	uint64_t end = ms() + (uint64_t)timeout_ms;
	size_t len = 0;

	h->seen[0] = '\0';
	while (ms() < end) {
		struct unet_frame f;
		int r = receive(h, &f, (int)(end - ms()), NULL, 0);

		if (r <= 0)
			continue;
		if (f.type != 'S' && f.type != 'C') {
			len += (size_t)snprintf(h->seen + len, sizeof(h->seen) - len, "%c%04X|",
						(char)f.type, f.msgno);
			continue;
		}
		ack(h, &f);
		len += (size_t)snprintf(h->seen + len, sizeof(h->seen) - len, "%c%s%s:%s|",
					(char)f.type, f.type == 'C' ? ">" : "",
					f.type == 'C' ? f.dest : "", f.body);
		if (len >= sizeof(h->seen))
			len = sizeof(h->seen) - 1;
		if (until && strstr(f.body, until))
			return true;
	}
	return false;
}

/* Nothing at all on the line for @quiet_ms. */
static bool quiet(struct host *h, int quiet_ms)
{
	struct unet_frame f;
	char raw[300];
	int r = receive(h, &f, quiet_ms, raw, sizeof(raw));

	if (r != 0)
		diag("expected silence, got: %s", r > 0 ? f.body[0] ? f.body : "(no body)" : raw);
	return r == 0;
}

/* The ACK of our frame @number, first thing on the line. */
static bool acked(struct host *h, uint16_t number, int timeout_ms)
{
	struct unet_frame f;
	int r = receive(h, &f, timeout_ms, NULL, 0);

	if (r <= 0 || f.type != 'A' || f.msgno != number || strcmp(f.src, "CCD1") ||
	    strcmp(f.dest, "SYS")) {
		diag("expected ACK %04X, got %s %c %04X", number, r > 0 ? "frame" : "nothing",
		     r > 0 ? (char)f.type : '-', r > 0 ? f.msgno : 0);
		return false;
	}
	return true;
}

/* The next S frame (ACKs of ours skipped), not acknowledged. */
static bool status_frame(struct host *h, struct unet_frame *f, int timeout_ms)
{
	uint64_t end = ms() + (uint64_t)timeout_ms;

	while (ms() < end) {
		if (receive(h, f, (int)(end - ms()), NULL, 0) > 0 && f->type == 'S')
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ control and counters */

static int log_lines(const struct host *h)
{
	_cleanup_fclose_ FILE *f = fopen(h->log, "re");
	char line[1024];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	return n;
}

/* Does the log have a line containing @text after line @from? */
static bool logged(const struct host *h, int from, const char *text)
{
	_cleanup_fclose_ FILE *f = fopen(h->log, "re");
	char line[1024];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		if (n++ >= from && strstr(line, text))
			return true;
	return false;
}

/* A control command, and its "ok" in the log. */
static bool control(struct host *h, const char *cmd)
{
	int from = log_lines(h), fd;
	char want[300];

	fd = open(h->control, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dprintf(fd, "%s\n", cmd) < 0) {
		diag("control %s: %m", cmd);
		safe_close(fd);
		return false;
	}
	close(fd);
	snprintf(want, sizeof(want), "control %s: ok", cmd);
	for (int i = 0; i < 100; i++) {
		if (logged(h, from, want))
			return true;
		usleep(20000);
	}
	diag("control %s: no ok in the log", cmd);
	return false;
}

static uint64_t counter(struct host *h, const char *name)
{
	uint64_t v = 0;

	if (unet_sysfs_read_u64(&h->link, name, &v) < 0)
		diag("%s/%s: %m", h->link.sysfs, name);
	return v;
}

/* ------------------------------------------------------------ the checks */

static void check_start(struct host *h)
{
	struct unet_frame first, again;
	uint64_t t0, t1;
	int lines = log_lines(h);
	bool ok;

	ok = status_frame(h, &first, 3000);
	t0 = ms();
	tap(ok && strcmp(first.body, "INS200(1)") == 0 && strcmp(first.src, "CCD1") == 0 &&
	    strcmp(first.dest, "SYS") == 0, "INS200(1) from CCD1 once the discipline is attached");
	ok = ok && status_frame(h, &again, 2500);
	t1 = ms();
	tap(ok && again.msgno == first.msgno && strcmp(again.body, first.body) == 0 &&
	    t1 - t0 > 700 && t1 - t0 < 2000,
	    "unacknowledged, INS is resent with the same number a second later (%" PRIu64 " ms)",
	    t1 - t0);
	ack(h, &again);
	tap(quiet(h, 1500), "acknowledged, INS is not resent");
	tap(logged(h, lines, "resend S CCD1>SYS"), "the log shows the resend");
}

static void check_commands(struct host *h)
{
	struct unet_frame f;
	uint16_t n;
	int lines;

	n = command(h, "MON101(1,1) MON200(1) MON201(1)");
	tap(acked(h, n, 1000), "a command frame is acknowledged first, with its number");
	tap(status_frame(h, &f, 1000) && strcmp(f.body, "MON200(1,0) MON201(1,0)") == 0,
	    "then its statuses in one frame: %s", f.body);
	ack(h, &f);
	lines = log_lines(h);
	send_frame(h, 'C', "CCD1", "SYS", n, "MON101(1,1) MON200(1) MON201(1)");
	tap(acked(h, n, 1000), "a duplicate is acknowledged again");
	tap(quiet(h, 1000), "and not acted on again");
	tap(logged(h, lines, "duplicate"), "the log says it was a duplicate");
	send_frame(h, 'C', "CCD2", "SYS", h->number++, "MON200(1)");
	tap(quiet(h, 800), "a frame for another controller is not acknowledged");
	send_frame(h, 'C', "CCD1", "SYS", 0, "MON200(1)(");
	tap(quiet(h, 800), "a frame that does not decode is not acknowledged");

	n = command(h, "RSP101(1,2) RSP200(1) RSP201(1)");
	collect(h, 2000, "RSP201");
	tap(strstr(h->seen, "S:RSP200(1,1,3)|S:RSP201(1,0,2)|") != NULL,
	    "a setting: busy with the saved value at once, the new one when done (%s)", h->seen);
	/* Each delayed status when its action ends: BIN's (0.2 s) last. */
	n = command(h, "BIN101(1,1,1) EXP101(1,2000) PFL101(1,0) BIN201(1) EXP201(1) PFL201(1)");
	collect(h, 2000, "BIN201");
	tap(strstr(h->seen, "EXP201(1,0,2000)") && strstr(h->seen, "PFL201(1,0,0)") &&
	    strstr(h->seen, "BIN201(1,0,1,1)") > strstr(h->seen, "EXP201"),
	    "settings for the run, each reported done (%s)", h->seen);
}

struct image {
	char header[200];
	size_t bytes;
	double mean;
	uint64_t closed_at;
};

/* One read-out's connection on the data socket. */
static bool data_receive(struct host *h, struct image *img, int timeout_ms)
{
	_cleanup_close_ int c = -EBADF;
	struct pollfd p = { .fd = h->data, .events = POLLIN };
	static uint8_t buf[4 << 20];
	size_t got = 0;
	ssize_t n;
	char *nl;

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	c = accept(h->data, NULL, NULL);
	if (c < 0)
		return false;
	while ((n = read_timeout(c, buf + got, sizeof(buf) - got, 5000)) > 0)
		got += (size_t)n;
	img->closed_at = ms();
	nl = memchr(buf, '\n', got < 200 ? got : 200);
	if (!nl)
		return false;
	snprintf(img->header, sizeof(img->header), "%.*s", (int)((uint8_t *)nl - buf), buf);
	img->bytes = got - (size_t)((uint8_t *)nl - buf) - 1;
	img->mean = 0;
	for (size_t i = 0; i + 1 < img->bytes; i += 2) {
		const uint8_t *px = (const uint8_t *)nl + 1 + i;

		img->mean += (int16_t)(uint16_t)(px[0] << 8 | px[1]) + 32767.0;
	}
	img->mean /= (double)img->bytes / 2;
	return true;
}

static void check_run(struct host *h)
{
	struct image img = { 0 };
	struct unet_frame f;
	uint64_t phase5_at, status_at = 0;
	uint16_t n;
	char *p1, *p3, *p5;

	command(h, "PIC101(1) PIC200(1) PIC201(1)");
	collect(h, 3000, "PIC200(1,1,5,");
	phase5_at = ms();
	p1 = strstr(h->seen, "S:PIC200(1,1,1,0)");
	p3 = strstr(h->seen, "PIC200(1,1,3,0)");
	p5 = strstr(h->seen, "PIC200(1,1,5,2000)");
	tap(p1 && p3 && p5 && p1 < p3 && p3 < p5,
	    "PIC: clearing, exposing, reading out after 2000 ms (%s)", h->seen);
	/* Silent while reading out, but a command is acknowledged. */
	n = command(h, "RSP200(1)");
	tap(acked(h, n, 1000), "reading out, a command is still acknowledged");
	tap(data_receive(h, &img, 15000), "the pixels arrive on the data socket");
	/* run=1: the controller's first read-out. */
	tap(strcmp(img.header, "SCCDIMG1 run=1 window=0 naxis1=1124 naxis2=1124 bitpix=16 "
			       "bzero=32767 bytes=2526752") == 0, "their header: %s", img.header);
	tap(img.bytes == 2526752, "exactly the bytes it announces (%zu)", img.bytes);
	tap(img.mean > 1000 && img.mean < 1100,
	    "plausible: the mean is near the bias of 1000 ADU (%.1f)", img.mean);
	if (status_frame(h, &f, 5000)) {
		status_at = ms();
		ack(h, &f);
	}
	tap(status_at >= img.closed_at && status_at - phase5_at > 1000,
	    "nothing said while reading out: the first status %" PRIu64 " ms after phase 5, "
	    "after the pixels (%s)", status_at - phase5_at, f.body);
	collect(h, 2000, "PIC201");
	tap(strstr(h->seen, "PIC200(1,0,6,2000) PIC201(1,0,6,2000)") ||
	    strstr(f.body, "PIC201(1,0,6,2000)"), "then complete (%s / %s)", f.body, h->seen);
}

/* A fault that keeps one status from arriving as sent: what the host sees. */
static void check_link_faults(struct host *h)
{
	struct unet_frame f, g;
	uint64_t before, t0;
	uint16_t n;
	char raw[300];
	bool ok;
	int r;

	/* drop-acks: acted on, not acknowledged; the resend is ACKed only. */
	control(h, "drop-acks 1");
	n = command(h, "EXP200(1)");
	tap(status_frame(h, &f, 1000) && strcmp(f.body, "EXP200(1,0,2000)") == 0,
	    "drop-acks: the command is acted on (%s)...", f.body);
	ack(h, &f);
	send_frame(h, 'C', "CCD1", "SYS", n, "EXP200(1)");
	tap(acked(h, n, 1000), "...its resend is acknowledged...");
	tap(quiet(h, 800), "...and not acted on twice");

	/* ignore-acks: our ACK is not heard, the status comes again. */
	control(h, "ignore-acks 1");
	n = command(h, "EXP200(1)");
	acked(h, n, 1000);
	status_frame(h, &f, 1000);
	ack(h, &f);
	t0 = ms();
	ok = status_frame(h, &g, 2000);
	t0 = ms() - t0;
	tap(ok && g.msgno == f.msgno && strcmp(g.body, f.body) == 0 && t0 > 500,
	    "ignore-acks: the status is resent with its number %04X, %" PRIu64 " ms after our ACK",
	    f.msgno, t0);
	ack(h, &g);
	tap(quiet(h, 1500), "and not again once heard");

	/* duplicate: the same frame twice. */
	control(h, "duplicate");
	n = command(h, "EXP200(1)");
	acked(h, n, 1000);
	tap(status_frame(h, &f, 1000) && status_frame(h, &g, 500) && f.msgno == g.msgno &&
	    strcmp(f.body, g.body) == 0, "duplicate: the same status twice (%04X)", f.msgno);
	ack(h, &f);
	ack(h, &g);
	tap(quiet(h, 1500), "and no resend");

	/* corrupt: the discipline drops (and counts) or delivers what is spoilt. */
	static const struct { const char *how, *counter; } spoilt[] = {
		{ "noise", "bad_frames" }, { "short", "short_frames" },
		{ "long", "long_frames" }, { "cut", "aborted_frames" },
	};
	for (size_t i = 0; i < ELEMENTSOF(spoilt); i++) {
		char cmd[32];

		snprintf(cmd, sizeof(cmd), "corrupt %s", spoilt[i].how);
		control(h, cmd);
		before = counter(h, spoilt[i].counter);
		n = command(h, "EXP200(1)");
		acked(h, n, 1000);
		t0 = ms();
		ok = status_frame(h, &f, 2500);
		t0 = ms() - t0;
		tap(ok && t0 > 700 && strcmp(f.body, "EXP200(1,0,2000)") == 0,
		    "corrupt %s: the status comes whole with its resend, %" PRIu64 " ms later",
		    spoilt[i].how, t0);
		ack(h, &f);
		tap(counter(h, spoilt[i].counter) == before + 1,
		    "corrupt %s: the discipline counted one %s", spoilt[i].how, spoilt[i].counter);
	}
	control(h, "corrupt field");
	n = command(h, "EXP200(1)");
	acked(h, n, 1000);
	r = receive(h, &f, 1000, raw, sizeof(raw));
	tap(r == -EBADMSG && raw[21] == 'G',
	    "corrupt field: a frame whose number does not decode (%s)", raw);
	tap(status_frame(h, &f, 2000) && strcmp(f.body, "EXP200(1,0,2000)") == 0,
	    "corrupt field: then the resend");
	ack(h, &f);

	/* nack: refused, not acted on; the resend is taken. */
	control(h, "nack");
	n = command(h, "EXP200(1)");
	r = receive(h, &f, 1000, NULL, 0);
	tap(r > 0 && f.type == 'N' && f.msgno == n, "nack: a NACK with our number %04X", n);
	tap(quiet(h, 800), "nack: and nothing acted on");
	send_frame(h, 'C', "CCD1", "SYS", n, "EXP200(1)");
	tap(acked(h, n, 1000) && status_frame(h, &f, 1000), "nack: the resend is taken");
	ack(h, &f);

	/* silent: no ACK, nothing; then it answers again. */
	control(h, "silent 2");
	n = command(h, "EXP200(1)");
	tap(quiet(h, 1500), "silent: no ACK, no status");
	usleep(700000);
	send_frame(h, 'C', "CCD1", "SYS", n, "EXP200(1)");
	tap(acked(h, n, 1000) && status_frame(h, &f, 1000), "silent: over, the resend is taken");
	ack(h, &f);
}

static void check_mechanism_faults(struct host *h)
{
	struct unet_frame f;
	uint16_t n;

	control(h, "hang SSH");
	n = command(h, "SSH101(1,OPEN) SSH200(1) SSH201(1)");
	tap(acked(h, n, 1000) && quiet(h, 1500), "hang SSH: acknowledged, never answered");
	control(h, "unhang SSH");

	control(h, "jam");
	command(h, "SSH101(1,OPEN) SSH201(1)");
	collect(h, 2000, "SSH201");
	tap(strstr(h->seen, "SSH201(1,4,2)") != NULL, "jam: the shutter jams (%s)", h->seen);
	command(h, "SSH101(1,UNJAM) SSH201(1)");
	collect(h, 2000, "SSH201");
	tap(strstr(h->seen, "SSH201(1,0,0)") != NULL, "jam: UNJAM frees it, closed (%s)", h->seen);

	control(h, "error RSP 4");
	command(h, "RSP101(1,3) RSP201(1)");
	collect(h, 2000, "RSP201");
	tap(strstr(h->seen, "RSP201(1,4,2)") != NULL,
	    "error RSP 4: the setting fails, its value kept (%s)", h->seen);

	/* A spontaneous INS in the middle of a run. */
	command(h, "EXP101(1,20000) EXP201(1)");
	collect(h, 1000, "EXP201");
	command(h, "PIC101(1) PIC201(1)");
	collect(h, 2000, "PIC200(1,1,3,");
	control(h, "ins");
	tap(collect(h, 3000, "INS200(1)") && !strstr(h->seen, "PIC201"),
	    "ins mid-run: INS200(1) and no end of the run (%s)", h->seen);
	n = command(h, "RSP200(1) EXP200(1)");
	acked(h, n, 1000);
	tap(status_frame(h, &f, 1000) && strcmp(f.body, "RSP200(1,0,3) EXP200(1,0,1000)") == 0,
	    "ins: the saved settings are back (%s)", f.body);
	ack(h, &f);
	tap(quiet(h, 3000), "ins: the run is gone, nothing more");

	/* RES: nothing, not the rest of its frame, then INS. */
	n = command(h, "RES101(1) RES200(1) RES201(1)");
	tap(acked(h, n, 1000), "RES is acknowledged");
	collect(h, 3000, "INS200");
	tap(strcmp(h->seen, "S:INS200(1)|") == 0, "then INS200(1) and nothing else (%s)", h->seen);
}

static void check_time_service(struct host *h)
{
	struct timespec ts;
	char body[64];
	bool ok;

	/* The request to TIM and the immediate status, in either order. */
	command(h, "SYN101(1) SYN200(1) SYN201(1)");
	collect(h, 1000, NULL);
	tap(strstr(h->seen, "S:SYN200(1,1)|") && strstr(h->seen, "C>TIM:UTC200|"),
	    "SYN: busy, and a C frame to TIM asking UTC200 (%s)", h->seen);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(body, sizeof(body), "UTC200(0,%lld,%ld)", (long long)ts.tv_sec, ts.tv_nsec / 1000);
	send_frame(h, 'S', "CCD1", "TIM", h->number++, body);
	ok = collect(h, 2000, "TIM200");
	tap(ok && strstr(h->seen, "C>TIM:TIM200|"), "then TIM200 (%s)", h->seen);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(body, sizeof(body), "TIM200(0,%lld,%ld)", (long long)(ts.tv_sec % 86400),
		 ts.tv_nsec / 1000);
	send_frame(h, 'S', "CCD1", "TIM", h->number++, body);
	/* Loaded on the next whole minute: 6 s at -s 10. */
	ok = collect(h, 60000 / SCALE + 2000, "SYN201");
	tap(ok && strstr(h->seen, "SYN201(1,0)"), "and SYN201(1,0) on the minute (%s)", h->seen);
}

static int data_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return -errno;
	return fd;
}

/* ldattach -d as an operator would run it on a serial port; its pid. */
static pid_t ldattach(const char *tty)
{
	char ldisc[16];
	pid_t pid;

	snprintf(ldisc, sizeof(ldisc), "%d", unet_ldisc_number());
	pid = fork();
	if (pid == 0) {
		execlp("ldattach", "ldattach", "-d", "-s", "9600", "-7", "-e", "-1", "-i", "INPCK",
		       ldisc, tty, (char *)NULL);
		_exit(127);
	}
	return pid;
}

int main(int argc, char *argv[])
{
	struct host h = { .unet = -EBADF, .data = -EBADF, .number = 0x0100 };
	char target[PATH_MAX], tty[32];
	pid_t attach;
	int r = -ENOENT;

	if (argc != 5) {
		fprintf(stderr, "usage: ccd-sim-check TTY CONTROL-FIFO LOG DATA-SOCKET\n");
		return 2;
	}
	h.control = argv[2];
	h.log = argv[3];
	h.data = data_listen(argv[4]);
	if (!tap(h.data >= 0, "data socket %s listening", argv[4]))
		return 1;
	/* /dev/pts/3 -> pts3, the tty's name as the discipline's sysfs has it. */
	if (!realpath(argv[1], target) || strncmp(target, "/dev/pts/", 9) != 0 ||
	    strlen(target) > 9 + 8) {
		tap(false, "%s is a pty slave", argv[1]);
		return 1;
	}
	snprintf(tty, sizeof(tty), "pts%.8s", target + 9);
	/* ccd-sim has been waiting for the host: nothing went out before. */
	tap(!logged(&h, 0, " tx "), "sent nothing before the discipline was attached");
	attach = ldattach(target);
	for (int i = 0; i < 100 && r < 0; i++) {
		usleep(20000);
		r = unet_device_find(tty, h.link.name, sizeof(h.link.name));
	}
	if (r == 0) {
		snprintf(h.link.sysfs, sizeof(h.link.sysfs), "/sys/class/unet/%s", h.link.name);
		h.unet = unet_device_open(h.link.name, O_RDWR);
	}
	if (!tap(r == 0 && h.unet >= 0, "n_unet on %s: /dev/%s", tty, h.link.name))
		return 1;

	check_start(&h);
	check_commands(&h);
	check_run(&h);
	check_link_faults(&h);
	check_mechanism_faults(&h);
	check_time_service(&h);
	close(h.unet);
	close(h.data);
	kill(attach, SIGTERM);
	waitpid(attach, NULL, 0);
	return failed;
}
