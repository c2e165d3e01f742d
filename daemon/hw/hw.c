// SPDX-License-Identifier: GPL-2.0
/*
 * Cards through libudev, lines through libgpiod 1.6, ADC channels through
 * held-open IIO sysfs files (see hw.h). Cards that leave and come back
 * while the daemon runs: hw-hotplug.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <libudev.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/hw/adc-convert.h"
#include "daemon/hw/card-users.h"
#include "daemon/hw/hw-internal.h"
#include "daemon/hw/hw.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"


static bool sysattr_is(struct udev_device *d, const char *attr, const char *want)
{
	const char *v = udev_device_get_sysattr_value(d, attr);

	return v && strcmp(v, want) == 0;
}

/* Read a small sysfs file of the IIO device into buf (NUL-terminated). */
static int read_attr(const char *dir, const char *attr, char *buf, size_t size)
{
	char path[512];
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The IIO device of an XVME-560: a child of the card whose label is the
 * card's name. Returns its syspath in buf. */
static int find_iio(struct hw *hw, struct udev_device *card_dev, const char *name,
		    char *buf, size_t size)
{
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *en = NULL;
	struct udev_list_entry *entry;

	en = udev_enumerate_new(hw->udev);
	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "iio") < 0 ||
	    udev_enumerate_add_match_parent(en, card_dev) < 0 ||
	    udev_enumerate_scan_devices(en) < 0)
		return -EIO;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_syspath(hw->udev, udev_list_entry_get_name(entry));

		if (d && sysattr_is(d, "label", name)) {
			snprintf(buf, size, "%s", udev_device_get_syspath(d));
			return 0;
		}
	}
	return -ENODEV;
}

/* Card-level failures: the card is unusable; c->why says why. */
static int card_failed(struct hw_card *c, int error, const char *format, ...) _printf_(3, 4);
static int card_failed(struct hw_card *c, int error, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(c->why, sizeof(c->why), format, ap);
	va_end(ap);
	c->error = -abs(error);
	return c->error;
}

static int open_adc(struct hw *hw, struct hw_card *c, struct udev_device *card_dev)
{
	char dir[512], text[64];
	int r;

	r = find_iio(hw, card_dev, c->name, dir, sizeof(dir));
	if (r < 0)
		return card_failed(c, r, "no IIO device labelled %s", c->name);
	r = read_attr(dir, "in_voltage_scale", text, sizeof(text));
	if (r >= 0)
		r = adc_parse_scale(text, &c->cal.scale_nano_mv);
	if (r >= 0)
		r = read_attr(dir, "in_voltage_offset", text, sizeof(text));
	if (r >= 0)
		r = adc_parse_integer(text, &c->cal.offset);
	if (r < 0)
		return card_failed(c, r, "cannot read the ADC scale and offset of %s", dir);

	for (unsigned ch = 0; ch < ADC_CHANNELS; ch++) {
		char path[600];

		snprintf(path, sizeof(path), "%s/in_voltage%u_raw", dir, ch);
		c->raw_fd[ch] = open(path, O_RDONLY | O_CLOEXEC);
		if (c->raw_fd[ch] < 0)
			return card_failed(c, errno, "cannot open %s", path);
	}
	return 0;
}

/* Find and check one card; on failure c->error and c->why say why. */
static void find_card(struct hw *hw, struct hw_card *c)
{
	_cleanup_(udev_device_unrefp) struct udev_device *d = NULL;
	char model[8];
	const char *selftest;

	d = udev_device_new_from_subsystem_sysname(hw->udev, "xvme", c->name);
	if (!d) {
		card_failed(c, ENODEV, "not found on the xvme bus");
		return;
	}
	snprintf(model, sizeof(model), "%u", c->config->model);
	if (!sysattr_is(d, "model", model)) {
		const char *found = udev_device_get_sysattr_value(d, "model");

		card_failed(c, ENXIO, "configured as %s, the card says model %s",
			    card_model_name(c->config->model), found ? found : "(unreadable)");
		return;
	}
	selftest = udev_device_get_sysattr_value(d, "selftest");
	if (!selftest || strcmp(selftest, "pass") != 0) {
		card_failed(c, EIO, "power-on test: %s", selftest ? selftest : "(unreadable)");
		return;
	}

	if (c->config->model == CARD_XVME560) {
		if (open_adc(hw, c, d) < 0)
			return;
	} else {
		c->chip = gpiod_chip_open_by_label(c->name);
		if (!c->chip) {
			card_failed(c, errno ? errno : ENODEV, "no gpiochip labelled %s", c->name);
			return;
		}
	}
	c->error = 0;
	c->why[0] = '\0';
}

void hw_card_log_unusable(const struct hw *hw, const struct hw_card *c, int priority,
			  enum log_event event)
{
	char users[512];

