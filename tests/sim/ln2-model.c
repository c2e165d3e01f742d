// SPDX-License-Identifier: GPL-2.0
/*
 * The LN2 plant's physics. See ln2-model.h for the picture; the rules:
 *
 * - A line is "fed" while its input valve is open and the supply holds
 *   liquid. A fed line fills at line_litres/manifold_fill_s, but only
 *   while its air can escape (output valve or a detector valve open).
 * - A fed line delivers liquid once it is full (the purge is over); a
 *   line that is not fed still delivers what it holds, by gravity, until
 *   it has drained (a valve stuck open keeps draining it after the input
 *   closed), and a closed, unfed line boils dry.
 * - An open detector valve on a delivering line passes
 *   detector_litres/detector_fill_s; once the dewar is full the rest
 *   overflows into the exhaust: that is what cools the exhaust sensor.
 *   An open output valve on a delivering line cools the manifold sensor.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/ln2-model.h"

/* Integration step: short against every time constant of the plant. */
#define LN2_STEP_MAX_S 0.25

struct ln2_valve {
	bool commanded;
	enum ln2_valve_fault fault;
};

struct ln2_sensor {
	double coldness;	/* 0 = warm, 1 = in LN2 */
	bool dead;
	int dead_mv;
	int mv;			/* last output, noise included */
};

struct ln2_line {
	struct ln2_valve input, output;
	double litres;
	bool delivering;
	struct ln2_sensor sensor;
};

struct ln2_dewar {
	uint32_t manifold;
	struct ln2_valve valve;
	double level;
	struct ln2_sensor sensor;
};

struct ln2_model {
	struct ln2_params p;
	double supply;
	uint64_t prng;
	size_t n_lines, n_dewars;
	struct ln2_line *lines;
	struct ln2_dewar *dewars;
	unsigned int *open_detectors;	/* per line, counted each step */
};

void ln2_params_default(struct ln2_params *p)
{
	*p = (struct ln2_params) {
		.supply_litres = 250.0,
		.supply_capacity_litres = 250.0,
		.line_litres = 2.0,
		.manifold_fill_s = 60.0,
		.line_boiloff_s = 1800.0,
		.purge_litres_per_s = 0.02,
		.detector_litres = 3.0,
		.detector_fill_s = 600.0,
		.detector_boiloff_s = 2 * 86400.0,
		.detector_level = 0.6,
		.sensor_cool_tau_s = 2.0,
		.sensor_warm_tau_s = 10.0,
		.noise_mv = 5,
		.seed = 0x4c4e32ULL,	/* "LN2" */
	};
}

static bool positive(double v)
{
	return isfinite(v) && v > 0.0;
}

static bool params_are_valid(const struct ln2_params *p)
{
	return isfinite(p->supply_litres) && p->supply_litres >= 0.0 &&
	       positive(p->supply_capacity_litres) &&
	       positive(p->line_litres) && positive(p->manifold_fill_s) &&
	       positive(p->line_boiloff_s) && positive(p->purge_litres_per_s) &&
	       positive(p->detector_litres) && positive(p->detector_fill_s) &&
	       positive(p->detector_boiloff_s) &&
	       isfinite(p->detector_level) && p->detector_level >= 0.0 &&
	       p->detector_level <= 1.0 &&
	       positive(p->sensor_cool_tau_s) && positive(p->sensor_warm_tau_s) &&
	       p->noise_mv >= 0 && p->noise_mv <= 1000;
}

/* xorshift64*: small, fast and the same on every machine. */
static uint64_t prng_next(struct ln2_model *m)
{
	m->prng ^= m->prng >> 12;
	m->prng ^= m->prng << 25;
	m->prng ^= m->prng >> 27;
	return m->prng * 0x2545F4914F6CDD1DULL;
}

