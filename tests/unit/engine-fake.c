// SPDX-License-Identifier: GPL-2.0
/* The fake LN2 plant of the engine tests: see engine-fake.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/engine-fake.h"

#define RELAY_CARD(m) ((uint16_t)(0x0400u * (1 + (m))))
#define ADC_CARD(m) ((uint16_t)(0x8000u + 0x0400u * (m)))
#define TTL_CARD 0xF000u
#define INPUT_RELAY 30
#define OUTPUT_RELAY 31
#define MANIFOLD_ADC 30

static struct fake_plant *plant_of(void *userdata)
{
	return userdata;
}

static void log_call(struct fake_plant *f, const char *action, const char *what)
{
	if (f->n_log < FAKE_LOG_MAX)
		snprintf(f->log[f->n_log++], sizeof(f->log[0]), "%s %s", action, what);
}

/* Which detector (>= 0) or manifold (-1 - m) a relay or ADC channel is. */
static int resolve(const struct fake_plant *f, const struct channel_ref *ref, bool *is_manifold,
		   bool *is_output)
{
	for (uint32_t m = 0; m < f->station->n_manifolds; m++) {
		uint16_t card = ref->kind == LINE_ADC ? ADC_CARD(m) : RELAY_CARD(m);

		if (ref->card != card)
			continue;
		*is_output = ref->index == OUTPUT_RELAY;
		*is_manifold = ref->index >= MANIFOLD_ADC;
		if (*is_manifold)
			return (int)m;
		for (uint32_t d = 0; d < f->station->n_detectors; d++)
			if (f->station->detectors[d].valve.card == RELAY_CARD(m) &&
			    f->station->detectors[d].valve.index == ref->index)
				return (int)d;
	}
	return -ENODEV;
}

static int fake_read_sensor(void *userdata, const struct channel_ref *sensor, int32_t *ret)
{
	struct fake_plant *f = plant_of(userdata);
	bool mf, out;
	int i = resolve(f, sensor, &mf, &out);

	if (i < 0 || sensor->kind != LINE_ADC)
		return -ENODEV;
	if (mf) {
		if (f->manifold_sensor_dead[i])
			return -ETIMEDOUT;
		f->manifold_reads[i]++;
		f->scan_manifold_reads[i]++;
		f->manifold_read_at[i] = ++f->n_conversions;
		if (f->manifold_glitch_reads[i]) {
			f->manifold_glitch_reads[i]--;
			*ret = f->manifold_glitch_mv[i];
			return 0;
		}
		if (f->manifold_sensor_stuck_mv[i]) {
			*ret = f->manifold_sensor_stuck_mv[i];
			return 0;
		}
		*ret = f->manifold_flow[i] >= f->purge_ticks ? COLD_MV : WARM_MV - 10 * (int)f->manifold_flow[i];
		return 0;
	}
	if (f->sensor_dead[i])
		return -ETIMEDOUT;
	f->reads[i]++;
	f->scan_reads[i]++;
	f->read_at[i] = ++f->n_conversions;
	if (f->glitch_reads[i]) {
		*ret = f->glitch_mv[i][0];
		f->glitch_reads[i]--;
		memmove(f->glitch_mv[i], f->glitch_mv[i] + 1, sizeof(f->glitch_mv[i]) - sizeof(int32_t));
		return 0;
	}
	if (f->sensor_stuck_mv[i]) {
		*ret = f->sensor_stuck_mv[i];
		return 0;
	}
	*ret = f->flow[i] >= f->fill_ticks[i] ? COLD_MV : WARM_MV - 10 * (int)f->flow[i];
	return 0;
}

static bool relay_card_gone(const struct fake_plant *f, const struct channel_ref *valve)
{
	for (uint32_t m = 0; m < f->station->n_manifolds; m++)
		if (valve->card == RELAY_CARD(m))
			return f->relay_card_gone[m];
	return false;
}

static int fake_check_valve(void *userdata, const struct channel_ref *valve)
{
	struct fake_plant *f = plant_of(userdata);
	bool mf, out;

	if (resolve(f, valve, &mf, &out) < 0 || valve->kind != LINE_RELAY)
		return -ENODEV;
	return relay_card_gone(f, valve) ? -ENODEV : 0;
}

