// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Autofill on sd-bus (see bus-autofill.h). Each method
 * handler only hands the call to bus_auth; the command runs once the
 * caller is authorized: all arguments are read first, then the engine
 * checks everything before it changes anything, so a refused call of any
 * kind (authorization, unpacking, the engine's checks) changes no state.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "daemon/autofill/targets.h"
#include "daemon/bus/bus-autofill.h"
#include "daemon/bus/bus-detector.h"
#include "daemon/bus/bus-fill-record.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

/* Room for the engine's messages, which quote the argument they reject. */
#define COMMAND_ERROR_MAX 512

struct bus_autofill {
	sd_bus *bus;
	struct engine *engine;
	struct bus_auth *auth;
	bus_autofill_commit_t commit;
	void *commit_userdata;
	sd_bus_slot *vtable;
	struct engine_global_view published;
};

static int64_t clock_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void strv_freep(char ***strv)
{
	if (!*strv)
		return;
	for (char **s = *strv; *s; s++)
		free(*s);
	free(*strv);
}

/* The engine's verdict as the D-Bus error the interface documents. */
static const char *command_error_name(int r)
{
	switch (r) {
	case -EBUSY:
		return BUS_ERROR_MANUAL_FILL;
	case -EINVAL:
	case -ERANGE:
	case -ENOENT:
		return SD_BUS_ERROR_INVALID_ARGS;
	case -EALREADY:
		return BUS_ERROR_ALREADY_FILLING;
	case -ECANCELED:
		return BUS_ERROR_MAY_NOT_FILL;
	case -ESHUTDOWN:
		return BUS_ERROR_SHUT_DOWN;
	default:
		return NULL;
	}
}

/*
 * Finish a command: refuse it with the engine's message, or make it
 * durable and acknowledge it. Returns what a bus_auth_run_t returns.
 */
static int command_finish(struct bus_autofill *a, sd_bus_message *m, int r, const char *message,
			  sd_bus_error *error)
{
	const char *name;

	if (r < 0) {
		name = command_error_name(r);
		if (!name)
			return sd_bus_error_set_errnof(error, -r, "%s: %s",
						       sd_bus_message_get_member(m), strerror(-r));
		return sd_bus_error_set(error, name, message);
	}
	if (message && *message)
		log_info("%s: %s", sd_bus_message_get_member(m), message);
	if (a->commit) {
		r = a->commit(a->commit_userdata);
		if (r < 0) {
			log_error_errno(r, "%s accepted but not saved to disk",
					sd_bus_message_get_member(m));
			return sd_bus_error_setf(error, BUS_ERROR_NOT_DURABLE,
						 "%s took effect but could not be saved: %s",
						 sd_bus_message_get_member(m), strerror(-r));
		}
	}
	return sd_bus_reply_method_return(m, "");
}

/* The targets-only commands: AVOID, UNAVOID, CANCEL, CLEAR. */
typedef int (*targets_command_t)(struct engine *e, const char *targets, int64_t now_realtime_usec,
				 int64_t now_monotonic_usec, char *error, size_t error_size);

/* How a method names its targets: its first argument. */
enum targets_form {
	TARGETS_TEXT,		/* s: the console's syntax (targets.h) */
	TARGETS_DETECTORS,	/* au: detector numbers */
	TARGETS_MANIFOLDS,	/* as: manifold names */
};

enum command_kind {
	COMMAND_FILL,
	COMMAND_PRESET,
	COMMAND_DELAY,
	COMMAND_AVOID,
	COMMAND_UNAVOID,
	COMMAND_CANCEL,
	COMMAND_CLEAR,
};

/* Every command method: the string form and the two typed forms of the
 * seven commands, and the polkit action each needs. */
struct command_method {
	const char *member;
	enum command_kind kind;
	enum targets_form form;
	const char *action;
};

#define COMMAND_METHODS(name, kind, action)					\
	{ name, kind, TARGETS_TEXT, action },					\
	{ name "Detectors", kind, TARGETS_DETECTORS, action },			\
	{ name "Manifolds", kind, TARGETS_MANIFOLDS, action }

static const struct command_method command_methods[] = {
	COMMAND_METHODS("Fill", COMMAND_FILL, BUS_AUTH_ACTION_FILL),
	COMMAND_METHODS("Preset", COMMAND_PRESET, BUS_AUTH_ACTION_SCHEDULE),
	COMMAND_METHODS("Delay", COMMAND_DELAY, BUS_AUTH_ACTION_SCHEDULE),
	COMMAND_METHODS("Cancel", COMMAND_CANCEL, BUS_AUTH_ACTION_SCHEDULE),
	COMMAND_METHODS("Avoid", COMMAND_AVOID, BUS_AUTH_ACTION_OVERRIDE),
	COMMAND_METHODS("Unavoid", COMMAND_UNAVOID, BUS_AUTH_ACTION_OVERRIDE),
	COMMAND_METHODS("Clear", COMMAND_CLEAR, BUS_AUTH_ACTION_OVERRIDE),
};

static const struct command_method *command_method_of(sd_bus_message *m)
{
	const char *member = sd_bus_message_get_member(m);

	for (size_t i = 0; member && i < ELEMENTSOF(command_methods); i++)
		if (strcmp(command_methods[i].member, member) == 0)
			return &command_methods[i];
	return NULL;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* text += format, refusing what does not fit TARGETS_TEXT_MAX. */
static int text_append(char *text, size_t *used, sd_bus_error *error, const char *format, ...)
	_printf_(4, 5);
static int text_append(char *text, size_t *used, sd_bus_error *error, const char *format, ...)
{
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(text + *used, TARGETS_TEXT_MAX + 1 - *used, format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= TARGETS_TEXT_MAX + 1 - *used)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "the targets are too many to name (%u characters at most)",
					 TARGETS_TEXT_MAX);
	*used += (size_t)n;
	return 0;
}

/* au: ascending, consecutive numbers as ranges ("1-6,9"); zero, a repeat
 * or an empty list are refused. */
static int detectors_to_text(sd_bus_message *m, char *text, sd_bus_error *error)
{
	_cleanup_free_ uint32_t *numbers = NULL;
	const void *array;
	size_t size, n, used = 0;
	int r;

	r = sd_bus_message_read_array(m, 'u', &array, &size);
	if (r < 0)
		return r;
	n = size / sizeof(uint32_t);
	if (n == 0)
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "detectors: none given");
	numbers = malloc(size);
	if (!numbers)
		return -ENOMEM;
	memcpy(numbers, array, size);
	qsort(numbers, n, sizeof(uint32_t), compare_u32);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (numbers[i] == 0)
			return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
						"detectors: detector numbers start at 1");
		if (i + 1 < n && numbers[i + 1] == numbers[i])
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "detectors: detector %" PRIu32 " is named twice",
						 numbers[i]);
		while (j + 1 < n && numbers[j + 1] == numbers[j] + 1)
			j++;
		if (j > i)
			r = text_append(text, &used, error, "%s%" PRIu32 "-%" PRIu32,
					used ? "," : "", numbers[i], numbers[j]);
		else
			r = text_append(text, &used, error, "%s%" PRIu32, used ? "," : "",
					numbers[i]);
		if (r < 0)
			return r;
		i = j;
	}
	return 0;
}

