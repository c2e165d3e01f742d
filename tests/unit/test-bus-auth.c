// SPDX-License-Identifier: GPL-2.0
/*
 * Per-operation authorization end to end: a private dbus-daemon, the
 * daemon side (bus-auth, bus-autofill on the fake plant's engine), a fake
 * polkit authority owning org.freedesktop.PolicyKit1 that records every
 * CheckAuthorization and answers per action, and a client forked as
 * nobody (uid 0 is allowed without polkit, so the caller must not be
 * root). Covers: each method asks its own action with the details
 * "method" and "targets"; a refusal names the action and changes
 * nothing; the interactive flag is passed on; a failing polkit refuses
 * rather than falling back to the operator group; without polkit, the
 * operator group decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-autofill.h"
#include "daemon/shared/macro.h"
#include "tests/unit/engine-fake.h"
#include "tests/unit/private-bus.h"

#define NOBODY 65534
#define CHECKS_MAX 32
#define OUTPUT_MAX 4096

enum verdict { VERDICT_YES, VERDICT_NO, VERDICT_CHALLENGE, VERDICT_ERROR };

struct check {
	char action[64];
	char details[128];	/* "key=value key=value" in the order sent */
	uint32_t flags;
};

struct fixture {
	struct fake_plant *f;
	pid_t bus_pid;
	char address[512];
	sd_bus *server, *polkit;
	sd_bus_slot *authority;
	struct bus_auth *auth;
	struct bus_autofill *autofill;
	unsigned commits;
	/* The fake authority: its answer per action, what it was asked. */
	enum verdict fill, schedule, override;
	struct check checks[CHECKS_MAX];
	size_t n_checks;
};

static int commit_hook(void *userdata)
{
	struct fixture *x = userdata;

	x->commits++;
	return 0;
}

static enum verdict verdict_of(const struct fixture *x, const char *action)
{
	if (strcmp(action, BUS_AUTH_ACTION_FILL) == 0)
		return x->fill;
	if (strcmp(action, BUS_AUTH_ACTION_SCHEDULE) == 0)
		return x->schedule;
	if (strcmp(action, BUS_AUTH_ACTION_OVERRIDE) == 0)
		return x->override;
	return VERDICT_NO;
}

/* org.freedesktop.PolicyKit1.Authority.CheckAuthorization, faked. */
static int method_check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *x = userdata;
	struct check *c;
	const char *action, *key, *value;
	enum verdict v;
	size_t used = 0;
	int r;

	assert_true(x->n_checks < CHECKS_MAX);
	c = &x->checks[x->n_checks++];
	assert_true(sd_bus_message_skip(m, "(sa{sv})") >= 0);
	assert_true(sd_bus_message_read(m, "s", &action) >= 0);
	snprintf(c->action, sizeof(c->action), "%s", action);
	assert_true(sd_bus_message_enter_container(m, 'a', "{ss}") >= 0);
	while ((r = sd_bus_message_read(m, "{ss}", &key, &value)) > 0)
		used += snprintf(c->details + used, sizeof(c->details) - used, "%s%s=%s",
				 used ? " " : "", key, value);
	assert_true(r >= 0);
	assert_true(sd_bus_message_exit_container(m) >= 0);
	assert_true(sd_bus_message_read(m, "u", &c->flags) >= 0);

	v = verdict_of(x, action);
	if (v == VERDICT_ERROR)
		return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "the authority broke");
	return sd_bus_reply_method_return(m, "(bba{ss})", v == VERDICT_YES,
					  v == VERDICT_CHALLENGE, 0);
}

static const sd_bus_vtable authority_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})",
		      method_check_authorization, 0),
	SD_BUS_VTABLE_END,
};

static const char *nobody_group(void)
{
	struct group *g = getgrgid(NOBODY);

	return g ? g->gr_name : "";
}

/* with_polkit: the fake authority owns its name; operator_group: as in
 * the configuration. */
static struct fixture *fixture_new(bool with_polkit, const char *operator_group)
{
	struct fixture *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->f = fake_new(2, 6, false);
	x->bus_pid = private_bus_start_open(x->address, sizeof(x->address));
	if (x->bus_pid < 0) {
		fake_free(x->f);
		free(x);
		return NULL;
	}
	x->server = private_bus_connect(x->address);
	assert_int_equal(bus_auth_new(x->server, operator_group, &x->auth), 0);
	assert_int_equal(bus_autofill_new(x->server, x->f->engine, x->auth, commit_hook, x,
					  &x->autofill), 0);
	if (with_polkit) {
		x->polkit = private_bus_connect(x->address);
		assert_int_equal(sd_bus_add_object_vtable(x->polkit, &x->authority,
							  "/org/freedesktop/PolicyKit1/Authority",
							  "org.freedesktop.PolicyKit1.Authority",
							  authority_vtable, x), 0);
		assert_true(sd_bus_request_name(x->polkit, "org.freedesktop.PolicyKit1", 0) >= 0);
	}
	return x;
}

