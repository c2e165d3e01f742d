// SPDX-License-Identifier: GPL-2.0
/*
 * stationd-console: the autofill console of the Eurogam specification's
 * section 4 on a real terminal (stationd-console(1)), with ncurses.
 *
 * One sd-event loop carries the terminal (keys as they come), the bus
 * (replies, PropertiesChanged, the Fault signals), a clock tick and the
 * input timeout; the screen is painted once after whatever changed it.
 * The station is read once with GetManagedObjects and kept current from
 * PropertiesChanged, never by polling; objects coming or going (cards)
 * and stationd restarting read it again. Commands are checked as
 * stationctl checks them (operator-command.h, the daemon's own target
 * parser) and sent asynchronously: the screen never freezes on a call.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon/bus/bus-errors.h"
#include "daemon/clients/console-command.h"
#include "daemon/clients/console-help.h"
#include "daemon/clients/console-view.h"
#include "daemon/clients/operator-command.h"
#include "daemon/clients/station-model.h"
#include "daemon/clients/stationctl-args.h"
#include "daemon/clients/stationctl-output.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/version.h"

#define AUTOFILL_PATH "/org/stationd1/autofill"
#define AUTOFILL_INTERFACE "org.stationd1.Autofill"
#define CARD_INTERFACE "org.stationd1.Card"
#define XVME_DEVICES "/sys/bus/xvme/devices"
#define USEC_PER_SEC UINT64_C(1000000)
#define DEFAULT_INPUT_TIMEOUT_SEC 60
#define CALL_TIMEOUT_USEC (UINT64_C(60) * USEC_PER_SEC)
#define MESSAGE_MAX 256

enum level {
	LEVEL_TOP,		/* SHOW: all manifolds */
	LEVEL_MANIFOLD,		/* SHOW B */
	LEVEL_DETECTOR,		/* SHOW 7 */
	LEVEL_TEXT,		/* HELP, or what an ADMIN command printed */
};

struct console {
	sd_event *event;
	sd_bus *bus;
	struct station_model *model;	/* NULL until read */
	bool connected;			/* stationd owns its name */
	bool loading;
	enum level level;
	size_t manifold;		/* selected, index into model->manifolds */
	size_t detector;		/* selected, index into model->detectors */
	struct text_lines text;		/* LEVEL_TEXT */
	size_t scroll;
	bool admin;
	bool view_only, forced_view_only;
	char view_only_why[MESSAGE_MAX];
	unsigned checks_pending, checks_denied;
	char input[CONSOLE_LINE_MAX];
	size_t input_len;
	bool confirming;
	struct console_command pending;	/* what YES runs */
	uint64_t input_timeout_usec;
	sd_event_source *input_timer;
	char message[MESSAGE_MAX];
	bool message_alert;
	char last_error[MESSAGE_MAX];	/* "" = none seen */
	bool dirty;
	bool colors;
};

static uint64_t now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static void say(struct console *c, bool alert, const char *format, ...) _printf_(3, 4);
static void say(struct console *c, bool alert, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(c->message, sizeof(c->message), format, ap);
	va_end(ap);
	c->message_alert = alert;
	c->dirty = true;
}

/* The latest error, with the time it came. */
static void error_seen(struct console *c, const char *format, ...) _printf_(2, 3);
static void error_seen(struct console *c, const char *format, ...)
{
	char text[MESSAGE_MAX - 16], stamp[16];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, format);
	vsnprintf(text, sizeof(text), format, ap);
	va_end(ap);
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	snprintf(c->last_error, sizeof(c->last_error), "%s %s", stamp, text);
	c->dirty = true;
	beep();
}

/* ---------------------------------------------------------------- the station */

static bool model_has_faults(const struct station_model *m)
{
	for (size_t i = 0; m && i < m->n_detectors; i++)
		if (strcmp(view_detector_code(&m->detectors[i]), "OVF") == 0 ||
		    strcmp(view_detector_code(&m->detectors[i]), "UND") == 0 ||
		    strcmp(view_detector_code(&m->detectors[i]), "ERR") == 0 ||
		    strcmp(view_detector_code(&m->detectors[i]), "N/A") == 0)
			return true;
	return false;
}

/* At start, or after stationd came back: an error already there is the
 * latest one this console knows of. */
static void error_from_model(struct console *c)
{
	const struct station_model *m = c->model;

	if (c->last_error[0] || !m)
		return;
	for (size_t i = 0; i < m->n_detectors; i++) {
		const char *code = view_detector_code(&m->detectors[i]);

		if (strcmp(code, "OVF") && strcmp(code, "UND") && strcmp(code, "ERR") &&
		    strcmp(code, "N/A"))
			continue;
		snprintf(c->last_error, sizeof(c->last_error),
			 "(before this console) detector %" PRIu32 ": %s", m->detectors[i].number,
			 m->detectors[i].status && m->detectors[i].status[0] ?
			 m->detectors[i].status[0] : code);
		return;
	}
}

