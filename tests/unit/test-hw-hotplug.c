// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware layer's hotplug handling (daemon/hw/hw-hotplug.c) without
 * a crate: which configured card a device event belongs to, what the
 * event means, and that a card in use that left the bus makes every
 * callback on it fail, once, until it is opened again. The host has no
 * xvme bus, so hw_open() finds no card; the tests mark one in use by hand
 * (nothing to release: no lines, no files).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/config/station.h"
#include "daemon/hw/hw-internal.h"
#include "daemon/shared/log.h"

#define SIM "/devices/platform/xvme-sim.0"

struct fixture {
	struct station *station;
	struct hw *hw;
};

static void add_card(struct station *s, uint8_t crate, uint16_t address, uint16_t model)
{
	struct card *c = station_add_card(s);

	assert_non_null(c);
	c->crate = crate;
	c->address = address;
	c->model = model;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	log_set_max_level(LOG_EMERG);	/* "not found" for every card: expected */
	fx->station = station_new();
	assert_non_null(fx->station);
	add_card(fx->station, 0, 0x0c00, CARD_XVME560);
	add_card(fx->station, 0, 0x0800, CARD_XVME260);
	add_card(fx->station, 1, 0x0c00, CARD_XVME240);
	station_sort(fx->station);
	assert_int_equal(hw_open(fx->station, &fx->hw), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	hw_free(fx->hw);
	station_free(fx->station);
	free(fx);
	return 0;
}

static struct hw_card *card_named(struct hw *hw, const char *name)
{
	for (size_t i = 0; i < hw->station->n_cards; i++)
		if (strcmp(hw->cards[i].name, name) == 0)
			return &hw->cards[i];
	fail_msg("no card %s", name);
	return NULL;
}

static void test_devpath_belongs_to_card(void **state)
{
	struct fixture *fx = *state;
	struct hw *hw = fx->hw;
	struct hw_card *adc = card_named(hw, "xvme0-0c00");

	assert_ptr_equal(hw_card_of_devpath(hw, SIM "/xvme0/xvme0-0c00"), adc);
	assert_ptr_equal(hw_card_of_devpath(hw, SIM "/xvme0/xvme0-0c00/iio:device3"), adc);
	assert_ptr_equal(hw_card_of_devpath(hw, SIM "/xvme0/xvme0-0800/gpiochip5"),
			 card_named(hw, "xvme0-0800"));
	/* the second crate's card at the same address is another card */
	assert_ptr_equal(hw_card_of_devpath(hw, "/devices/platform/xvme-sim.1/xvme1/xvme1-0c00"),
			 card_named(hw, "xvme1-0c00"));
	/* whole components only; unconfigured cards and crates are nobody's */
	assert_null(hw_card_of_devpath(hw, SIM "/xvme0/xvme0-0c000"));
	assert_null(hw_card_of_devpath(hw, SIM "/xvme0/axvme0-0c00"));
	assert_null(hw_card_of_devpath(hw, SIM "/xvme0/xvme0-1000/iio:device1"));
	assert_null(hw_card_of_devpath(hw, SIM "/xvme0"));
	assert_null(hw_card_of_devpath(hw, NULL));
}

static void test_event_meaning(void **state)
{
	assert_int_equal(hw_hotplug_step_of("remove", "xvme"), HW_HOTPLUG_LOST);
	assert_int_equal(hw_hotplug_step_of("remove", "iio"), HW_HOTPLUG_LOST);
	assert_int_equal(hw_hotplug_step_of("remove", "gpio"), HW_HOTPLUG_LOST);
	assert_int_equal(hw_hotplug_step_of("unbind", "xvme"), HW_HOTPLUG_LOST);
	assert_int_equal(hw_hotplug_step_of("bind", "xvme"), HW_HOTPLUG_FOUND);
	/* an added card has no driver yet, nor its chip: wait for its bind */
	assert_int_equal(hw_hotplug_step_of("add", "xvme"), HW_HOTPLUG_NONE);
	assert_int_equal(hw_hotplug_step_of("add", "gpio"), HW_HOTPLUG_NONE);
	assert_int_equal(hw_hotplug_step_of("bind", "gpio"), HW_HOTPLUG_NONE);
	assert_int_equal(hw_hotplug_step_of("change", "xvme"), HW_HOTPLUG_NONE);
	assert_int_equal(hw_hotplug_step_of(NULL, "xvme"), HW_HOTPLUG_NONE);
	assert_int_equal(hw_hotplug_step_of("remove", NULL), HW_HOTPLUG_NONE);
}

static void test_card_lost_fails_its_callbacks(void **state)
{
	struct fixture *fx = *state;
	struct hw *hw = fx->hw;
	struct hw_card *relay = card_named(hw, "xvme0-0800");
	struct hw_card *adc = card_named(hw, "xvme0-0c00");
	const struct channel_ref valve = { .crate = 0, .card = 0x0800, .kind = LINE_RELAY, .index = 3 };
	const struct channel_ref sensor = { .crate = 0, .card = 0x0c00, .kind = LINE_ADC, .index = 1 };
	const struct channel_ref alarm = { .crate = 1, .card = 0x0c00, .kind = LINE_FLAG, .index = 2 };
	struct hw_card *ttl = card_named(hw, "xvme1-0c00");
	int32_t mv;

	/* none of them is on this host's (absent) xvme bus */
	assert_true(relay->error < 0);
	assert_int_equal(hw_cards_available(hw), 0);

	/* as if open: in use, nothing held */
	relay->error = 0;
	adc->error = 0;
	assert_int_equal(hw_cards_available(hw), 2);

	hw_hotplug_apply(hw, "remove", "gpio", SIM "/xvme0/xvme0-0800/gpiochip5");
	assert_int_equal(relay->error, -ENODEV);
	assert_true(relay->removed);
	assert_int_equal(hw_engine_ops.check_valve(hw, &valve), -ENODEV);
	assert_int_equal(hw_engine_ops.check_card(hw, &valve), -ENODEV);
	/* its relays went off with it: a valve there closes (nothing drives
	 * it), none opens */
	assert_int_equal(hw_engine_ops.set_valve(hw, &valve, false), 0);
	assert_int_equal(hw_engine_ops.set_valve(hw, &valve, true), -ENODEV);
	assert_int_equal(hw_engine_ops.check_card(hw, &sensor), 0);
	assert_int_equal(adc->error, 0);	/* the neighbour is untouched */
	assert_int_equal(hw_cards_available(hw), 1);

	/* the card's own remove after its chip's changes nothing more */
	hw_hotplug_apply(hw, "remove", "xvme", SIM "/xvme0/xvme0-0800");
	assert_int_equal(relay->error, -ENODEV);

	/* what the engine asks of an output while its card is gone is kept,
	 * to drive it so when the card is back */
	assert_int_equal(hw_engine_ops.set_output(hw, &alarm, true), ttl->error);
	assert_true(ttl->wanted[64 + 8 + 2]);
	assert_int_equal(hw_engine_ops.set_output(hw, &alarm, false), 0);	/* it is off */
	assert_false(ttl->wanted[64 + 8 + 2]);

	hw_hotplug_apply(hw, "remove", "iio", SIM "/xvme0/xvme0-0c00/iio:device0");
	assert_int_equal(hw_engine_ops.read_sensor_mv(hw, &sensor, &mv), -ENODEV);
	assert_int_equal(hw_cards_available(hw), 0);

	/* an add is no reason to open; a bind is, and here the card is not
	 * really there: it stays unusable */
	hw_hotplug_apply(hw, "add", "xvme", SIM "/xvme0/xvme0-0800");
	assert_int_equal(relay->error, -ENODEV);
	hw_hotplug_apply(hw, "bind", "xvme", SIM "/xvme0/xvme0-0800");
	assert_true(relay->error < 0);
	assert_true(relay->removed);
	assert_int_equal(hw_engine_ops.check_valve(hw, &valve), relay->error);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_devpath_belongs_to_card, setup, teardown),
		cmocka_unit_test(test_event_meaning),
		cmocka_unit_test_setup_teardown(test_card_lost_fails_its_callbacks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