static int fake_check_card(void *userdata, const struct channel_ref *ref)
{
	return ref->kind == LINE_RELAY && relay_card_gone(plant_of(userdata), ref) ? -ENODEV : 0;
}

static int fake_set_valve(void *userdata, const struct channel_ref *valve, bool open)
{
	struct fake_plant *f = plant_of(userdata);
	bool mf, out;
	int i = resolve(f, valve, &mf, &out);
	char name[8];

	if (i < 0 || valve->kind != LINE_RELAY)
		return -ENODEV;
	/* Out of the crate its relays are off: closing one succeeds (the
	 * contract of engine_hw.set_valve), opening one cannot. */
	if (relay_card_gone(f, valve))
		return open ? -ENODEV : 0;
	/* (A failing inhibit output is the engine's fault to report, not to hide.) */
	if (open && !f->dewar_inhibit && !f->output_fails[0])
		f->inhibit_violations++;
	if (mf) {
		snprintf(name, sizeof(name), "%s-%s", f->station->manifolds[i].name, out ? "out" : "in");
		log_call(f, open ? "open" : "close", name);
		if (out)
			f->output[i] = open;
		else
			f->input[i] = open;
		return 0;
	}
	snprintf(name, sizeof(name), "%u", f->station->detectors[i].number);
	if (!open && f->valve_close_fails[i]) {
		log_call(f, "close-failed", name);
		return -EIO;
	}
	log_call(f, open ? "open" : "close", name);
	f->valve[i] = open;
	return 0;
}

static int fake_read_input(void *userdata, const struct channel_ref *input, bool *ret)
{
	struct fake_plant *f = plant_of(userdata);

	if (input->card != TTL_CARD)
		return -ENODEV;
	if (input->kind == LINE_IRQ && input->index < FAKE_MANIFOLDS_MAX) {
		if (f->key_unreadable[input->index])
			return -EIO;
		*ret = f->key[input->index];
	}
	else if (input->kind == LINE_PORT && input->index < FAKE_DETECTORS_MAX)
		*ret = f->bias[input->index];
	else
		return -ENODEV;
	return 0;
}

static bool commanded_valve_open(const struct fake_plant *f)
{
	for (uint32_t d = 0; d < f->station->n_detectors; d++)
		if (f->valve[d])
			return true;
	for (uint32_t m = 0; m < f->station->n_manifolds; m++)
		if (f->input[m] || f->output[m])
			return true;
	return false;
}

static int fake_set_output(void *userdata, const struct channel_ref *output, bool on)
{
	struct fake_plant *f = plant_of(userdata);

	if (output->card != TTL_CARD || output->kind != LINE_FLAG)
		return -ENODEV;
	if (output->index < 2 && f->output_fails[output->index]) {
		log_call(f, output->index == 0 ? "inhibit-failed" : "alarm-failed", on ? "on" : "off");
		return -EIO;
	}
	if (output->index == 0) {
		if (!on && commanded_valve_open(f))
			f->inhibit_violations++;
		f->dewar_inhibit = on;
		log_call(f, "inhibit", on ? "on" : "off");
	} else {
		f->alarm = on;
		log_call(f, "alarm", on ? "on" : "off");
	}
	return 0;
}

static const struct engine_hw fake_hw = {
	.read_sensor_mv = fake_read_sensor,
	.set_valve = fake_set_valve,
	.read_input = fake_read_input,
	.set_output = fake_set_output,
	.check_valve = fake_check_valve,
	.check_card = fake_check_card,
};

static void add_event(struct fake_plant *f, const struct fake_event *ev)
{
	if (f->n_events < FAKE_EVENTS_MAX)
		f->events[f->n_events++] = *ev;
}

static void on_started(void *userdata, uint32_t d, int64_t at)
{
	add_event(userdata, &(struct fake_event) { .type = EV_STARTED, .detector = d });
}

static void on_ended(void *userdata, uint32_t d, const struct fill_record *r)
{
	add_event(userdata, &(struct fake_event) {
		.type = EV_ENDED, .detector = d, .result = r->result, .record = *r,
	});
}

