// SPDX-License-Identifier: GPL-2.0
/*
 * Structured logging to the journal, with a stderr fallback. The journal
 * is used only when $JOURNAL_STREAM ("<dev>:<inode>") is our stderr: that
 * is how systemd tells a service its stderr is the journal, and it keeps
 * messages from a shell run on the terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

static bool log_to_journal;
static int log_max_level = LOG_INFO;

static const char *const message_ids[_LOG_EVENT_MAX] = {
	[LOG_EVENT_STARTED] = "8d4424af8f9c4de59449ad2885e85c2d",
	[LOG_EVENT_STOPPED] = "bfa2b44e53e648b481d4fc236035faaf",
	[LOG_EVENT_FILL_STARTED] = "04e3edd3eed640cbb9147bd5ff6aeb1a",
	[LOG_EVENT_FILL_ENDED] = "22853f0d80e94d888f0fd355533b830c",
	[LOG_EVENT_FAULT] = "43694769bd49469a93ebbcc98c429580",
	[LOG_EVENT_CARD] = "d8caed89733540b1bd0f8e0f9244254b",
	[LOG_EVENT_CONFIG] = "97efa9b74efa4b5dad7e0854477f0c71",
	[LOG_EVENT_AUDIT] = "5d891230ed1b4c14aa3023584bb8d84e",
};

const char *log_event_message_id(enum log_event event)
{
	if ((unsigned)event >= _LOG_EVENT_MAX)
		return NULL;
	return message_ids[event];
}

void log_open(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	log_to_journal = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
			 fstat(STDERR_FILENO, &st) == 0 &&
			 st.st_dev == dev && st.st_ino == ino;
}

void log_set_max_level(int priority)
{
	log_max_level = priority;
}

int log_level_from_string(const char *s)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	};
	char *end;
	long n;

	if (!s || !*s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < LOG_EMERG || n > LOG_DEBUG)
		return -EINVAL;
	return (int)n;
}

int log_parse_environment(void)
{
	const char *e = getenv("SYSTEMD_LOG_LEVEL");
	int level;

	if (!e)
		return 0;
	level = log_level_from_string(e);
	if (level < 0)
		return level;
	log_set_max_level(level);
	return 0;
}

bool log_enabled(int priority)
{
	return priority <= log_max_level;
}

/* One entry with the fields that apply (MESSAGE already carries the errno
 * text, ERRNO= the number, as systemd's log_*_errno() do); < 0 if the
 * journal refused it. */
static int send_to_journal(int priority, enum log_event event, uint32_t detector,
			   const char *manifold, const char *card, int error,
			   const char *const *fields, const char *message)
{
	char f_msg[1100], f_prio[16], f_mid[64], f_det[32], f_man[32], f_card[48], f_err[32];
	struct iovec iov[8 + LOG_EXTRA_FIELDS_MAX];
	size_t n = 0;

#define FIELD(buf, ...) do {							\
		snprintf(buf, sizeof(buf), __VA_ARGS__);			\
		iov[n++] = (struct iovec) { .iov_base = buf, .iov_len = strlen(buf) }; \
	} while (0)
	FIELD(f_msg, "MESSAGE=%s", message);
	FIELD(f_prio, "PRIORITY=%d", priority);
	iov[n++] = (struct iovec) { .iov_base = (char *)"SYSLOG_IDENTIFIER=stationd",
				    .iov_len = strlen("SYSLOG_IDENTIFIER=stationd") };
	if (log_event_message_id(event))
		FIELD(f_mid, "MESSAGE_ID=%s", log_event_message_id(event));
	if (detector != LOG_NO_DETECTOR)
		FIELD(f_det, "DETECTOR=%" PRIu32, detector);
	if (manifold)
		FIELD(f_man, "MANIFOLD=%s", manifold);
	if (card)
		FIELD(f_card, "CARD=%s", card);
	if (error)
		FIELD(f_err, "ERRNO=%d", error);
#undef FIELD
	for (size_t i = 0; fields && fields[i] && i < LOG_EXTRA_FIELDS_MAX; i++)
		iov[n++] = (struct iovec) { .iov_base = (char *)fields[i],
					    .iov_len = strlen(fields[i]) };
	return sd_journal_sendv(iov, (int)n);
}

size_t log_format_message(char *buf, size_t size, int error, const char *format, va_list ap)
{
	const char *text;
	int n;

	if (size == 0)
		return 0;
	n = vsnprintf(buf, size, format, ap);
	if (n < 0) {
		buf[0] = '\0';
		n = 0;
	}
	if ((size_t)n >= size)
		return size - 1;	/* cut short: no room for the text either */
	error = error < 0 ? -error : error;
	if (!error)
		return (size_t)n;
	/* The errno text once: many messages (the engine's) carry it already. */
	text = strerror(error);
	if (strstr(buf, text))
		return (size_t)n;
	n += snprintf(buf + n, size - (size_t)n, ": %s", text);
	return (size_t)n < size ? (size_t)n : size - 1;
}

static int log_eventv(int priority, enum log_event event, uint32_t detector, const char *manifold,
		      const char *card, int error, const char *const *fields,
		      const char *format, va_list ap) _printf_(8, 0);
static int log_eventv(int priority, enum log_event event, uint32_t detector, const char *manifold,
		      const char *card, int error, const char *const *fields,
		      const char *format, va_list ap)
{
	int saved_errno = errno;
	char message[1024];

	error = error < 0 ? -error : error;
	if (priority <= log_max_level) {
		log_format_message(message, sizeof(message), error, format, ap);
		/* If the journal refuses, the message still goes to stderr. */
		if (!log_to_journal ||
		    send_to_journal(priority, event, detector, manifold, card, error, fields,
				    message) < 0)
			fprintf(stderr, "stationd: %s\n", message);
	}
	errno = saved_errno;
	return -error;
}

int log_event(int priority, enum log_event event, uint32_t detector, const char *manifold,
	      const char *card, int error, const char *format, ...)
{
	va_list ap;
	int r;

	va_start(ap, format);
	r = log_eventv(priority, event, detector, manifold, card, error, NULL, format, ap);
	va_end(ap);
	return r;
}

int log_event_fields(int priority, enum log_event event, const char *const *fields,
		     const char *format, ...)
{
	va_list ap;
	int r;

	va_start(ap, format);
	r = log_eventv(priority, event, LOG_NO_DETECTOR, NULL, NULL, 0, fields, format, ap);
	va_end(ap);
	return r;
}
