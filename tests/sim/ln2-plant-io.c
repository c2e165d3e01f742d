// SPDX-License-Identifier: GPL-2.0
/*
 * The LN2 plant wired to a station and a simulated crate. See
 * ln2-plant-io.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/sim/ln2-plant-io.h"

#define NO_CARD SIZE_MAX

enum card_op {
	CARD_OP_RELAYS,
	CARD_OP_AIN,
	CARD_OP_INPUTS,
	CARD_OP_OUTPUTS,
	_CARD_OP_MAX,
};

static const char *const card_op_names[_CARD_OP_MAX] = {
	[CARD_OP_RELAYS] = "reading relays",
	[CARD_OP_AIN] = "writing ain",
	[CARD_OP_INPUTS] = "writing inputs",
	[CARD_OP_OUTPUTS] = "reading outputs",
};

struct crate_card {
	const struct card *card;
	char name[CARD_NAME_MAX];
	struct plant_card *plant_card;
	int last_error[_CARD_OP_MAX];	/* reported once until it changes */
	uint32_t relays;	/* 260: latch as last read */
	uint64_t ports;		/* 240: input levels wanted */
	uint8_t irq_inputs;
	bool inputs_written;	/* 240: written_* are on the card */
	uint64_t written_ports;
	uint8_t written_irq;
	int ain[PLANT_AIN_CHANNELS];	/* 560: this tick's voltages */
};

/* A station line resolved to a card of the crate (NO_CARD if none). */
struct line {
	size_t card;
	uint8_t kind;
	uint8_t index;
};

struct valve_state {
	struct line line;
	bool commanded;
};

struct ln2_plant {
	const struct station *station;
	struct plant *plant;
	struct ln2_model *model;
	FILE *valve_log;
	bool valve_log_failed;		/* reported; quiet until it works again */
	double sim_time;

	struct crate_card *cards;
	size_t n_cards;

	/* per detector */
	struct line *detector_sensor, *bias_shutdown;
	struct valve_state *detector_valve;
	bool *bias_on;
	/* per manifold */
	struct line *manifold_sensor, *manual_fill_key;
	struct valve_state *input_valve, *output_valve;
	bool *key_on;

	struct line alarm, dewar_inhibit;
	bool alarm_on, dewar_inhibit_on;
};

static struct line line_of(const struct station *s, const struct channel_ref *ref)
{
	const struct card *card;

	if (ref->kind == LINE_NONE)
		return (struct line) { .card = NO_CARD };
	card = station_find_card(s, ref->crate, ref->card);
	if (!card)
		return (struct line) { .card = NO_CARD };
	return (struct line) {
		.card = (size_t)(card - s->cards),
		.kind = ref->kind,
		.index = ref->index,
	};
}

struct ln2_plant *ln2_plant_free(struct ln2_plant *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_cards; i++)
		plant_card_close(p->cards[i].plant_card);
	free(p->cards);
	free(p->detector_sensor);
	free(p->bias_shutdown);
	free(p->detector_valve);
	free(p->bias_on);
	free(p->manifold_sensor);
	free(p->manual_fill_key);
	free(p->input_valve);
	free(p->output_valve);
	free(p->key_on);
	ln2_model_free(p->model);
	free(p);
	return NULL;
}