/* Triangular noise in [-noise_mv, +noise_mv]: two uniforms averaged. */
static int noise_mv(struct ln2_model *m)
{
	int span = 2 * m->p.noise_mv + 1;
	int a, b;

	if (m->p.noise_mv == 0)
		return 0;
	a = (int)(prng_next(m) % (uint64_t)span) - m->p.noise_mv;
	b = (int)(prng_next(m) % (uint64_t)span) - m->p.noise_mv;
	return (a + b) / 2;
}

static void sensor_output(struct ln2_model *m, struct ln2_sensor *s)
{
	double mv = LN2_WARM_MV - s->coldness * (LN2_WARM_MV - LN2_COLD_MV);
	int noise = noise_mv(m);	/* drawn even when dead: same sequence */

	s->mv = s->dead ? s->dead_mv : (int)lround(mv) + noise;
}

static void outputs_update(struct ln2_model *m)
{
	for (size_t i = 0; i < m->n_lines; i++)
		sensor_output(m, &m->lines[i].sensor);
	for (size_t i = 0; i < m->n_dewars; i++)
		sensor_output(m, &m->dewars[i].sensor);
}

int ln2_model_new(const struct ln2_params *p, size_t n_manifolds,
		  size_t n_detectors, const uint32_t *detector_manifold,
		  struct ln2_model **ret)
{
	_cleanup_ln2_model_ struct ln2_model *m = NULL;

	if (!params_are_valid(p))
		return -EINVAL;
	for (size_t i = 0; i < n_detectors; i++)
		if (detector_manifold[i] >= n_manifolds)
			return -EINVAL;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->p = *p;
	m->supply = p->supply_litres;
	/* xorshift must not start at 0 */
	m->prng = p->seed ? p->seed : 0x9E3779B97F4A7C15ULL;
	m->n_lines = n_manifolds;
	m->n_dewars = n_detectors;
	m->lines = calloc(n_manifolds ? n_manifolds : 1, sizeof(*m->lines));
	m->dewars = calloc(n_detectors ? n_detectors : 1, sizeof(*m->dewars));
	m->open_detectors = calloc(n_manifolds ? n_manifolds : 1,
				   sizeof(*m->open_detectors));
	if (!m->lines || !m->dewars || !m->open_detectors)
		return -ENOMEM;
	for (size_t i = 0; i < n_detectors; i++) {
		m->dewars[i].manifold = detector_manifold[i];
		m->dewars[i].level = p->detector_level;
	}
	outputs_update(m);
	*ret = TAKE_PTR(m);
	return 0;
}

struct ln2_model *ln2_model_free(struct ln2_model *m)
{
	if (m) {
		free(m->lines);
		free(m->dewars);
		free(m->open_detectors);
		free(m);
	}
	return NULL;
}

size_t ln2_model_n_manifolds(const struct ln2_model *m)
{
	return m->n_lines;
}

size_t ln2_model_n_detectors(const struct ln2_model *m)
{
	return m->n_dewars;
}

static struct ln2_valve *valve_of(const struct ln2_model *m, struct ln2_valve_id v)
{
	switch (v.kind) {
	case LN2_VALVE_DETECTOR:
		return v.index < m->n_dewars ? &m->dewars[v.index].valve : NULL;
	case LN2_VALVE_MANIFOLD_INPUT:
		return v.index < m->n_lines ? &m->lines[v.index].input : NULL;
	case LN2_VALVE_MANIFOLD_OUTPUT:
		return v.index < m->n_lines ? &m->lines[v.index].output : NULL;
	default:
		return NULL;
	}
}

static bool valve_passes(const struct ln2_valve *valve)
{
	switch (valve->fault) {
	case LN2_VALVE_STUCK_OPEN:
		return true;
	case LN2_VALVE_STUCK_CLOSED:
		return false;
	default:
		return valve->commanded;
	}
}

int ln2_model_command_valve(struct ln2_model *m, struct ln2_valve_id v, bool open)
{
	struct ln2_valve *valve = valve_of(m, v);

	if (!valve)
		return -ERANGE;
	valve->commanded = open;
	return 0;
}