static void on_fault(void *userdata, const struct engine_fault *fault)
{
	snprintf(plant_of(userdata)->last_fault, sizeof(plant_of(userdata)->last_fault), "%s",
		 fault->message);
	add_event(userdata, &(struct fake_event) {
		.type = EV_FAULT, .detector = fault->detector, .manifold = fault->manifold,
		.fault = fault->kind,
	});
}

static void on_property(void *userdata, enum engine_object o, uint32_t i)
{
	plant_of(userdata)->n_property_changes++;
}

static const struct engine_observer fake_observer = {
	.fill_started = on_started,
	.fill_ended = on_ended,
	.fault = on_fault,
	.property_changed = on_property,
};

struct fake_plant *fake_new(unsigned n_manifolds, unsigned per_manifold, bool presets)
{
	struct fake_plant *f = calloc(1, sizeof(*f));
	struct station *s;

	if (!f || n_manifolds > FAKE_MANIFOLDS_MAX || n_manifolds * per_manifold > FAKE_DETECTORS_MAX)
		abort();
	setenv("TZ", "UTC", 1);
	tzset();
	s = f->station = station_new();
	s->globals.dewar_inhibit = (struct channel_ref) { .card = TTL_CARD, .kind = LINE_FLAG, .index = 0 };
	s->globals.alarm = (struct channel_ref) { .card = TTL_CARD, .kind = LINE_FLAG, .index = 1 };
	for (unsigned m = 0; m < n_manifolds; m++) {
		struct manifold *mf = station_add_manifold(s);

		snprintf(mf->name, sizeof(mf->name), "%c", 'A' + m);
		mf->sensor = (struct channel_ref) { .card = ADC_CARD(m), .kind = LINE_ADC, .index = MANIFOLD_ADC };
		mf->input_valve = (struct channel_ref) { .card = RELAY_CARD(m), .kind = LINE_RELAY, .index = INPUT_RELAY };
		mf->output_valve = (struct channel_ref) { .card = RELAY_CARD(m), .kind = LINE_RELAY, .index = OUTPUT_RELAY };
		mf->manual_fill_key = (struct channel_ref) { .card = TTL_CARD, .kind = LINE_IRQ, .index = (uint8_t)m };
		mf->reference_mv = REFERENCE_MV;
		mf->max_fill_s = MANIFOLD_MAX_FILL_S;
		mf->closure_delay_s = CLOSURE_DELAY_S;
		for (unsigned i = 0; i < per_manifold; i++) {
			struct detector *d = station_add_detector(s);
			unsigned n = m * per_manifold + i;

			d->number = n + 1;
			snprintf(d->manifold_name, sizeof(d->manifold_name), "%s", mf->name);
			d->sensor = (struct channel_ref) { .card = ADC_CARD(m), .kind = LINE_ADC, .index = (uint8_t)i };
			d->valve = (struct channel_ref) { .card = RELAY_CARD(m), .kind = LINE_RELAY, .index = (uint8_t)i };
			d->bias_shutdown = (struct channel_ref) { .card = TTL_CARD, .kind = LINE_PORT, .index = (uint8_t)n };
			d->reference_mv = REFERENCE_MV;
			d->max_fill_s = DETECTOR_MAX_FILL_S;
			d->closure_delay_s = CLOSURE_DELAY_S;
			d->n_presets = presets ? 1 : 0;
			d->preset[0] = presets ? 8 * 60 : PRESET_UNUSED;
			for (unsigned p = 1; p < PRESETS_MAX; p++)
				d->preset[p] = PRESET_UNUSED;
			f->fill_ticks[n] = 3 + i;	/* detectors fill in a fixed order */
		}
	}
	station_sort(s);
	if (station_link(s) < 0)
		abort();
	f->purge_ticks = 2;
	f->residual_ticks = 20;
	f->real_usec = FAKE_START_S * 1000000ll;
	f->mono_usec = 1000000000ll;
	if (fake_start_engine(f) < 0)
		abort();
	return f;
}

