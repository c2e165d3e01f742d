// SPDX-License-Identifier: GPL-2.0
/*
 * The pixel data channel (daemon/ccd/ccd-image-header.c,
 * ccd-data-socket.c; daemon/ccd/README.md) and the persisted run number
 * (ccd-run-number.c): header lines parsed strictly, a read-out handed
 * over whole only when the connection closes after complete images, a
 * large image arriving over many callbacks of bounded size, refusals; the
 * run number file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/ccd/ccd-data-socket.h"
#include "daemon/ccd/ccd-image-header.h"
#include "daemon/ccd/ccd-run-number.h"
#include "daemon/shared/macro.h"
#include "tests/unit/scratch-files.h"

static void scratch_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void expect_header(const char *line, int want, const char *why_part)
{
	struct ccd_image_header h;
	char why[160] = "";
	int r = ccd_image_header_parse(line, strlen(line), &h, why, sizeof(why));

	if (r != want || (why_part && !strstr(why, why_part)))
		fail_msg("\"%s\": %d (%s), want %d (%s)", line, r, why, want, why_part);
}

static void test_header(void **state)
{
	const char *good = "SCCDIMG1 run=7 window=0 naxis1=1124 naxis2=1124 bitpix=16 bzero=32767 bytes=2526752";
	struct ccd_image_header h;

	assert_int_equal(ccd_image_header_parse(good, strlen(good), &h, NULL, 0), 0);
	assert_int_equal(h.run, 7);
	assert_int_equal(h.window, 0);
	assert_int_equal(h.naxis1, 1124);
	assert_int_equal(h.naxis2, 1124);
	assert_int_equal(h.bitpix, 16);
	assert_true(h.bzero == 32767);
	assert_int_equal(h.bytes, 1124 * 1124 * 2);
	expect_header("SCCDIMG1 run=1 window=2 naxis1=10 naxis2=5 bitpix=32 bzero=-1.5e3 bytes=200", 0, NULL);
	expect_header("SCCDIMG1 run=1 window=1 naxis1=10 naxis2=5 bitpix=8 bzero=0 bytes=50", 0, NULL);

	expect_header("SCCDIMG2 run=1 window=0 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1", -EBADMSG, "not an SCCDIMG1");
	expect_header("SCCDIMG1 window=0 run=1 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1", -EBADMSG, "expected run=");
	expect_header("SCCDIMG1 run=1 window=3 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1", -EBADMSG, "window=3");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=0 naxis2=1 bitpix=8 bzero=0 bytes=0", -EBADMSG, "naxis1=0");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=65536 naxis2=1 bitpix=8 bzero=0 bytes=65536", -EBADMSG, "naxis1=65536");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=1 naxis2=1 bitpix=-32 bzero=0 bytes=4", -EBADMSG, "bitpix=-32");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=1 naxis2=1 bitpix=16 bzero=nan bytes=2", -EBADMSG, "bzero=nan");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=1 naxis2=1 bitpix=16 bzero=0x10 bytes=2", -EBADMSG, "bzero=0x10");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=2 naxis2=2 bitpix=16 bzero=0 bytes=4", -EBADMSG, "is not naxis1 x naxis2 x 2 (8)");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1 extra=1", -EBADMSG, "unexpected text");
	expect_header("SCCDIMG1 run=1 window=0 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1 ", -EBADMSG, "unexpected text");
	expect_header("SCCDIMG1 run=1  window=0 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1", -EBADMSG, "expected window=");
	expect_header("SCCDIMG1 run= window=0 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1", -EBADMSG, "expected run=");
	expect_header("SCCDIMG1 run=-1 window=0 naxis1=1 naxis2=1 bitpix=8 bzero=0 bytes=1", -EBADMSG, "run=-1");
}

static void test_run_number(void **state)
{
	char dir[256];
	char path[512];
	uint32_t n = 99;

	assert_int_equal(scratch_dir_make(dir, sizeof(dir), "test-ccd-data"), 0);

	snprintf(path, sizeof(path), "%s/ccd-CCD1.run", dir);
	/* No file yet: the last number is 0. */
	assert_int_equal(ccd_run_number_load(path, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ccd_run_number_save(path, 41), 0);
	assert_int_equal(ccd_run_number_load(path, &n), 0);
	assert_int_equal(n, 41);
	assert_int_equal(ccd_run_number_save(path, CCD_RUN_NUMBER_MAX + 1), -ERANGE);
	/* A damaged file is refused, never read as 0. */
	scratch_write(path, "4x\n");
	assert_int_equal(ccd_run_number_load(path, &n), -EBADMSG);
	scratch_write(path, "");
	assert_int_equal(ccd_run_number_load(path, &n), -EBADMSG);
	scratch_write(path, "12");
	assert_int_equal(ccd_run_number_load(path, &n), -EBADMSG);
	scratch_write(path, "12\n\n");
	assert_int_equal(ccd_run_number_load(path, &n), -EBADMSG);
	scratch_write(path, "9999999999\n");
	assert_int_equal(ccd_run_number_load(path, &n), -EBADMSG);
	scratch_dir_remove(dir);
}