static int setup_polkit(void **state)
{
	if (getuid() != 0)
		skip();		/* the client must become nobody */
	*state = fixture_new(true, "");
	if (!*state)
		skip();		/* no dbus-daemon: `make deps` installs it */
	return 0;
}

static int setup_polkit_failing(void **state)
{
	struct fixture *x;

	if (getuid() != 0)
		skip();
	x = fixture_new(true, nobody_group());
	if (!x)
		skip();
	x->fill = x->schedule = x->override = VERDICT_ERROR;
	*state = x;
	return 0;
}

static int setup_no_polkit(void **state)
{
	if (getuid() != 0)
		skip();
	*state = fixture_new(false, nobody_group());
	if (!*state)
		skip();
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	bus_autofill_free(x->autofill);
	bus_auth_free(x->auth);
	sd_bus_slot_unref(x->authority);
	if (x->polkit)
		sd_bus_flush_close_unref(x->polkit);
	sd_bus_flush_close_unref(x->server);
	private_bus_stop(x->bus_pid);
	fake_free(x->f);
	free(x);
	return 0;
}

/* ------------------------------------------------------------ the client */

/* One call, its outcome as a line: "ok" or "<error name>: <message>". */
static void client_call(sd_bus *bus, FILE *out, bool interactive, const char *member,
			const char *types, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, "org.stationd1.test", BUS_AUTOFILL_PATH,
					   BUS_AUTOFILL_INTERFACE, member);
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, interactive);
	if (r >= 0) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call(bus, m, 10 * 1000000, &error, &reply);
	if (r >= 0)
		fprintf(out, "ok\n");
	else
		fprintf(out, "%s: %s\n", error.name ? error.name : "errno", error.message ? error.message : strerror(-r));
	sd_bus_error_free(&error);
}

typedef void (*script_t)(sd_bus *bus, FILE *out);

/* Fork a client that drops to nobody (its one group: nobody's), runs the
 * script, and writes the outcomes; serve the daemon and the authority
 * until it is done. Returns the outcomes, one line per call. */
