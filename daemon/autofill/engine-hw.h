/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the autofill engine needs from the hardware, as callbacks: the
 * daemon's hw layer implements them on IIO and libgpiod, the unit tests on
 * a fake plant. Lines are named by their configured channel reference, so
 * the engine never knows how a card is reached.
 *
 * Every callback returns 0 or a negative errno. A failure is a system
 * fault of the detector or manifold the line belongs to: the engine ends
 * that fill safely, marks the object unavailable and carries on with the
 * others.
 */
#ifndef STATIOND_AUTOFILL_ENGINE_HW_H
#define STATIOND_AUTOFILL_ENGINE_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config/station.h"

struct engine_hw {
	/* An exhaust sensor (XVME-560 channel) in millivolts. A dead sensor,
	 * a conversion timeout or a missing card is an error. */
	int (*read_sensor_mv)(void *userdata, const struct channel_ref *sensor, int32_t *ret_mv);
	/* Drive a valve relay (XVME-260): open = energized. Closing a valve
	 * on a card that is not in use (absent, left the crate, failed its
	 * power-on test) succeeds: nothing energizes its relay. */
	int (*set_valve)(void *userdata, const struct channel_ref *valve, bool open);
	/* A bias-shutdown or manual-fill-key input: true = asserted. */
	int (*read_input)(void *userdata, const struct channel_ref *input, bool *ret_asserted);
	/* The dewar-inhibit or alarm output: true = asserted. */
	int (*set_output)(void *userdata, const struct channel_ref *output, bool asserted);
	/* Optional: 0 if the valve can be driven now, else the negative errno
	 * set_valve would fail with (its card left the crate). No I/O: asked
	 * for every valve at every scan, so that a relay card that is gone
	 * makes its detectors and manifolds unavailable before a fill needs
	 * them, and available again when it is back. */
	int (*check_valve)(void *userdata, const struct channel_ref *valve);
	/* Optional: 0 if the card of a line is in use, else why not (absent,
	 * left the crate, failed its power-on test, another model). No I/O.
	 * Asked of an unavailable object only, so that its Status says when a
	 * card is the reason ("card-unavailable"). */
	int (*check_card)(void *userdata, const struct channel_ref *ref);
};

#endif
