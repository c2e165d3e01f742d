// SPDX-License-Identifier: GPL-2.0
/* One xvme card as sysfs shows it (see card-state.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
