// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's life cycle and scan: valves and the outputs that follow
 * them (dewar inhibit, alarm), inputs and sensors, faults, views and their
 * change notifications. The fill sequence itself is in manifold-fill.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/autofill/engine-internal.h"

static const char *const engine_state_names[_ENGINE_STATE_MAX] = {
	[ENGINE_STATE_OK] = "ok",
	[ENGINE_STATE_CRASHED] = "crashed",
	[ENGINE_STATE_FILL_ERROR] = "fill-error",
	[ENGINE_STATE_FILLING] = "filling",
	[ENGINE_STATE_MANUAL_FILL] = "manual-fill",
};

const char *engine_state_to_string(enum engine_state s)
{
	return (unsigned)s < ELEMENTSOF(engine_state_names) ? engine_state_names[s] : NULL;
}

static const char *const detector_status_names[DETECTOR_STATUS_BITS] = {
	"overfull", "underfull", "manifold-error", "filling", "delayed",
	"purging", "avoided", "bias-shutdown", "unavailable", "card-unavailable",
};

const char *detector_status_name(unsigned bit)
{
	return bit < ELEMENTSOF(detector_status_names) ? detector_status_names[bit] : NULL;
}

static const char *const manifold_status_names[MANIFOLD_STATUS_BITS] = {
	"overfull", "underfull", "purging", "unavailable", "manual-fill", "card-unavailable",
};

const char *manifold_status_name(unsigned bit)
{
	return bit < ELEMENTSOF(manifold_status_names) ? manifold_status_names[bit] : NULL;
}

static const char *const fault_kind_names[_ENGINE_FAULT_MAX] = {
	[ENGINE_FAULT_UNDERFULL] = "underfull",
	[ENGINE_FAULT_OVERFULL] = "overfull",
	[ENGINE_FAULT_MANIFOLD_INHIBITED] = "manifold-inhibited",
	[ENGINE_FAULT_SENSOR] = "sensor",
	[ENGINE_FAULT_INPUT] = "input",
	[ENGINE_FAULT_VALVE] = "valve",
	[ENGINE_FAULT_OUTPUT] = "output",
	[ENGINE_FAULT_BIAS_SHUTDOWN] = "bias-shutdown",
};

const char *engine_fault_kind_to_string(enum engine_fault_kind k)
{
	return (unsigned)k < ELEMENTSOF(fault_kind_names) ? fault_kind_names[k] : NULL;
}

static bool ref_configured(const struct channel_ref *ref)
{
	return ref->kind != LINE_NONE;
}

/*
 * Drive an output to what it should be (always when `force`: its state is
 * not known yet). A failed write leaves the line as it was, and so the
 * views; it raises one Fault and is retried at every scan until it works.
 * A dewar inhibit that cannot be driven sounds the alarm; an alarm that
 * cannot be driven has only the Fault and the journal.
 */
static void output_drive(struct engine *e, struct output *o, bool force)
{
	char name[CHANNEL_REF_STRING_MAX];
	int r;

	if (!force && o->asserted == o->wanted && !o->failed)
		return;
	if (!ref_configured(o->ref)) {
		o->asserted = o->wanted;
		return;
	}
	r = e->hw->set_output(e->hw_userdata, o->ref, o->wanted);
	if (r >= 0) {
		o->asserted = o->wanted;
		o->failed = false;
		return;
	}
	if (o->failed)
		return;		/* reported; still retried */
	o->failed = true;
	engine_raise_fault(e, ENGINE_FAULT_OUTPUT, ENGINE_NO_INDEX, ENGINE_NO_INDEX, r,
			   "could not %s the %s output %s: %s; it stays %s, retrying at every scan",
			   o->wanted ? "assert" : "release", o->name, channel_ref_format(o->ref, name),
			   strerror(-r), o->asserted ? "asserted" : "released");
	if (o == &e->dewar_inhibit)
		alarm_set(e, true);
}

void alarm_set(struct engine *e, bool on)
{
	e->alarm.wanted = on;
	output_drive(e, &e->alarm, false);
}

static void dewar_inhibit_set(struct engine *e, bool on)
{
	e->dewar_inhibit.wanted = on;
	output_drive(e, &e->dewar_inhibit, false);
}

