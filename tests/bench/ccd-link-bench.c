// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: UtilityNet link goodput. stationd's link state machine
 * (daemon/unet/unet-link.c) on a real /dev/unetN (n_unet on a pty), and a
 * controller on the pty's master that acknowledges every C frame, both
 * paced at 9600 baud 7E1 (10 bits a character: 960 characters/s), and
 * spoiling 1 % of the host's frames (chosen by a fixed pseudo-random
 * sequence) so they must be resent after the link's 1 s timer.
 *
 * Prints the goodput (body characters acknowledged per second) as a
 * fraction of the line's 960 characters/s, the ideal stop-and-wait figure
 * for the same frame sizes (the frame and its ACK back to back, no loss),
 * and their ratio: the target is >= 0.8.
 *
 * Usage: ccd-link-bench [messages] [body length] [loss per mille]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <termios.h>

#include "daemon/unet/unet-device.h"
#include "daemon/unet/unet-link.h"
#include "tests/bench/bench-stats.h"

#define CHARS_PER_SEC 960.0

struct bench {
	struct unet_link *link;
	int unet;
	size_t delivered, dropped;
	uint64_t payload_in;	/* when the last payload was read from /dev/unetN */
	uint64_t frame_out;	/* when the last frame was written to it */
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * One absolute sleep to @usec on CLOCK_MONOTONIC: the controller's ACK
 * goes when the modelled line is free, not a wake-up later; a loop of
 * short sleeps woke thousands of times a message and, on a busy VM,
 * still wrote the ACK some 13 ms late on average.
 */
static void sleep_until(uint64_t usec)
{
	struct timespec ts = { .tv_sec = (time_t)(usec / 1000000),
			       .tv_nsec = (long)(usec % 1000000) * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* A raw pty pair, n_unet on the slave (UNET_LDISC or 29), its frame
 * device opened: the master is the controller's end of the line. */
struct line {
	int master, slave, unet;
};

static int line_open(struct line *ln)
{
	const char *env = getenv("UNET_LDISC");
	int ldisc = env ? atoi(env) : 29;
	char path[64], tty[80], device[256];
	struct termios t;

	ln->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (ln->master < 0 || grantpt(ln->master) < 0 || unlockpt(ln->master) < 0 ||
	    ptsname_r(ln->master, path, sizeof(path)) != 0)
		return -errno;
	ln->slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (ln->slave < 0)
		return -errno;
	for (int fd = 0; fd < 2; fd++) {
		int which = fd ? ln->slave : ln->master;

		if (tcgetattr(which, &t) < 0)
			return -errno;
		cfmakeraw(&t);
		if (tcsetattr(which, TCSANOW, &t) < 0)
			return -errno;
	}
	if (ioctl(ln->slave, TIOCSETD, &ldisc) < 0)
		return -errno;
	snprintf(tty, sizeof(tty), "pts%s", path + strlen("/dev/pts/"));
	for (int i = 0; i < 100; i++) {
		if (unet_device_path_for_tty("/sys", tty, device, sizeof(device)) == 0)
			break;
		usleep(10000);
	}
	ln->unet = open(device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return ln->unet < 0 ? -errno : 0;
}

static int on_transmit(const char *payload, size_t len, void *userdata)
{
	struct bench *b = userdata;
	int r = write(b->unet, payload, len) == (ssize_t)len ? 0 : -errno;

	b->frame_out = now_usec();
	return r;
}

static void on_delivery(uint64_t tag, uint16_t msgno, enum unet_delivery result, void *userdata)
{
	struct bench *b = userdata;

	if (result == UNET_DELIVERED)
		b->delivered++;
	else
		b->dropped++;
}

static const struct unet_link_ops ops = {
	.transmit = on_transmit,
	.delivery = on_delivery,
};

/* The controller's end: frames from the master, ACKs back, both at
 * 960 characters a second; every 1000 / loss-th frame is not heard. */
enum { HOP_IN, HOP_LINK, HOP_OUT, _HOP_MAX };
static const char *const hop_names[_HOP_MAX] = {
	[HOP_IN] = "ACK through n_unet to the link",
	[HOP_LINK] = "the link to the next frame",
	[HOP_OUT] = "the frame through n_unet to the line",
};

struct controller {
	const struct bench *host;
	int master;
	char frame[UNET_PAYLOAD_MAX + 1];	/* between SYN and EOT */
	size_t len;
	bool in_frame;
	uint64_t line_free;		/* when the controller's sending is done */
	uint64_t rx_done;		/* when the last character in was received */
	unsigned seed;
	unsigned loss_per_mille;
	size_t spoiled;

	/* Where the time beyond the ideal goes. */
	uint64_t ack_out;		/* when the last ACK was written; 0 after a spoil */
	double *turnaround_ms;		/* ACK written -> the next frame's SYN read */
	double *hop_ms[_HOP_MAX];	/* its parts */
	size_t n_turnaround, max_turnaround;
	uint64_t late_usec;		/* ACKs written after their due time, summed */
	uint64_t resend_wait_usec;	/* spoiled frame -> its resend's SYN, summed */
	uint64_t spoiled_at;
};

static void controller_byte(struct controller *c, uint8_t byte, uint64_t now)
{
	struct unet_frame f, ack;
	char wire[UNET_PAYLOAD_MAX + 2];
	uint64_t due;
	size_t n;
	int len;

	/* Each character takes its time on the line, one after the other. */
	c->rx_done = (c->rx_done > now ? c->rx_done : now) + (uint64_t)(1e6 / CHARS_PER_SEC);
	/* SYN payload EOT; the discipline's XON keep-alives are not data. */
	if (byte == 0x16) {
		if (c->ack_out && c->n_turnaround < c->max_turnaround &&
		    c->host->payload_in >= c->ack_out && c->host->frame_out >= c->host->payload_in) {
			c->hop_ms[HOP_IN][c->n_turnaround] = (c->host->payload_in - c->ack_out) / 1e3;
			c->hop_ms[HOP_LINK][c->n_turnaround] =
				(c->host->frame_out - c->host->payload_in) / 1e3;
			c->hop_ms[HOP_OUT][c->n_turnaround] = (now - c->host->frame_out) / 1e3;
			c->turnaround_ms[c->n_turnaround++] = (now - c->ack_out) / 1e3;
		}
		if (c->spoiled_at)
			c->resend_wait_usec += now - c->spoiled_at;
		c->ack_out = c->spoiled_at = 0;
		c->in_frame = true;
		c->len = 0;
		return;
	}
	if (!c->in_frame || byte == 0x11 || byte == 0x13)
		return;
	if (byte != 0x04) {
		if (c->len < UNET_PAYLOAD_MAX)
			c->frame[c->len++] = (char)byte;
		return;
	}
	c->in_frame = false;
	if (unet_frame_decode(c->frame, c->len, &f, NULL) < 0 || f.type != UNET_FRAME_COMMAND)
		return;
	c->seed = c->seed * 1103515245u + 12345u;
	if ((c->seed >> 16) % 1000 < c->loss_per_mille) {
		c->spoiled++;
		c->spoiled_at = now;
		return;
	}
	unet_frame_make_reply(&f, UNET_FRAME_ACK, &ack);
	wire[0] = 0x16;
	len = unet_frame_encode(&ack, wire + 1, sizeof(wire) - 2);
	wire[len + 1] = 0x04;
	n = (size_t)len + 2;
	/* The ACK goes out once the frame is in and the line is free. */
	due = c->rx_done > c->line_free ? c->rx_done : c->line_free;
	due += (uint64_t)(n * 1e6 / CHARS_PER_SEC);
	sleep_until(due);
	c->line_free = due;
	if (write(c->master, wire, n) != (ssize_t)n)
		perror("ccd-link-bench: write to the master");
	c->ack_out = now_usec();
	c->late_usec += c->ack_out - due;
}

/*
 * The same run's floor for a turnaround: one character from a pty's
 * master to a reader on its slave (N_TTY, raw) and one back, the two
 * kernel hops and two wake-ups every ACK -> next frame also takes, with
 * neither n_unet nor the link in the way. Median in ms, or < 0.
 */
static double pty_round_trip_ms(unsigned rounds, double *p99)
{
	double *rtt = calloc(rounds, sizeof(double)), median = -1;
	struct termios t;
	char path[64];
	uint8_t byte = 'x';
	int master, slave = -1;
	unsigned n = 0;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (!rtt || master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, path, sizeof(path)) != 0)
		goto out;
	slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || tcgetattr(slave, &t) < 0)
		goto out;
	cfmakeraw(&t);
	if (tcsetattr(slave, TCSANOW, &t) < 0 || tcsetattr(master, TCSANOW, &t) < 0)
		goto out;
	for (; n < rounds; n++) {
		uint64_t t0 = now_usec();

		if (write(master, &byte, 1) != 1 || read(slave, &byte, 1) != 1 ||
		    write(slave, &byte, 1) != 1 || read(master, &byte, 1) != 1)
			break;
		rtt[n] = (now_usec() - t0) / 1e3;
	}
	if (n) {
		bench_sort(rtt, n);
		median = bench_median_sorted(rtt, n);
		*p99 = bench_p99_sorted(rtt, n);
	}
out:
	if (slave >= 0)
		close(slave);
	if (master >= 0)
		close(master);
	free(rtt);
	return median;
}

int main(int argc, char **argv)
{
	size_t messages = argc > 1 ? strtoul(argv[1], NULL, 10) : 300;
	size_t body_len = argc > 2 ? strtoul(argv[2], NULL, 10) : 120;
	unsigned loss = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 10;
	struct controller c = { .seed = 1, .loss_per_mille = loss };
	double floor_median, floor_p99 = 0, turn_median = 0, turn_p99 = 0, turn_total = 0;
	struct unet_link_config config;
	struct line lk = {};
	struct bench b = {};
	char body[UNET_BODY_MAX + 1];
	size_t queued = 0, frame_chars, ack_chars = UNET_PAYLOAD_MIN + 2;
	uint64_t start, elapsed;
	double goodput, ideal;
	int r;

	if (body_len < 7 || body_len > UNET_BODY_MAX || messages == 0) {
		fprintf(stderr, "usage: ccd-link-bench [messages] [body length 7-%d] [loss per mille]\n",
			UNET_BODY_MAX);
		return 2;
	}
	/* A body of mechanism messages "ABC100 ABC100 ..." of body_len. */
	memset(body, 0, sizeof(body));
	for (size_t i = 0; i < body_len; i++)
		body[i] = i % 7 == 6 ? ' ' : "ABC100"[i % 7];
	while (body[body_len - 1] == ' ' || (body_len % 7 != 6 && body_len % 7 != 0))
		body[--body_len] = '\0';
	frame_chars = UNET_HEADER_LEN + body_len + 2;

	r = line_open(&lk);
	if (r < 0) {
		fprintf(stderr, "ccd-link-bench: cannot attach n_unet to a pty: %s\n", strerror(-r));
		return 1;
	}
	b.unet = lk.unet;
	c.master = lk.master;
	c.max_turnaround = messages * 2;
	c.host = &b;
	c.turnaround_ms = calloc(c.max_turnaround, sizeof(double));
	if (!c.turnaround_ms)
		return 1;
	for (int h = 0; h < _HOP_MAX; h++) {
		c.hop_ms[h] = calloc(c.max_turnaround, sizeof(double));
		if (!c.hop_ms[h])
			return 1;
	}
	unet_link_config_default(&config);
	config.first_msgno = 1;
	if (unet_link_new(&config, &ops, &b, &b.link) < 0)
		return 1;

	start = now_usec();
	while (b.delivered + b.dropped < messages) {
		struct pollfd fds[2] = {
			{ .fd = lk.unet, .events = POLLIN },
			{ .fd = lk.master, .events = POLLIN },
		};
		uint64_t deadline = unet_link_next_deadline(b.link), now = now_usec();
		int timeout = deadline == UINT64_MAX ? 100 :
			      deadline <= now ? 0 : (int)((deadline - now) / 1000 + 1);
		uint8_t buf[512];
		ssize_t n;

		/* Keep the table full: the link sends one at a time. */
		while (queued < messages && !unet_link_send(b.link, UNET_FRAME_COMMAND, "CCD1", body,
							     queued + 1, now_usec(), NULL))
			queued++;
		if (poll(fds, 2, timeout) < 0 && errno != EINTR)
			return 1;
		if (fds[1].revents & POLLIN) {
			n = read(lk.master, buf, sizeof(buf));
			for (ssize_t i = 0; i < n; i++)
				controller_byte(&c, buf[i], now_usec());
		}
		if (fds[0].revents & POLLIN) {
			char payload[UNET_PAYLOAD_MAX + 1];

			while ((n = read(lk.unet, payload, sizeof(payload))) > 0) {
				b.payload_in = now_usec();
				unet_link_receive(b.link, payload, (size_t)n, b.payload_in, 0);
			}
		}
		unet_link_tick(b.link, now_usec());
	}
	elapsed = now_usec() - start;
	floor_median = pty_round_trip_ms(200, &floor_p99);
	for (size_t i = 0; i < c.n_turnaround; i++)
		turn_total += c.turnaround_ms[i] / 1e3;
	if (c.n_turnaround) {
		bench_sort(c.turnaround_ms, c.n_turnaround);
		turn_median = bench_median_sorted(c.turnaround_ms, c.n_turnaround);
		turn_p99 = bench_p99_sorted(c.turnaround_ms, c.n_turnaround);
	}

	goodput = (double)b.delivered * body_len / (elapsed / 1e6) / CHARS_PER_SEC;
	ideal = (double)body_len / (frame_chars + ack_chars);
	printf("ccd-link: %zu messages of %zu body characters (frame %zu + ACK %zu characters on the line)\n",
	       messages, body_len, frame_chars, ack_chars);
	printf("ccd-link: %zu delivered, %zu dropped, %zu spoiled on the line (%u per mille), %llu resends, %.2f s\n",
	       b.delivered, b.dropped, c.spoiled, loss,
	       (unsigned long long)unet_link_counters(b.link)->resends, elapsed / 1e6);
	printf("ccd-link: goodput %.3f of the 960 characters/s; ideal stop-and-wait %.3f; ratio %.2f (target >= 0.8)\n",
	       goodput, ideal, goodput / ideal);
	/* The elapsed time beyond the ideal's, by cause: stationd's side
	 * is the turnaround (ACK in -> link -> next frame out, through
	 * n_unet both ways), to be read against the pty's own round trip. */
	printf("ccd-link: beyond the ideal %.2f s: turnaround ACK out -> next frame in %.2f s (%zu, median %.2f ms, p99 %.2f ms), resend timer %.2f s, ACKs written late %.2f s\n",
	       elapsed / 1e6 - (double)messages * (frame_chars + ack_chars) / CHARS_PER_SEC,
	       turn_total, c.n_turnaround, turn_median, turn_p99, c.resend_wait_usec / 1e6,
	       c.late_usec / 1e6);
	printf("ccd-link: floor of the same run, pty round trip without n_unet or the link: median %.2f ms, p99 %.2f ms; turnaround median %.1f x that\n",
	       floor_median, floor_p99, floor_median > 0 ? turn_median / floor_median : 0);
	for (int h = 0; h < _HOP_MAX; h++) {
		double total = 0;

		for (size_t i = 0; i < c.n_turnaround; i++)
			total += c.hop_ms[h][i] / 1e3;
		if (c.n_turnaround)
			bench_sort(c.hop_ms[h], c.n_turnaround);
		printf("ccd-link: turnaround part: %s: %.2f s, median %.2f ms, p99 %.2f ms\n",
		       hop_names[h], total,
		       c.n_turnaround ? bench_median_sorted(c.hop_ms[h], c.n_turnaround) : 0,
		       c.n_turnaround ? bench_p99_sorted(c.hop_ms[h], c.n_turnaround) : 0);
		free(c.hop_ms[h]);
	}
	free(c.turnaround_ms);
	unet_link_free(b.link);
	close(lk.unet);
	close(lk.slave);
	close(lk.master);
	return 0;
}