/* calloc that never returns NULL for a zero count (a station may be empty). */
static void *array_new(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

int ln2_plant_new(const struct station *station, struct plant *plant,
		  const struct ln2_params *params, FILE *valve_log,
		  struct ln2_plant **ret)
{
	_cleanup_ln2_plant_ struct ln2_plant *p = NULL;
	_cleanup_free_ uint32_t *detector_manifold = NULL;
	size_t nd = station->n_detectors, nm = station->n_manifolds;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->station = station;
	p->plant = plant;
	p->valve_log = valve_log;
	p->n_cards = station->n_cards;
	p->cards = array_new(p->n_cards, sizeof(*p->cards));
	p->detector_sensor = array_new(nd, sizeof(*p->detector_sensor));
	p->bias_shutdown = array_new(nd, sizeof(*p->bias_shutdown));
	p->detector_valve = array_new(nd, sizeof(*p->detector_valve));
	p->bias_on = array_new(nd, sizeof(*p->bias_on));
	p->manifold_sensor = array_new(nm, sizeof(*p->manifold_sensor));
	p->manual_fill_key = array_new(nm, sizeof(*p->manual_fill_key));
	p->input_valve = array_new(nm, sizeof(*p->input_valve));
	p->output_valve = array_new(nm, sizeof(*p->output_valve));
	p->key_on = array_new(nm, sizeof(*p->key_on));
	detector_manifold = array_new(nd, sizeof(*detector_manifold));
	if (!p->cards || !p->detector_sensor || !p->bias_shutdown ||
	    !p->detector_valve || !p->bias_on || !p->manifold_sensor ||
	    !p->manual_fill_key || !p->input_valve || !p->output_valve ||
	    !p->key_on || !detector_manifold)
		return -ENOMEM;

	for (size_t i = 0; i < nd; i++) {
		const struct detector *d = &station->detectors[i];

		detector_manifold[i] = d->manifold;
		p->detector_sensor[i] = line_of(station, &d->sensor);
		p->bias_shutdown[i] = line_of(station, &d->bias_shutdown);
		p->detector_valve[i].line = line_of(station, &d->valve);
	}
	for (size_t i = 0; i < nm; i++) {
		const struct manifold *m = &station->manifolds[i];

		p->manifold_sensor[i] = line_of(station, &m->sensor);
		p->manual_fill_key[i] = line_of(station, &m->manual_fill_key);
		p->input_valve[i].line = line_of(station, &m->input_valve);
		p->output_valve[i].line = line_of(station, &m->output_valve);
	}
	p->alarm = line_of(station, &station->globals.alarm);
	p->dewar_inhibit = line_of(station, &station->globals.dewar_inhibit);

	r = ln2_model_new(params, nm, nd, detector_manifold, &p->model);
	if (r < 0)
		return r;

	for (size_t i = 0; i < p->n_cards; i++) {
		struct crate_card *c = &p->cards[i];

		c->card = &station->cards[i];
		card_name_format(c->card->crate, c->card->address, c->name);
		r = plant_card_open(plant, c->name, &c->plant_card);
		if (r < 0) {
			fprintf(stderr, "ln2-plant: card %s (%s) not under %s: %s\n",
				c->name, card_model_name(c->card->model),
				plant_root(plant), strerror(-r));
			return r;
		}
	}
	*ret = TAKE_PTR(p);
	return 0;
}

const struct station *ln2_plant_station(const struct ln2_plant *p)
{
	return p->station;
}

struct ln2_model *ln2_plant_model(struct ln2_plant *p)
{
	return p->model;
}

struct plant *ln2_plant_crate(struct ln2_plant *p)
{
	return p->plant;
}

double ln2_plant_sim_time(const struct ln2_plant *p)
{
	return p->sim_time;
}

int ln2_plant_set_bias_shutdown(struct ln2_plant *p, size_t detector, bool on)
{
	if (detector >= p->station->n_detectors)
		return -ERANGE;
	p->bias_on[detector] = on;
	return 0;
}

int ln2_plant_set_manual_fill_key(struct ln2_plant *p, size_t manifold, bool on)
{
	if (manifold >= p->station->n_manifolds)
		return -ERANGE;
	p->key_on[manifold] = on;
	return 0;
}

bool ln2_plant_bias_shutdown(const struct ln2_plant *p, size_t detector)
{
	return detector < p->station->n_detectors && p->bias_on[detector];
}

bool ln2_plant_manual_fill_key(const struct ln2_plant *p, size_t manifold)
{
	return manifold < p->station->n_manifolds && p->key_on[manifold];
}

static const struct valve_state *valve_state_of(const struct ln2_plant *p,
						struct ln2_valve_id v)
{
	switch (v.kind) {
	case LN2_VALVE_DETECTOR:
		return v.index < p->station->n_detectors ? &p->detector_valve[v.index] : NULL;
	case LN2_VALVE_MANIFOLD_INPUT:
		return v.index < p->station->n_manifolds ? &p->input_valve[v.index] : NULL;
	case LN2_VALVE_MANIFOLD_OUTPUT:
		return v.index < p->station->n_manifolds ? &p->output_valve[v.index] : NULL;
	default:
		return NULL;
	}
}

bool ln2_plant_valve_commanded(const struct ln2_plant *p, struct ln2_valve_id v)
{
	const struct valve_state *vs = valve_state_of(p, v);

	return vs && vs->commanded;
}

/* Report a card error once; quiet again until the error changes. */
static int card_error(struct crate_card *c, enum card_op op, int r)
{
	const char *what = card_op_names[op];

	if (r > 0)
		r = 0;
	if (r < 0 && r != c->last_error[op])
		fprintf(stderr, "ln2-plant: %s: %s: %s\n", c->name, what, strerror(-r));
	else if (r == 0 && c->last_error[op] < 0)
		fprintf(stderr, "ln2-plant: %s: %s works again\n", c->name, what);
	c->last_error[op] = r;
	return r;
}

static void log_event(struct ln2_plant *p, const struct timespec *now,
		      const char *event)
{
	bool failed;

	if (!p->valve_log)
		return;
	failed = fprintf(p->valve_log, "%lld.%03ld %.3f %s\n", (long long)now->tv_sec,
			 now->tv_nsec / 1000000, p->sim_time, event) < 0;
	failed |= fflush(p->valve_log) != 0;
	/* A scenario reads the log: a lost line is reported, once. */
	if (failed && !p->valve_log_failed)
		fprintf(stderr, "ln2-plant: writing the valve log: %m (event '%s' lost)\n",
			event);
	p->valve_log_failed = failed;
}

/*
 * Take a valve's command from its relay latch and log it when it changes
 * to @open: each tick logs its openings in one pass and its closings in
 * another, see valves_update().
 */
static void valve_update(struct ln2_plant *p, struct valve_state *vs,
			 struct ln2_valve_id id, const char *name, bool open,
			 const struct timespec *now)
{
	char event[64];
	bool latched;

	if (vs->line.card == NO_CARD || vs->line.kind != LINE_RELAY)
		return;
	latched = p->cards[vs->line.card].relays & (UINT32_C(1) << vs->line.index);
	if (latched != open || vs->commanded == open)
		return;
	vs->commanded = open;
	snprintf(event, sizeof(event), "%s %s", open ? "open" : "close", name);
	log_event(p, now, event);
	ln2_model_command_valve(p->model, id, open);
}

static void manifold_valves_update(struct ln2_plant *p, enum ln2_valve_kind kind,
				   bool open, const struct timespec *now)
{
	bool input = kind == LN2_VALVE_MANIFOLD_INPUT;
	char name[48];

	for (size_t i = 0; i < p->station->n_manifolds; i++) {
		snprintf(name, sizeof(name), "manifold %s %s", p->station->manifolds[i].name,
			 input ? "input" : "output");
		valve_update(p, input ? &p->input_valve[i] : &p->output_valve[i],
			     (struct ln2_valve_id) { kind, i }, name, open, now);
	}
}

static void detector_valves_update(struct ln2_plant *p, bool open, const struct timespec *now)
{
	char name[48];

	for (size_t i = 0; i < p->station->n_detectors; i++) {
		snprintf(name, sizeof(name), "detector %u", p->station->detectors[i].number);
		valve_update(p, &p->detector_valve[i],
			     (struct ln2_valve_id) { LN2_VALVE_DETECTOR, i }, name, open, now);
	}
}

/*
 * Changes seen in one tick happened within one tick period, in an order
 * the latch cannot tell; they are logged in the order of the fill
 * sequence (manifold valves open before detector valves; the output
 * closes before, the input after, the detector valves), so the log's
 * resolution is the tick period and never invents a wrong order.
 */
static void valves_update(struct ln2_plant *p, const struct timespec *now)
{
	manifold_valves_update(p, LN2_VALVE_MANIFOLD_INPUT, true, now);
	manifold_valves_update(p, LN2_VALVE_MANIFOLD_OUTPUT, true, now);
	detector_valves_update(p, true, now);
	manifold_valves_update(p, LN2_VALVE_MANIFOLD_OUTPUT, false, now);
	detector_valves_update(p, false, now);
	manifold_valves_update(p, LN2_VALVE_MANIFOLD_INPUT, false, now);
}

static void ain_put(struct ln2_plant *p, const struct line *l, int mv)
{
	if (l->card != NO_CARD && l->kind == LINE_ADC && l->index < PLANT_AIN_CHANNELS)
		p->cards[l->card].ain[l->index] = mv;
}

int ln2_plant_sensor_noise(struct ln2_plant *p, bool is_detector, size_t index, int mv,
			   unsigned int conversions)
{
	size_t n = is_detector ? p->station->n_detectors : p->station->n_manifolds;
	const struct line *l;

	if (index >= n)
		return -ENOENT;
	l = is_detector ? &p->detector_sensor[index] : &p->manifold_sensor[index];
	if (l->card == NO_CARD || l->kind != LINE_ADC)
		return -ENODEV;
	return plant_ain_noise(p->cards[l->card].plant_card, l->index, mv, conversions);
}

static void input_put(struct ln2_plant *p, const struct line *l, bool high)
{
	struct crate_card *c;

	if (l->card == NO_CARD)
		return;
	c = &p->cards[l->card];
	if (l->kind == LINE_PORT && l->index < 64) {
		if (high)
			c->ports |= UINT64_C(1) << l->index;
		else
			c->ports &= ~(UINT64_C(1) << l->index);
	} else if (l->kind == LINE_IRQ && l->index < PLANT_IRQ_INPUTS) {
		if (high)
			c->irq_inputs |= 1u << l->index;
		else
			c->irq_inputs &= ~(1u << l->index);
	}
}

/* An output of the station (alarm, dewar inhibit) as the card shows it. */
static int output_read(struct ln2_plant *p, const struct line *l, bool *ret)
{
	struct crate_card *c;
	uint64_t ports;
	uint8_t flags;
	int r;

	if (l->card == NO_CARD)
		return -ENOENT;
	c = &p->cards[l->card];
	if (l->kind == LINE_FLAG) {
		r = plant_flags_get(c->plant_card, &flags);
		if (r >= 0)
			*ret = flags & (1u << l->index);
	} else if (l->kind == LINE_PORT) {
		r = plant_ports_get(c->plant_card, &ports);
		if (r >= 0)
			*ret = ports & (UINT64_C(1) << l->index);
	} else {
		return -ENOENT;
	}
	return card_error(c, CARD_OP_OUTPUTS, r);
}

static void output_update(struct ln2_plant *p, const struct line *l, bool *state,
			  const char *name, const struct timespec *now)
{
	char event[48];
	bool on = false;

	if (output_read(p, l, &on) < 0 || on == *state)
		return;
	*state = on;
	snprintf(event, sizeof(event), "%s %s", on ? "on" : "off", name);
	log_event(p, now, event);
}

int ln2_plant_tick(struct ln2_plant *p, double sim_dt_s)
{
	const struct station *s = p->station;
	struct timespec now;
	int first = 0, r;

	if (!(sim_dt_s > 0.0))
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);

	/* 1. The controller's commands: every relay latch. */
	for (size_t i = 0; i < p->n_cards; i++) {
		struct crate_card *c = &p->cards[i];

		if (c->card->model != CARD_XVME260)
			continue;
		r = card_error(c, CARD_OP_RELAYS,
			       plant_relays_get(c->plant_card, &c->relays));
		/* An unreadable latch: keep the last state, as a valve would. */
		if (r < 0 && !first)
			first = r;
	}
	valves_update(p, &now);

	/* 2. Physics. */
	r = ln2_model_advance(p->model, sim_dt_s);
	if (r < 0)
		return r;
	p->sim_time += sim_dt_s;

	/* 3. Sensors and inputs, card by card. */
	for (size_t i = 0; i < s->n_detectors; i++) {
		ain_put(p, &p->detector_sensor[i], ln2_model_detector_sensor_mv(p->model, i));
		input_put(p, &p->bias_shutdown[i], p->bias_on[i]);
	}
	for (size_t i = 0; i < s->n_manifolds; i++) {
		ain_put(p, &p->manifold_sensor[i], ln2_model_manifold_sensor_mv(p->model, i));
		input_put(p, &p->manual_fill_key[i], p->key_on[i]);
	}
	for (size_t i = 0; i < p->n_cards; i++) {
		struct crate_card *c = &p->cards[i];

		switch (c->card->model) {
		case CARD_XVME560:
			r = card_error(c, CARD_OP_AIN, plant_ain_set_all(c->plant_card, c->ain));
			break;
		case CARD_XVME240:
			/* Only on a change: a write is an edge on the card. */
			r = 0;
			if (!c->inputs_written || c->ports != c->written_ports)
				r = plant_ports_set(c->plant_card, c->ports);
			if (r >= 0 && (!c->inputs_written || c->irq_inputs != c->written_irq))
				r = plant_irq_inputs_set(c->plant_card, c->irq_inputs);
			r = card_error(c, CARD_OP_INPUTS, r);
			if (r >= 0) {
				c->inputs_written = true;
				c->written_ports = c->ports;
				c->written_irq = c->irq_inputs;
			}
			break;
		default:
			r = 0;
			break;
		}
		if (r < 0 && !first)
			first = r;
	}

	/* 4. The station's outputs, for the log. */
	output_update(p, &p->alarm, &p->alarm_on, "alarm", &now);
	output_update(p, &p->dewar_inhibit, &p->dewar_inhibit_on, "dewar-inhibit", &now);
	return first;
}