void engine_raise_fault(struct engine *e, enum engine_fault_kind kind, uint32_t detector,
			uint32_t manifold, int error, const char *format, ...)
{
	char message[256];
	struct engine_fault f = {
		.kind = kind, .detector = detector, .manifold = manifold, .error = error,
		.message = message,
	};
	bool avoided = detector != ENGINE_NO_INDEX && e->detectors[detector].avoided;
	va_list ap;

	va_start(ap, format);
	vsnprintf(message, sizeof(message), format, ap);
	va_end(ap);

	if (e->observer && e->observer->fault)
		e->observer->fault(e->observer_userdata, &f);
	/* AVOID keeps a detector from raising alarms; the fault is still reported. */
	if (!avoided && kind != ENGINE_FAULT_OUTPUT)
		alarm_set(e, true);
}

/*
 * The dewar inhibit goes on before the first valve opens and off after
 * the last one closed, so it is asserted while any valve is open (and
 * during a manual fill, see read_manual_fill_keys()).
 */
int valve_open(struct engine *e, struct valve *v, uint32_t detector, uint32_t manifold)
{
	char name[CHANNEL_REF_STRING_MAX];
	int r;

	if (v->open)
		return 0;
	if (e->n_open_valves == 0)
		dewar_inhibit_set(e, true);
	v->open = true;
	e->n_open_valves++;
	r = e->hw->set_valve(e->hw_userdata, v->ref, true);
	if (r < 0) {
		engine_raise_fault(e, ENGINE_FAULT_VALVE, detector, manifold, r,
				   "could not open valve %s: %s",
				   channel_ref_format(v->ref, name), strerror(-r));
		/* It may have opened anyway: close it, or keep it counted as open. */
		valve_close(e, v, detector, manifold);
		return r;
	}
	v->changed_usec = e->now_usec;
	return 0;
}

int valve_close(struct engine *e, struct valve *v, uint32_t detector, uint32_t manifold)
{
	char name[CHANNEL_REF_STRING_MAX];
	int r;

	if (!v->open)
		return 0;
	r = e->hw->set_valve(e->hw_userdata, v->ref, false);
	if (r < 0) {
		if (!v->close_failed)
			engine_raise_fault(e, ENGINE_FAULT_VALVE, detector, manifold, r,
					   "could not close valve %s: %s; retrying at every scan",
					   channel_ref_format(v->ref, name), strerror(-r));
		v->close_failed = true;
		return r;
	}
	v->open = false;
	v->close_failed = false;
	v->changed_usec = e->now_usec;
	v->closed_mono = e->now_mono;	/* its exhaust is watched from here on */
	if (--e->n_open_valves == 0)
		dewar_inhibit_set(e, e->manual_fill);
	return 0;
}

/* Close a valve whatever the engine believes its state is (start-up). */
static int valve_force_close(struct engine *e, struct valve *v, uint32_t detector, uint32_t manifold)
{
	if (!v->open) {
		v->open = true;
		e->n_open_valves++;
	}
	return valve_close(e, v, detector, manifold);
}

/* LN2 at the exhaust, as debounced (exhaust-reading.c). */
bool detector_sensor_cold(const struct engine *e, uint32_t d)
{
	const struct detector_run *r = &e->detectors[d];

	return r->mv_valid && r->cold;
}

bool manifold_sensor_cold(const struct engine *e, uint32_t m)
{
	const struct manifold_run *r = &e->manifolds[m];

	return r->mv_valid && r->cold;
}

