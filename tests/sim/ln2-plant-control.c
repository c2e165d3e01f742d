// SPDX-License-Identifier: GPL-2.0
/*
 * The plant's control language. See ln2-plant-control.h. Every command
 * parses and checks all its words first and only then touches the plant,
 * so a refused command changes nothing.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/ln2-plant-control.h"

#define WORDS_MAX 4

struct command_line {
	char text[256];
	char *word[WORDS_MAX];
	size_t n_words;
};

_printf_(3, 4)
static int reply_with(char *reply, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply, size, fmt, ap);
	va_end(ap);
	return 0;
}

_printf_(4, 5)
static int refuse(char *reply, size_t size, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply, size, fmt, ap);
	va_end(ap);
	return error;
}

static int split(const char *line, struct command_line *c, char *reply, size_t size)
{
	char *save = NULL, *w;

	if (strlen(line) >= sizeof(c->text))
		return refuse(reply, size, -EINVAL, "line longer than %zu bytes",
			      sizeof(c->text) - 1);
	strcpy(c->text, line);
	c->n_words = 0;
	for (w = strtok_r(c->text, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (c->n_words == WORDS_MAX)
			return refuse(reply, size, -EINVAL, "too many words");
		c->word[c->n_words++] = w;
	}
	return 0;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

static bool parse_int(const char *s, long min, long max, long *ret)
{
	unsigned long v;
	bool negative = *s == '-';

	if (!parse_uint(s + negative, (unsigned long)LONG_MAX, &v))
		return false;
	if ((negative ? -(long)v : (long)v) < min ||
	    (negative ? -(long)v : (long)v) > max)
		return false;
	*ret = negative ? -(long)v : (long)v;
	return true;
}

static bool parse_real(const char *s, double *ret)
{
	char *end;
	double v;

	if (!*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*ret = v;
	return true;
}

static int detector_index(const struct station *s, const char *word, size_t *ret)
{
	unsigned long number;
	const struct detector *d;

	if (!parse_uint(word, DETECTOR_NUMBER_MAX, &number))
		return -EINVAL;
	d = station_find_detector(s, (uint32_t)number);
	if (!d)
		return -ENOENT;
	*ret = (size_t)(d - s->detectors);
	return 0;
}

static int manifold_index(const struct station *s, const char *word, size_t *ret)
{
	const struct manifold *m;

	if (!manifold_name_valid(word, strlen(word)))
		return -EINVAL;
	m = station_find_manifold(s, word);
	if (!m)
		return -ENOENT;
	*ret = (size_t)(m - s->manifolds);
	return 0;
}

/* A detector number, or a manifold name: which one in *is_detector. */
static int sensor_owner(const struct station *s, const char *word, bool *is_detector,
			size_t *ret, char *reply, size_t size)
{
	int r;

	*is_detector = word[0] >= '0' && word[0] <= '9';
	r = *is_detector ? detector_index(s, word, ret) : manifold_index(s, word, ret);
	if (r == -EINVAL)
		return refuse(reply, size, r, "'%s' is neither a detector number nor a manifold name",
			      word);
	if (r == -ENOENT)
		return refuse(reply, size, r, "no %s %s in the station",
			      *is_detector ? "detector" : "manifold", word);
	return r;
}

static int valve_parse(const struct station *s, const char *word, struct ln2_valve_id *ret,
		       char *reply, size_t size)
{
	const char *dot = strchr(word, '.');
	char name[MANIFOLD_NAME_MAX + 1];
	size_t len;
	int r;

	if (!dot) {
		r = detector_index(s, word, &ret->index);
		if (r == -EINVAL)
			return refuse(reply, size, r,
				      "'%s' is not a valve: <detector>, <manifold>.input or <manifold>.output",
				      word);
		if (r == -ENOENT)
			return refuse(reply, size, r, "no detector %s in the station", word);
		ret->kind = LN2_VALVE_DETECTOR;
		return 0;
	}

	if (strcmp(dot + 1, "input") == 0)
		ret->kind = LN2_VALVE_MANIFOLD_INPUT;
	else if (strcmp(dot + 1, "output") == 0)
		ret->kind = LN2_VALVE_MANIFOLD_OUTPUT;
	else
		return refuse(reply, size, -EINVAL, "'%s': a manifold valve is .input or .output",
			      word);
	len = (size_t)(dot - word);
	if (len == 0 || len > MANIFOLD_NAME_MAX || !manifold_name_valid(word, len))
		return refuse(reply, size, -EINVAL, "'%.*s' is not a manifold name", (int)len, word);
	memcpy(name, word, len);
	name[len] = '\0';
	r = manifold_index(s, name, &ret->index);
	if (r < 0)
		return refuse(reply, size, r, "no manifold %s in the station", name);
	return 0;
}

