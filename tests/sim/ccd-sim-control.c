// SPDX-License-Identifier: GPL-2.0
/*
 * ccd-sim's control language (see ccd-sim-control.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/shared/macro.h"
#include "tests/sim/ccd-sim-control.h"
#include "tests/sim/control-source.h"

#define WORDS_MAX 4

static _printf_(3, 4) int answer(char *reply, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply, size, fmt, ap);
	va_end(ap);
	return 0;
}

static _printf_(4, 5) int refuse(int r, char *reply, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply, size, fmt, ap);
	va_end(ap);
	return r;
}

/* Decimal, or hexadecimal after 0x; nothing else, at most @max. */
static bool parse_number(const char *s, uint32_t max, uint32_t *ret)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		v = v * base + d;
		if (v > max)
			return false;
	}
	*ret = (uint32_t)v;
	return true;
}

/* An optional count (default 1), 1 to CCD_CONTROL_COUNT_MAX. */
static bool parse_count(const char *s, uint32_t *ret)
{
	if (!s) {
		*ret = 1;
		return true;
	}
	return parse_number(s, CCD_CONTROL_COUNT_MAX, ret) && *ret > 0;
}

static int describe(const struct ccd_control_target *t, char *reply, size_t size)
{
	const struct ccd_link_counters *n = ccd_link_counters(t->link);
	const struct ccd_link_faults *f = ccd_link_faults(t->link);
	char state[512];

	if (ccd_controller_describe(t->controller, state, sizeof(state)) < 0)
		state[0] = '\0';
	return answer(reply, size,
		      "ok %s; link next %04X queued %zu rx %lu bad %lu dup %lu nacks %lu "
		      "tx %lu acks %lu nacked %lu resends %lu dropped %lu; faults drop-acks %u "
		      "ignore-acks %u duplicate %u corrupt %u %s nack %u silent %s",
		      state, ccd_link_next_number(t->link), ccd_link_queued(t->link),
		      n->rx_frames, n->rx_bad, n->rx_duplicates, n->rx_nacks, n->tx_frames,
		      n->tx_acks, n->tx_nacks, n->resends, n->dropped, f->drop_acks,
		      f->ignore_acks, f->duplicate, f->corrupt, ccd_corruption_name(f->corruption),
		      f->nack, f->silent ? "yes" : "no");
}

static bool arguments_ok(size_t n, size_t min, size_t max)
{
	return n >= min && n <= max;
}

/* A mechanism by name, for hang, unhang and error. */
static int mechanism(const char *word, enum ccd_mech *ret, char *reply, size_t size)
{
	*ret = word ? ccd_mech_from_name(word) : CCD_MECH_COUNT;
	if (*ret == CCD_MECH_COUNT)
		return refuse(-EINVAL, reply, size, "'%s' is no mechanism (INS MON CLR ... RGA)",
			      word ? word : "");
	return 0;
}