static void read_manual_fill_keys(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	char name[CHANNEL_REF_STRING_MAX];
	bool any = false;

	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		struct manifold_run *mr = &e->manifolds[m];
		const struct channel_ref *key = &e->station->manifolds[m].manual_fill_key;
		bool on;
		int r;

		if (!ref_configured(key))
			continue;
		r = e->hw->read_input(e->hw_userdata, key, &on);
		if (r < 0) {
			if (!mr->input_failed)
				engine_raise_fault(e, ENGINE_FAULT_INPUT, ENGINE_NO_INDEX, m, r,
						   "manifold %s: manual-fill key %s unreadable: %s",
						   e->station->manifolds[m].name,
						   channel_ref_format(key, name), strerror(-r));
			mr->input_failed = true;
			/* Not knowing the key is no reason to fill: end this manifold's fill.
			 * A key last seen on counts as on: the operator may still be
			 * filling by hand, so the station stays in manual fill. */
			manifold_fill_abort(e, m, FILL_RESULT_ABORTED, false, now_usec, now_mono);
			any = any || mr->manual_key;
			continue;
		}
		mr->input_failed = false;
		mr->manual_key = on;
		any = any || on;
	}

	if (any && !e->manual_fill) {
		/* Manual fill: every ongoing fill is aborted, every valve closed.
		 * LN2 at an exhaust is the operator's doing now, not a stuck
		 * valve: the overfull watch rests (overfull-watch.c). The
		 * operator fills from the supply dewar by hand: the dewar
		 * inhibit is asserted first and stays on until the key is off. */
		e->manual_fill = true;
		dewar_inhibit_set(e, true);
		for (uint32_t m = 0; m < e->station->n_manifolds; m++)
			manifold_fill_abort(e, m, FILL_RESULT_MANUAL_FILL, false, now_usec, now_mono);
	}
	if (!any && e->manual_fill) {
		e->manual_fill = false;
		e->manual_fill_end_mono = now_mono;
		dewar_inhibit_set(e, e->n_open_valves > 0);
	}
}

static void read_bias_inputs(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	char name[CHANNEL_REF_STRING_MAX];

	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		struct detector_run *dr = &e->detectors[d];
		const struct channel_ref *bias = &e->station->detectors[d].bias_shutdown;
		bool on;
		int r;

		if (!ref_configured(bias))
			continue;
		r = e->hw->read_input(e->hw_userdata, bias, &on);
		if (r < 0) {
			if (!dr->input_failed)
				engine_raise_fault(e, ENGINE_FAULT_INPUT, d, ENGINE_NO_INDEX, r,
						   "detector %u: bias-shutdown input %s unreadable: %s",
						   e->station->detectors[d].number,
						   channel_ref_format(bias, name), strerror(-r));
			dr->input_failed = true;
			if (dr->phase != DETECTOR_PHASE_IDLE)
				detector_fill_end(e, d, FILL_RESULT_ABORTED, now_usec, now_mono);
			continue;
		}
		dr->input_failed = false;
		/* Latched on the edge: UNAVOID re-enables a detector whose bias is
		 * still off, as the operator asked. */
		if (on && !dr->bias_input && !dr->bias_shutdown) {
			dr->bias_shutdown = true;
			if (dr->phase != DETECTOR_PHASE_IDLE)
				detector_fill_end(e, d, FILL_RESULT_CANCELLED, now_usec, now_mono);
			engine_raise_fault(e, ENGINE_FAULT_BIAS_SHUTDOWN, d, ENGINE_NO_INDEX, 0,
					   "detector %u: bias shutdown, fills stopped until UNAVOID",
					   e->station->detectors[d].number);
		}
		dr->bias_input = on;
	}
}

/* Read a detector's exhaust (debounced); a failure ends its fill. */
void detector_sample(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono)
{
	char name[CHANNEL_REF_STRING_MAX];
	struct detector_run *dr = &e->detectors[d];
	const struct detector *conf = &e->station->detectors[d];
	const char *why = NULL;
	int32_t mv;
	int r;

	r = exhaust_sample(e, &conf->sensor, conf->reference_mv, &dr->cold, &mv, &why);
	if (r < 0) {
		if (!dr->sensor_failed)
			engine_raise_fault(e, ENGINE_FAULT_SENSOR, d, ENGINE_NO_INDEX, r,
					   "detector %u: exhaust sensor %s unreadable: %s",
					   conf->number, channel_ref_format(&conf->sensor, name), why);
		dr->sensor_failed = true;
		dr->mv_valid = false;
		dr->cold = false;
		/* Without its sensor a fill cannot be stopped in time. */
		if (dr->phase != DETECTOR_PHASE_IDLE)
			detector_fill_end(e, d, FILL_RESULT_ABORTED, now_usec, now_mono);
		return;
	}
	dr->sensor_failed = false;
	dr->mv_valid = true;
	dr->mv = mv;
	if (dr->phase != DETECTOR_PHASE_IDLE && mv < dr->lowest_mv)
		dr->lowest_mv = mv;
}

