// SPDX-License-Identifier: GPL-2.0
/*
 * stationctl's output (see stationctl-output.h). Text for a person,
 * systemctl's layout; JSON with the bus's property names, so a script
 * that reads one reads the other.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/bus/bus-message-text.h"
#include "daemon/clients/stationctl-output.h"
#include "daemon/clients/table.h"
#include "daemon/shared/macro.h"

#define USEC_PER_SEC UINT64_C(1000000)

char *format_timestamp(uint64_t usec, char buf[static 32])
{
	time_t t = (time_t)(usec / USEC_PER_SEC);
	struct tm tm;

	if (usec == 0 || !localtime_r(&t, &tm))
		snprintf(buf, 32, "-");
	else
		strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

char *format_duration(uint64_t usec, char buf[static 32])
{
	uint64_t s = usec / USEC_PER_SEC;

	if (usec == 0)
		snprintf(buf, 32, "0");
	else if (usec < USEC_PER_SEC)
		snprintf(buf, 32, "%" PRIu64 "ms", usec / 1000);
	else if (s < 60)
		snprintf(buf, 32, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, 32, "%" PRIu64 "min %" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, 32, "%" PRIu64 "h %" PRIu64 "min", s / 3600, s / 60 % 60);
	return buf;
}

/* "as" joined by sep, or "-" when empty. */
static char *join(char **strv, const char *sep, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (char **s = strv; s && *s && used < size; s++)
		used += snprintf(buf + used, size - used, "%s%s", s == strv ? "" : sep, *s);
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

static char *volts(double v, char buf[static 16])
{
	if (isnan(v))
		snprintf(buf, 16, "-");
	else
		snprintf(buf, 16, "%.3f V", v);
	return buf;
}

/* The flags that are faults, not states. */
static bool is_fault_flag(const char *flag)
{
	static const char *const faults[] = {
		"overfull", "underfull", "manifold-error", "unavailable", "bias-shutdown",
		"manual-fill", NULL,
	};

	for (const char *const *f = faults; *f; f++)
		if (strcmp(*f, flag) == 0)
			return true;
	return false;
}

static bool has_fault(char **status)
{
	for (char **s = status; s && *s; s++)
		if (is_fault_flag(*s))
			return true;
	return false;
}

void output_status(FILE *out, const struct station_model *m, uint64_t now_usec)
{
	char buf[512], when[32], in[32];
	size_t filling = 0, faults = 0, shown = 0;
	const struct model_detector *next[5] = {};

	fprintf(out, "     State: %s\n", m->state ? m->state : "-");
	fprintf(out, "   Version: stationd %s\n", m->version ? m->version : "-");
	fprintf(out, "     Alarm: %s\n", m->alarm ? "on (a fault happened; clear silences it)" : "off");
	fprintf(out, "     Dewar: %s\n", m->inhibited ? "inhibited (a valve is open)" :
		"may refill");
	fprintf(out, "   Filling: %" PRIu32, m->filling_count);
	for (size_t i = 0; i < m->n_detectors; i++)
		if (model_has_status(m->detectors[i].status, "filling") ||
		    model_has_status(m->detectors[i].status, "purging"))
			fprintf(out, "%s%" PRIu32, filling++ ? "," : " (", m->detectors[i].number);
	fprintf(out, "%s\n", filling ? ")" : "");
	/* The five soonest fills. */
	for (size_t i = 0; i < m->n_detectors; i++) {
		const struct model_detector *d = &m->detectors[i];
		size_t k;

		if (!d->next_fill_timestamp)
			continue;
		for (k = ELEMENTSOF(next); k > 0 && (!next[k - 1] ||
		     next[k - 1]->next_fill_timestamp > d->next_fill_timestamp); k--)
			if (k < ELEMENTSOF(next))
				next[k] = next[k - 1];
		if (k < ELEMENTSOF(next))
			next[k] = d;
	}
	fprintf(out, "Next fills:%s\n", next[0] ? "" : " none scheduled");
	for (size_t k = 0; k < ELEMENTSOF(next) && next[k]; k++) {
		uint64_t t = next[k]->next_fill_timestamp;

		fprintf(out, "            %s  detector %" PRIu32 " (%s)%s%s\n",
			format_timestamp(t, when), next[k]->number,
			next[k]->manifold ? next[k]->manifold : "-",
			t > now_usec ? "  in " : "",
			t > now_usec ? format_duration((t - now_usec) / (60 * USEC_PER_SEC) *
						       60 * USEC_PER_SEC, in) : "");
	}
	fprintf(out, "    Faults:");
	for (size_t i = 0; i < m->n_manifolds; i++) {
		const struct model_manifold *mf = &m->manifolds[i];

		if (!has_fault(mf->status))
			continue;
		fprintf(out, "%smanifold %s: %s\n", faults++ ? "            " : " ", mf->name,
			join(mf->status, ", ", buf, sizeof(buf)));
	}
	for (size_t i = 0; i < m->n_detectors; i++) {
		const struct model_detector *d = &m->detectors[i];

		if (!has_fault(d->status))
			continue;
		if (faults < 12)
			fprintf(out, "%sdetector %" PRIu32 ": %s\n", faults ? "            " : " ",
				d->number, join(d->status, ", ", buf, sizeof(buf)));
		faults++;
	}
	if (faults > 12)
		fprintf(out, "            ... %zu in all (stationctl list-detectors)\n", faults);
	if (!faults)
		fprintf(out, " none\n");
	fprintf(out, "Cryostreams:%s\n", m->n_cryostreams ? "" : " none configured");
	for (size_t i = 0; i < m->n_cryostreams; i++) {
		const struct model_cryostream *c = &m->cryostreams[i];

		if (!c->connected) {
			fprintf(out, "            %s: not connected\n", c->name);
			continue;
		}
		fprintf(out, "            %s: %.1f K (set %.1f K), %s, %s, alarm %s\n", c->name,
			c->gas_temperature, c->set_point, c->run_mode ? c->run_mode : "-",
			c->phase ? c->phase : "-", c->alarm && *c->alarm ? c->alarm : "none");
	}
	fprintf(out, "       CCDs:%s\n", m->n_ccds ? "" : " none configured");
	for (size_t i = 0; i < m->n_ccds; i++) {
		const struct model_ccd *c = &m->ccds[i];

		fprintf(out, "            %s: link %s, %s%s%s, %s, shutter %s, last run %" PRIu32 "\n",
			c->name, c->link ? c->link : "-",
			c->initialized ? "set up (" : "not set up",
			c->initialized ? (c->profile ? c->profile : "-") : "",
			c->initialized ? ")" : "", c->phase_name ? c->phase_name : "-",
			c->shutter ? c->shutter : "-", c->run_number);
	}
	shown = m->n_detectors;
	fprintf(out, "  Detectors: %zu on %zu manifolds; cards: %zu\n", shown, m->n_manifolds,
		m->n_cards);
}

void output_status_json(struct json_writer *w, const struct station_model *m)
{
	json_object_begin(w);
	json_key(w, "State");
	json_string(w, m->state);
	json_key(w, "Version");
	json_string(w, m->version);
	json_key(w, "Alarm");
	json_boolean(w, m->alarm);
	json_key(w, "Inhibited");
	json_boolean(w, m->inhibited);
	json_key(w, "FillingCount");
	json_uint(w, m->filling_count);
	json_key(w, "Faults");
	json_array_begin(w);
	for (size_t i = 0; i < m->n_manifolds; i++)
		if (has_fault(m->manifolds[i].status)) {
			json_object_begin(w);
			json_key(w, "Manifold");
			json_string(w, m->manifolds[i].name);
			json_key(w, "Status");
			json_strv(w, m->manifolds[i].status);
			json_object_end(w);
		}
	for (size_t i = 0; i < m->n_detectors; i++)
		if (has_fault(m->detectors[i].status)) {
			json_object_begin(w);
			json_key(w, "Detector");
			json_uint(w, m->detectors[i].number);
			json_key(w, "Status");
			json_strv(w, m->detectors[i].status);
			json_object_end(w);
		}
	json_array_end(w);
	json_key(w, "Cryostreams");
	json_array_begin(w);
	for (size_t i = 0; i < m->n_cryostreams; i++) {
		const struct model_cryostream *c = &m->cryostreams[i];

		json_object_begin(w);
		json_key(w, "Name");
		json_string(w, c->name);
		json_key(w, "Connected");
		json_boolean(w, c->connected);
		json_key(w, "GasTemperature");
		json_double(w, c->gas_temperature);
		json_key(w, "SetPoint");
		json_double(w, c->set_point);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "Ccds");
	json_array_begin(w);
	for (size_t i = 0; i < m->n_ccds; i++)
		output_ccd_json(w, &m->ccds[i]);
	json_array_end(w);
	json_object_end(w);
}

int output_detectors(FILE *out, const struct station_model *m, bool legend)
{
	static const char *const headers[] = {
		">DETECTOR", "MANIFOLD", ">EXHAUST", "VALVE", "NEXT FILL", "PRESETS", "STATUS",
	};
	struct table t;
	int r = 0;

	table_init(&t, ELEMENTSOF(headers), headers);
	for (size_t i = 0; r >= 0 && i < m->n_detectors; i++) {
		const struct model_detector *d = &m->detectors[i];
		char number[16], v[16], next[32], presets[64], status[256];

		snprintf(number, sizeof(number), "%" PRIu32, d->number);
		r = table_add_row(&t, (const char *const[]){
			number, d->manifold, volts(d->exhaust_volts, v), d->valve_open ? "open" : "closed",
			format_timestamp(d->next_fill_timestamp, next),
			join(d->presets, ",", presets, sizeof(presets)),
			join(d->status, ",", status, sizeof(status)),
		});
	}
	if (r >= 0)
		table_print(&t, out, legend, "detectors");
	table_done(&t);
	return r;
}

int output_manifolds(FILE *out, const struct station_model *m, bool legend)
{
	static const char *const headers[] = {
		"MANIFOLD", "DETECTORS", ">EXHAUST", "INPUT", "OUTPUT", ">OPEN", "STATUS",
	};
	struct table t;
	int r = 0;

	table_init(&t, ELEMENTSOF(headers), headers);
	for (size_t i = 0; r >= 0 && i < m->n_manifolds; i++) {
		const struct model_manifold *mf = &m->manifolds[i];
		char detectors[32] = "-", v[16], open[16], status[256];

		if (mf->n_detectors)
			snprintf(detectors, sizeof(detectors), "%" PRIu32 "-%" PRIu32 " (%zu)",
				 mf->detectors[0], mf->detectors[mf->n_detectors - 1],
				 mf->n_detectors);
		snprintf(open, sizeof(open), "%" PRIu32, mf->open_detector_valves);
		r = table_add_row(&t, (const char *const[]){
			mf->name, detectors, volts(mf->exhaust_volts, v),
			mf->input_valve_open ? "open" : "closed",
			mf->output_valve_open ? "open" : "closed", open,
			join(mf->status, ",", status, sizeof(status)),
		});
	}
	if (r >= 0)
		table_print(&t, out, legend, "manifolds");
	table_done(&t);
	return r;
}

/* "/org/stationd1/manifold/A" -> "A". */
static const char *last_element(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The objects' last elements, comma-separated ("A,C"); detectors, whose
 * paths come ascending, as runs of consecutive numbers ("1-6,13"). */
static char *users(char **paths, bool runs, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (char **p = paths; p && *p && used < size; p++) {
		char **last = p;

		while (runs && last[1] && strtoul(last_element(last[1]), NULL, 10) ==
		       strtoul(last_element(*last), NULL, 10) + 1)
			last++;
		used += snprintf(buf + used, size - used, "%s%s", p == paths ? "" : ",",
				 last_element(*p));
		if (last != p && used < size)
			used += snprintf(buf + used, size - used, "-%s", last_element(*last));
		p = last;
	}
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

int output_cards(FILE *out, const struct station_model *m, bool legend)
{
	static const char *const headers[] = {
		"CARD", "MODEL", "CONFIGURED", "PRESENT", "SELF-TEST", "LED", ">TIMEOUTS",
		">ERRORS", "DETECTORS", "MANIFOLDS",
	};
	struct table t;
	int r = 0;

	table_init(&t, ELEMENTSOF(headers), headers);
	for (size_t i = 0; r >= 0 && i < m->n_cards; i++) {
		const struct model_card *c = &m->cards[i];
		char timeouts[24], errors[24], detectors[256], manifolds[128];

		snprintf(timeouts, sizeof(timeouts), "%" PRIu64, c->conversion_timeouts);
		snprintf(errors, sizeof(errors), "%" PRIu64, c->conversion_errors);
		r = table_add_row(&t, (const char *const[]){
			c->name, c->model && *c->model ? c->model : "-", c->configured ? "yes" : "no",
			c->present ? "yes" : "no", c->self_test && *c->self_test ? c->self_test : "-",
			c->led && *c->led ? c->led : "-", timeouts, errors,
			users(c->detectors, true, detectors, sizeof(detectors)),
			users(c->manifolds, false, manifolds, sizeof(manifolds)),
		});
	}
	if (r >= 0)
		table_print(&t, out, legend, "cards");
	table_done(&t);
	return r;
}

void output_detector_json(struct json_writer *w, const struct model_detector *d)
{
	json_object_begin(w);
	json_key(w, "Number");
	json_uint(w, d->number);
	json_key(w, "Manifold");
	json_string(w, d->manifold);
	json_key(w, "ExhaustVolts");
	json_double(w, d->exhaust_volts);
	json_key(w, "ReferenceVolts");
	json_double(w, d->reference_volts);
	json_key(w, "ValveOpen");
	json_boolean(w, d->valve_open);
	json_key(w, "ValveChangedTimestamp");
	json_uint(w, d->valve_changed_timestamp);
	json_key(w, "NextFillTimestamp");
	json_uint(w, d->next_fill_timestamp);
	json_key(w, "DelayUSec");
	json_uint(w, d->delay_usec);
	json_key(w, "Presets");
	json_strv(w, d->presets);
	json_key(w, "Status");
	json_strv(w, d->status);
	json_key(w, "MaxFillUSec");
	json_uint(w, d->max_fill_usec);
	json_key(w, "ClosureDelayUSec");
	json_uint(w, d->closure_delay_usec);
	json_object_end(w);
}

void output_manifold_json(struct json_writer *w, const struct model_manifold *mf)
{
	json_object_begin(w);
	json_key(w, "Name");
	json_string(w, mf->name);
	json_key(w, "Detectors");
	json_array_begin(w);
	for (size_t i = 0; i < mf->n_detectors; i++)
		json_uint(w, mf->detectors[i]);
	json_array_end(w);
	json_key(w, "ExhaustVolts");
	json_double(w, mf->exhaust_volts);
	json_key(w, "ReferenceVolts");
	json_double(w, mf->reference_volts);
	json_key(w, "InputValveOpen");
	json_boolean(w, mf->input_valve_open);
	json_key(w, "OutputValveOpen");
	json_boolean(w, mf->output_valve_open);
	json_key(w, "ValveChangedTimestamp");
	json_uint(w, mf->valve_changed_timestamp);
	json_key(w, "OpenDetectorValves");
	json_uint(w, mf->open_detector_valves);
	json_key(w, "OverfullDetectors");
	json_uint(w, mf->overfull_detectors);
	json_key(w, "Status");
	json_strv(w, mf->status);
	json_key(w, "MaxFillUSec");
	json_uint(w, mf->max_fill_usec);
	json_key(w, "ClosureDelayUSec");
	json_uint(w, mf->closure_delay_usec);
	json_object_end(w);
}

void output_card_json(struct json_writer *w, const struct model_card *c)
{
	json_object_begin(w);
	json_key(w, "Name");
	json_string(w, c->name);
	json_key(w, "Model");
	json_string(w, c->model);
	json_key(w, "ConfiguredModel");
	json_string(w, c->configured_model);
	json_key(w, "Crate");
	json_uint(w, c->crate);
	json_key(w, "Address");
	json_uint(w, c->address);
	json_key(w, "Configured");
	json_boolean(w, c->configured);
	json_key(w, "Present");
	json_boolean(w, c->present);
	json_key(w, "Id");
	json_string(w, c->id);
	json_key(w, "SelfTest");
	json_string(w, c->self_test);
	json_key(w, "Led");
	json_string(w, c->led);
	json_key(w, "ConversionTimeouts");
	json_uint(w, c->conversion_timeouts);
	json_key(w, "ConversionErrors");
	json_uint(w, c->conversion_errors);
	json_key(w, "Detectors");
	json_strv(w, c->detectors);
	json_key(w, "Manifolds");
	json_strv(w, c->manifolds);
	json_key(w, "Channels");
	json_array_begin(w);
	for (size_t i = 0; i < c->n_channels; i++) {
		json_object_begin(w);
		json_key(w, "Line");
		json_string(w, c->channels[i].line);
		json_key(w, "Function");
		json_string(w, c->channels[i].function);
		json_key(w, "Object");
		json_string(w, c->channels[i].object);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "SpareChannels");
	json_strv(w, c->spare_channels);
	json_object_end(w);
}

void output_detectors_json(struct json_writer *w, const struct station_model *m)
{
	json_array_begin(w);
	for (size_t i = 0; i < m->n_detectors; i++)
		output_detector_json(w, &m->detectors[i]);
	json_array_end(w);
}

void output_manifolds_json(struct json_writer *w, const struct station_model *m)
{
	json_array_begin(w);
	for (size_t i = 0; i < m->n_manifolds; i++)
		output_manifold_json(w, &m->manifolds[i]);
	json_array_end(w);
}

void output_cards_json(struct json_writer *w, const struct station_model *m)
{
	json_array_begin(w);
	for (size_t i = 0; i < m->n_cards; i++)
		output_card_json(w, &m->cards[i]);
	json_array_end(w);
}

void output_detector(FILE *out, const struct model_detector *d, uint64_t now_usec)
{
	char buf[256], a[32], b[32], v[16], r[16];

	fprintf(out, "Detector %" PRIu32 " (manifold %s)\n", d->number, d->manifold);
	fprintf(out, "       Status: %s\n", join(d->status, ", ", buf, sizeof(buf)));
	fprintf(out, "      Exhaust: %s (reference %s)\n", volts(d->exhaust_volts, v),
		volts(d->reference_volts, r));
	fprintf(out, "        Valve: %s since %s\n", d->valve_open ? "open" : "closed",
		format_timestamp(d->valve_changed_timestamp, a));
	fprintf(out, "    Next fill: %s%s%s\n", format_timestamp(d->next_fill_timestamp, a),
		d->delay_usec ? ", delayed by " : "",
		d->delay_usec ? format_duration(d->delay_usec, b) : "");
	fprintf(out, "      Presets: %s\n", join(d->presets, " ", buf, sizeof(buf)));
	fprintf(out, "     Max fill: %s, closure delay %s\n", format_duration(d->max_fill_usec, a),
		format_duration(d->closure_delay_usec, b));
	(void)now_usec;
}

void output_manifold(FILE *out, const struct model_manifold *mf, uint64_t now_usec)
{
	char buf[256], a[32], b[32], v[16], r[16];
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < mf->n_detectors && used < sizeof(buf); i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%s%" PRIu32, i ? " " : "",
				 mf->detectors[i]);
	fprintf(out, "Manifold %s\n", mf->name);
	fprintf(out, "    Detectors: %s\n", buf[0] ? buf : "-");
	fprintf(out, "       Status: %s\n", join(mf->status, ", ", buf, sizeof(buf)));
	fprintf(out, "      Exhaust: %s (reference %s)\n", volts(mf->exhaust_volts, v),
		volts(mf->reference_volts, r));
	fprintf(out, "       Valves: input %s, output %s, since %s\n",
		mf->input_valve_open ? "open" : "closed", mf->output_valve_open ? "open" : "closed",
		format_timestamp(mf->valve_changed_timestamp, a));
	fprintf(out, "    Detectors: %" PRIu32 " valves open, %" PRIu32 " overfull\n",
		mf->open_detector_valves, mf->overfull_detectors);
	fprintf(out, "     Max fill: %s, closure delay %s\n", format_duration(mf->max_fill_usec, a),
		format_duration(mf->closure_delay_usec, b));
	(void)now_usec;
}

void output_card(FILE *out, const struct model_card *c)
{
	char buf[512];
	size_t used = 0;

	fprintf(out, "Card %s (%s)\n", c->name, c->model && *c->model ? c->model : "-");
	fprintf(out, "      Address: crate %" PRIu32 ", 0x%04" PRIx32 "\n", c->crate, c->address);
	if (!c->configured)
		fprintf(out, "   Configured: no\n");
	else if (c->present && c->model && c->configured_model &&
		 strcmp(c->model, c->configured_model) != 0)
		fprintf(out, "   Configured: as %s (not used: the card is another model)\n",
			c->configured_model);
	else
		fprintf(out, "   Configured: yes\n");
	fprintf(out, "      Present: %s\n", c->present ? "yes" : "no");
	fprintf(out, "      ID PROM: %s\n", c->id && *c->id ? c->id : "-");
	fprintf(out, "    Self-test: %s\n", c->self_test && *c->self_test ? c->self_test : "-");
	fprintf(out, "          LED: %s\n", c->led && *c->led ? c->led : "-");
	/* An ADC's counters; another card has none. */
	if ((c->model && strcmp(c->model, "XVME-560") == 0) || c->conversion_timeouts ||
	    c->conversion_errors)
		fprintf(out, "  Conversions: %" PRIu64 " timed out, %" PRIu64 " failed\n",
			c->conversion_timeouts, c->conversion_errors);
	fprintf(out, "    Detectors: %s\n", users(c->detectors, true, buf, sizeof(buf)));
	fprintf(out, "    Manifolds: %s\n", users(c->manifolds, false, buf, sizeof(buf)));
	fprintf(out, "     Channels:%s\n", c->n_channels ? "" : " none configured");
	for (size_t i = 0; i < c->n_channels; i++) {
		const struct model_channel *ch = &c->channels[i];
		const char *kind = strstr(ch->object, "/detector/") ? "detector" :
			strstr(ch->object, "/manifold/") ? "manifold" : NULL;

		if (kind)
			fprintf(out, "               %-8s %s of %s %s\n", ch->line, ch->function,
				kind, last_element(ch->object));
		else
			fprintf(out, "               %-8s %s\n", ch->line, ch->function);
	}
	buf[0] = 0;
	for (char **s = c->spare_channels; s && *s && used < sizeof(buf); s++)
		used += snprintf(buf + used, sizeof(buf) - used, " %s", *s);
	fprintf(out, "        Spare:%s\n", buf[0] ? buf : " none");
}

static void output_ccd_window(FILE *out, int n, const struct model_ccd_window *w)
{
	if (w->valid)
		fprintf(out, "     Window %d: %" PRIu32 ",%" PRIu32 " to %" PRIu32 ",%" PRIu32 "\n", n,
			w->x1, w->y1, w->x2, w->y2);
	else
		fprintf(out, "     Window %d: none\n", n);
}

void output_ccd_settings(FILE *out, const struct model_ccd *c)
{
	const struct model_ccd_format *f = &c->format;

	fprintf(out, "      Binning: %" PRIu32 "x%" PRIu32 "\n", f->bin_x, f->bin_y);
	fprintf(out, "      Windows: %s\n", f->windows_enabled ? "enabled" : "disabled");
	output_ccd_window(out, 1, &f->window[0]);
	output_ccd_window(out, 2, &f->window[1]);
	fprintf(out, "Readout speed: %s\n", c->readout_speed && *c->readout_speed ?
		c->readout_speed : "-");
	fprintf(out, "  Clear speed: %s\n", c->clear_speed && *c->clear_speed ? c->clear_speed : "-");
	fprintf(out, "     Preflash: %" PRIu32 ".%03" PRIu32 " s\n", c->preflash_ms / 1000,
		c->preflash_ms % 1000);
	fprintf(out, "     Exposure: %" PRIu32 ".%03" PRIu32 " s\n", c->exposure_ms / 1000,
		c->exposure_ms % 1000);
}

void output_ccd(FILE *out, const struct model_ccd *c)
{
	char when[32];

	fprintf(out, "CCD %s\n", c->name ? c->name : "-");
	fprintf(out, "         Link: %s\n", c->link ? c->link : "-");
	if (c->initialized)
		fprintf(out, "        Setup: done, profile %s\n", c->profile ? c->profile : "-");
	else
		fprintf(out, "        Setup: needed (stationctl ccd %s setup)\n", c->name);
	output_ccd_settings(out, c);
	fprintf(out, "        Phase: %s", c->phase_name ? c->phase_name : "-");
	if (c->phase >= 2 && c->phase <= 4)	/* preflash, exposing, paused */
		fprintf(out, ", %" PRIu32 ".%03" PRIu32 " s elapsed", c->elapsed_ms / 1000,
			c->elapsed_ms % 1000);
	fputc('\n', out);
	fprintf(out, "      Shutter: %s%s\n", c->shutter ? c->shutter : "-",
		c->shutter_ok ? "" : " (the last status reported an error)");
	fprintf(out, "     Last run: %" PRIu32 "%s%s%s%s%s\n", c->run_number,
		c->run_type && *c->run_type ? " " : "", c->run_type ? c->run_type : "",
		c->title && *c->title ? " \"" : "", c->title ? c->title : "",
		c->title && *c->title ? "\"" : "");
	fprintf(out, "    Last file: %s\n", c->last_file && *c->last_file ? c->last_file : "-");
	fprintf(out, "    Clock set: %s\n", c->last_sync_timestamp ?
		format_timestamp(c->last_sync_timestamp, when) : "never");
	fprintf(out, "       Frames: %" PRIu64 " short, %" PRIu64 " long, %" PRIu64 " rejected, %"
		PRIu64 " duplicates\n", c->short_msg, c->long_msg, c->rejected_frames,
		c->duplicates);
	fprintf(out, "      Resends: %" PRIu64 " retransmissions, %" PRIu64 " dropped, %" PRIu64
		" NACKs\n", c->retransmissions, c->resend, c->nacks);
}

static void json_ccd_window(struct json_writer *w, const struct model_ccd_window *win)
{
	json_object_begin(w);
	json_key(w, "Valid");
	json_boolean(w, win->valid);
	json_key(w, "X1");
	json_uint(w, win->x1);
	json_key(w, "Y1");
	json_uint(w, win->y1);
	json_key(w, "X2");
	json_uint(w, win->x2);
	json_key(w, "Y2");
	json_uint(w, win->y2);
	json_object_end(w);
}

void output_ccd_json(struct json_writer *w, const struct model_ccd *c)
{
	const struct { const char *key; const char *value; } strings[] = {
		{ "Profile", c->profile }, { "Link", c->link },
		{ "ReadoutSpeed", c->readout_speed }, { "ClearSpeed", c->clear_speed },
		{ "PhaseName", c->phase_name }, { "Shutter", c->shutter },
		{ "RunType", c->run_type }, { "Title", c->title }, { "LastFile", c->last_file },
	};
	const struct { const char *key; uint64_t value; } numbers[] = {
		{ "Preflash", c->preflash_ms }, { "ExposureTime", c->exposure_ms },
		{ "Phase", c->phase }, { "ElapsedTime", c->elapsed_ms },
		{ "RunNumber", c->run_number }, { "LastSyncTimestamp", c->last_sync_timestamp },
		{ "ShortMsg", c->short_msg }, { "LongMsg", c->long_msg }, { "Resend", c->resend },
		{ "Duplicates", c->duplicates }, { "Nacks", c->nacks },
		{ "UnknownMnemonics", c->unknown_mnemonics },
		{ "Retransmissions", c->retransmissions }, { "TimeRequests", c->time_requests },
		{ "RejectedFrames", c->rejected_frames },
	};

	json_object_begin(w);
	json_key(w, "Name");
	json_string(w, c->name);
	json_key(w, "Initialized");
	json_boolean(w, c->initialized);
	for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
		json_key(w, strings[i].key);
		json_string(w, strings[i].value ? strings[i].value : "");
	}
	for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
		json_key(w, numbers[i].key);
		json_uint(w, numbers[i].value);
	}
	json_key(w, "ShutterOk");
	json_boolean(w, c->shutter_ok);
	json_key(w, "Format");
	json_object_begin(w);
	json_key(w, "BinX");
	json_uint(w, c->format.bin_x);
	json_key(w, "BinY");
	json_uint(w, c->format.bin_y);
	json_key(w, "WindowsEnabled");
	json_boolean(w, c->format.windows_enabled);
	json_key(w, "Window1");
	json_ccd_window(w, &c->format.window[0]);
	json_key(w, "Window2");
	json_ccd_window(w, &c->format.window[1]);
	json_object_end(w);
	json_object_end(w);
}