static void run_client(struct fixture *x, script_t script, char *output, size_t size)
{
	int pipefd[2], status = 0;
	ssize_t n, used = 0;
	pid_t pid;

	assert_true(sd_bus_request_name(x->server, "org.stationd1.test", 0) >= 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		gid_t nobody = NOBODY;
		sd_bus *bus = NULL;
		FILE *out;

		close(pipefd[0]);
		if (setgroups(1, &nobody) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(2);
		out = fdopen(pipefd[1], "w");
		if (!out || sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, x->address) < 0 ||
		    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
			_exit(3);
		script(bus, out);
		fclose(out);
		_exit(0);
	}
	close(pipefd[1]);
	for (int i = 0; i < 10000; i++) {
		int a = sd_bus_process(x->server, NULL);
		int b = x->polkit ? sd_bus_process(x->polkit, NULL) : 0;

		assert_true(a >= 0 && b >= 0);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		if (a == 0 && b == 0)
			usleep(1000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("the client did not finish");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	while ((n = read(pipefd[0], output + used, size - 1 - used)) > 0)
		used += n;
	output[used] = 0;
	close(pipefd[0]);
}

static void every_command(sd_bus *bus, FILE *out)
{
	client_call(bus, out, false, "Fill", "ss", "7", "");
	client_call(bus, out, false, "Preset", "sass", "8", 1, "08:00", "replace");
	client_call(bus, out, false, "Delay", "su", "8", 30);
	client_call(bus, out, false, "Cancel", "s", "8");
	client_call(bus, out, false, "Avoid", "s", "B");
	client_call(bus, out, false, "Unavoid", "s", "B");
	client_call(bus, out, false, "Clear", "s", "all");
}

static void expect_asked(const struct fixture *x, size_t i, const char *action,
			 const char *details, uint32_t flags)
{
	assert_true(i < x->n_checks);
	assert_string_equal(x->checks[i].action, action);
	assert_string_equal(x->checks[i].details, details);
	assert_int_equal(x->checks[i].flags, flags);
}

static void test_each_method_asks_its_action(void **state)
{
	struct fixture *x = *state;
	char output[OUTPUT_MAX];

	run_client(x, every_command, output, sizeof(output));
	assert_string_equal(output, "ok\nok\nok\nok\nok\nok\nok\n");
	assert_int_equal(x->n_checks, 7);
	expect_asked(x, 0, "org.stationd1.autofill.fill", "method=Fill targets=7", 0);
	expect_asked(x, 1, "org.stationd1.autofill.schedule", "method=Preset targets=8", 0);
	expect_asked(x, 2, "org.stationd1.autofill.schedule", "method=Delay targets=8", 0);
	expect_asked(x, 3, "org.stationd1.autofill.schedule", "method=Cancel targets=8", 0);
	expect_asked(x, 4, "org.stationd1.autofill.override", "method=Avoid targets=B", 0);
	expect_asked(x, 5, "org.stationd1.autofill.override", "method=Unavoid targets=B", 0);
	expect_asked(x, 6, "org.stationd1.autofill.override", "method=Clear targets=all", 0);
	assert_int_equal(x->commits, 7);
}

static void mixed_commands(sd_bus *bus, FILE *out)
{
	client_call(bus, out, false, "Fill", "ss", "7", "");
	client_call(bus, out, false, "Preset", "sass", "7", 1, "08:00", "replace");
	client_call(bus, out, false, "Avoid", "s", "7");
	client_call(bus, out, true, "Avoid", "s", "7");
}

/* Granted one action, not the others: only that one runs. */
static void test_one_action_granted(void **state)
{
	struct fixture *x = *state;
	char output[OUTPUT_MAX];
	struct engine_detector_view v;

	x->fill = VERDICT_YES;
	x->schedule = VERDICT_NO;
	x->override = VERDICT_CHALLENGE;
	run_client(x, mixed_commands, output, sizeof(output));
	assert_string_equal(output,
			    "ok\n"
			    "org.freedesktop.DBus.Error.AccessDenied: not authorized for org.stationd1.autofill.schedule\n"
			    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: authentication is needed for org.stationd1.autofill.override (call with interactive authorization allowed)\n"
			    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: authentication is needed for org.stationd1.autofill.override (call with interactive authorization allowed)\n");
	assert_int_equal(x->n_checks, 4);
	expect_asked(x, 2, "org.stationd1.autofill.override", "method=Avoid targets=7", 0);
	/* The caller allowed interactive authorization: polkit may ask. */
	expect_asked(x, 3, "org.stationd1.autofill.override", "method=Avoid targets=7", 1);
	assert_int_equal(x->commits, 1);
	engine_detector_view(x->f->engine, 6, &v);
	assert_int_equal(v.n_presets, 0);
	assert_false(v.status & DETECTOR_STATUS_AVOIDED);
}

static void one_avoid(sd_bus *bus, FILE *out)
{
	client_call(bus, out, false, "Avoid", "s", "7");
}

/* A polkitd that fails refuses, though the operator group would allow. */
static void test_failing_polkit_refuses(void **state)
{
	struct fixture *x = *state;
	char output[OUTPUT_MAX];

	run_client(x, one_avoid, output, sizeof(output));
	assert_string_equal(output, "org.freedesktop.DBus.Error.AccessDenied: polkit did not answer the authorization request\n");
	assert_int_equal(x->n_checks, 1);
	assert_int_equal(x->commits, 0);
}

/* No polkit on the bus: the operator group decides, for every action. */
static void test_no_polkit_operator_group(void **state)
{
	struct fixture *x = *state;
	char output[OUTPUT_MAX];

	run_client(x, every_command, output, sizeof(output));
	assert_string_equal(output, "ok\nok\nok\nok\nok\nok\nok\n");
	assert_int_equal(x->commits, 7);
}

static void test_no_polkit_not_in_group(void **state)
{
	struct fixture *x = *state;
	char output[OUTPUT_MAX], want[256];

	bus_auth_free(x->auth);
	bus_autofill_free(x->autofill);
	assert_int_equal(bus_auth_new(x->server, "root", &x->auth), 0);
	assert_int_equal(bus_autofill_new(x->server, x->f->engine, x->auth, commit_hook, x,
					  &x->autofill), 0);
	run_client(x, one_avoid, output, sizeof(output));
	snprintf(want, sizeof(want), "org.freedesktop.DBus.Error.AccessDenied: operator interventions need uid 0 or group \"root\" (no polkit): org.stationd1.autofill.override\n");
	assert_string_equal(output, want);
	assert_int_equal(x->commits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_method_asks_its_action, setup_polkit,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_action_granted, setup_polkit, teardown),
		cmocka_unit_test_setup_teardown(test_failing_polkit_refuses, setup_polkit_failing,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_polkit_operator_group, setup_no_polkit,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_polkit_not_in_group, setup_no_polkit,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