/* Read a manifold's exhaust (debounced); a failure ends its purge. */
void manifold_sample(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono)
{
	char name[CHANNEL_REF_STRING_MAX];
	struct manifold_run *mr = &e->manifolds[m];
	const struct channel_ref *sensor = &e->station->manifolds[m].sensor;
	const char *why = NULL;
	int32_t mv;
	int r;

	r = exhaust_sample(e, sensor, e->station->manifolds[m].reference_mv, &mr->cold, &mv, &why);
	if (r < 0) {
		if (!mr->sensor_failed)
			engine_raise_fault(e, ENGINE_FAULT_SENSOR, ENGINE_NO_INDEX, m, r,
					   "manifold %s: exhaust sensor %s unreadable: %s",
					   e->station->manifolds[m].name,
					   channel_ref_format(sensor, name), why);
		mr->sensor_failed = true;
		mr->mv_valid = false;
		mr->cold = false;
		/* A purge cannot be judged without it; detector fills can go on. */
		if (mr->phase == MANIFOLD_PHASE_PURGING)
			manifold_fill_abort(e, m, FILL_RESULT_ABORTED, false, now_usec, now_mono);
		return;
	}
	mr->sensor_failed = false;
	mr->mv_valid = true;
	mr->mv = mv;
}

/*
 * Every sensor, those of running fills and purges first (a detector whose
 * LN2 arrived has its valve closed at once, not after the other
 * detectors' conversions): the fast sampler (fast-sampling.c) watches
 * them between scans, and this is the same rule at the scan.
 */
static void read_sensors(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	uint64_t scan = ++e->scan_serial;

	for (uint32_t d = 0; d < e->station->n_detectors; d++)
		if (e->detectors[d].phase == DETECTOR_PHASE_FILLING) {
			e->detectors[d].read_in_scan = scan;
			detector_sample_filling(e, d, now_usec, now_mono);
		}
	for (uint32_t m = 0; m < e->station->n_manifolds; m++)
		if (e->manifolds[m].phase == MANIFOLD_PHASE_PURGING) {
			e->manifolds[m].read_in_scan = scan;
			manifold_sample(e, m, now_usec, now_mono);
		}

	for (uint32_t d = 0; d < e->station->n_detectors; d++)
		if (e->detectors[d].read_in_scan != scan)
			detector_sample(e, d, now_usec, now_mono);
	for (uint32_t m = 0; m < e->station->n_manifolds; m++)
		if (e->manifolds[m].read_in_scan != scan)
			manifold_sample(e, m, now_usec, now_mono);
}

/*
 * Valves are driven only when a fill needs them, so a relay card that left
 * the crate would go unnoticed until then: ask the hardware layer (no I/O)
 * whether each valve can be driven. One that cannot makes its detector or
 * manifold unavailable and ends the fills that rely on it; once it can
 * again, the detector or manifold is available at this very scan.
 */
static void check_valves(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	char name[CHANNEL_REF_STRING_MAX];

	if (!e->hw->check_valve)
		return;
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		struct detector_run *dr = &e->detectors[d];
		const struct channel_ref *valve = &e->station->detectors[d].valve;
		int r = ref_configured(valve) ? e->hw->check_valve(e->hw_userdata, valve) : 0;

		if (r < 0 && !dr->valve_failed) {
			dr->valve_failed = true;
			engine_raise_fault(e, ENGINE_FAULT_VALVE, d, ENGINE_NO_INDEX, r,
					   "detector %u: valve %s cannot be driven: %s",
					   e->station->detectors[d].number,
					   channel_ref_format(valve, name), strerror(-r));
			if (dr->phase != DETECTOR_PHASE_IDLE)
				detector_fill_end(e, d, FILL_RESULT_ABORTED, now_usec, now_mono);
		} else if (r >= 0) {
			dr->valve_failed = false;
		}
	}
	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		struct manifold_run *mr = &e->manifolds[m];
		const struct manifold *conf = &e->station->manifolds[m];
		const struct channel_ref *bad = NULL;
		int r = 0;

		if (ref_configured(&conf->input_valve))
			r = e->hw->check_valve(e->hw_userdata, &conf->input_valve);
		if (r < 0)
			bad = &conf->input_valve;
		else if (ref_configured(&conf->output_valve) &&
			 (r = e->hw->check_valve(e->hw_userdata, &conf->output_valve)) < 0)
			bad = &conf->output_valve;
		if (bad && !mr->valve_failed) {
			mr->valve_failed = true;
			engine_raise_fault(e, ENGINE_FAULT_VALVE, ENGINE_NO_INDEX, m, r,
					   "manifold %s: valve %s cannot be driven: %s", conf->name,
					   channel_ref_format(bad, name), strerror(-r));
			manifold_fill_abort(e, m, FILL_RESULT_ABORTED, false, now_usec, now_mono);
		} else if (!bad) {
			mr->valve_failed = false;
		}
	}
}

