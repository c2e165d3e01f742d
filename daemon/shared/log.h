/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's log: structured journal entries (MESSAGE_ID per kind of
 * event, DETECTOR=, MANIFOLD=, CARD=) when stderr is connected to the
 * journal, plain "stationd: ..." lines on stderr otherwise, so a run from
 * a shell or a test still shows every event.
 */
#ifndef STATIOND_SHARED_LOG_H
#define STATIOND_SHARED_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "daemon/shared/macro.h"

/* One MESSAGE_ID per kind of event (journalctl MESSAGE_ID=... finds them). */
enum log_event {
	LOG_EVENT_GENERIC,	/* no MESSAGE_ID */
	LOG_EVENT_STARTED,
	LOG_EVENT_STOPPED,
	LOG_EVENT_FILL_STARTED,
	LOG_EVENT_FILL_ENDED,
	LOG_EVENT_FAULT,
	LOG_EVENT_CARD,		/* a card found, missing or failed */
	LOG_EVENT_CONFIG,	/* which configuration or state was loaded */
	LOG_EVENT_AUDIT,	/* an authorized privileged call: who, what, outcome */
	_LOG_EVENT_MAX,
};

#define LOG_NO_DETECTOR UINT32_MAX

/* Decide once where the log goes: the journal if $JOURNAL_STREAM names
 * our stderr (systemd sets it for services), else stderr. */
void log_open(void);
/* Lowest priority logged (LOG_DEBUG..LOG_EMERG); default LOG_INFO. */
void log_set_max_level(int priority);
/* A level by syslog name ("debug", "warning", ...) or number 0-7, as
 * systemd's tools take it; -EINVAL for anything else. */
int log_level_from_string(const char *s);
/* $SYSTEMD_LOG_LEVEL, as systemd's own daemons honour it, sets the
 * lowest priority logged; unset leaves LOG_INFO, a bad value -EINVAL. */
int log_parse_environment(void);
/* Whether an entry of @priority would be logged: callers that build
 * fields or text of their own for a debug entry ask first. */
bool log_enabled(int priority);

/*
 * The text of an entry, in the journal's MESSAGE= and on stderr alike:
 * @format with @ap, then ": <strerror(error)>" when @error is not 0 and
 * the text does not already say it. Always NUL-terminated; returns its
 * length (cut to @size - 1).
 */
size_t log_format_message(char *buf, size_t size, int error, const char *format, va_list ap)
	_printf_(4, 0);

/*
 * Log one event (MESSAGE= as log_format_message(), ERRNO= the number). detector is a detector number or LOG_NO_DETECTOR;
 * manifold and card are names or NULL. Returns -abs(error) when error is
 * not 0 (so `return log_error_errno(...)` reads naturally), else 0.
 */
int log_event(int priority, enum log_event event, uint32_t detector, const char *manifold,
	      const char *card, int error, const char *format, ...) _printf_(7, 8);

/*
 * log_event() with journal fields of the caller's own ("KEY=value"
 * strings, NULL-terminated; at most LOG_EXTRA_FIELDS_MAX are sent). On
 * stderr only the message shows, so it must say everything itself.
 */
#define LOG_EXTRA_FIELDS_MAX 12
int log_event_fields(int priority, enum log_event event, const char *const *fields,
		     const char *format, ...) _printf_(4, 5);

#define log_info(...) log_event(LOG_INFO, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, 0, __VA_ARGS__)
#define log_warning(...) log_event(LOG_WARNING, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, 0, __VA_ARGS__)
#define log_error_errno(err, ...) \
	log_event(LOG_ERR, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, (err), __VA_ARGS__)

/* The MESSAGE_ID of an event kind (32 hex digits), or NULL for GENERIC. */
const char *log_event_message_id(enum log_event event);

#endif
