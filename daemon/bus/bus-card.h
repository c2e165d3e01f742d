/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The station's I/O cards on the bus (dbus/org.stationd1.Card.xml): one
 * org.stationd1.Card object per card at /org/stationd1/card/<crate>_<addr>
 * (/org/stationd1/card/0_0c00 for xvme0-0c00), for every card the
 * configuration names, there or not (Present), and for every other card
 * found on the xvme bus while it is there. A card that is not configured
 * comes and goes with InterfacesAdded and InterfacesRemoved; a configured
 * one that leaves stays, with Present false. Model, ID, self-test, LED and
 * the conversion counters come from sysfs (card-state.h), re-read on every
 * xvme device event (hotplug, a driver binding) and every few seconds (the
 * LED and the counters change without an event), with PropertiesChanged
 * naming what moved. What uses a card comes from the configuration.
 */
#ifndef STATIOND_BUS_BUS_CARD_H
#define STATIOND_BUS_BUS_CARD_H

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/config/station.h"
#include "daemon/hw/card-state.h"

#define BUS_CARD_PREFIX "/org/stationd1/card"
#define BUS_CARD_INTERFACE "org.stationd1.Card"
/* How often the LED and the counters are re-read without an event. */
#define BUS_CARD_REFRESH_USEC (UINT64_C(5) * 1000000)
/* Cards re-read per dispatch of the timer: the scan waits for no more. */
#define BUS_CARD_REFRESH_BATCH 1
/* How long device events are gathered into one re-read (a crate coming
 * back is hundreds of events). */
#define BUS_CARD_EVENT_DELAY_USEC (UINT64_C(100) * 1000)

/* Where the cards' states come from: card-state.c on a real bus, a fake
 * crate in the unit test. */
struct bus_card_source {
	int (*list)(void *userdata, char ***ret);
	int (*read)(void *userdata, const char *name, struct card_state *ret);
	/* ADMIN (NULL: not offered): the power-on test again, -EBUSY while
	 * it may not run; one conversion of an ADC channel. */
	int (*self_test)(void *userdata, const char *name, char *result, size_t size);
	int (*convert)(void *userdata, const char *name, unsigned channel, int32_t *raw,
		       int32_t *mv);
};

struct bus_cards;

/*
 * Publish the cards of a sorted station (kept by reference) as they are
 * now. With an event loop, a timer re-reads them every
 * BUS_CARD_REFRESH_USEC at idle priority, BUS_CARD_REFRESH_BATCH cards
 * per dispatch; without one, only bus_cards_refresh() does.
 */
int bus_cards_new(sd_bus *bus, sd_event *event, const struct station *station,
		  struct bus_auth *auth, const struct bus_card_source *source,
		  void *source_userdata, struct bus_cards **ret);
struct bus_cards *bus_cards_free(struct bus_cards *c);
static inline void bus_cards_freep(struct bus_cards **c)
{
	if (*c)
		bus_cards_free(*c);
}
#define _cleanup_bus_cards_ __attribute__((cleanup(bus_cards_freep)))

/* Re-read every card now: objects added and removed, PropertiesChanged. */
int bus_cards_refresh(struct bus_cards *c);

/* A device event of the xvme bus: re-read every card shortly (events
 * gathered for BUS_CARD_EVENT_DELAY_USEC); at once without an event loop. */
void bus_cards_device_event(struct bus_cards *c);

/* The object path of a card ("/org/stationd1/card/0_0c00"). */
#define BUS_CARD_PATH_MAX 64
char *bus_card_path(uint8_t crate, uint16_t address, char buf[static BUS_CARD_PATH_MAX]);


#endif