/* as: names of 1-2 letters only (so no list, range or "all" can be
 * slipped in), each once. */
static int manifolds_to_text(sd_bus_message *m, char *text, sd_bus_error *error)
{
	_cleanup_(strv_freep) char **names = NULL;
	size_t used = 0;
	int r;

	r = sd_bus_message_read_strv(m, &names);
	if (r < 0)
		return r;
	if (!names || !names[0])
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "manifolds: none given");
	for (size_t i = 0; names[i]; i++) {
		size_t length = strlen(names[i]);
		bool letters = length >= 1 && length <= MANIFOLD_NAME_MAX;

		for (size_t k = 0; letters && k < length; k++)
			letters = (names[i][k] >= 'A' && names[i][k] <= 'Z') ||
				  (names[i][k] >= 'a' && names[i][k] <= 'z');
		if (!letters)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "manifolds: \"%s\" is not a manifold name (1-%u letters)",
						 names[i], MANIFOLD_NAME_MAX);
		for (size_t k = 0; k < i; k++)
			if (strcasecmp(names[k], names[i]) == 0)
				return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
							 "manifolds: %s is named twice", names[i]);
		r = text_append(text, &used, error, "%s%s", used ? "," : "", names[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The method's targets (its first argument) as the engine's text. */
static int read_targets(sd_bus_message *m, enum targets_form form, char *text,
			sd_bus_error *error)
{
	const char *s;
	int r;

	text[0] = 0;
	switch (form) {
	case TARGETS_DETECTORS:
		return detectors_to_text(m, text, error);
	case TARGETS_MANIFOLDS:
		return manifolds_to_text(m, text, error);
	default:
		r = sd_bus_message_read(m, "s", &s);
		if (r < 0)
			return r;
		/* The engine refuses longer ones, naming the limit. */
		snprintf(text, TARGETS_TEXT_MAX + 2, "%s", s);
		return 0;
	}
}

static int check_no_flags(uint64_t flags, sd_bus_error *error)
{
	if (flags)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "flags 0x%" PRIx64 ": none is defined for this method",
					 flags);
	return 0;
}

/* at_usec (CLOCK_REALTIME µs, 0 = now) as FILL's "HH:MM": the engine
 * schedules to the minute, within the next 24 hours. */
static int fill_time_to_text(uint64_t at_usec, char at[static 6], sd_bus_error *error)
{
	int64_t now = clock_usec(CLOCK_REALTIME);
	time_t t;
	struct tm tm;

	at[0] = 0;
	if (at_usec == 0)
		return 0;
	/* Anything in the current minute is "now" to the engine. */
	if ((int64_t)at_usec < now - now % 60000000)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "at_usec %" PRIu64 " is in the past", at_usec);
	if (at_usec > UINT64_C(1) << 62 || (int64_t)at_usec >= now + INT64_C(86400000000))
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "at_usec %" PRIu64 " is more than 24 hours ahead", at_usec);
	t = (time_t)(at_usec / 1000000);
	if (!localtime_r(&t, &tm))
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "at_usec %" PRIu64 " has no local time", at_usec);
	snprintf(at, 6, "%02d:%02d", tm.tm_hour, tm.tm_min);
	return 0;
}