static void clamp_selection(struct console *c)
{
	const struct station_model *m = c->model;

	if (!m)
		return;
	if (c->manifold >= m->n_manifolds)
		c->manifold = m->n_manifolds ? m->n_manifolds - 1 : 0;
	if (c->detector >= m->n_detectors)
		c->detector = m->n_detectors ? m->n_detectors - 1 : 0;
}

static int on_can_intervene(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct console *c = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	const char *answer = NULL;

	c->checks_pending--;
	/* An older stationd without the question: it decides at each call. */
	if (!e && sd_bus_message_read(reply, "s", &answer) > 0 && strcmp(answer, "no") == 0)
		c->checks_denied++;
	if (c->checks_pending == 0 && !c->forced_view_only) {
		c->view_only = c->checks_denied == 3;
		if (c->view_only) {
			snprintf(c->view_only_why, sizeof(c->view_only_why),
				 "this user may not intervene (polkit, or the operator group)");
			say(c, false, "VIEW ONLY: %s. SHOW and HELP work.", c->view_only_why);
		}
	}
	return 0;
}

/* May this user intervene? Asked of stationd, which decides every call. */
static void check_intervention(struct console *c)
{
	static const char *const actions[] = {
		"org.stationd1.autofill.fill", "org.stationd1.autofill.schedule",
		"org.stationd1.autofill.override",
	};

	if (c->forced_view_only || c->checks_pending)
		return;
	c->checks_denied = 0;
	for (size_t i = 0; i < ELEMENTSOF(actions); i++)
		if (sd_bus_call_method_async(c->bus, NULL, MODEL_BUS_NAME, AUTOFILL_PATH,
					     AUTOFILL_INTERFACE, "CanIntervene", on_can_intervene,
					     c, "s", actions[i]) >= 0)
			c->checks_pending++;
}

static int on_objects(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct console *c = userdata;
	struct station_model *m = NULL;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int r;

	c->loading = false;
	if (e) {
		c->connected = false;
		say(c, true, "cannot read the station: %s", e->message ? e->message : e->name);
		return 0;
	}
	r = model_from_managed_objects(reply, &m);
	if (r < 0) {
		say(c, true, "cannot read the station: %s", strerror(-r));
		return 0;
	}
	model_free(c->model);
	c->model = m;
	c->connected = true;
	clamp_selection(c);
	error_from_model(c);
	check_intervention(c);
	c->dirty = true;
	return 0;
}

static void load(struct console *c)
{
	int r;

	if (c->loading)
		return;
	r = sd_bus_call_method_async(c->bus, NULL, MODEL_BUS_NAME, MODEL_ROOT_PATH,
				     "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
				     on_objects, c, "");
	if (r < 0)
		say(c, true, "cannot ask stationd for the station: %s", strerror(-r));
	else
		c->loading = true;
}

/* Every signal of org.stationd1: properties, objects, faults. */
static int on_station_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct console *c = userdata;

	if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Properties", "PropertiesChanged")) {
		if (c->model && model_apply_properties_changed(c->model, m) > 0)
			c->dirty = true;
	} else if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.ObjectManager",
					    "InterfacesAdded") ||
		   sd_bus_message_is_signal(m, "org.freedesktop.DBus.ObjectManager",
					    "InterfacesRemoved")) {
		load(c);
	} else if (sd_bus_message_is_signal(m, AUTOFILL_INTERFACE, "Fault")) {
		const char *kind, *manifold, *message;
		uint32_t detector;

		if (sd_bus_message_read(m, "suss", &kind, &detector, &manifold, &message) > 0)
			error_seen(c, "%s: %s", kind, message);
	} else if (sd_bus_message_is_signal(m, "org.stationd1.Cryostream", "Fault")) {
		const char *kind, *message, *path = sd_bus_message_get_path(m);

		if (sd_bus_message_read(m, "ss", &kind, &message) > 0)
			error_seen(c, "cryostream %s: %s: %s",
				   strrchr(path, '/') ? strrchr(path, '/') + 1 : path, kind, message);
	}
	return 0;
}

static int on_name_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct console *c = userdata;
	int gone = model_owner_gone(m);

	if (gone < 0)
		return 0;
	if (gone) {
		c->connected = false;
		error_seen(c, "stationd left the bus");
	} else {
		say(c, false, "stationd is on the bus again");
		load(c);
	}
	c->dirty = true;
	return 0;
}

/* ---------------------------------------------------------------- commands */

struct call {
	struct console *c;
	char what[64];		/* "FILL 7" */
};

static int on_command_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct call *call = userdata;
	struct console *c = call->c;
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	if (e)
		say(c, true, "%s: %s", call->what, e->message ? e->message : e->name);
	else
		say(c, false, "%s: done.", call->what);
	free(call);
	return 0;
}

static void send_call(struct console *c, sd_bus_message *m, const char *what)
{
	struct call *call = calloc(1, sizeof(*call));
	int r;

	if (!call) {
		say(c, true, "%s: out of memory", what);
		return;
	}
	call->c = c;
	snprintf(call->what, sizeof(call->what), "%s", what);
	r = sd_bus_call_async(c->bus, NULL, m, on_command_reply, call, CALL_TIMEOUT_USEC);
	if (r < 0) {
		free(call);
		say(c, true, "%s: cannot send: %s", what, strerror(-r));
		return;
	}
	say(c, false, "%s: sent...", what);
}

