/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LN2 plant wired to a station: which relay latch is which valve,
 * which ADC channel is which exhaust sensor, which TTL input is which
 * bias-shutdown signal or manual-fill key, all taken from the compiled
 * station (daemon/config/station.h). One tick reads the relay latches,
 * logs every valve that changed, advances the model, writes every ADC
 * card's 32 channels in one write and drives the TTL inputs; it also
 * logs the alarm and dewar-inhibit outputs when they change.
 *
 * Inputs are active high: a detector in bias shutdown, or a manifold
 * whose manual-fill key is turned, drives its XVME-240 line high.
 *
 * The valve log has one event per line, flushed as written:
 *
 *   <epoch s>.<ms> <sim s> open|close detector <n>
 *   <epoch s>.<ms> <sim s> open|close manifold <X> input|output
 *   <epoch s>.<ms> <sim s> on|off alarm|dewar-inhibit
 *
 * <epoch> is CLOCK_REALTIME when the latch was read; <sim s> the plant's
 * simulated time since start. Valves are logged as the controller
 * commands them (the relay latch), stuck or not; every valve starts
 * closed, every output off. The resolution is one tick: changes seen in
 * the same tick are logged in the fill sequence's order (manifold valves
 * open before detector valves; a manifold's output closes before and its
 * input after the detector valves).
 */
#ifndef STATIOND_TESTS_SIM_LN2_PLANT_IO_H
#define STATIOND_TESTS_SIM_LN2_PLANT_IO_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/config/station.h"
#include "tests/sim/ln2-model.h"
#include "tests/sim/plant.h"

struct ln2_plant;

/*
 * A plant for @station over @plant (both borrowed, must outlive it),
 * with its model built from @params. @valve_log may be NULL. Every card
 * of the station must be under the plant root: -ENOENT (with the name
 * on stderr) otherwise; -EINVAL for bad params.
 */
int ln2_plant_new(const struct station *station, struct plant *plant,
		  const struct ln2_params *params, FILE *valve_log,
		  struct ln2_plant **ret);
struct ln2_plant *ln2_plant_free(struct ln2_plant *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ln2_plant *, ln2_plant_free);
#define _cleanup_ln2_plant_ _cleanup_(ln2_plant_freep)

const struct station *ln2_plant_station(const struct ln2_plant *p);
struct ln2_model *ln2_plant_model(struct ln2_plant *p);
struct plant *ln2_plant_crate(struct ln2_plant *p);
double ln2_plant_sim_time(const struct ln2_plant *p);

/*
 * One tick: @sim_dt_s simulated seconds have passed (> 0). A card that
 * fails is reported on stderr once per distinct error and the tick goes
 * on with the others; returns 0, or the first card error.
 */
int ln2_plant_tick(struct ln2_plant *p, double sim_dt_s);

/* Inputs, written on the next tick. Index into the station's arrays. */
int ln2_plant_set_bias_shutdown(struct ln2_plant *p, size_t detector, bool on);
int ln2_plant_set_manual_fill_key(struct ln2_plant *p, size_t manifold, bool on);
bool ln2_plant_bias_shutdown(const struct ln2_plant *p, size_t detector);
bool ln2_plant_manual_fill_key(const struct ln2_plant *p, size_t manifold);

/* Noise on an exhaust sensor (a detector's, or a manifold's when
 * !is_detector): its next `conversions` read mv, at once (plant_ain_noise). */
int ln2_plant_sensor_noise(struct ln2_plant *p, bool is_detector, size_t index, int mv,
			   unsigned int conversions);

/* The relay latch as last read: what the controller commands. */
bool ln2_plant_valve_commanded(const struct ln2_plant *p, struct ln2_valve_id v);

#endif
