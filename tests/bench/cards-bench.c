// SPDX-License-Identifier: GPL-2.0
/*
 * cards-bench: timing samples of the XVME card drivers as userspace sees
 * them, run inside the VM by tests/bench/cards.sh.
 *
 *   cards-bench sysfs <file> [n]        one pread of a sysfs attribute
 *   cards-bench scan <iio-dir> [n]      in_voltage0_raw..31_raw, all 32
 *   cards-bench relay <chip> <line> [n] set a relay, read the latch back
 *   cards-bench edge <chip> <line> <plant-irq_inputs> <bit> [n]
 *                                       plant edge -> gpio edge event
 *
 * <chip> is a gpiochip name, path or label (libgpiod 1.6 lookup). Prints
 * one line: "<what> samples=<n> median_us=<x> p99_us=<y>". The numbers
 * mean something only next to a floor measured in the same run (the
 * "sysfs" mode on a trivial attribute): the VM runs under TCG.
 */
#include <fcntl.h>
#include <gpiod.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

#define DEFAULT_SAMPLES	2000
#define ADC_CHANNELS	32
#define EDGE_TIMEOUT_S	2

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip *, gpiod_chip_close);

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, uint64_t *samples, size_t n)
{
	size_t p99 = (n * 99 + 99) / 100 - 1;	/* nearest rank */

	qsort(samples, n, sizeof(*samples), compare_u64);
	printf("%s samples=%zu median_us=%.1f p99_us=%.1f\n", what, n,
	       samples[n / 2] / 1000.0, samples[p99] / 1000.0);
}

static int parse_count(const char *s, size_t *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 1000000) {
		fprintf(stderr, "cards-bench: bad sample count '%s' (1..1000000)\n", s);
		return -EINVAL;
	}
	*n = v;
	return 0;
}

/* pread at offset 0 makes sysfs run the attribute's show() again. */
static int read_attr(int fd, const char *path)
{
	char buf[64];

	if (pread(fd, buf, sizeof(buf), 0) <= 0) {
		fprintf(stderr, "cards-bench: read %s: %m\n", path);
		return -errno;
	}
	return 0;
}

static int bench_sysfs(const char *path, uint64_t *samples, size_t n)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t i;
	int r;

	if (fd < 0) {
		fprintf(stderr, "cards-bench: open %s: %m\n", path);
		return -errno;
	}
	for (i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();

		r = read_attr(fd, path);
		if (r < 0)
			return r;
		samples[i] = bench_now_ns() - t0;
	}
	report("sysfs", samples, n);
	return 0;
}

static void close_all(int (*fds)[ADC_CHANNELS])
{
	for (int ch = 0; ch < ADC_CHANNELS; ch++)
		safe_close((*fds)[ch]);
}

static int bench_scan(const char *dir, uint64_t *samples, size_t n)
{
	_cleanup_(close_all) int fds[ADC_CHANNELS];
	char path[PATH_MAX];
	size_t i;
	int ch, r;

	for (ch = 0; ch < ADC_CHANNELS; ch++)
		fds[ch] = -EBADF;
	for (ch = 0; ch < ADC_CHANNELS; ch++) {
		snprintf(path, sizeof(path), "%s/in_voltage%d_raw", dir, ch);
		fds[ch] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[ch] < 0) {
			fprintf(stderr, "cards-bench: open %s: %m\n", path);
			return -errno;
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();

		for (ch = 0; ch < ADC_CHANNELS; ch++) {
			r = read_attr(fds[ch], dir);
			if (r < 0)
				return r;
		}
		samples[i] = bench_now_ns() - t0;
	}
	report("scan32", samples, n);
	return 0;
}

static struct gpiod_line *request_line(struct gpiod_chip *chip,
				       const char *offset_arg, bool events)
{
	struct gpiod_line *line;
	unsigned long offset;
	char *end;
	int r;

	errno = 0;
	offset = strtoul(offset_arg, &end, 10);
	if (errno || *end || offset >= gpiod_chip_num_lines(chip)) {
		fprintf(stderr, "cards-bench: bad line offset '%s'\n", offset_arg);
		errno = EINVAL;
		return NULL;
	}
	line = gpiod_chip_get_line(chip, offset);
	if (!line)
		return NULL;
	r = events ? gpiod_line_request_rising_edge_events(line, "cards-bench") :
		     gpiod_line_request_output(line, "cards-bench", 0);
	if (r < 0) {
		fprintf(stderr, "cards-bench: request line %lu: %m\n", offset);
		return NULL;
	}
	return line;
}