static void command_text(const struct console_command *cmd, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "%s", console_verb_info(cmd->verb)->name);

	for (size_t i = 0; i < cmd->n_args && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, " %s", cmd->args[i]);
}

static void send_operator_command(struct console *c, const struct console_command *cmd)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	struct operator_command op;
	char why[MESSAGE_MAX], what[64];
	int r;

	command_text(cmd, what, sizeof(what));
	if (console_operator_command(cmd, &op, why, sizeof(why)) < 0) {
		say(c, true, "%s: %s", console_verb_info(cmd->verb)->name, why);
		return;
	}
	r = operator_command_message(c->bus, &op, false, &m);
	if (r < 0) {
		say(c, true, "%s: %s", what, strerror(-r));
		return;
	}
	send_call(c, m, what);
}

/* The seed's rules before anything is sent: who may, manual fill, the
 * arguments and targets, YES/NO for several detectors. */
static void operator_command(struct console *c, const struct console_command *cmd)
{
	const char *name = console_verb_info(cmd->verb)->name;
	struct operator_command op;
	bool needs_confirmation;
	char why[MESSAGE_MAX];
	size_t n;
	int r;

	if (c->view_only) {
		say(c, true, "%s refused: VIEW ONLY (%s).", name, c->view_only_why);
		return;
	}
	if (!c->model || !c->connected) {
		say(c, true, "%s refused: stationd is not running.", name);
		return;
	}
	if (c->model->state && strcmp(c->model->state, "manual-fill") == 0) {
		say(c, true, "%s refused: MANUAL FILL, interventions are refused until the key is off.",
		    name);
		return;
	}
	if (console_operator_command(cmd, &op, why, sizeof(why)) < 0) {
		say(c, true, "%s: %s", name, why);
		return;
	}
	r = operator_targets_check(c->model, op.targets, &n, &needs_confirmation, why, sizeof(why));
	if (r < 0) {
		say(c, true, "%s: targets %s", name, r == -EINVAL ? why : strerror(-r));
		return;
	}
	if (needs_confirmation) {
		c->pending = *cmd;
		/* The words point into the copy's own buffer. */
		for (size_t i = 0; i < cmd->n_args; i++)
			c->pending.args[i] = c->pending.buf + (cmd->args[i] - cmd->buf);
		c->confirming = true;
		say(c, false, "%s %s: %zu detectors. Confirm: YES or NO?", name, op.targets, n);
		return;
	}
	send_operator_command(c, cmd);
}

static void show(struct console *c, const char *what)
{
	const struct station_model *m = c->model;
	uint32_t number;

	if (!m) {
		say(c, true, "SHOW: the station is not read yet.");
		return;
	}
	if (!what) {
		c->level = LEVEL_TOP;
	} else if (parse_detector_number(what, &number) == 0 && model_find_detector(m, number)) {
		c->detector = (size_t)(model_find_detector(m, number) - m->detectors);
		c->level = LEVEL_DETECTOR;
	} else if (model_find_manifold(m, what)) {
		c->manifold = (size_t)(model_find_manifold(m, what) - m->manifolds);
		c->level = LEVEL_MANIFOLD;
	} else {
		say(c, true, "SHOW: \"%s\" is not a configured detector or manifold.", what);
		return;
	}
	c->scroll = 0;
	c->message[0] = 0;
	c->dirty = true;
}

static void show_text(struct console *c)
{
	c->level = LEVEL_TEXT;
	c->scroll = 0;
	c->dirty = true;
}

/* ADMIN SCAN: every crate's slots probed by the kernel (sysfs "scan"),
 * each card found named as stationd knows it. */
static void admin_scan(struct console *c, const char *crate)
{
	DIR *dir = opendir(XVME_DEVICES);
	struct dirent *e;
	int crates = 0;

	text_lines_clear(&c->text);
	text_lines_add(&c->text, LINE_HEADING, "SCAN: the slots that answered, per crate");
	while (dir && (e = readdir(dir))) {
		char path[512], line[256];
		FILE *f;

		if (strncmp(e->d_name, "xvme", 4) != 0 || strchr(e->d_name, '-') ||
		    (crate && strcmp(e->d_name + 4, crate) != 0))
			continue;
		snprintf(path, sizeof(path), XVME_DEVICES "/%s/scan", e->d_name);
		f = fopen(path, "re");
		if (!f) {
			text_lines_add(&c->text, LINE_ALERT, "%s: cannot read %s: %m", e->d_name, path);
			continue;
		}
		crates++;
		text_lines_add(&c->text, LINE_HEADING, "crate %s", e->d_name);
		while (fgets(line, sizeof(line), f)) {
			char name[300], address[16] = "";
			const struct model_card *card;
			unsigned long a;

			line[strcspn(line, "\n")] = 0;
			sscanf(line, "%15s", address);
			a = strtoul(address, NULL, 16);
			snprintf(name, sizeof(name), "%s-%04lx", e->d_name, a);
			card = c->model ? model_find_card(c->model, name) : NULL;
			text_lines_add(&c->text, LINE_NORMAL, "  %-40s %s", line,
				       !card ? "" : card->configured ? "configured" : "not configured");
		}
		fclose(f);
	}
	if (dir)
		closedir(dir);
	if (!crates)
		text_lines_add(&c->text, LINE_ALERT, "  no crate%s%s on the xvme bus (%s)",
			       crate ? " " : "", crate ? crate : "", XVME_DEVICES);
	show_text(c);
}