char *monitor_arguments_text(sd_bus_message *m, char *buf, size_t size)
{
	if (bus_message_arguments_text(m, buf, size) < 0)
		snprintf(buf, size, "(unreadable)");
	return buf;
}

char *monitor_describe(sd_bus_message *m, char *buf, size_t size)
{
	const char *member = sd_bus_message_get_member(m), *path = sd_bus_message_get_path(m);
	char args[768], d[32];

	sd_bus_message_rewind(m, true);
	if (sd_bus_message_is_signal(m, "org.stationd1.Autofill", "FillStarted")) {
		uint32_t detector;
		uint64_t at;

		if (sd_bus_message_read(m, "ut", &detector, &at) > 0) {
			snprintf(buf, size, "detector %" PRIu32 ": fill started", detector);
			goto done;
		}
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Autofill", "FillEnded")) {
		uint32_t detector;
		uint64_t start, end, duration;
		const char *result;
		double lowest;

		if (sd_bus_message_read(m, "utttsd", &detector, &start, &end, &duration, &result,
					&lowest) > 0) {
			char low[32] = "";

			if (!isnan(lowest))
				snprintf(low, sizeof(low), ", lowest %.3f V", lowest);
			snprintf(buf, size, "detector %" PRIu32 ": fill ended: %s after %s%s",
				 detector, result, format_duration(duration, d), low);
			goto done;
		}
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Autofill", "Fault")) {
		const char *kind, *manifold, *message;
		uint32_t detector;

		if (sd_bus_message_read(m, "suss", &kind, &detector, &manifold, &message) > 0) {
			snprintf(buf, size, "fault %s: %s", kind, message);
			goto done;
		}
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Cryostream", "Fault")) {
		const char *kind, *message, *name = strrchr(path, '/');

		if (sd_bus_message_read(m, "ss", &kind, &message) > 0) {
			snprintf(buf, size, "cryostream %s: fault %s: %s", name ? name + 1 : path,
				 kind, message);
			goto done;
		}
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Ccd", "RunStarted")) {
		const char *type, *title, *name = strrchr(path, '/');
		uint32_t run;

		if (sd_bus_message_read(m, "uss", &run, &type, &title) > 0) {
			snprintf(buf, size, "ccd %s: run %" PRIu32 " started: %s \"%s\"",
				 name ? name + 1 : path, run, type, title);
			goto done;
		}
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Ccd", "RunEnded")) {
		const char *result, *file, *name = strrchr(path, '/');
		uint32_t elapsed_ms;

		if (sd_bus_message_read(m, "sus", &result, &elapsed_ms, &file) > 0) {
			snprintf(buf, size, "ccd %s: run ended: %s after %" PRIu32 ".%03" PRIu32
				 " s%s%s", name ? name + 1 : path, result, elapsed_ms / 1000,
				 elapsed_ms % 1000, *file ? ", " : "", file);
			goto done;
		}
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Ccd", "ControllerReset")) {
		const char *name = strrchr(path, '/');

		snprintf(buf, size, "ccd %s: the controller reset: setup is needed",
			 name ? name + 1 : path);
		goto done;
	} else if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Properties",
					    "PropertiesChanged")) {
		const char *interface = NULL;

		sd_bus_message_read(m, "s", &interface);
		sd_bus_message_rewind(m, true);
		monitor_arguments_text(m, args, sizeof(args));
		snprintf(buf, size, "%s changed: %s", path, args);
		goto done;
	}
	monitor_arguments_text(m, args, sizeof(args));
	snprintf(buf, size, "%s %s(%s)", path, member ? member : "?", args);
done:
	sd_bus_message_rewind(m, true);
	return buf;
}