static int on_off(const char *word, bool *ret, char *reply, size_t size)
{
	if (strcmp(word, "on") == 0)
		*ret = true;
	else if (strcmp(word, "off") == 0)
		*ret = false;
	else
		return refuse(reply, size, -EINVAL, "'%s': expected on or off", word);
	return 0;
}

static int expect_words(const struct command_line *c, size_t min, size_t max,
			const char *usage, char *reply, size_t size)
{
	if (c->n_words < min || c->n_words > max)
		return refuse(reply, size, -EINVAL, "usage: %s", usage);
	return 0;
}

static int command_input(struct ln2_plant *p, const struct command_line *c, bool bias,
			 char *reply, size_t size)
{
	const struct station *s = ln2_plant_station(p);
	size_t index;
	bool on = false;
	int r;

	r = expect_words(c, 3, 3, bias ? "bias <detector> on|off" : "key <manifold> on|off",
			 reply, size);
	if (r < 0)
		return r;
	r = on_off(c->word[2], &on, reply, size);
	if (r < 0)
		return r;
	if (bias) {
		r = detector_index(s, c->word[1], &index);
		if (r < 0)
			return refuse(reply, size, r, "no detector '%s' in the station", c->word[1]);
		ln2_plant_set_bias_shutdown(p, index, on);
	} else {
		r = manifold_index(s, c->word[1], &index);
		if (r < 0)
			return refuse(reply, size, r, "no manifold '%s' in the station", c->word[1]);
		ln2_plant_set_manual_fill_key(p, index, on);
	}
	return reply_with(reply, size, "ok");
}

static int command_valve_fault(struct ln2_plant *p, const struct command_line *c,
			       enum ln2_valve_fault fault, char *reply, size_t size)
{
	struct ln2_valve_id v;
	int r;

	r = expect_words(c, 2, 2, "stuck-open|stuck-closed|unstick <valve>", reply, size);
	if (r < 0)
		return r;
	r = valve_parse(ln2_plant_station(p), c->word[1], &v, reply, size);
	if (r < 0)
		return r;
	r = ln2_model_set_valve_fault(ln2_plant_model(p), v, fault);
	if (r < 0)
		return refuse(reply, size, r, "%s", strerror(-r));
	return reply_with(reply, size, "ok");
}

static int command_sensor(struct ln2_plant *p, const struct command_line *c, bool dead,
			  char *reply, size_t size)
{
	struct ln2_model *m = ln2_plant_model(p);
	long mv = LN2_DEAD_SENSOR_MV;
	bool is_detector;
	size_t index;
	int r;

	r = dead ? expect_words(c, 2, 3, "dead-sensor <detector|manifold> [<mV>]", reply, size)
		 : expect_words(c, 2, 2, "revive-sensor <detector|manifold>", reply, size);
	if (r < 0)
		return r;
	r = sensor_owner(ln2_plant_station(p), c->word[1], &is_detector, &index, reply, size);
	if (r < 0)
		return r;
	if (c->n_words == 3 && !parse_int(c->word[2], PLANT_AIN_MV_MIN, PLANT_AIN_MV_MAX, &mv))
		return refuse(reply, size, -EINVAL, "'%s': a sensor reads %d to %d mV",
			      c->word[2], PLANT_AIN_MV_MIN, PLANT_AIN_MV_MAX);
	if (dead)
		r = is_detector ? ln2_model_kill_detector_sensor(m, index, (int)mv)
				: ln2_model_kill_manifold_sensor(m, index, (int)mv);
	else
		r = is_detector ? ln2_model_revive_detector_sensor(m, index)
				: ln2_model_revive_manifold_sensor(m, index);
	if (r < 0)
		return refuse(reply, size, r, "%s", strerror(-r));
	return reply_with(reply, size, "ok");
}