static const struct model_card *card_named(struct console *c, const char *name)
{
	const struct model_card *card = c->model ? model_find_card(c->model, name) : NULL;

	if (!card)
		say(c, true, "\"%s\" is not a card on the bus (CARDS lists them).", name);
	return card;
}

static void admin_cards(struct console *c)
{
	text_lines_clear(&c->text);
	text_lines_add(&c->text, LINE_HEADING, "%-11s %-9s %-4s %-7s %-24s %-5s %8s %6s",
		       "CARD", "MODEL", "CONF", "PRESENT", "SELF-TEST", "LED", "TIMEOUTS", "ERRORS");
	for (size_t i = 0; c->model && i < c->model->n_cards; i++) {
		const struct model_card *card = &c->model->cards[i];
		bool bad = !card->present || (card->self_test && strcmp(card->self_test, "pass")) ||
			(card->led && strcmp(card->led, "red") == 0);

		text_lines_add(&c->text, bad ? LINE_ALERT : LINE_NORMAL,
			       "%-11s %-9s %-4s %-7s %-24.24s %-5s %8" PRIu64 " %6" PRIu64, card->name,
			       card->model ? card->model : "-", card->configured ? "yes" : "no",
			       card->present ? "yes" : "NO",
			       card->self_test && *card->self_test ? card->self_test : "-",
			       card->led && *card->led ? card->led : "-",
			       card->conversion_timeouts, card->conversion_errors);
	}
	show_text(c);
}

static void admin_spare(struct console *c, const char *name)
{
	text_lines_clear(&c->text);
	text_lines_add(&c->text, LINE_HEADING, "SPARE: the lines nothing is configured on");
	for (size_t i = 0; c->model && i < c->model->n_cards; i++) {
		const struct model_card *card = &c->model->cards[i];
		char list[256] = "";
		size_t used = 0, n = 0;

		if (name && strcmp(card->name, name) != 0)
			continue;
		for (char **s = card->spare_channels; s && *s; s++, n++)
			if (used < sizeof(list))
				used += (size_t)snprintf(list + used, sizeof(list) - used, " %s", *s);
		text_lines_add(&c->text, LINE_NORMAL, "%-11s %-9s %2zu:%s", card->name,
			       card->model ? card->model : "-", n, n ? list : " none");
	}
	if (name && c->text.n == 1) {
		card_named(c, name);
		return;
	}
	show_text(c);
}

/* CONNECTIONS: a card's lines, or every line of a detector or manifold. */
static void admin_connections(struct console *c, const char *what)
{
	const struct station_model *m = c->model;
	const struct model_detector *d = NULL;
	const struct model_manifold *mf = NULL;
	const struct model_card *card = NULL;
	uint32_t number;
	const char *object;

	if (!m)
		return;
	if (parse_detector_number(what, &number) == 0)
		d = model_find_detector(m, number);
	else if (!(mf = model_find_manifold(m, what)))
		card = model_find_card(m, what);
	if (!d && !mf && !card) {
		say(c, true, "CONNECTIONS: \"%s\" is not a detector, manifold or card.", what);
		return;
	}
	text_lines_clear(&c->text);
	if (card) {
		text_lines_add(&c->text, LINE_HEADING, "Card %s (%s): its configured lines",
			       card->name, card->model ? card->model : "-");
		for (size_t i = 0; i < card->n_channels; i++)
			text_lines_add(&c->text, LINE_NORMAL, "  %-8s %-16s %s",
				       card->channels[i].line, card->channels[i].function,
				       card->channels[i].object);
		if (!card->n_channels)
			text_lines_add(&c->text, LINE_NORMAL, "  none");
		show_text(c);
		return;
	}
	object = d ? d->path : mf->path;
	if (d)
		text_lines_add(&c->text, LINE_HEADING, "Detector %" PRIu32 " (manifold %s): its lines",
			       d->number, d->manifold ? d->manifold : "-");
	else
		text_lines_add(&c->text, LINE_HEADING, "Manifold %s: its lines", mf->name);
	for (size_t k = 0; k < m->n_cards; k++)
		for (size_t i = 0; i < m->cards[k].n_channels; i++)
			if (strcmp(m->cards[k].channels[i].object, object) == 0)
				text_lines_add(&c->text, LINE_NORMAL, "  %-16s %s:%s  (%s)",
					       m->cards[k].channels[i].function, m->cards[k].name,
					       m->cards[k].channels[i].line,
					       m->cards[k].model ? m->cards[k].model : "-");
	show_text(c);
}

