// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration dumper: the inverse of the parser, in the order of the
 * database (cards by address, manifolds by name, detectors by number).
 */
#include <arpa/inet.h>
#include <errno.h>

#include "daemon/autofill/schedule.h"
#include "daemon/config/dump.h"
#include "daemon/config/values.h"

static void dump_station(const struct station_globals *g, FILE *f)
{
	char buf[VALUE_STRING_MAX], ref[CHANNEL_REF_STRING_MAX];

	fprintf(f, "station {\n");
	fprintf(f, "\tslot-zero %s\n", g->slot_zero_usable ? "yes" : "no");
	fprintf(f, "\tscan-rate %s\n", value_format_frequency(g->scan_rate_millihz, buf));
	fprintf(f, "\tbackup-interval %s\n", value_format_duration(g->backup_interval_s, buf));
	fprintf(f, "\toperator-group \"%s\"\n", g->operator_group);
	fprintf(f, "\tdewar-inhibit %s\n", channel_ref_format(&g->dewar_inhibit, ref));
	fprintf(f, "\talarm %s\n", channel_ref_format(&g->alarm, ref));
	fprintf(f, "\tdebounce-readings %u\n", g->debounce_readings);
	fprintf(f, "\texhaust-sample-rate %s\n", value_format_frequency(g->exhaust_sample_rate_millihz, buf));
	fprintf(f, "}\n");
}

static void dump_card(const struct card *c, FILE *f)
{
	char name[CARD_NAME_MAX];

	fprintf(f, "card %u @ %s", c->model, card_name_format(c->crate, c->address, name));
	if (c->model == CARD_XVME560)
		fprintf(f, " %s", c->adc_range == ADC_RANGE_UNIPOLAR ? "unipolar" : "bipolar");
	fprintf(f, "\n");
}

static void dump_manifold(const struct manifold *m, FILE *f)
{
	char buf[VALUE_STRING_MAX], ref[CHANNEL_REF_STRING_MAX];

	fprintf(f, "\nmanifold %s {\n", m->name);
	fprintf(f, "\tsensor %s\n", channel_ref_format(&m->sensor, ref));
	fprintf(f, "\tinput-valve %s\n", channel_ref_format(&m->input_valve, ref));
	fprintf(f, "\toutput-valve %s\n", channel_ref_format(&m->output_valve, ref));
	fprintf(f, "\tmanual-fill-key %s\n", channel_ref_format(&m->manual_fill_key, ref));
	fprintf(f, "\treference %s\n", value_format_voltage(m->reference_mv, buf));
	fprintf(f, "\tmax-fill %s\n", value_format_duration(m->max_fill_s, buf));
	fprintf(f, "\tclosure-delay %s\n", value_format_duration(m->closure_delay_s, buf));
	fprintf(f, "}\n");
}

static void dump_detector(const struct detector *d, FILE *f)
{
	char buf[VALUE_STRING_MAX], ref[CHANNEL_REF_STRING_MAX], time[6];

	fprintf(f, "\ndetector %u {\n", d->number);
	fprintf(f, "\tmanifold %s\n", d->manifold_name);
	fprintf(f, "\tsensor %s\n", channel_ref_format(&d->sensor, ref));
	fprintf(f, "\tvalve %s\n", channel_ref_format(&d->valve, ref));
	fprintf(f, "\tbias-shutdown %s\n", channel_ref_format(&d->bias_shutdown, ref));
	fprintf(f, "\treference %s\n", value_format_voltage(d->reference_mv, buf));
	fprintf(f, "\tmax-fill %s\n", value_format_duration(d->max_fill_s, buf));
	fprintf(f, "\tclosure-delay %s\n", value_format_duration(d->closure_delay_s, buf));
	if (d->n_presets) {
		fprintf(f, "\tpreset");
		for (unsigned i = 0; i < d->n_presets; i++)
			fprintf(f, " %s", schedule_format_clock_time(d->preset[i], time));
		fprintf(f, "\n");
	}
	fprintf(f, "}\n");
}