/* PresetDetectors' flags: which of PRESET's modes. */
#define PRESET_FLAG_ADD (UINT64_C(1) << 0)
#define PRESET_FLAG_CLEAR (UINT64_C(1) << 1)

static int preset_mode_of_flags(uint64_t flags, const char **mode, sd_bus_error *error)
{
	if (flags & ~(PRESET_FLAG_ADD | PRESET_FLAG_CLEAR))
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "flags 0x%" PRIx64 ": only 0x1 (add) and 0x2 (clear) are defined",
					 flags);
	if ((flags & PRESET_FLAG_ADD) && (flags & PRESET_FLAG_CLEAR))
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
					"flags: add (0x1) and clear (0x2) exclude each other");
	*mode = flags & PRESET_FLAG_ADD ? "add" : flags & PRESET_FLAG_CLEAR ? "clear" : "replace";
	return 0;
}

/* aq minutes after local midnight -> "HH:MM" strings for PRESET. */
static int preset_times_to_text(sd_bus_message *m, char (*texts)[6], const char **times,
				size_t *n_times, sd_bus_error *error)
{
	const void *array;
	size_t size;
	int r;

	r = sd_bus_message_read_array(m, 'q', &array, &size);
	if (r < 0)
		return r;
	*n_times = size / sizeof(uint16_t);
	if (*n_times > PRESETS_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "times: %zu given, at most %u", *n_times, PRESETS_MAX);
	for (size_t i = 0; i < *n_times; i++) {
		uint16_t minute;

		memcpy(&minute, (const uint8_t *)array + i * sizeof(uint16_t), sizeof(minute));
		if (minute >= MINUTES_PER_DAY)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "times: %u is not a minute of the day (0-%u)",
						 minute, MINUTES_PER_DAY - 1);
		times[i] = schedule_format_clock_time(minute, texts[i]);
	}
	return 0;
}

static int delay_minutes_of_usec(uint64_t delay_usec, unsigned *minutes, sd_bus_error *error)
{
	if (delay_usec % 60000000 != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "delay_usec %" PRIu64 " is not a whole number of minutes",
					 delay_usec);
	/* The engine names the range (1 to 1440 minutes). */
	*minutes = delay_usec / 60000000 > UINT32_MAX ? UINT32_MAX :
		   (unsigned)(delay_usec / 60000000);
	return 0;
}