struct admin_call {
	struct console *c;
	char what[64];
	enum console_verb verb;
};

static int on_admin_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct admin_call *call = userdata;
	struct console *c = call->c;
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	if (e) {
		say(c, true, "%s: %s", call->what, e->message ? e->message : e->name);
	} else if (call->verb == CONSOLE_TEST) {
		const char *result;

		if (sd_bus_message_read(reply, "s", &result) > 0)
			say(c, strcmp(result, "pass") != 0, "%s: %s", call->what, result);
	} else {
		uint32_t raw;
		double volts;

		if (sd_bus_message_read(reply, "ud", &raw, &volts) > 0)
			say(c, false, "%s: raw %" PRIu32 ", %.3f V", call->what, raw, volts);
	}
	free(call);
	return 0;
}

/* TEST and CONVERT: stationd does them (it holds the card's lines). */
static void admin_card_call(struct console *c, const struct console_command *cmd)
{
	const struct model_card *card = card_named(c, cmd->args[0]);
	struct admin_call *call;
	uint32_t channel = 0;
	char *end;
	int r;

	if (!card)
		return;
	if (c->view_only) {
		say(c, true, "%s refused: VIEW ONLY (%s).", console_verb_info(cmd->verb)->name,
		    c->view_only_why);
		return;
	}
	if (cmd->verb == CONSOLE_CONVERT) {
		unsigned long v;

		errno = 0;
		v = strtoul(cmd->args[1], &end, 10);
		if (errno || end == cmd->args[1] || *end || v > 31) {
			say(c, true, "CONVERT: channel \"%s\": 0 to 31", cmd->args[1]);
			return;
		}
		channel = (uint32_t)v;
	}
	call = calloc(1, sizeof(*call));
	if (!call)
		return;
	call->c = c;
	call->verb = cmd->verb;
	command_text(cmd, call->what, sizeof(call->what));
	if (cmd->verb == CONSOLE_TEST)
		r = sd_bus_call_method_async(c->bus, NULL, MODEL_BUS_NAME, card->path, CARD_INTERFACE,
					     "SelfTest", on_admin_reply, call, "");
	else
		r = sd_bus_call_method_async(c->bus, NULL, MODEL_BUS_NAME, card->path, CARD_INTERFACE,
					     "Convert", on_admin_reply, call, "u", channel);
	if (r < 0) {
		say(c, true, "%s: cannot send: %s", call->what, strerror(-r));
		free(call);
		return;
	}
	say(c, false, "%s: sent...", call->what);
}

static void execute(struct console *c, const char *line)
{
	struct console_command cmd;
	char why[MESSAGE_MAX];
	int r;

	r = console_command_parse(line, c->admin, &cmd, why, sizeof(why));
	if (r < 0) {
		say(c, true, "%s", why);
		return;
	}
	if (r == 0)
		return;
	c->message[0] = 0;
	switch (cmd.verb) {
	case CONSOLE_PRESET:
	case CONSOLE_FILL:
	case CONSOLE_DELAY:
	case CONSOLE_AVOID:
	case CONSOLE_UNAVOID:
	case CONSOLE_CANCEL:
	case CONSOLE_CLEAR:
		operator_command(c, &cmd);
		break;
	case CONSOLE_SHOW:
		show(c, cmd.n_args ? cmd.args[0] : NULL);
		break;
	case CONSOLE_HELP:
		text_lines_clear(&c->text);
		if (console_help(&c->text, cmd.n_args ? cmd.args[0] : NULL, c->admin, why,
				 sizeof(why)) < 0)
			say(c, true, "%s", why);
		else
			show_text(c);
		break;
	case CONSOLE_ADMIN:
		c->admin = true;
		say(c, false, "ADMIN mode: SCAN, CARDS, TEST, CONVERT, SPARE, CONNECTIONS; NORMAL to leave.");
		break;
	case CONSOLE_NORMAL:
		c->admin = false;
		say(c, false, "Normal autofill mode.");
		break;
	case CONSOLE_QUIT:
		sd_event_exit(c->event, 0);
		break;
	case CONSOLE_SCAN:
		admin_scan(c, cmd.n_args ? cmd.args[0] : NULL);
		break;
	case CONSOLE_CARDS:
		admin_cards(c);
		break;
	case CONSOLE_SPARE:
		admin_spare(c, cmd.n_args ? cmd.args[0] : NULL);
		break;
	case CONSOLE_CONNECTIONS:
		admin_connections(c, cmd.args[0]);
		break;
	case CONSOLE_TEST:
	case CONSOLE_CONVERT:
		admin_card_call(c, &cmd);
		break;
	default:
		break;
	}
	c->dirty = true;
}

/* ---------------------------------------------------------------- the screen */

enum { PAIR_ALERT = 1, PAIR_SELECTED, PAIR_HEADING, PAIR_STATUS };