/* ------------------------------------------------------- the socket */

struct received {
	struct ccd_image *images;
	size_t n;
	int calls;
};

static void on_received(struct ccd_image *images, size_t n, void *userdata)
{
	struct received *got = userdata;

	ccd_images_free(got->images, got->n);
	got->images = images;
	got->n = n;
	got->calls++;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		assert_true(w > 0);
		p += w;
		n -= (size_t)w;
	}
}

/* Run the loop until nothing is pending for a moment. */
static void settle(sd_event *e)
{
	while (sd_event_run(e, 50000) > 0)
		;
}

static void test_socket_readout(void **state)
{
	char dir[256];
	struct received got = {};
	struct ccd_data_socket *d = NULL;
	sd_event *e = NULL;
	char path[512], header[256];
	size_t big = 1024 * 1024 * 2;	/* 1024 x 1024 x 16 bit: eight budgets */
	uint8_t *pixels = malloc(big);
	int fd, n;

	assert_int_equal(scratch_dir_make(dir, sizeof(dir), "test-ccd-data"), 0);

	for (size_t i = 0; i < big; i++)
		pixels[i] = (uint8_t)(i * 7);
	snprintf(path, sizeof(path), "%s/ccd.data", dir);
	assert_int_equal(sd_event_new(&e), 0);
	/* A stale socket file is replaced. */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int stale = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(sa.sun_path, path);
		assert_int_equal(bind(stale, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(stale);
	}
	assert_int_equal(ccd_data_socket_new(e, path, 4 * big, on_received, &got, &d), 0);

	/* Two windows in one read-out, the second large. */
	fd = connect_to(path);
	n = snprintf(header, sizeof(header),
		     "SCCDIMG1 run=1 window=1 naxis1=2 naxis2=2 bitpix=16 bzero=32767 bytes=8\n");
	send_all(fd, header, (size_t)n);
	send_all(fd, "\x00\x01\x00\x02\x00\x03\x00\x04", 8);
	n = snprintf(header, sizeof(header),
		     "SCCDIMG1 run=1 window=2 naxis1=1024 naxis2=1024 bitpix=16 bzero=32767 bytes=%zu\n",
		     big);
	send_all(fd, header, (size_t)n);
	/* The kernel holds only so much: interleave writing and the loop. */
	for (size_t off = 0; off < big; off += 65536) {
		send_all(fd, pixels + off, 65536);
		settle(e);
	}
	assert_int_equal(got.calls, 0);		/* not before the connection closes */
	close(fd);
	settle(e);
	assert_int_equal(got.calls, 1);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.images[0].header.window, 1);
	assert_memory_equal(got.images[0].pixels, "\x00\x01\x00\x02\x00\x03\x00\x04", 8);
	assert_int_equal(got.images[1].header.bytes, big);
	assert_memory_equal(got.images[1].pixels, pixels, big);
	assert_int_equal(ccd_data_socket_received(d), 1);

	/* Cut short, too large, a bad header: refused, nothing handed over. */
	fd = connect_to(path);
	send_all(fd, "SCCDIMG1 run=2 window=0 naxis1=4 naxis2=1 bitpix=8 bzero=0 bytes=4\nab", 69);
	close(fd);
	settle(e);
	fd = connect_to(path);
	n = snprintf(header, sizeof(header),
		     "SCCDIMG1 run=3 window=0 naxis1=4096 naxis2=4096 bitpix=32 bzero=0 bytes=%u\n",
		     4096 * 4096 * 4);
	send_all(fd, header, (size_t)n);
	close(fd);
	settle(e);
	fd = connect_to(path);
	send_all(fd, "SCCDIMG1 run=4 window=0\n", 24);
	close(fd);
	settle(e);
	fd = connect_to(path);
	close(fd);		/* nothing at all */
	settle(e);
	assert_int_equal(got.calls, 1);
	assert_int_equal(ccd_data_socket_refused(d), 4);

	ccd_data_socket_free(d);
	assert_int_equal(access(path, F_OK), -1);	/* removed at exit */
	ccd_images_free(got.images, got.n);
	sd_event_unref(e);
	free(pixels);
	scratch_dir_remove(dir);
}

static void test_socket_refuses_other_files(void **state)
{
	char dir[256];
	struct ccd_data_socket *d = NULL;
	sd_event *e = NULL;
	char path[512];

	assert_int_equal(scratch_dir_make(dir, sizeof(dir), "test-ccd-data"), 0);
	snprintf(path, sizeof(path), "%s/not-a-socket", dir);
	scratch_write(path, "data\n");
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(ccd_data_socket_new(e, path, 1024, on_received, NULL, &d), -EEXIST);
	sd_event_unref(e);
	scratch_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_run_number),
		cmocka_unit_test(test_socket_readout),
		cmocka_unit_test(test_socket_refuses_other_files),
	};

	return cmocka_run_group_tests_name("ccd-data", tests, NULL, NULL);
}