/* FILL: (s at) or (t at_usec, t flags). */
static int run_fill(struct bus_autofill *a, sd_bus_message *m, enum targets_form form,
		    const char *targets, char *message, sd_bus_error *error)
{
	const char *at;
	char at_text[6];
	uint64_t at_usec, flags;
	int r;

	if (form == TARGETS_TEXT) {
		r = sd_bus_message_read(m, "s", &at);
	} else {
		r = sd_bus_message_read(m, "tt", &at_usec, &flags);
		if (r >= 0)
			r = check_no_flags(flags, error);
		if (r >= 0)
			r = fill_time_to_text(at_usec, at_text, error);
		at = at_text;
	}
	if (r < 0)
		return r;
	return engine_fill(a->engine, targets, at, clock_usec(CLOCK_REALTIME),
			   clock_usec(CLOCK_MONOTONIC), message, COMMAND_ERROR_MAX);
}

/* PRESET: (as times, s mode) or (aq minutes, t flags). */
static int run_preset(struct bus_autofill *a, sd_bus_message *m, enum targets_form form,
		      const char *targets, char *message, sd_bus_error *error)
{
	_cleanup_(strv_freep) char **strv = NULL;
	char texts[PRESETS_MAX][6];
	const char *typed[PRESETS_MAX], *const *times = typed, *mode;
	size_t n_times = 0;
	uint64_t flags;
	int r;

	if (form == TARGETS_TEXT) {
		r = sd_bus_message_read_strv(m, &strv);
		if (r >= 0)
			r = sd_bus_message_read(m, "s", &mode);
		while (strv && strv[n_times])
			n_times++;
		times = (const char *const *)strv;
	} else {
		r = preset_times_to_text(m, texts, typed, &n_times, error);
		if (r >= 0)
			r = sd_bus_message_read(m, "t", &flags);
		if (r >= 0)
			r = preset_mode_of_flags(flags, &mode, error);
	}
	if (r < 0)
		return r;
	return engine_preset(a->engine, targets, times, n_times, mode, clock_usec(CLOCK_REALTIME),
			     clock_usec(CLOCK_MONOTONIC), message, COMMAND_ERROR_MAX);
}

/* DELAY: (u minutes) or (t delay_usec, t flags). */
static int run_delay(struct bus_autofill *a, sd_bus_message *m, enum targets_form form,
		     const char *targets, char *message, sd_bus_error *error)
{
	uint64_t delay_usec, flags;
	unsigned minutes = 0;
	uint32_t u;
	int r;

	if (form == TARGETS_TEXT) {
		r = sd_bus_message_read(m, "u", &u);
		minutes = u;
	} else {
		r = sd_bus_message_read(m, "tt", &delay_usec, &flags);
		if (r >= 0)
			r = check_no_flags(flags, error);
		if (r >= 0)
			r = delay_minutes_of_usec(delay_usec, &minutes, error);
	}
	if (r < 0)
		return r;
	return engine_delay(a->engine, targets, minutes, clock_usec(CLOCK_REALTIME),
			    clock_usec(CLOCK_MONOTONIC), message, COMMAND_ERROR_MAX);
}

/* AVOID, UNAVOID, CANCEL, CLEAR: () or (t flags). */
static int run_targets_only(struct bus_autofill *a, sd_bus_message *m, enum targets_form form,
			    targets_command_t command, const char *targets, char *message,
			    sd_bus_error *error)
{
	uint64_t flags;
	int r;

	if (form != TARGETS_TEXT) {
		r = sd_bus_message_read(m, "t", &flags);
		if (r >= 0)
			r = check_no_flags(flags, error);
		if (r < 0)
			return r;
	}
	return command(a->engine, targets, clock_usec(CLOCK_REALTIME),
		       clock_usec(CLOCK_MONOTONIC), message, COMMAND_ERROR_MAX);
}

/*
 * The caller is authorized: read every argument, then the engine checks
 * everything before it changes anything. The typed forms are turned into
 * the string forms' arguments, so both run the same engine command.
 */
static int run_command(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct command_method *c = command_method_of(m);
	char message[COMMAND_ERROR_MAX] = "", targets[TARGETS_TEXT_MAX + 2];
	int r;

	if (!c)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_METHOD, "not a command");
	r = read_targets(m, c->form, targets, error);
	if (r < 0)
		return r;
	switch (c->kind) {
	case COMMAND_FILL:
		r = run_fill(a, m, c->form, targets, message, error);
		break;
	case COMMAND_PRESET:
		r = run_preset(a, m, c->form, targets, message, error);
		break;
	case COMMAND_DELAY:
		r = run_delay(a, m, c->form, targets, message, error);
		break;
	case COMMAND_AVOID:
		r = run_targets_only(a, m, c->form, engine_avoid, targets, message, error);
		break;
	case COMMAND_UNAVOID:
		r = run_targets_only(a, m, c->form, engine_unavoid, targets, message, error);
		break;
	case COMMAND_CANCEL:
		r = run_targets_only(a, m, c->form, engine_cancel, targets, message, error);
		break;
	default:
		r = run_targets_only(a, m, c->form, engine_clear, targets, message, error);
		break;
	}
	/* An argument refused before the engine ran: the error is set. */
	if (r < 0 && sd_bus_error_is_set(error))
		return r;
	return command_finish(a, m, r, message, error);
}