static attr_t attr_of(const struct console *c, enum line_attr attr)
{
	switch (attr) {
	case LINE_HEADING:
		return A_BOLD | (c->colors ? COLOR_PAIR(PAIR_HEADING) : 0);
	case LINE_SELECTED:
		return A_REVERSE;
	case LINE_ALERT:
		return A_BOLD | (c->colors ? COLOR_PAIR(PAIR_ALERT) : 0);
	default:
		return A_NORMAL;
	}
}

/* The lines of the middle of the screen, and the one to keep in view. */
static size_t body(struct console *c, struct text_lines *t)
{
	const struct station_model *m = c->model;
	uint64_t now = now_realtime();

	if (c->level == LEVEL_TEXT) {
		for (size_t i = 0; i < c->text.n; i++)
			text_lines_add(t, c->text.lines[i].attr, "%s", c->text.lines[i].text);
		return 0;
	}
	if (!m) {
		text_lines_add(t, LINE_NORMAL, "Reading the station from stationd...");
		return 0;
	}
	switch (c->level) {
	case LEVEL_MANIFOLD:
		if (c->manifold < m->n_manifolds) {
			const struct model_manifold *mf = &m->manifolds[c->manifold];
			const struct model_detector *d = &m->detectors[c->detector];

			/* The selected detector, when it is on this manifold. */
			view_manifold(t, m, c->manifold,
				      d->manifold && strcmp(d->manifold, mf->name) == 0 ? d->number : 0,
				      now);
		}
		break;
	case LEVEL_DETECTOR:
		view_detector(t, m, c->detector, now);
		break;
	default:
		view_top(t, m, c->manifold);
		for (size_t i = 0; i < t->n; i++)
			if (t->lines[i].attr == LINE_SELECTED)
				return i;
		break;
	}
	return 0;
}

static void paint(struct console *c)
{
	struct text_lines t = {};
	struct view_status status = {
		.mode = c->admin ? VIEW_ADMIN : VIEW_NORMAL,
		.view_only = c->view_only,
		.connected = c->connected,
	};
	char line[512];
	int rows = LINES, cols = COLS, first = 2, last = rows - 3;
	size_t keep, start;

	erase();
	attrset(A_REVERSE | (c->colors ? COLOR_PAIR(PAIR_STATUS) : 0));
	mvaddnstr(0, 0, view_status_line(c->model, &status, now_realtime(), (size_t)cols, line,
					 sizeof(line)), cols);
	attrset(c->last_error[0] && model_has_faults(c->model) ? attr_of(c, LINE_ALERT) : A_NORMAL);
	if (c->last_error[0])
		snprintf(line, sizeof(line), " Last error: %s%s", c->last_error,
			 model_has_faults(c->model) ? "" : "  (cleared)");
	else
		snprintf(line, sizeof(line), " No errors.");
	mvaddnstr(1, 0, line, cols);

	keep = body(c, &t);
	/* Scroll so the selected line is in view; PgUp/PgDn move the rest. */
	start = c->scroll;
	if (last >= first && keep >= start + (size_t)(last - first + 1))
		start = keep - (size_t)(last - first);
	for (int row = first; row <= last && start + (size_t)(row - first) < t.n; row++) {
		const struct text_line *l = &t.lines[start + (size_t)(row - first)];

		attrset(attr_of(c, l->attr));
		mvaddnstr(row, 0, l->text, cols);
		if (l->attr == LINE_SELECTED)
			chgat(-1, A_REVERSE, 0, NULL);
	}
	text_lines_clear(&t);
	attrset(c->message_alert ? attr_of(c, LINE_ALERT) : A_NORMAL);
	mvaddnstr(rows - 2, 0, c->message, cols);
	attrset(A_BOLD);
	snprintf(line, sizeof(line), "%s> ", c->confirming ? "YES/NO" : c->view_only ? "VIEW ONLY" :
		 c->admin ? "ADMIN" : "AUTOFILL");
	mvaddnstr(rows - 1, 0, line, cols);
	attrset(A_NORMAL);
	addnstr(c->input, cols - (int)strlen(line) - 1);
	refresh();
	c->dirty = false;
}

static int on_post(sd_event_source *s, void *userdata)
{
	struct console *c = userdata;

	if (c->dirty)
		paint(c);
	return 0;
}

/* ---------------------------------------------------------------- keys */

static void arm_input_timer(struct console *c)
{
	if (!c->input_timer)
		return;
	sd_event_source_set_time_relative(c->input_timer, c->input_timeout_usec);
	sd_event_source_set_enabled(c->input_timer, SD_EVENT_ONESHOT);
}

/* Nothing typed for the input timeout: the half line and a YES/NO
 * question are dropped, and the display comes back. */
static int on_input_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct console *c = userdata;

	if (c->confirming)
		say(c, true, "Not confirmed in time: nothing done.");
	else if (c->input_len)
		say(c, false, "Input timed out: the line was dropped.");
	c->confirming = false;
	c->input_len = 0;
	c->input[0] = 0;
	if (c->level == LEVEL_TEXT)
		c->level = LEVEL_TOP;
	c->dirty = true;
	return 0;
}