int fake_start_engine(struct fake_plant *f)
{
	f->engine = engine_free(f->engine);
	f->error[0] = 0;
	return engine_new(f->station, &fake_hw, f, &fake_observer, f, f->real_usec, f->mono_usec,
			  &f->engine, f->error, sizeof(f->error));
}

void fake_free(struct fake_plant *f)
{
	engine_free(f->engine);
	station_free(f->station);
	free(f);
}

static void physics(struct fake_plant *f)
{
	for (uint32_t m = 0; m < f->station->n_manifolds; m++) {
		bool supplied = f->input[m] && !f->supply_empty[m];

		if (supplied)
			f->residual[m] = f->residual_ticks;
		else if (f->residual[m] > 0)
			f->residual[m]--;
		f->manifold_flow[m] = (supplied || (f->residual[m] && !f->supply_empty[m])) &&
				      (f->output[m] || f->output_stuck_open[m]) ?
				      f->manifold_flow[m] + 1 : 0;
	}
	for (uint32_t d = 0; d < f->station->n_detectors; d++) {
		uint32_t m = f->station->detectors[d].manifold;
		bool lN2 = !f->supply_empty[m] && (f->input[m] || f->residual[m]);

		f->flow[d] = lN2 && (f->valve[d] || f->valve_stuck_open[d]) ? f->flow[d] + 1 : 0;
	}
}

void fake_scan(struct fake_plant *f)
{
	f->real_usec += 1000000;
	f->mono_usec += 1000000;
	physics(f);
	memset(f->scan_reads, 0, sizeof(f->scan_reads));
	memset(f->scan_manifold_reads, 0, sizeof(f->scan_manifold_reads));
	engine_scan(f->engine, f->real_usec, f->mono_usec);
}

void fake_sample_fast(struct fake_plant *f, int64_t usec)
{
	f->real_usec += usec;
	f->mono_usec += usec;
	memset(f->scan_reads, 0, sizeof(f->scan_reads));
	memset(f->scan_manifold_reads, 0, sizeof(f->scan_manifold_reads));
	engine_sample_filling(f->engine, f->real_usec, f->mono_usec);
}

void fake_scans(struct fake_plant *f, unsigned n)
{
	while (n--)
		fake_scan(f);
}

unsigned fake_scan_until_idle(struct fake_plant *f, unsigned max)
{
	struct engine_global_view g;
	unsigned n = 0;

	do {
		fake_scan(f);
		engine_global_view(f->engine, &g);
		n++;
	} while (n < max && (g.state == ENGINE_STATE_FILLING || fake_any_valve_open(f)));
	return n;
}

void fake_glitch(struct fake_plant *f, uint32_t d, int32_t mv, unsigned n)
{
	if (n > FAKE_GLITCH_MAX)
		abort();
	for (unsigned i = 0; i < n; i++)
		f->glitch_mv[d][i] = mv;
	f->glitch_reads[d] = n;
}

void fake_log_reset(struct fake_plant *f)
{
	f->n_log = 0;
}

const char *fake_log_string(struct fake_plant *f)
{
	static char buf[FAKE_LOG_MAX * 8];
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < f->n_log && len + 32 < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "", f->log[i]);
	return buf;
}

unsigned fake_count_events(const struct fake_plant *f, int type, int what)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n_events; i++)
		if ((int)f->events[i].type == type &&
		    (what < 0 || (type == EV_FAULT ? (int)f->events[i].fault : (int)f->events[i].result) == what))
			n++;
	return n;
}

unsigned fake_count_results(const struct fake_plant *f, uint32_t d, enum fill_result r)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n_events; i++)
		n += f->events[i].type == EV_ENDED && f->events[i].detector == d && f->events[i].result == r;
	return n;
}

bool fake_any_valve_open(const struct fake_plant *f)
{
	return commanded_valve_open(f);
}

uint32_t fake_status(const struct fake_plant *f, uint32_t d)
{
	struct engine_detector_view v;

	engine_detector_view(f->engine, d, &v);
	return v.status;
}

enum engine_state fake_state(const struct fake_plant *f)
{
	struct engine_global_view g;

	engine_global_view(f->engine, &g);
	return g.state;
}