/*
 * Every command is privileged: bus_auth decides whether the caller may do
 * the operation's polkit action, given the targets as a detail a site
 * rule can scope (as the engine will read them: "1-6,9", "A,B"), then
 * runs the command. Targets a typed form may not name are refused after
 * the authorization, as every other bad argument.
 */
static int method_command(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct command_method *c = command_method_of(m);
	_cleanup_(sd_bus_error_free) sd_bus_error ignored = SD_BUS_ERROR_NULL;
	char targets[TARGETS_TEXT_MAX + 2];

	if (!c)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_METHOD, "not a command");
	if (read_targets(m, c->form, targets, &ignored) < 0)
		targets[0] = 0;
	return bus_auth_run_privileged(a->auth, m, c->action,
				       (const char *const[]) {
					       BUS_AUTH_DETAIL_TARGETS, targets, NULL
				       }, run_command, a, error);
}

/*
 * CanIntervene(s action) -> s: "yes", "challenge" or "no", for one of the
 * actions of an operator (the console shows itself view-only by it).
 */
static int method_can_intervene(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	static const char *const actions[] = {
		BUS_AUTH_ACTION_FILL, BUS_AUTH_ACTION_SCHEDULE, BUS_AUTH_ACTION_OVERRIDE,
		BUS_AUTH_ACTION_CCD_CONTROL, BUS_AUTH_ACTION_CRYOSTREAM_COMMAND,
		BUS_AUTH_ACTION_ADMIN,
	};
	struct bus_autofill *a = userdata;
	const char *action;
	int r;

	r = sd_bus_message_read(m, "s", &action);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(actions); i++)
		if (strcmp(action, actions[i]) == 0)
			return bus_auth_test(a->auth, m, actions[i], error);
	return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
				 "\"%s\" is not an action of org.stationd1", action);
}

/* One fill of FillHistory: which detector, and its record. */
struct history_entry {
	uint32_t detector;	/* index */
	const struct fill_record *record;
};

static int compare_history_entries(const void *a, const void *b)
{
	const struct history_entry *x = a, *y = b;

	if (x->record->start_usec != y->record->start_usec)
		return x->record->start_usec < y->record->start_usec ? -1 : 1;
	return x->detector < y->detector ? -1 : x->detector > y->detector;
}

/*
 * FillHistory(t since_usec) -> a(otttsd): every detector's fills that
 * started at or after since_usec (0 = all kept), oldest first, from the
 * histories the engine keeps of fills.log (the last 100 per detector).
 */