static void enter(struct console *c)
{
	char line[CONSOLE_LINE_MAX];

	snprintf(line, sizeof(line), "%s", c->input);
	c->input_len = 0;
	c->input[0] = 0;
	if (c->confirming) {
		c->confirming = false;
		if (strcasecmp(line, "YES") == 0 || strcasecmp(line, "Y") == 0)
			send_operator_command(c, &c->pending);
		else
			say(c, false, "Not confirmed: nothing done.");
		return;
	}
	if (line[strspn(line, " \t")] == 0) {
		/* An empty line opens what is selected. */
		if (c->level == LEVEL_TOP && c->model && c->model->n_manifolds)
			c->level = LEVEL_MANIFOLD;
		else if (c->level == LEVEL_MANIFOLD && c->model)
			c->level = LEVEL_DETECTOR;
		c->dirty = true;
		return;
	}
	execute(c, line);
}

/* The first detector of the selected manifold, for the detector keys. */
static void select_first_detector(struct console *c)
{
	const struct station_model *m = c->model;
	const struct model_manifold *mf = &m->manifolds[c->manifold];
	const struct model_detector *d = mf->n_detectors ?
		model_find_detector(m, mf->detectors[0]) : NULL;

	if (d)
		c->detector = (size_t)(d - m->detectors);
}

static void step_manifold(struct console *c, int step)
{
	const struct station_model *m = c->model;

	if (!m || !m->n_manifolds)
		return;
	c->manifold = step < 0 ? (c->manifold + m->n_manifolds - 1) % m->n_manifolds :
		(c->manifold + 1) % m->n_manifolds;
	if (c->level == LEVEL_DETECTOR)
		select_first_detector(c);
	if (c->level == LEVEL_TEXT)
		c->level = LEVEL_TOP;
}

static void step_detector(struct console *c, int step)
{
	const struct station_model *m = c->model;
	size_t k;

	if (!m || !m->n_detectors)
		return;
	if (c->level == LEVEL_TOP || c->level == LEVEL_TEXT) {
		step_manifold(c, step);
		return;
	}
	c->detector = step < 0 ? (c->detector + m->n_detectors - 1) % m->n_detectors :
		(c->detector + 1) % m->n_detectors;
	/* The manifold follows the detector. */
	k = view_manifold_index(m, m->detectors[c->detector].manifold ?
				m->detectors[c->detector].manifold : "");
	if (k < m->n_manifolds)
		c->manifold = k;
}

static void toggle_level(struct console *c)
{
	if (!c->model)
		return;
	if (c->level == LEVEL_DETECTOR) {
		size_t k = view_manifold_index(c->model, c->model->detectors[c->detector].manifold ?
					       c->model->detectors[c->detector].manifold : "");

		if (k < c->model->n_manifolds)
			c->manifold = k;
		c->level = LEVEL_MANIFOLD;
	} else if (c->level == LEVEL_MANIFOLD) {
		const struct model_detector *d = &c->model->detectors[c->detector];

		if (!d->manifold || strcmp(d->manifold, c->model->manifolds[c->manifold].name) != 0)
			select_first_detector(c);
		c->level = LEVEL_DETECTOR;
	} else {
		c->level = LEVEL_MANIFOLD;
	}
}

static void key(struct console *c, int ch)
{
	switch (ch) {
	case KEY_UP:
		step_manifold(c, -1);
		break;
	case KEY_DOWN:
		step_manifold(c, +1);
		break;
	case KEY_LEFT:
		step_detector(c, -1);
		break;
	case KEY_RIGHT:
		step_detector(c, +1);
		break;
	case '\t':
		toggle_level(c);
		break;
	case KEY_PPAGE:
		c->scroll = c->scroll > 10 ? c->scroll - 10 : 0;
		break;
	case KEY_NPAGE:
		c->scroll += 10;
		break;
	case KEY_F(1):
		execute(c, "HELP");
		break;
	case 27:	/* Esc */
		if (c->input_len || c->confirming) {
			if (c->confirming)
				say(c, false, "Not confirmed: nothing done.");
			c->confirming = false;
			c->input_len = 0;
			c->input[0] = 0;
		} else {
			c->level = LEVEL_TOP;
			c->scroll = 0;
		}
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		enter(c);
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (c->input_len)
			c->input[--c->input_len] = 0;
		break;
	case 21:	/* Ctrl-U */
		c->input_len = 0;
		c->input[0] = 0;
		break;
	case KEY_RESIZE:
		break;
	default:
		if (ch >= ' ' && ch < 127 && c->input_len + 1 < sizeof(c->input)) {
			c->input[c->input_len++] = (char)ch;
			c->input[c->input_len] = 0;
		}
		break;
	}
	c->dirty = true;
}

static int on_stdin(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct console *c = userdata;
	int ch;

	if (revents & (EPOLLHUP | EPOLLERR))
		return sd_event_exit(c->event, 0);
	while ((ch = getch()) != ERR)
		key(c, ch);
	arm_input_timer(c);
	return 0;
}