int ccd_control_execute(const struct ccd_control_target *t, const char *line, char *reply,
			size_t reply_size)
{
	char buf[CONTROL_LINE_MAX + 1];
	const char *w[WORDS_MAX + 1] = { 0 };
	struct ccd_link_faults *f = ccd_link_faults(t->link);
	enum ccd_mech mech;
	size_t n = 0;
	uint32_t v, count;
	char *save = NULL, *tok;
	int r;

	reply[0] = '\0';
	if (strlen(line) > CONTROL_LINE_MAX)
		return refuse(-EINVAL, reply, reply_size, "longer than %d characters",
			      CONTROL_LINE_MAX);
	memcpy(buf, line, strlen(line) + 1);
	for (tok = strtok_r(buf, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == 0 && tok[0] == '#')
			return 0;
		if (n == WORDS_MAX)
			return refuse(-EINVAL, reply, reply_size, "too many words");
		w[n++] = tok;
	}
	if (n == 0)
		return 0;

#define WANT(min, max)								\
	do {									\
		if (!arguments_ok(n - 1, min, max))				\
			return refuse(-EINVAL, reply, reply_size,		\
				      "%s takes %d to %d arguments", w[0], min, max); \
	} while (0)

	if (strcmp(w[0], "drop-acks") == 0 || strcmp(w[0], "ignore-acks") == 0) {
		WANT(1, 1);
		if (!parse_count(w[1], &count))
			return refuse(-EINVAL, reply, reply_size, "count '%s' is not 1-%u", w[1],
				      CCD_CONTROL_COUNT_MAX);
		if (w[0][0] == 'd')
			f->drop_acks = count;
		else
			f->ignore_acks = count;
		return answer(reply, reply_size, "ok %s %u", w[0], count);
	}
	if (strcmp(w[0], "duplicate") == 0 || strcmp(w[0], "nack") == 0) {
		WANT(0, 1);
		if (!parse_count(w[1], &count))
			return refuse(-EINVAL, reply, reply_size, "count '%s' is not 1-%u", w[1],
				      CCD_CONTROL_COUNT_MAX);
		if (w[0][0] == 'd')
			f->duplicate = count;
		else
			f->nack = count;
		return answer(reply, reply_size, "ok %s %u", w[0], count);
	}
	if (strcmp(w[0], "corrupt") == 0) {
		enum ccd_corruption how = CCD_CORRUPT_NOISE;
		size_t i = 1;

		WANT(0, 2);
		count = 1;
		if (w[i] && parse_count(w[i], &count))
			i++;
		else if (w[i] && w[i][0] >= '0' && w[i][0] <= '9')
			return refuse(-EINVAL, reply, reply_size, "count '%s' is not 1-%u", w[i],
				      CCD_CONTROL_COUNT_MAX);
		if (w[i]) {
			how = ccd_corruption_from_name(w[i]);
			if (how == _CCD_CORRUPT_MAX)
				return refuse(-EINVAL, reply, reply_size,
					      "'%s' is not noise, field, short, long or cut", w[i]);
			i++;
		}
		if (w[i])
			return refuse(-EINVAL, reply, reply_size, "corrupt [N] [HOW]");
		f->corrupt = count;
		f->corruption = how;
		return answer(reply, reply_size, "ok corrupt %u %s", count,
			      ccd_corruption_name(how));
	}
	if (strcmp(w[0], "ins") == 0) {
		WANT(0, 0);
		ccd_controller_power_glitch(t->controller, t->sim_ms);
		return answer(reply, reply_size, "ok ins: resetting");
	}
	if (strcmp(w[0], "silent") == 0) {
		WANT(0, 1);
		v = 0;
		if (w[1] && !parse_number(w[1], 86400, &v))
			return refuse(-EINVAL, reply, reply_size, "seconds '%s' is not 0-86400",
				      w[1]);
		f->silent = true;
		f->silent_until = v ? t->now_ms + (uint64_t)v * 1000 : 0;
		return v ? answer(reply, reply_size, "ok silent for %u s", v) :
			   answer(reply, reply_size, "ok silent until respond");
	}
	if (strcmp(w[0], "respond") == 0) {
		WANT(0, 0);
		f->silent = false;
		f->silent_until = 0;
		ccd_link_tick(t->link, t->now_ms);
		return answer(reply, reply_size, "ok respond");
	}
	if (strcmp(w[0], "hang") == 0 || strcmp(w[0], "unhang") == 0) {
		WANT(1, 1);
		r = mechanism(w[1], &mech, reply, reply_size);
		if (r < 0)
			return r;
		if (ccd_controller_hang(t->controller, mech, w[0][0] == 'h') < 0)
			return refuse(-EINVAL, reply, reply_size, "%s cannot hang", w[1]);
		return answer(reply, reply_size, "ok %s %s", w[0], w[1]);
	}
	if (strcmp(w[0], "error") == 0) {
		WANT(2, 3);
		r = mechanism(w[1], &mech, reply, reply_size);
		if (r < 0)
			return r;
		if (!parse_number(w[2], 255, &v) || v < 2)
			return refuse(-EINVAL, reply, reply_size, "error bits '%s' are not 2-255",
				      w[2]);
		if (!parse_count(w[3], &count))
			return refuse(-EINVAL, reply, reply_size, "count '%s' is not 1-%u", w[3],
				      CCD_CONTROL_COUNT_MAX);
		if (ccd_controller_fail_next(t->controller, mech, v, count) < 0)
			return refuse(-EINVAL, reply, reply_size, "%s cannot fail", w[1]);
		return answer(reply, reply_size, "ok error %s 0x%02x %u", w[1], v, count);
	}
	if (strcmp(w[0], "jam") == 0) {
		WANT(0, 1);
		if (w[1] && strcmp(w[1], "hard") != 0)
			return refuse(-EINVAL, reply, reply_size, "jam [hard]");
		ccd_controller_jam(t->controller, w[1] != NULL);
		return answer(reply, reply_size, "ok jam%s at the next move", w[1] ? " hard" : "");
	}
	if (strcmp(w[0], "sync") == 0) {
		WANT(0, 0);
		r = ccd_controller_start_sync(t->controller, t->sim_ms);
		if (r < 0)
			return refuse(-EBUSY, reply, reply_size, "%s",
				      r == -EBUSY ? "a synchronisation is under way" : "resetting");
		return answer(reply, reply_size, "ok sync started");
	}
	if (strcmp(w[0], "number") == 0) {
		WANT(1, 1);
		if (!parse_number(w[1], 0xffff, &v))
			return refuse(-EINVAL, reply, reply_size, "'%s' is not 0-65535", w[1]);
		ccd_link_set_next_number(t->link, (uint16_t)v);
		return answer(reply, reply_size, "ok number %04X", v);
	}
	if (strcmp(w[0], "clear") == 0) {
		WANT(0, 0);
		*f = (struct ccd_link_faults) { 0 };
		ccd_controller_clear_faults(t->controller);
		ccd_link_tick(t->link, t->now_ms);
		return answer(reply, reply_size, "ok clear");
	}
	if (strcmp(w[0], "status") == 0) {
		WANT(0, 0);
		return describe(t, reply, reply_size);
	}
#undef WANT
	return refuse(-EINVAL, reply, reply_size, "unknown command '%s'", w[0]);
}
