// SPDX-License-Identifier: GPL-2.0
/* One xvme card as sysfs shows it (see card-state.h). */
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

int card_state_list(struct udev *udev, char ***ret)
{
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *en = NULL;
	struct udev_list_entry *entry;
	char **names = NULL;
	size_t n = 0;
	int r;

	en = udev_enumerate_new(udev);
	if (!en)
		return -ENOMEM;
	r = udev_enumerate_add_match_subsystem(en, "xvme");
	if (r >= 0)
		r = udev_enumerate_scan_devices(en);
	if (r < 0)
		return r;
	names = calloc(1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		const char *path = udev_list_entry_get_name(entry), *name = strrchr(path, '/');
		uint8_t crate;
		uint16_t address;
		char **grown;

		name = name ? name + 1 : path;
		if (!card_name_parse(name, &crate, &address))
			continue;	/* a crate */
		grown = realloc(names, (n + 2) * sizeof(*names));
		if (!grown)
			goto oom;
		names = grown;
		names[n] = strdup(name);
		if (!names[n])
			goto oom;
		names[++n] = NULL;
	}
	*ret = names;
	return 0;
oom:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -ENOMEM;
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