static int on_clock(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct console *c = userdata;

	c->dirty = true;
	/* At the next full second. */
	sd_event_source_set_time(s, (usec / USEC_PER_SEC + 1) * USEC_PER_SEC);
	sd_event_source_set_enabled(s, SD_EVENT_ON);
	return 0;
}

static int on_resize(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct console *c = userdata;
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	c->dirty = true;
	return 0;
}

static int on_quit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* ---------------------------------------------------------------- main */

static void help(void)
{
	printf("stationd-console [OPTIONS]\n\n"
	       "The station's autofill console (the 1995 specification's section 4).\n\n"
	       "  -h --help                  Show this help\n"
	       "     --version               Show the version\n"
	       "     --view-only             Never intervene, whatever polkit allows\n"
	       "     --input-timeout=SECONDS Drop a half-typed line after this long (default %d)\n\n"
	       "HELP inside the console explains the rest; see stationd-console(1).\n",
	       DEFAULT_INPUT_TIMEOUT_SEC);
}

static int parse_args(int argc, char **argv, struct console *c)
{
	enum { ARG_VERSION = 0x100, ARG_VIEW_ONLY, ARG_INPUT_TIMEOUT };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "view-only", no_argument, NULL, ARG_VIEW_ONLY },
		{ "input-timeout", required_argument, NULL, ARG_INPUT_TIMEOUT },
		{}
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (opt) {
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("stationd-console %s\n", STATIOND_VERSION);
			return 0;
		case ARG_VIEW_ONLY:
			c->forced_view_only = c->view_only = true;
			snprintf(c->view_only_why, sizeof(c->view_only_why), "started with --view-only");
			break;
		case ARG_INPUT_TIMEOUT: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 3600) {
				fprintf(stderr, "stationd-console: --input-timeout=%s: 1 to 3600 seconds\n",
					optarg);
				return -EINVAL;
			}
			c->input_timeout_usec = v * USEC_PER_SEC;
			break;
		}
		default:
			fprintf(stderr, "stationd-console: unknown option (see --help)\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stationd-console: unexpected argument \"%s\" (see --help)\n",
			argv[optind]);
		return -EINVAL;
	}
	return 1;
}

static int setup_events(struct console *c)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_default(&c->event);
	if (r >= 0)
		r = sd_event_add_signal(c->event, NULL, SIGWINCH, on_resize, c);
	if (r >= 0)
		r = sd_event_add_signal(c->event, NULL, SIGINT, on_quit_signal, c);
	if (r >= 0)
		r = sd_event_add_signal(c->event, NULL, SIGTERM, on_quit_signal, c);
	if (r >= 0)
		r = sd_event_add_signal(c->event, NULL, SIGHUP, on_quit_signal, c);
	if (r >= 0)
		r = sd_event_add_io(c->event, NULL, STDIN_FILENO, EPOLLIN, on_stdin, c);
	if (r >= 0)
		r = sd_event_add_time_relative(c->event, NULL, CLOCK_REALTIME, 0, 0, on_clock, c);
	if (r >= 0)
		r = sd_event_add_time_relative(c->event, &c->input_timer, CLOCK_MONOTONIC,
					       c->input_timeout_usec, 0, on_input_timeout, c);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->input_timer, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_post(c->event, NULL, on_post, c);
	if (r >= 0)
		r = sd_bus_match_signal(c->bus, NULL, MODEL_BUS_NAME, NULL, NULL, NULL,
					on_station_signal, c);
	if (r >= 0)
		r = model_watch_owner(c->bus, NULL, on_name_owner, c);
	if (r >= 0)
		r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
	return r;
}

static void setup_screen(struct console *c)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_SELECTED, -1, -1);
		init_pair(PAIR_HEADING, COLOR_CYAN, -1);
		init_pair(PAIR_STATUS, COLOR_WHITE, COLOR_BLUE);
		c->colors = true;
	}
}

int main(int argc, char **argv)
{
	struct console c = { .input_timeout_usec = DEFAULT_INPUT_TIMEOUT_SEC * USEC_PER_SEC };
	int r;

	setlocale(LC_ALL, "");
	r = parse_args(argc, argv, &c);
	if (r <= 0)
		return r < 0 ? 2 : 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "stationd-console: needs a terminal (stationctl is for scripts)\n");
		return 2;
	}
	bus_errors_register();
	r = sd_bus_open_system(&c.bus);
	if (r < 0) {
		fprintf(stderr, "stationd-console: cannot connect to the system bus: %s\n",
			strerror(-r));
		return 1;
	}
	r = setup_events(&c);
	if (r < 0) {
		fprintf(stderr, "stationd-console: %s\n", strerror(-r));
		return 1;
	}
	setup_screen(&c);
	if (c.view_only)
		say(&c, false, "VIEW ONLY: %s. SHOW and HELP work.", c.view_only_why);
	else
		say(&c, false, "Type HELP for the commands, SHOW for the display.");
	load(&c);
	paint(&c);
	r = sd_event_loop(c.event);
	endwin();
	text_lines_clear(&c.text);
	model_free(c.model);
	sd_bus_flush_close_unref(c.bus);
	sd_event_unref(c.event);
	return r < 0 ? 1 : 0;
}