static int bench_relay(const char *chip_name, const char *offset,
		       uint64_t *samples, size_t n)
{
	_cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
	struct gpiod_line *line;
	size_t i;

	chip = gpiod_chip_open_lookup(chip_name);
	if (!chip) {
		fprintf(stderr, "cards-bench: no gpiochip '%s': %m\n", chip_name);
		return -errno;
	}
	line = request_line(chip, offset, false);
	if (!line)
		return -errno;
	for (i = 0; i < n; i++) {
		int value = (i & 1) == 0;
		uint64_t t0 = bench_now_ns();

		if (gpiod_line_set_value(line, value) < 0) {
			fprintf(stderr, "cards-bench: set: %m\n");
			return -errno;
		}
		if (gpiod_line_get_value(line) != value) {
			fprintf(stderr, "cards-bench: latch does not read back %d\n",
				value);
			return -EIO;
		}
		samples[i] = bench_now_ns() - t0;
	}
	report("relay", samples, n);
	return 0;	/* releasing the line de-energizes the relay */
}

static int write_plant(int fd, const char *value)
{
	if (pwrite(fd, value, strlen(value), 0) < 0) {
		fprintf(stderr, "cards-bench: plant write '%s': %m\n", value);
		return -errno;
	}
	return 0;
}

static int bench_edge(const char *chip_name, const char *offset,
		      const char *plant, const char *bit_arg,
		      uint64_t *samples, size_t n)
{
	_cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
	_cleanup_close_ int plant_fd = -EBADF;
	const struct timespec timeout = { .tv_sec = EDGE_TIMEOUT_S };
	struct gpiod_line_event event;
	struct gpiod_line *line;
	char high[8];
	unsigned long bit;
	char *end;
	size_t i;
	int r;

	errno = 0;
	bit = strtoul(bit_arg, &end, 10);
	if (errno || *end || bit > 7) {
		fprintf(stderr, "cards-bench: bad interrupt input '%s' (0..7)\n",
			bit_arg);
		return -EINVAL;
	}
	snprintf(high, sizeof(high), "0x%02lx", 1ul << bit);

	plant_fd = open(plant, O_WRONLY | O_CLOEXEC);
	if (plant_fd < 0) {
		fprintf(stderr, "cards-bench: open %s: %m\n", plant);
		return -errno;
	}
	chip = gpiod_chip_open_lookup(chip_name);
	if (!chip) {
		fprintf(stderr, "cards-bench: no gpiochip '%s': %m\n", chip_name);
		return -errno;
	}
	line = request_line(chip, offset, true);
	if (!line)
		return -errno;

	for (i = 0; i < n; i++) {
		uint64_t t0;

		r = write_plant(plant_fd, "0");
		if (r < 0)
			return r;
		t0 = bench_now_ns();
		r = write_plant(plant_fd, high);
		if (r < 0)
			return r;
		r = gpiod_line_event_wait(line, &timeout);
		if (r <= 0) {
			fprintf(stderr, "cards-bench: edge %zu: %s\n", i,
				r == 0 ? "no event within 2 s" : strerror(errno));
			return r == 0 ? -ETIMEDOUT : -errno;
		}
		if (gpiod_line_event_read(line, &event) < 0) {
			fprintf(stderr, "cards-bench: event read: %m\n");
			return -errno;
		}
		samples[i] = bench_now_ns() - t0;
		if (event.event_type != GPIOD_LINE_EVENT_RISING_EDGE) {
			fprintf(stderr, "cards-bench: edge %zu: not a rising edge\n", i);
			return -EIO;
		}
	}
	r = write_plant(plant_fd, "0");
	if (r < 0)
		return r;
	report("edge", samples, n);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: cards-bench sysfs <file> [n]\n"
		"       cards-bench scan <iio-device-dir> [n]\n"
		"       cards-bench relay <chip> <line> [n]\n"
		"       cards-bench edge <chip> <line> <plant-irq_inputs> <bit> [n]\n");
	return 2;
}

int main(int argc, char **argv)
{
	_cleanup_free_ uint64_t *samples = NULL;
	static const struct {
		const char *mode;
		int args;	/* without the optional count */
	} modes[] = {
		{ "sysfs", 1 }, { "scan", 1 }, { "relay", 2 }, { "edge", 4 },
	};
	size_t n = DEFAULT_SAMPLES;
	unsigned int m;
	int r;

	if (argc < 2)
		return usage();
	for (m = 0; m < ELEMENTSOF(modes); m++)
		if (!strcmp(argv[1], modes[m].mode))
			break;
	if (m == ELEMENTSOF(modes))
		return usage();
	if (argc != 2 + modes[m].args && argc != 3 + modes[m].args)
		return usage();
	if (argc == 3 + modes[m].args &&
	    parse_count(argv[2 + modes[m].args], &n) < 0)
		return 2;

	samples = calloc(n, sizeof(*samples));
	if (!samples) {
		fprintf(stderr, "cards-bench: out of memory\n");
		return 1;
	}
	switch (m) {
	case 0:
		r = bench_sysfs(argv[2], samples, n);
		break;
	case 1:
		r = bench_scan(argv[2], samples, n);
		break;
	case 2:
		r = bench_relay(argv[2], argv[3], samples, n);
		break;
	default:
		r = bench_edge(argv[2], argv[3], argv[4], argv[5], samples, n);
		break;
	}
	return r < 0 ? 1 : 0;
}