/* Valves whose closing failed are retried at every scan. */
static void retry_failed_closures(struct engine *e)
{
	for (uint32_t d = 0; d < e->station->n_detectors; d++)
		if (e->detectors[d].valve.close_failed)
			valve_close(e, &e->detectors[d].valve, d, ENGINE_NO_INDEX);
	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		if (e->manifolds[m].input.close_failed)
			valve_close(e, &e->manifolds[m].input, ENGINE_NO_INDEX, m);
		if (e->manifolds[m].output.close_failed)
			valve_close(e, &e->manifolds[m].output, ENGINE_NO_INDEX, m);
	}
}

void engine_scan(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	if (e->shut_down)
		return;
	e->now_usec = now_usec;
	e->now_mono = now_mono;
	retry_failed_closures(e);
	output_drive(e, &e->dewar_inhibit, false);
	output_drive(e, &e->alarm, false);
	read_manual_fill_keys(e, now_usec, now_mono);
	read_bias_inputs(e, now_usec, now_mono);
	read_sensors(e, now_usec, now_mono);
	check_valves(e, now_usec, now_mono);
	if (!e->manual_fill)
		for (uint32_t m = 0; m < e->station->n_manifolds; m++)
			manifold_fill_step(e, m, now_usec, now_mono);
	if (!e->manual_fill)
		overfull_watch(e, now_usec, now_mono);
	engine_publish(e);
}

/* ---------------------------------------------------------------- views */

const struct station *engine_station(const struct engine *e)
{
	return e->station;
}

/* Is the card of this line out of use (the reason an object is unavailable)? */
static bool card_unavailable(const struct engine *e, const struct channel_ref *ref)
{
	return e->hw->check_card && ref_configured(ref) && e->hw->check_card(e->hw_userdata, ref) < 0;
}

void engine_detector_view(const struct engine *e, uint32_t d, struct engine_detector_view *ret)
{
	const struct detector_run *r = &e->detectors[d];
	uint32_t status = 0;

	if (r->overfull)
		status |= DETECTOR_STATUS_OVERFULL;
	if (r->underfull)
		status |= DETECTOR_STATUS_UNDERFULL;
	if (r->manifold_error)
		status |= DETECTOR_STATUS_MANIFOLD_ERROR;
	if (r->phase == DETECTOR_PHASE_FILLING)
		status |= DETECTOR_STATUS_FILLING;
	if (schedule_is_delayed(&r->schedule))
		status |= DETECTOR_STATUS_DELAYED;
	if (r->phase == DETECTOR_PHASE_PURGE_WAIT)
		status |= DETECTOR_STATUS_PURGING;
	if (r->avoided)
		status |= DETECTOR_STATUS_AVOIDED;
	if (r->bias_shutdown)
		status |= DETECTOR_STATUS_BIAS_SHUTDOWN;
	if (r->sensor_failed || r->input_failed || r->valve_failed || r->valve.close_failed)
		status |= DETECTOR_STATUS_UNAVAILABLE;
	if ((status & DETECTOR_STATUS_UNAVAILABLE) &&
	    (card_unavailable(e, &e->station->detectors[d].sensor) ||
	     card_unavailable(e, &e->station->detectors[d].valve) ||
	     card_unavailable(e, &e->station->detectors[d].bias_shutdown)))
		status |= DETECTOR_STATUS_CARD_UNAVAILABLE;

	*ret = (struct engine_detector_view) {
		.status = status,
		.valve_open = r->valve.open,
		.mv_valid = r->mv_valid,
		.mv = r->mv_valid ? r->mv : 0,
		.valve_changed_usec = r->valve.changed_usec,
		.next_fill = r->schedule.next_fill,
		.delay_s = schedule_is_delayed(&r->schedule) ?
			   r->schedule.next_fill - r->schedule.undelayed_fill : 0,
		.n_presets = r->schedule.n_presets,
	};
	memcpy(ret->preset, r->schedule.preset, sizeof(ret->preset));
}

