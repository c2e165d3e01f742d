/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The station's hardware as the autofill engine sees it (engine-hw.h):
 * every configured card found through libudev by crate and address
 * (subsystem xvme), the XVME-560 IIO device behind it, the XVME-260 and
 * XVME-240 gpiochips by label; every configured line requested at open
 * (consumer "stationd"): relays and outputs as outputs driven low, bias and
 * manual-fill-key lines as inputs; ADC channels as held-open
 * in_voltageN_raw files.
 *
 * A card that is absent, of another model than configured, or failed its
 * power-on test, and a line that could not be requested, make every
 * callback on them fail: the engine marks the detectors and manifolds
 * wired to them unavailable, the others run.
 *
 * Hotplug (hw_attach_event()): a card that leaves the bus while the daemon
 * runs (its device, gpiochip or IIO device removed, its driver unbound) is
 * a system fault logged with CARD=: its lines are released, its files
 * closed, and its callbacks fail from then on, so its detectors and
 * manifolds become unavailable. When a configured card that is not in use
 * binds to its driver again (put back, or one that was missing or failed
 * at start), it is opened as at start (model, power-on test, lines
 * requested low) and its detectors are available at the next scan.
 */
#ifndef STATIOND_HW_HW_H
#define STATIOND_HW_HW_H

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-event.h>

#include "daemon/autofill/engine-hw.h"
#include "daemon/config/station.h"

struct hw;

/* Consumer name on every requested GPIO line. */
#define HW_CONSUMER "stationd"

/* Open the hardware of a sorted station (kept by reference): start
 * receiving device events first, then find and open every card. Fails
 * only when udev itself is unusable or memory runs out; card and line
 * problems are logged and reported through the callbacks. */
int hw_open(const struct station *station, struct hw **ret);

/* Release every line (the kernel de-energizes released relays) and close
 * every file. */
struct hw *hw_free(struct hw *hw);
static inline void hw_freep(struct hw **hw)
{
	if (*hw)
		hw_free(*hw);
}
#define _cleanup_hw_ __attribute__((cleanup(hw_freep)))

/* Watch for cards leaving and coming back (udev events of the xvme, iio
 * and gpio subsystems, received since hw_open()) on the event loop, at
 * @priority, at most a few events per dispatch; hw_free() stops it.
 * -ENOTCONN when hw_open() could not start receiving them (logged). */
int hw_attach_event(struct hw *hw, sd_event *event, int64_t priority);

/* Called after every device event of the xvme bus (any card, configured
 * or not, and the crates), once hw has acted on it: the card objects on
 * the bus re-read what changed. */
void hw_set_device_observer(struct hw *hw, void (*observer)(void *userdata), void *userdata);

/* The card's power-on test again, for an operator (see card-retest.c):
 * the result ("pass", "fail: ..."), or -EBUSY/-ENODEV/... as
 * card_state_retest(). */
int hw_card_retest(struct hw *hw, const char *name, char *result, size_t size);

/* How many configured cards are usable (found, right model, self-test
 * passed, chips or IIO device opened). */
size_t hw_cards_available(const struct hw *hw);

/* The engine callbacks; their userdata is the struct hw. */
extern const struct engine_hw hw_engine_ops;

#endif
