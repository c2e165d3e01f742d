// SPDX-License-Identifier: GPL-2.0
/* One xvme card as sysfs shows it (see card-state.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/hw/adc-convert.h"
#include "daemon/hw/card-state.h"
#include "daemon/shared/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool card_name_parse(const char *name, uint8_t *crate, uint16_t *address)
{
	unsigned n = 0, digits = 0, a = 0;
	const char *p;

	if (strncmp(name, "xvme", 4) != 0)
		return false;
	for (p = name + 4; *p >= '0' && *p <= '9'; p++, digits++)
		n = n * 10 + (unsigned)(*p - '0');
	if (digits == 0 || digits > 3 || n > UINT8_MAX || (digits > 1 && name[4] == '0') ||
	    *p != '-')
		return false;
	for (int i = 1; i <= 4; i++) {
		if (!is_lower_hex(p[i]))
			return false;
		a = a * 16 + (unsigned)(p[i] <= '9' ? p[i] - '0' : p[i] - 'a' + 10);
	}
	if (p[5] != '\0')
		return false;
	*crate = (uint8_t)n;
	*address = (uint16_t)a;
	return true;
}

/* An attribute's text, "" when it cannot be read (a bus error on led). */
static void copy_attr(struct udev_device *d, const char *attr, char *buf, size_t size)
{
	const char *v = udev_device_get_sysattr_value(d, attr);

	snprintf(buf, size, "%s", v ? v : "");
	buf[strcspn(buf, "\n")] = '\0';
}

static uint64_t counter_attr(struct udev_device *d, const char *attr)
{
	const char *v = udev_device_get_sysattr_value(d, attr);
	char *end;
	unsigned long long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	return errno || end == v ? 0 : (uint64_t)n;
}

int card_state_read(struct udev *udev, const char *name, struct card_state *ret)
{
	_cleanup_(udev_device_unrefp) struct udev_device *d = NULL;

	*ret = (struct card_state){};
	errno = 0;
	d = udev_device_new_from_subsystem_sysname(udev, "xvme", name);
	if (!d)
		return errno == ENOMEM ? -ENOMEM : 0;	/* not on the bus */
	ret->present = true;
	copy_attr(d, "model", ret->model, sizeof(ret->model));
	copy_attr(d, "id", ret->id, sizeof(ret->id));
	copy_attr(d, "selftest", ret->selftest, sizeof(ret->selftest));
	copy_attr(d, "led", ret->led, sizeof(ret->led));
	ret->conversion_timeouts = counter_attr(d, "conversion_timeouts");
	ret->conversion_errors = counter_attr(d, "conversion_errors");
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The names only, from the bus's device directory: one getdents. libudev's
 * enumeration builds a device for each entry (its uevent, its subsystem
 * link, its udev database entry): ~90 ms for the 105 cards and crates of
 * a 1000-detector station in a TCG guest, in one dispatch of the loop,
 * which the safety scan waited for every 5 s (tests/bench/scan-jitter.sh).
 */
int card_state_list_dir(const char *dir, char ***ret)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	d = opendir(dir);
	if (!d && errno != ENOENT)
		return -errno;		/* no directory: no bus, no cards */
	names = calloc(1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	while (d) {
		struct dirent *e;
		uint8_t crate;
		uint16_t address;
		char **grown;

		errno = 0;
		e = readdir(d);
		if (!e) {
			r = -errno;
			break;
		}
		if (!card_name_parse(e->d_name, &crate, &address))
			continue;	/* a crate, ".", ".." */
		grown = realloc(names, (n + 2) * sizeof(*names));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		names = grown;
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		names[++n] = NULL;
	}
	if (r < 0) {
		free_names(names, n);
		return r;
	}
	qsort(names, n, sizeof(*names), compare_names);
	*ret = names;
	return 0;
}

int card_state_list(char ***ret)
{
	return card_state_list_dir(CARD_STATE_BUS_DEVICES, ret);
}

/* A small sysfs file of dir into buf, read at offset 0 (an IIO raw file
 * converts at every such read). */
static int read_file(const char *dir, const char *file, char *buf, size_t size)
{
	_cleanup_close_ int fd = -EBADF;
	char path[512];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

int card_state_convert(struct udev *udev, const char *name, unsigned channel, int32_t *ret_raw,
		       int32_t *ret_mv)
{
	_cleanup_(udev_device_unrefp) struct udev_device *card = NULL;
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *en = NULL;
	struct udev_list_entry *entry;
	struct adc_calibration cal;
	char dir[512] = "", text[64], file[32];
	int r;

	card = udev_device_new_from_subsystem_sysname(udev, "xvme", name);
	if (!card)
		return -ENODEV;
	en = udev_enumerate_new(udev);
	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "iio") < 0 ||
	    udev_enumerate_add_match_parent(en, card) < 0 || udev_enumerate_scan_devices(en) < 0)
		return -EIO;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
		const char *label = d ? udev_device_get_sysattr_value(d, "label") : NULL;

		if (label && strncmp(label, name, strlen(name)) == 0 &&
		    (label[strlen(name)] == 0 || label[strlen(name)] == '\n'))
			snprintf(dir, sizeof(dir), "%s", udev_device_get_syspath(d));
	}
	if (!dir[0])
		return -ENODEV;
	snprintf(file, sizeof(file), "in_voltage%u_raw", channel);
	r = read_file(dir, file, text, sizeof(text));
	if (r >= 0)
		r = adc_parse_integer(text, ret_raw);
	if (r >= 0)
		r = read_file(dir, "in_voltage_scale", text, sizeof(text));
	if (r >= 0)
		r = adc_parse_scale(text, &cal.scale_nano_mv);
	if (r >= 0)
		r = read_file(dir, "in_voltage_offset", text, sizeof(text));
	if (r >= 0)
		r = adc_parse_integer(text, &cal.offset);
	if (r >= 0)
		r = adc_raw_to_mv(&cal, *ret_raw, ret_mv);
	return r;
}

int card_state_retest(struct udev *udev, const char *name, char *result, size_t size)
{
	_cleanup_(udev_device_unrefp) struct udev_device *d = NULL;
	_cleanup_close_ int fd = -EBADF;
	char path[512];

	d = udev_device_new_from_subsystem_sysname(udev, "xvme", name);
	if (!d)
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/retest", udev_device_get_syspath(d));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) < 0)
		return -errno;
	if (read_file(udev_device_get_syspath(d), "selftest", result, size) < 0)
		return -EIO;
	result[strcspn(result, "\n")] = 0;
	return 0;
}