int ln2_model_set_valve_fault(struct ln2_model *m, struct ln2_valve_id v,
			      enum ln2_valve_fault fault)
{
	struct ln2_valve *valve = valve_of(m, v);

	if (!valve)
		return -ERANGE;
	if ((unsigned int)fault >= _LN2_VALVE_FAULT_MAX)
		return -EINVAL;
	valve->fault = fault;
	return 0;
}

bool ln2_model_valve_is_open(const struct ln2_model *m, struct ln2_valve_id v)
{
	const struct ln2_valve *valve = valve_of(m, v);

	return valve && valve_passes(valve);
}

enum ln2_valve_fault ln2_model_valve_fault(const struct ln2_model *m,
					   struct ln2_valve_id v)
{
	const struct ln2_valve *valve = valve_of(m, v);

	return valve ? valve->fault : LN2_VALVE_WORKING;
}

int ln2_model_set_supply(struct ln2_model *m, double litres)
{
	if (!isfinite(litres) || litres < 0.0 ||
	    litres > m->p.supply_capacity_litres)
		return -EINVAL;
	m->supply = litres;
	return 0;
}

void ln2_model_refill_supply(struct ln2_model *m)
{
	m->supply = m->p.supply_capacity_litres;
}

double ln2_model_supply(const struct ln2_model *m)
{
	return m->supply;
}

int ln2_model_set_detector_level(struct ln2_model *m, size_t detector, double level)
{
	if (detector >= m->n_dewars)
		return -ERANGE;
	if (!isfinite(level) || level < 0.0 || level > 1.0)
		return -EINVAL;
	m->dewars[detector].level = level;
	return 0;
}

double ln2_model_detector_level(const struct ln2_model *m, size_t detector)
{
	return detector < m->n_dewars ? m->dewars[detector].level : NAN;
}

double ln2_model_line_level(const struct ln2_model *m, size_t manifold)
{
	return manifold < m->n_lines ?
		m->lines[manifold].litres / m->p.line_litres : NAN;
}

static int sensor_kill(struct ln2_model *m, struct ln2_sensor *s, int mv)
{
	if (mv < -30000 || mv > 30000)
		return -EINVAL;
	s->dead = true;
	s->dead_mv = mv;
	s->mv = mv;
	return 0;
}

int ln2_model_kill_detector_sensor(struct ln2_model *m, size_t detector, int mv)
{
	if (detector >= m->n_dewars)
		return -ERANGE;
	return sensor_kill(m, &m->dewars[detector].sensor, mv);
}

int ln2_model_kill_manifold_sensor(struct ln2_model *m, size_t manifold, int mv)
{
	if (manifold >= m->n_lines)
		return -ERANGE;
	return sensor_kill(m, &m->lines[manifold].sensor, mv);
}

int ln2_model_revive_detector_sensor(struct ln2_model *m, size_t detector)
{
	if (detector >= m->n_dewars)
		return -ERANGE;
	m->dewars[detector].sensor.dead = false;
	return 0;
}

int ln2_model_revive_manifold_sensor(struct ln2_model *m, size_t manifold)
{
	if (manifold >= m->n_lines)
		return -ERANGE;
	m->lines[manifold].sensor.dead = false;
	return 0;
}

void ln2_model_clear_faults(struct ln2_model *m)
{
	for (size_t i = 0; i < m->n_lines; i++) {
		m->lines[i].input.fault = LN2_VALVE_WORKING;
		m->lines[i].output.fault = LN2_VALVE_WORKING;
		m->lines[i].sensor.dead = false;
	}
	for (size_t i = 0; i < m->n_dewars; i++) {
		m->dewars[i].valve.fault = LN2_VALVE_WORKING;
		m->dewars[i].sensor.dead = false;
	}
}