void engine_manifold_view(const struct engine *e, uint32_t m, struct engine_manifold_view *ret)
{
	const struct manifold_run *r = &e->manifolds[m];
	uint32_t status = 0, open = 0, overfull = 0;

	for (uint32_t i = 0; i < r->n_members; i++) {
		const struct detector_run *dr = &e->detectors[r->members[i]];

		open += dr->valve.open;
		overfull += dr->overfull;
	}
	if (r->overfull)
		status |= MANIFOLD_STATUS_OVERFULL;
	if (r->underfull)
		status |= MANIFOLD_STATUS_UNDERFULL;
	if (r->phase == MANIFOLD_PHASE_PURGING)
		status |= MANIFOLD_STATUS_PURGING;
	if (r->sensor_failed || r->input_failed || r->valve_failed || r->input.close_failed ||
	    r->output.close_failed)
		status |= MANIFOLD_STATUS_UNAVAILABLE;
	if ((status & MANIFOLD_STATUS_UNAVAILABLE) &&
	    (card_unavailable(e, &e->station->manifolds[m].sensor) ||
	     card_unavailable(e, &e->station->manifolds[m].input_valve) ||
	     card_unavailable(e, &e->station->manifolds[m].output_valve) ||
	     card_unavailable(e, &e->station->manifolds[m].manual_fill_key)))
		status |= MANIFOLD_STATUS_CARD_UNAVAILABLE;
	if (r->manual_key)
		status |= MANIFOLD_STATUS_MANUAL_FILL;

	*ret = (struct engine_manifold_view) {
		.status = status,
		.input_open = r->input.open,
		.output_open = r->output.open,
		.mv_valid = r->mv_valid,
		.mv = r->mv_valid ? r->mv : 0,
		.valve_changed_usec = r->input.changed_usec > r->output.changed_usec ?
				      r->input.changed_usec : r->output.changed_usec,
		.open_detector_valves = open,
		.overfull_detectors = overfull,
	};
}

void engine_global_view(const struct engine *e, struct engine_global_view *ret)
{
	bool crashed = e->shut_down, error = false, busy = false;
	uint32_t filling = 0, purging = 0;

	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		const struct detector_run *r = &e->detectors[d];

		filling += r->phase == DETECTOR_PHASE_FILLING;
		busy = busy || r->phase != DETECTOR_PHASE_IDLE;
		crashed = crashed || r->valve.close_failed;
		error = error || r->overfull || r->underfull || r->manifold_error ||
			r->sensor_failed || r->input_failed || r->valve_failed;
	}
	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		const struct manifold_run *r = &e->manifolds[m];

		purging += r->phase == MANIFOLD_PHASE_PURGING;
		crashed = crashed || r->input.close_failed || r->output.close_failed;
		error = error || r->overfull || r->underfull || r->sensor_failed || r->input_failed ||
			r->valve_failed;
	}
	error = error || e->dewar_inhibit.failed || e->alarm.failed;

	*ret = (struct engine_global_view) {
		.state = e->manual_fill ? ENGINE_STATE_MANUAL_FILL :
			 crashed ? ENGINE_STATE_CRASHED :
			 error ? ENGINE_STATE_FILL_ERROR :
			 busy ? ENGINE_STATE_FILLING : ENGINE_STATE_OK,
		.filling_count = filling,
		.fast_exhausts = e->manual_fill || e->shut_down ? 0 : filling + purging,
		.alarm = e->alarm.asserted,
		.dewar_inhibit = e->dewar_inhibit.asserted,
	};
}

const struct fill_history *engine_fill_history(const struct engine *e, uint32_t d)
{
	return &e->detectors[d].history;
}

void engine_restore_fill_history(struct engine *e, uint32_t d, const struct fill_history *earlier)
{
	fill_history_prepend(&e->detectors[d].history, earlier);
}