/* noise <detector|manifold> <mV> [<conversions>]: a burst on its sensor. */
static int command_noise(struct ln2_plant *p, const struct command_line *c,
			 char *reply, size_t size)
{
	long mv, conversions = 1;
	bool is_detector;
	size_t index;
	int r;

	r = expect_words(c, 3, 4, "noise <detector|manifold> <mV> [<conversions>]", reply, size);
	if (r < 0)
		return r;
	r = sensor_owner(ln2_plant_station(p), c->word[1], &is_detector, &index, reply, size);
	if (r < 0)
		return r;
	if (!parse_int(c->word[2], PLANT_AIN_MV_MIN, PLANT_AIN_MV_MAX, &mv))
		return refuse(reply, size, -EINVAL, "'%s': a sensor reads %d to %d mV",
			      c->word[2], PLANT_AIN_MV_MIN, PLANT_AIN_MV_MAX);
	if (c->n_words == 4 && !parse_int(c->word[3], 1, PLANT_NOISE_MAX, &conversions))
		return refuse(reply, size, -EINVAL, "'%s': a burst is 1 to %d conversions",
			      c->word[3], PLANT_NOISE_MAX);
	r = ln2_plant_sensor_noise(p, is_detector, index, (int)mv, (unsigned int)conversions);
	if (r < 0)
		return refuse(reply, size, r, "%s", strerror(-r));
	return reply_with(reply, size, "ok");
}

static int command_supply(struct ln2_plant *p, const struct command_line *c,
			  char *reply, size_t size)
{
	struct ln2_model *m = ln2_plant_model(p);
	double litres;
	int r;

	r = expect_words(c, 2, 2, "supply empty|refill|<litres>", reply, size);
	if (r < 0)
		return r;
	if (strcmp(c->word[1], "refill") == 0) {
		ln2_model_refill_supply(m);
	} else {
		if (strcmp(c->word[1], "empty") == 0)
			litres = 0.0;
		else if (!parse_real(c->word[1], &litres))
			return refuse(reply, size, -EINVAL,
				      "'%s': expected empty, refill or litres", c->word[1]);
		r = ln2_model_set_supply(m, litres);
		if (r < 0)
			return refuse(reply, size, r, "'%s': the supply holds 0 to its capacity",
				      c->word[1]);
	}
	return reply_with(reply, size, "ok supply %.1f L", ln2_model_supply(m));
}

static int command_level(struct ln2_plant *p, const struct command_line *c,
			 char *reply, size_t size)
{
	size_t index;
	double level;
	int r;

	r = expect_words(c, 3, 3, "level <detector> <0..1>", reply, size);
	if (r < 0)
		return r;
	r = detector_index(ln2_plant_station(p), c->word[1], &index);
	if (r < 0)
		return refuse(reply, size, r, "no detector '%s' in the station", c->word[1]);
	if (!parse_real(c->word[2], &level) || level < 0.0 || level > 1.0)
		return refuse(reply, size, -EINVAL, "'%s': a level is 0 to 1", c->word[2]);
	ln2_model_set_detector_level(ln2_plant_model(p), index, level);
	return reply_with(reply, size, "ok");
}

static int command_card_fault(struct ln2_plant *p, const struct command_line *c,
			      char *reply, size_t size)
{
	_cleanup_plant_card_ struct plant_card *card = NULL;
	int fault, r;

	r = expect_words(c, 3, 3, "card-fault <card> <fault>", reply, size);
	if (r < 0)
		return r;
	fault = plant_fault_from_string(c->word[2]);
	if (fault < 0)
		return refuse(reply, size, fault,
			      "'%s': faults are none, absent, bad-id, adc-stuck, adc-error, no-reset-clear",
			      c->word[2]);
	r = plant_card_open(ln2_plant_crate(p), c->word[1], &card);
	if (r < 0)
		return refuse(reply, size, r, "card '%s': %s", c->word[1], strerror(-r));
	r = plant_fault_set(card, fault);
	if (r < 0)
		return refuse(reply, size, r, "card %s refused fault %s: %s", c->word[1],
			      c->word[2], strerror(-r));
	return reply_with(reply, size, "ok");
}

static const char *const fault_names[_LN2_VALVE_FAULT_MAX] = {
	[LN2_VALVE_WORKING] = "",
	[LN2_VALVE_STUCK_OPEN] = " (stuck open)",
	[LN2_VALVE_STUCK_CLOSED] = " (stuck closed)",
};