	card_users_format(hw->station, c->config->crate, c->config->address, users, sizeof(users));
	/* The errno text in the middle, where it belongs (log_event() adds
	 * it only when the message does not carry it). */
	log_event(priority, event, LOG_NO_DETECTOR, NULL, c->name, c->error,
		  "card %s (%s): %s: %s; unavailable: %s", c->name,
		  card_model_name(c->config->model), c->why, strerror(-c->error), users);
}

static struct hw_card *card_of(const struct hw *hw, const struct channel_ref *ref)
{
	const struct card *card = station_find_card(hw->station, ref->crate, ref->card);

	return card ? &hw->cards[card - hw->station->cards] : NULL;
}

/* The gpiochip offset of a line, per the drivers' ABI. */
static int line_offset(const struct channel_ref *ref)
{
	switch (ref->kind) {
	case LINE_RELAY:
		return ref->index < RELAY_CHANNELS ? ref->index : -EINVAL;
	case LINE_PORT:
		return ref->index < TTL_PORT_LINES ? ref->index : -EINVAL;
	case LINE_IRQ:
		return ref->index < TTL_IRQ_LINES ? (int)(TTL_PORT_LINES + ref->index) : -EINVAL;
	case LINE_FLAG:
		return ref->index < TTL_FLAG_LINES ?
			(int)(TTL_PORT_LINES + TTL_IRQ_LINES + ref->index) : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* Request one configured line of card `only`; failures are kept for the
 * callbacks. */
static void request_line(struct hw *hw, const struct hw_card *only,
			 const struct channel_ref *ref, bool output)
{
	char where[CHANNEL_REF_STRING_MAX];
	struct hw_card *c;
	int off, r;

	if (ref->kind == LINE_NONE)
		return;
	c = card_of(hw, ref);
	off = line_offset(ref);
	if (!c || c != only || off < 0 || c->error < 0 || !c->chip || c->line[off])
		return;		/* unknown or failed card: the callbacks say so */

	c->line[off] = gpiod_chip_get_line(c->chip, off);
	if (!c->line[off])
		r = -errno;
	else if (output)
		/* Relays start de-energized (valves closed); the dewar-inhibit
		 * and alarm outputs of a card put back resume what the engine
		 * last asked of them. */
		r = gpiod_line_request_output(c->line[off], HW_CONSUMER,
					      ref->kind == LINE_RELAY ? 0 : c->wanted[off]);
	else
		r = gpiod_line_request_input(c->line[off], HW_CONSUMER);
	if (r < 0) {
		r = -errno;
		c->line[off] = NULL;
		c->line_error[off] = log_event(LOG_ERR, LOG_EVENT_CARD, LOG_NO_DETECTOR, NULL, c->name, r,
					       "%s: cannot request line as %s",
					       channel_ref_format(ref, where), output ? "output" : "input");
	}
}

/* Every configured line of one card: outputs low (relays de-energized),
 * inputs as inputs. */
static void request_lines(struct hw *hw, const struct hw_card *only)
{
	const struct station *s = hw->station;

	for (size_t i = 0; i < s->n_manifolds; i++) {
		request_line(hw, only, &s->manifolds[i].input_valve, true);
		request_line(hw, only, &s->manifolds[i].output_valve, true);
		request_line(hw, only, &s->manifolds[i].manual_fill_key, false);
	}
	for (size_t i = 0; i < s->n_detectors; i++) {
		request_line(hw, only, &s->detectors[i].valve, true);
		request_line(hw, only, &s->detectors[i].bias_shutdown, false);
	}
	request_line(hw, only, &s->globals.dewar_inhibit, true);
	request_line(hw, only, &s->globals.alarm, true);
}

void hw_card_open(struct hw *hw, struct hw_card *c)
{
	find_card(hw, c);
	if (c->error < 0) {
		hw_card_close(c);	/* what a half-open ADC left */
		hw_card_log_unusable(hw, c, LOG_ERR, LOG_EVENT_CARD);
		return;
	}
	request_lines(hw, c);
	log_event(LOG_INFO, LOG_EVENT_CARD, LOG_NO_DETECTOR, NULL, c->name, 0,
		  "card %s (%s) ready", c->name, card_model_name(c->config->model));
}

void hw_card_close(struct hw_card *c)
{
	for (unsigned off = 0; off < CARD_LINES_MAX; off++) {
		if (c->line[off])
			gpiod_line_release(c->line[off]);
		c->line[off] = NULL;
		c->line_error[off] = 0;
	}
	if (c->chip)
		gpiod_chip_close(c->chip);
	c->chip = NULL;
	for (unsigned ch = 0; ch < ADC_CHANNELS; ch++)
		c->raw_fd[ch] = safe_close(c->raw_fd[ch]);
}

int hw_open(const struct station *station, struct hw **ret)
{
	struct hw *hw;

	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->station = station;
	hw->cards = calloc(station->n_cards ? station->n_cards : 1, sizeof(*hw->cards));
	hw->udev = udev_new();
	if (!hw->cards || !hw->udev) {
		hw_free(hw);
		return -ENOMEM;
	}
	/* Listen first, then look: a card whose driver binds between the two
	 * is found by the one or heard of by the other. Without events the
	 * station still runs (logged): a card comes back only at a restart. */
	(void)hw_monitor_start(hw);
	for (size_t i = 0; i < station->n_cards; i++) {
		struct hw_card *c = &hw->cards[i];

		c->config = &station->cards[i];
		card_name_format(c->config->crate, c->config->address, c->name);
		for (unsigned ch = 0; ch < ADC_CHANNELS; ch++)
			c->raw_fd[ch] = -EBADF;
		hw_card_open(hw, c);
	}
	*ret = hw;
	return 0;
}

struct hw *hw_free(struct hw *hw)
{
	if (!hw)
		return NULL;
	hw_detach_event(hw);
	for (size_t i = 0; hw->cards && i < hw->station->n_cards; i++)
		hw_card_close(&hw->cards[i]);
	free(hw->cards);
	if (hw->udev)
		udev_unref(hw->udev);
	free(hw);
	return NULL;
}

size_t hw_cards_available(const struct hw *hw)
{
	size_t n = 0;

	for (size_t i = 0; i < hw->station->n_cards; i++)
		n += hw->cards[i].error == 0;
	return n;
}

/* The requested line behind a reference, or the reason there is none. */
static int line_of(struct hw *hw, const struct channel_ref *ref, struct gpiod_line **ret)
{
	struct hw_card *c = card_of(hw, ref);
	int off = line_offset(ref);

	if (!c)
		return -ENODEV;
	if (c->error < 0)
		return c->error;
	if (off < 0)
		return off;
	if (c->line_error[off] < 0)
		return c->line_error[off];
	if (!c->line[off])
		return -ENOENT;		/* not a configured line: never driven */
	*ret = c->line[off];
	return 0;
}

/* A valve is usable while its line is requested on a card that is there. */
static int hw_check_valve(void *userdata, const struct channel_ref *valve)
{
	struct gpiod_line *line;

	return line_of(userdata, valve, &line);
}

/* The card of a line is in use (no I/O): 0, or why it is not. */
static int hw_check_card(void *userdata, const struct channel_ref *ref)
{
	struct hw_card *c = card_of(userdata, ref);

	return c ? c->error : -ENODEV;
}

static int hw_read_sensor_mv(void *userdata, const struct channel_ref *sensor, int32_t *ret_mv)
{
	struct hw *hw = userdata;
	struct hw_card *c = card_of(hw, sensor);
	char text[32];
	int32_t raw;
	ssize_t n;
	int r;

	if (!c)
		return -ENODEV;
	if (c->error < 0)
		return c->error;
	if (sensor->kind != LINE_ADC || sensor->index >= ADC_CHANNELS || c->raw_fd[sensor->index] < 0)
		return -EINVAL;
	/* Each read at offset 0 runs one conversion (sysfs-bus-xvme-drivers). */
	n = pread(c->raw_fd[sensor->index], text, sizeof(text) - 1, 0);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	r = adc_parse_integer(text, &raw);
	if (r < 0)
		return -EIO;
	return adc_raw_to_mv(&c->cal, raw, ret_mv) < 0 ? -EIO : 0;
}

static int hw_set_line(struct hw *hw, const struct channel_ref *ref, bool value)
{
	struct hw_card *c = card_of(hw, ref);
	struct gpiod_line *line;
	int off = line_offset(ref);
	int r;

	/* Kept even when the card is gone: it is driven so when it is back. */
	if (c && off >= 0)
		c->wanted[off] = value;

	r = line_of(hw, ref, &line);
	if (r < 0)
		/*
		 * Nothing drives a line of a card that is not in use: it is
		 * absent, left the crate (the kernel de-energized its lines as
		 * it removed the chip), failed its power-on test (its driver
		 * keeps its outputs off) or is another model. Low is what it
		 * is: closing a valve there succeeds, so a missing card's
		 * valves are not "open, not known to be closed".
		 */
		return !value && c && c->error < 0 ? 0 : r;
	return gpiod_line_set_value(line, value) < 0 ? -errno : 0;
}

static int hw_set_valve(void *userdata, const struct channel_ref *valve, bool open)
{
	return hw_set_line(userdata, valve, open);
}

static int hw_set_output(void *userdata, const struct channel_ref *output, bool asserted)
{
	return hw_set_line(userdata, output, asserted);
}

static int hw_read_input(void *userdata, const struct channel_ref *input, bool *ret_asserted)
{
	struct gpiod_line *line;
	int r, v;

	r = line_of(userdata, input, &line);
	if (r < 0)
		return r;
	v = gpiod_line_get_value(line);
	if (v < 0)
		return -errno;
	*ret_asserted = v;	/* inputs are active high */
	return 0;
}

const struct engine_hw hw_engine_ops = {
	.read_sensor_mv = hw_read_sensor_mv,
	.set_valve = hw_set_valve,
	.read_input = hw_read_input,
	.set_output = hw_set_output,
	.check_valve = hw_check_valve,
	.check_card = hw_check_card,
};