static void property_changed(struct engine *e, enum engine_object object, uint32_t index)
{
	if (e->observer && e->observer->property_changed)
		e->observer->property_changed(e->observer_userdata, object, index);
}

void engine_publish_detector(struct engine *e, uint32_t d)
{
	struct engine_detector_view v;

	engine_detector_view(e, d, &v);
	if (memcmp(&v, &e->detectors[d].published, sizeof(v)) != 0) {
		e->detectors[d].published = v;
		property_changed(e, ENGINE_OBJECT_DETECTOR, d);
	}
}

void engine_publish_manifold(struct engine *e, uint32_t m)
{
	struct engine_manifold_view v;

	engine_manifold_view(e, m, &v);
	if (memcmp(&v, &e->manifolds[m].published, sizeof(v)) != 0) {
		e->manifolds[m].published = v;
		property_changed(e, ENGINE_OBJECT_MANIFOLD, m);
	}
}

/* Tell the observer about every view that differs from what it last saw. */
void engine_publish(struct engine *e)
{
	struct engine_global_view gv;

	for (uint32_t d = 0; d < e->station->n_detectors; d++)
		engine_publish_detector(e, d);
	for (uint32_t m = 0; m < e->station->n_manifolds; m++)
		engine_publish_manifold(e, m);
	engine_global_view(e, &gv);
	if (memcmp(&gv, &e->published, sizeof(gv)) != 0) {
		e->published = gv;
		property_changed(e, ENGINE_OBJECT_AUTOFILL, 0);
	}
}

/* ---------------------------------------------------------------- life cycle */

static bool manifold_all_avoided(const struct engine *e, uint32_t m)
{
	const struct manifold_run *mr = &e->manifolds[m];

	for (uint32_t i = 0; i < mr->n_members; i++)
		if (!e->detectors[mr->members[i]].avoided)
			return false;
	return mr->n_members > 0;
}

/* A latched error (overfull, underfull, manifold error) of a detector that
 * is not avoided, or of a manifold not all of whose detectors are avoided:
 * what keeps the alarm sounding. */
bool engine_has_unclear_errors(const struct engine *e)
{
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		const struct detector_run *r = &e->detectors[d];

		if (!r->avoided && (r->overfull || r->underfull || r->manifold_error))
			return true;
	}
	for (uint32_t m = 0; m < e->station->n_manifolds; m++)
		if ((e->manifolds[m].overfull || e->manifolds[m].underfull) &&
		    !manifold_all_avoided(e, m))
			return true;
	return false;
}

static int build_manifold_members(struct engine *e)
{
	const struct station *s = e->station;
	uint32_t *count = calloc(s->n_manifolds ? s->n_manifolds : 1, sizeof(*count));

	if (!count)
		return -ENOMEM;
	for (uint32_t d = 0; d < s->n_detectors; d++)
		count[s->detectors[d].manifold]++;
	for (uint32_t m = 0; m < s->n_manifolds; m++) {
		e->manifolds[m].members = calloc(count[m] ? count[m] : 1, sizeof(uint32_t));
		if (!e->manifolds[m].members) {
			free(count);
			return -ENOMEM;
		}
	}
	free(count);
	for (uint32_t d = 0; d < s->n_detectors; d++) {
		struct manifold_run *mr = &e->manifolds[s->detectors[d].manifold];

		mr->members[mr->n_members++] = d;
	}
	return 0;
}