static const char *valve_text(struct ln2_plant *p, struct ln2_valve_id v)
{
	return ln2_plant_valve_commanded(p, v) ? "open" : "closed";
}

static int command_status(struct ln2_plant *p, const struct command_line *c,
			  char *reply, size_t size)
{
	const struct station *s = ln2_plant_station(p);
	struct ln2_model *m = ln2_plant_model(p);
	struct ln2_valve_id v, in, out;
	bool is_detector;
	size_t index;
	int r;

	r = expect_words(c, 1, 2, "status [<detector>|<manifold>]", reply, size);
	if (r < 0)
		return r;
	if (c->n_words == 1)
		return reply_with(reply, size, "ok time %.1f s supply %.1f L",
				  ln2_plant_sim_time(p), ln2_model_supply(m));
	r = sensor_owner(s, c->word[1], &is_detector, &index, reply, size);
	if (r < 0)
		return r;
	if (is_detector) {
		v = (struct ln2_valve_id) { LN2_VALVE_DETECTOR, index };
		return reply_with(reply, size,
				  "ok detector %u level %.3f sensor %d mV valve %s%s bias %s",
				  s->detectors[index].number, ln2_model_detector_level(m, index),
				  ln2_model_detector_sensor_mv(m, index), valve_text(p, v),
				  fault_names[ln2_model_valve_fault(m, v)],
				  ln2_plant_bias_shutdown(p, index) ? "on" : "off");
	}
	in = (struct ln2_valve_id) { LN2_VALVE_MANIFOLD_INPUT, index };
	out = (struct ln2_valve_id) { LN2_VALVE_MANIFOLD_OUTPUT, index };
	return reply_with(reply, size,
			  "ok manifold %s line %.3f sensor %d mV input %s%s output %s%s key %s",
			  s->manifolds[index].name, ln2_model_line_level(m, index),
			  ln2_model_manifold_sensor_mv(m, index),
			  valve_text(p, in), fault_names[ln2_model_valve_fault(m, in)],
			  valve_text(p, out), fault_names[ln2_model_valve_fault(m, out)],
			  ln2_plant_manual_fill_key(p, index) ? "on" : "off");
}

int ln2_control_execute(struct ln2_plant *p, const char *line,
			char *reply, size_t reply_size)
{
	struct command_line c;
	const char *verb;
	int r;

	reply[0] = '\0';
	r = split(line, &c, reply, reply_size);
	if (r < 0)
		return r;
	if (c.n_words == 0 || c.word[0][0] == '#')
		return 0;
	verb = c.word[0];

	if (strcmp(verb, "bias") == 0)
		return command_input(p, &c, true, reply, reply_size);
	if (strcmp(verb, "key") == 0)
		return command_input(p, &c, false, reply, reply_size);
	if (strcmp(verb, "stuck-open") == 0)
		return command_valve_fault(p, &c, LN2_VALVE_STUCK_OPEN, reply, reply_size);
	if (strcmp(verb, "stuck-closed") == 0)
		return command_valve_fault(p, &c, LN2_VALVE_STUCK_CLOSED, reply, reply_size);
	if (strcmp(verb, "unstick") == 0)
		return command_valve_fault(p, &c, LN2_VALVE_WORKING, reply, reply_size);
	if (strcmp(verb, "dead-sensor") == 0)
		return command_sensor(p, &c, true, reply, reply_size);
	if (strcmp(verb, "revive-sensor") == 0)
		return command_sensor(p, &c, false, reply, reply_size);
	if (strcmp(verb, "noise") == 0)
		return command_noise(p, &c, reply, reply_size);
	if (strcmp(verb, "supply") == 0)
		return command_supply(p, &c, reply, reply_size);
	if (strcmp(verb, "level") == 0)
		return command_level(p, &c, reply, reply_size);
	if (strcmp(verb, "card-fault") == 0)
		return command_card_fault(p, &c, reply, reply_size);
	if (strcmp(verb, "clear") == 0) {
		r = expect_words(&c, 1, 1, "clear", reply, reply_size);
		if (r < 0)
			return r;
		ln2_model_clear_faults(ln2_plant_model(p));
		return reply_with(reply, reply_size, "ok");
	}
	if (strcmp(verb, "status") == 0)
		return command_status(p, &c, reply, reply_size);
	return refuse(reply, reply_size, -EINVAL, "unknown command '%.32s'", verb);
}
