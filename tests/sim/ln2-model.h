/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LN2 plant's physics, without I/O or clocks: a supply dewar feeds
 * manifold lines through their input valves; a line purges its air out of
 * the output valve until it is full of liquid; a full line feeds detector
 * dewars through their valves; a full dewar overflows LN2 into its exhaust,
 * where a temperature sensor cools and its voltage falls. Dewars boil off
 * all the time. Time is simulated seconds: the caller scales wall time.
 *
 * Exhaust sensor convention (keep consistent with the references in
 * daemon/examples/station.conf, 1.5 V): a warm sensor reads
 * LN2_WARM_MV (+2.5 V), one in LN2 reads LN2_COLD_MV (+0.5 V), linear in
 * between; the station sees LN2 when the voltage is below its reference.
 * The sensor follows its target with a first-order thermal lag (cools
 * fast in liquid, warms slowly in gas) plus seeded noise, so runs repeat.
 *
 * Every function taking an index returns 0, or -ERANGE for an index out
 * of the station, -EINVAL for a value out of its range; a refused call
 * changes nothing.
 */
#ifndef STATIOND_TESTS_SIM_LN2_MODEL_H
#define STATIOND_TESTS_SIM_LN2_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/shared/macro.h"

#define LN2_WARM_MV 2500
#define LN2_COLD_MV 500
/* A dead sensor with no value given reads an open circuit: beyond +10 V. */
#define LN2_DEAD_SENSOR_MV 12000

struct ln2_params {
	double supply_litres;		/* supply dewar contents at start */
	double supply_capacity_litres;	/* what "refill" fills it to */
	double line_litres;		/* one full manifold line */
	double manifold_fill_s;		/* an empty line purges full in this */
	double line_boiloff_s;		/* a full, closed line boils dry in this */
	double purge_litres_per_s;	/* liquid out of an open output valve */
	double detector_litres;		/* one full detector dewar */
	double detector_fill_s;		/* an empty dewar fills in this */
	double detector_boiloff_s;	/* a full dewar boils dry in this */
	double detector_level;		/* every dewar's level at start, 0..1 */
	double sensor_cool_tau_s;	/* thermal lag towards LN2 */
	double sensor_warm_tau_s;	/* thermal lag back to warm */
	int noise_mv;			/* peak noise on every sensor */
	uint64_t seed;			/* PRNG seed of the noise */
};

/* A realistic station: 10-minute fills from empty, 2 days boil-off. */
void ln2_params_default(struct ln2_params *p);

enum ln2_valve_kind {
	LN2_VALVE_DETECTOR,
	LN2_VALVE_MANIFOLD_INPUT,
	LN2_VALVE_MANIFOLD_OUTPUT,
	_LN2_VALVE_KIND_MAX,
};

struct ln2_valve_id {
	enum ln2_valve_kind kind;
	size_t index;			/* detector or manifold index */
};

enum ln2_valve_fault {
	LN2_VALVE_WORKING,
	LN2_VALVE_STUCK_OPEN,
	LN2_VALVE_STUCK_CLOSED,
	_LN2_VALVE_FAULT_MAX,
};

struct ln2_model;

/*
 * A plant of @n_manifolds lines and @n_detectors dewars; detector i is on
 * manifold @detector_manifold[i]. -EINVAL for bad parameters or a
 * manifold index out of range, -ENOMEM.
 */
int ln2_model_new(const struct ln2_params *p, size_t n_manifolds,
		  size_t n_detectors, const uint32_t *detector_manifold,
		  struct ln2_model **ret);
struct ln2_model *ln2_model_free(struct ln2_model *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ln2_model *, ln2_model_free);
#define _cleanup_ln2_model_ _cleanup_(ln2_model_freep)

size_t ln2_model_n_manifolds(const struct ln2_model *m);
size_t ln2_model_n_detectors(const struct ln2_model *m);

/* What the controller asks of a valve (the relay latch): true = open. */
int ln2_model_command_valve(struct ln2_model *m, struct ln2_valve_id v, bool open);
int ln2_model_set_valve_fault(struct ln2_model *m, struct ln2_valve_id v,
			      enum ln2_valve_fault fault);
/* Whether liquid can pass: the command, unless the valve is stuck. */
bool ln2_model_valve_is_open(const struct ln2_model *m, struct ln2_valve_id v);
enum ln2_valve_fault ln2_model_valve_fault(const struct ln2_model *m,
					   struct ln2_valve_id v);

/* Supply dewar contents; 0 is an empty supply. */
int ln2_model_set_supply(struct ln2_model *m, double litres);
void ln2_model_refill_supply(struct ln2_model *m);
double ln2_model_supply(const struct ln2_model *m);

int ln2_model_set_detector_level(struct ln2_model *m, size_t detector, double level);
double ln2_model_detector_level(const struct ln2_model *m, size_t detector);
/* Fraction of the line holding liquid, 0..1; full lines deliver liquid. */
double ln2_model_line_level(const struct ln2_model *m, size_t manifold);

/*
 * A dead sensor reads @mv whatever the temperature (LN2_DEAD_SENSOR_MV
 * for an open circuit); alive again when cleared. mv within
 * -30000..30000 (what the simulated ADC input takes).
 */
int ln2_model_kill_detector_sensor(struct ln2_model *m, size_t detector, int mv);
int ln2_model_kill_manifold_sensor(struct ln2_model *m, size_t manifold, int mv);
int ln2_model_revive_detector_sensor(struct ln2_model *m, size_t detector);
int ln2_model_revive_manifold_sensor(struct ln2_model *m, size_t manifold);

/* Clear every valve and sensor fault (the supply stays as it is). */
void ln2_model_clear_faults(struct ln2_model *m);

/* Advance by @dt_s simulated seconds (> 0; large steps are subdivided). */
int ln2_model_advance(struct ln2_model *m, double dt_s);

/* Sensor voltages as of the last advance, noise included, in mV. */
int ln2_model_detector_sensor_mv(const struct ln2_model *m, size_t detector);
int ln2_model_manifold_sensor_mv(const struct ln2_model *m, size_t manifold);

#endif