static bool cryostream_link_is_default(const struct cryostream_link *link)
{
	return link->status_port == CRYOSTREAM_STATUS_PORT_DEFAULT &&
		link->command_port == CRYOSTREAM_COMMAND_PORT_DEFAULT &&
		link->silence_timeout_s == CRYOSTREAM_SILENCE_DEFAULT_S &&
		link->command_timeout_s == CRYOSTREAM_COMMAND_TIMEOUT_DEFAULT_S &&
		!link->ignore_checksum;
}

static void dump_cryostream_link(const struct cryostream_link *link, FILE *f)
{
	char buf[VALUE_STRING_MAX];

	fprintf(f, "\ncryostream-link {\n");
	fprintf(f, "\tstatus-port %u\n", link->status_port);
	fprintf(f, "\tcommand-port %u\n", link->command_port);
	fprintf(f, "\tsilence-timeout %s\n", value_format_duration(link->silence_timeout_s, buf));
	fprintf(f, "\tcommand-timeout %s\n", value_format_duration(link->command_timeout_s, buf));
	fprintf(f, "\tchecksum %s\n", link->ignore_checksum ? "ignore" : "verify");
	fprintf(f, "}\n");
}

static void dump_cryostream(const struct cryostream *c, FILE *f)
{
	char address[INET_ADDRSTRLEN];

	fprintf(f, "\ncryostream %s {\n", c->name);
	fprintf(f, "\tnumber %u\n", c->number);
	if (c->address)
		fprintf(f, "\taddress %s\n",
			inet_ntop(AF_INET, &c->address, address, sizeof(address)));
	fprintf(f, "}\n");
}

/* A string as the lexer reads it back: quotes, \" and \\ escaped. */
static void dump_string(const char *key, const char *value, FILE *f)
{
	fprintf(f, "\t%s \"", key);
	for (const char *c = value; *c; c++)
		fprintf(f, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
	fprintf(f, "\"\n");
}

static void dump_ccd(const struct ccd *c, FILE *f)
{
	fprintf(f, "\nccd %s {\n", c->name);
	if (c->tty[0])
		fprintf(f, "\ttty %s\n", c->tty);
	if (c->device[0])
		dump_string("device", c->device, f);
	if (c->profile[0])
		fprintf(f, "\tprofile %s\n", c->profile);
	dump_string("profile-dir", c->profile_dir, f);
	if (c->data_dir[0])
		dump_string("data-dir", c->data_dir, f);
	if (c->data_socket[0])
		dump_string("data-socket", c->data_socket, f);
	fprintf(f, "\thost-name %s\n", c->host_name);
	fprintf(f, "\tresend-limit %u\n", c->resend_limit);
	fprintf(f, "}\n");
}

int config_dump(const struct station *s, FILE *f)
{
	fprintf(f, "# stationd station configuration (stationd-compile dump)\n\n");
	dump_station(&s->globals, f);
	fprintf(f, "\n");
	for (size_t i = 0; i < s->n_cards; i++)
		dump_card(&s->cards[i], f);
	for (size_t i = 0; i < s->n_manifolds; i++)
		dump_manifold(&s->manifolds[i], f);
	for (size_t i = 0; i < s->n_detectors; i++)
		dump_detector(&s->detectors[i], f);
	/* The link settings when they matter or were changed: a station
	 * without a Cryostream dumps as it did before the link existed. */
	if (s->n_cryostreams || !cryostream_link_is_default(&s->globals.cryostream_link))
		dump_cryostream_link(&s->globals.cryostream_link, f);
	for (size_t i = 0; i < s->n_cryostreams; i++)
		dump_cryostream(&s->cryostreams[i], f);
	for (size_t i = 0; i < s->n_ccds; i++)
		dump_ccd(&s->ccds[i], f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