static int method_fill_history(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct station *s = engine_station(a->engine);
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ struct history_entry *entries = NULL;
	size_t n = 0, size = 0;
	uint64_t since;
	int r;

	r = sd_bus_message_read(m, "t", &since);
	if (r < 0)
		return r;
	for (uint32_t d = 0; d < s->n_detectors; d++) {
		const struct fill_history *h = engine_fill_history(a->engine, d);

		for (unsigned i = 0; h && i < h->count; i++) {
			const struct fill_record *rec = fill_history_get(h, i);

			if (rec->start_usec < 0 || (uint64_t)rec->start_usec < since)
				continue;
			if (n == size) {
				struct history_entry *grown;

				size = size ? size * 2 : 64;
				grown = realloc(entries, size * sizeof(*entries));
				if (!grown)
					return -ENOMEM;
				entries = grown;
			}
			entries[n++] = (struct history_entry){ d, rec };
		}
	}
	if (n)
		qsort(entries, n, sizeof(*entries), compare_history_entries);
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(otttsd)");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char path[64];

		snprintf(path, sizeof(path), BUS_DETECTOR_PREFIX "/%" PRIu32,
			 s->detectors[entries[i].detector].number);
		r = sd_bus_message_open_container(reply, 'r', "otttsd");
		if (r >= 0)
			r = sd_bus_message_append(reply, "o", path);
		if (r >= 0)
			r = bus_append_fill_record(reply, entries[i].record);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static int property_global(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply, void *userdata,
			   sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	struct engine_global_view v;

	engine_global_view(a->engine, &v);
	if (strcmp(property, "State") == 0)
		return sd_bus_message_append(reply, "s", engine_state_to_string(v.state));
	if (strcmp(property, "FillingCount") == 0)
		return sd_bus_message_append(reply, "u", v.filling_count);
	if (strcmp(property, "Alarm") == 0)
		return sd_bus_message_append(reply, "b", (int)v.alarm);
	if (strcmp(property, "Inhibited") == 0)
		return sd_bus_message_append(reply, "b", (int)v.dewar_inhibit);
	return -ENOENT;
}

static int property_detectors(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct station *s = engine_station(a->engine);
	int r;

	r = sd_bus_message_open_container(reply, 'a', "u");
	for (size_t i = 0; r >= 0 && i < s->n_detectors; i++)
		r = sd_bus_message_append(reply, "u", s->detectors[i].number);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static int property_manifolds(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct station *s = engine_station(a->engine);
	int r;

	r = sd_bus_message_open_container(reply, 'a', "s");
	for (size_t i = 0; r >= 0 && i < s->n_manifolds; i++)
		r = sd_bus_message_append(reply, "s", s->manifolds[i].name);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable autofill_vtable[] = {
	SD_BUS_VTABLE_START(0),
#define COMMAND(name, signature, ...)							\
	SD_BUS_METHOD_WITH_NAMES(name, signature, __VA_ARGS__, "", , method_command,	\
				 SD_BUS_VTABLE_UNPRIVILEGED)
#define TARGETS_ONLY_COMMANDS(name)							\
	COMMAND(name, "s", SD_BUS_PARAM(targets)),					\
	COMMAND(name "Detectors", "aut", SD_BUS_PARAM(detectors) SD_BUS_PARAM(flags)),	\
	COMMAND(name "Manifolds", "ast", SD_BUS_PARAM(manifolds) SD_BUS_PARAM(flags))
	COMMAND("Fill", "ss", SD_BUS_PARAM(targets) SD_BUS_PARAM(at)),
	COMMAND("FillDetectors", "autt",
		SD_BUS_PARAM(detectors) SD_BUS_PARAM(at_usec) SD_BUS_PARAM(flags)),
	COMMAND("FillManifolds", "astt",
		SD_BUS_PARAM(manifolds) SD_BUS_PARAM(at_usec) SD_BUS_PARAM(flags)),
	COMMAND("Preset", "sass", SD_BUS_PARAM(targets) SD_BUS_PARAM(times) SD_BUS_PARAM(mode)),
	COMMAND("PresetDetectors", "auaqt",
		SD_BUS_PARAM(detectors) SD_BUS_PARAM(minutes_of_day) SD_BUS_PARAM(flags)),
	COMMAND("PresetManifolds", "asaqt",
		SD_BUS_PARAM(manifolds) SD_BUS_PARAM(minutes_of_day) SD_BUS_PARAM(flags)),
	COMMAND("Delay", "su", SD_BUS_PARAM(targets) SD_BUS_PARAM(minutes)),
	COMMAND("DelayDetectors", "autt",
		SD_BUS_PARAM(detectors) SD_BUS_PARAM(delay_usec) SD_BUS_PARAM(flags)),
	COMMAND("DelayManifolds", "astt",
		SD_BUS_PARAM(manifolds) SD_BUS_PARAM(delay_usec) SD_BUS_PARAM(flags)),
	TARGETS_ONLY_COMMANDS("Avoid"),
	TARGETS_ONLY_COMMANDS("Unavoid"),
	TARGETS_ONLY_COMMANDS("Cancel"),
	TARGETS_ONLY_COMMANDS("Clear"),
	SD_BUS_METHOD_WITH_NAMES("CanIntervene", "s", SD_BUS_PARAM(action), "s",
				 SD_BUS_PARAM(answer), method_can_intervene,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("FillHistory", "t", SD_BUS_PARAM(since_usec),
				 "a(otttsd)", SD_BUS_PARAM(fills), method_fill_history,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("FillStarted", "ut",
				 SD_BUS_PARAM(detector) SD_BUS_PARAM(at_usec), 0),
	SD_BUS_SIGNAL_WITH_NAMES("FillEnded", "utttsd",
				 SD_BUS_PARAM(detector) SD_BUS_PARAM(start_usec)
				 SD_BUS_PARAM(end_usec) SD_BUS_PARAM(duration_usec)
				 SD_BUS_PARAM(result) SD_BUS_PARAM(lowest_volts), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Fault", "suss",
				 SD_BUS_PARAM(kind) SD_BUS_PARAM(detector)
				 SD_BUS_PARAM(manifold) SD_BUS_PARAM(message), 0),
	SD_BUS_PROPERTY("State", "s", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("FillingCount", "u", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Alarm", "b", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Inhibited", "b", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Detectors", "au", property_detectors, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Manifolds", "as", property_manifolds, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

int bus_autofill_new(sd_bus *bus, struct engine *engine, struct bus_auth *auth,
		     bus_autofill_commit_t commit, void *commit_userdata,
		     struct bus_autofill **ret)
{
	struct bus_autofill *a;
	int r;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->bus = sd_bus_ref(bus);
	a->engine = engine;
	a->auth = auth;
	a->commit = commit;
	a->commit_userdata = commit_userdata;
	engine_global_view(engine, &a->published);
	r = sd_bus_add_object_vtable(bus, &a->vtable, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
				     autofill_vtable, a);
	if (r < 0) {
		bus_autofill_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

struct bus_autofill *bus_autofill_free(struct bus_autofill *a)
{
	if (!a)
		return NULL;
	sd_bus_slot_unref(a->vtable);
	sd_bus_unref(a->bus);
	free(a);
	return NULL;
}

static uint32_t detector_number(const struct bus_autofill *a, uint32_t detector)
{
	const struct station *s = engine_station(a->engine);

	return detector < s->n_detectors ? s->detectors[detector].number : 0;
}

static void emit_failed(int r, const char *what)
{
	if (r < 0)
		log_error_errno(r, "cannot emit %s", what);
}

void bus_autofill_fill_started(struct bus_autofill *a, uint32_t detector, int64_t at_usec)
{
	emit_failed(sd_bus_emit_signal(a->bus, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
				       "FillStarted", "ut", detector_number(a, detector),
				       (uint64_t)at_usec),
		    "FillStarted");
}

void bus_autofill_fill_ended(struct bus_autofill *a, uint32_t detector,
			     const struct fill_record *record)
{
	double lowest = record->lowest_mv == FILL_LOWEST_NONE ? NAN : record->lowest_mv / 1000.0;

	emit_failed(sd_bus_emit_signal(a->bus, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
				       "FillEnded", "utttsd", detector_number(a, detector),
				       (uint64_t)record->start_usec, (uint64_t)record->end_usec,
				       record->duration_usec, fill_result_to_string(record->result),
				       lowest),
		    "FillEnded");
}

void bus_autofill_fault(struct bus_autofill *a, const struct engine_fault *f)
{
	const struct station *s = engine_station(a->engine);
	uint32_t manifold = f->manifold;
	const char *manifold_name = "";

	/* A detector's fault names its manifold too, as the journal does. */
	if (manifold == ENGINE_NO_INDEX && f->detector < s->n_detectors)
		manifold = s->detectors[f->detector].manifold;
	if (manifold < s->n_manifolds)
		manifold_name = s->manifolds[manifold].name;
	emit_failed(sd_bus_emit_signal(a->bus, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE, "Fault",
				       "suss", engine_fault_kind_to_string(f->kind),
				       f->detector == ENGINE_NO_INDEX ? 0 :
				       detector_number(a, f->detector),
				       manifold_name, f->message ? f->message : ""),
		    "Fault");
}

void bus_autofill_global_changed(struct bus_autofill *a)
{
	struct engine_global_view v;
	const char *changed[5];
	size_t n = 0;

	engine_global_view(a->engine, &v);
	if (v.state != a->published.state)
		changed[n++] = "State";
	if (v.filling_count != a->published.filling_count)
		changed[n++] = "FillingCount";
	if (v.alarm != a->published.alarm)
		changed[n++] = "Alarm";
	if (v.dewar_inhibit != a->published.dewar_inhibit)
		changed[n++] = "Inhibited";
	changed[n] = NULL;
	a->published = v;
	if (n > 0)
		emit_failed(sd_bus_emit_properties_changed_strv(a->bus, BUS_AUTOFILL_PATH,
								BUS_AUTOFILL_INTERFACE,
								(char **)changed),
			    "PropertiesChanged of the autofill");
}