int engine_new(struct station *station, const struct engine_hw *hw, void *hw_userdata,
	       const struct engine_observer *observer, void *observer_userdata,
	       int64_t now_usec, int64_t now_mono, struct engine **ret,
	       char *error, size_t error_size)
{
	_cleanup_engine_ struct engine *e = NULL;
	int r;

	for (uint32_t d = 0; d < station->n_detectors; d++)
		if (station->detectors[d].manifold >= station->n_manifolds) {
			snprintf(error, error_size, "detector %u: manifold not linked",
				 station->detectors[d].number);
			return -EINVAL;
		}

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->station = station;
	e->hw = hw;
	e->hw_userdata = hw_userdata;
	e->observer = observer;
	e->observer_userdata = observer_userdata;
	e->now_usec = now_usec;
	e->now_mono = now_mono;
	e->detectors = calloc(station->n_detectors ? station->n_detectors : 1, sizeof(*e->detectors));
	e->manifolds = calloc(station->n_manifolds ? station->n_manifolds : 1, sizeof(*e->manifolds));
	if (!e->detectors || !e->manifolds)
		return -ENOMEM;
	r = build_manifold_members(e);
	if (r < 0)
		return r;

	for (uint32_t d = 0; d < station->n_detectors; d++) {
		e->detectors[d].valve.ref = &station->detectors[d].valve;
		e->detectors[d].lowest_mv = FILL_LOWEST_NONE;
	}
	for (uint32_t m = 0; m < station->n_manifolds; m++) {
		e->manifolds[m].input.ref = &station->manifolds[m].input_valve;
		e->manifolds[m].output.ref = &station->manifolds[m].output_valve;
	}
	e->dewar_inhibit = (struct output) {
		.ref = &station->globals.dewar_inhibit, .name = "dewar inhibit",
	};
	e->alarm = (struct output) { .ref = &station->globals.alarm, .name = "alarm" };

	/* Whatever a previous run left, every valve is closed first. */
	for (uint32_t d = 0; d < station->n_detectors; d++)
		valve_force_close(e, &e->detectors[d].valve, d, ENGINE_NO_INDEX);
	for (uint32_t m = 0; m < station->n_manifolds; m++) {
		valve_force_close(e, &e->manifolds[m].output, ENGINE_NO_INDEX, m);
		valve_force_close(e, &e->manifolds[m].input, ENGINE_NO_INDEX, m);
	}
	/* Drive the outputs to a known state: the inhibit stays on if a
	 * valve would not close (and then the alarm sounds already). */
	e->dewar_inhibit.wanted = e->n_open_valves > 0;
	output_drive(e, &e->dewar_inhibit, true);
	if (!e->alarm.wanted)
		output_drive(e, &e->alarm, true);

	r = engine_restore_state(e, now_usec, now_mono, error, error_size);
	if (r < 0)
		return r;
	/* Errors nobody CLEARed before the restart still sound the alarm. */
	if (engine_has_unclear_errors(e))
		alarm_set(e, true);

	engine_publish(e);
	*ret = TAKE_PTR(e);
	return 0;
}

int engine_shutdown(struct engine *e, int64_t now_usec, int64_t now_mono)
{
	int ret = 0;

	if (e->shut_down)
		return 0;
	e->now_usec = now_usec;
	e->now_mono = now_mono;
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		struct detector_run *dr = &e->detectors[d];

		if (dr->phase == DETECTOR_PHASE_IDLE)
			continue;
		detector_fill_end(e, d, FILL_RESULT_INTERRUPTED, now_usec, now_mono);
		/* Refill after the restart. */
		schedule_fill(&dr->schedule, -1, now_usec / USEC_PER_SEC, &(const char *){ NULL });
	}
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		int r = valve_close(e, &e->detectors[d].valve, d, ENGINE_NO_INDEX);

		if (r < 0 && ret == 0)
			ret = r;
	}
	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		struct manifold_run *mr = &e->manifolds[m];
		int r1 = valve_close(e, &mr->output, ENGINE_NO_INDEX, m);
		int r2 = valve_close(e, &mr->input, ENGINE_NO_INDEX, m);

		mr->phase = MANIFOLD_PHASE_IDLE;
		if (r1 < 0 && ret == 0)
			ret = r1;
		if (r2 < 0 && ret == 0)
			ret = r2;
	}
	e->shut_down = true;
	engine_publish(e);
	return ret;
}

struct engine *engine_free(struct engine *e)
{
	if (!e)
		return NULL;
	if (!e->shut_down && e->manifolds && e->detectors) {
		/* Fail safe even if the caller forgot. */
		for (uint32_t d = 0; d < e->station->n_detectors; d++)
			valve_close(e, &e->detectors[d].valve, d, ENGINE_NO_INDEX);
		for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
			valve_close(e, &e->manifolds[m].output, ENGINE_NO_INDEX, m);
			valve_close(e, &e->manifolds[m].input, ENGINE_NO_INDEX, m);
		}
	}
	if (e->manifolds)
		for (uint32_t m = 0; m < e->station->n_manifolds; m++)
			free(e->manifolds[m].members);
	free(e->manifolds);
	free(e->detectors);
	free(e);
	return NULL;
}