/* First-order lag towards @target (exact for any step, so stable). */
static void sensor_follow(const struct ln2_params *p, struct ln2_sensor *s,
			  double target, double dt)
{
	double tau = target > s->coldness ? p->sensor_cool_tau_s : p->sensor_warm_tau_s;

	s->coldness += (target - s->coldness) * (1.0 - exp(-dt / tau));
}

static void take_supply(struct ln2_model *m, double litres)
{
	m->supply -= litres;
	if (m->supply < 0.0)
		m->supply = 0.0;
}

static void step(struct ln2_model *m, double dt)
{
	const struct ln2_params *p = &m->p;
	double detector_flow = p->detector_litres / p->detector_fill_s;

	memset(m->open_detectors, 0, m->n_lines * sizeof(*m->open_detectors));
	for (size_t d = 0; d < m->n_dewars; d++)
		if (valve_passes(&m->dewars[d].valve))
			m->open_detectors[m->dewars[d].manifold]++;

	/* Lines first: who delivers liquid during this step. */
	for (size_t i = 0; i < m->n_lines; i++) {
		struct ln2_line *line = &m->lines[i];
		bool fed = valve_passes(&line->input) && m->supply > 0.0;
		bool output_open = valve_passes(&line->output);
		unsigned int open_detectors = m->open_detectors[i];
		double outflow;

		outflow = open_detectors * detector_flow +
			  (output_open ? p->purge_litres_per_s : 0.0);

		if (fed) {
			if (line->litres < p->line_litres &&
			    (output_open || open_detectors > 0)) {
				double in = p->line_litres / p->manifold_fill_s * dt;

				if (in > p->line_litres - line->litres)
					in = p->line_litres - line->litres;
				line->litres += in;
				take_supply(m, in);
			}
			/* Float rounding: within a millilitre is full. */
			line->delivering = line->litres >= p->line_litres - 1e-6;
			if (line->delivering)
				take_supply(m, outflow * dt);
		} else {
			line->delivering = line->litres > 0.0 && outflow > 0.0;
			line->litres -= outflow * dt;
			if (!valve_passes(&line->input))
				line->litres -= p->line_litres / p->line_boiloff_s * dt;
			if (line->litres < 0.0)
				line->litres = 0.0;
		}
		sensor_follow(p, &line->sensor,
			      line->delivering && output_open ? 1.0 : 0.0, dt);
	}

	for (size_t d = 0; d < m->n_dewars; d++) {
		struct ln2_dewar *dewar = &m->dewars[d];
		bool overflowing = false;

		if (valve_passes(&dewar->valve) && m->lines[dewar->manifold].delivering) {
			dewar->level += detector_flow * dt / p->detector_litres;
			if (dewar->level >= 1.0) {
				dewar->level = 1.0;
				overflowing = true;
			}
		}
		dewar->level -= dt / p->detector_boiloff_s;
		if (dewar->level < 0.0)
			dewar->level = 0.0;
		sensor_follow(p, &dewar->sensor, overflowing ? 1.0 : 0.0, dt);
	}
}

int ln2_model_advance(struct ln2_model *m, double dt_s)
{
	if (!isfinite(dt_s) || dt_s <= 0.0 || dt_s > 86400.0)
		return -EINVAL;

	while (dt_s > 0.0) {
		double dt = dt_s < LN2_STEP_MAX_S ? dt_s : LN2_STEP_MAX_S;

		step(m, dt);
		dt_s -= dt;
	}
	outputs_update(m);
	return 0;
}

int ln2_model_detector_sensor_mv(const struct ln2_model *m, size_t detector)
{
	return detector < m->n_dewars ? m->dewars[detector].sensor.mv : LN2_DEAD_SENSOR_MV;
}

int ln2_model_manifold_sensor_mv(const struct ln2_model *m, size_t manifold)
{
	return manifold < m->n_lines ? m->lines[manifold].sensor.mv : LN2_DEAD_SENSOR_MV;
}
