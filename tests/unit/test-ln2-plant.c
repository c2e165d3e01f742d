// SPDX-License-Identifier: GPL-2.0
/*
 * The LN2 plant wired to a station, over a fake plant root: a temporary
 * directory of regular files in xvme-sim's debugfs formats (plant.h).
 * Relay bits written into the fake "relays" file drive the model; the
 * "ain", "ports" and "irq_inputs" files show what it made of them. Then
 * the control language, and the ln2-plant program itself (exit codes,
 * the control FIFO, SIGTERM, the valve log).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "tests/sim/ln2-plant-control.h"
#include "tests/sim/ln2-plant-io.h"

#define CARD_240 "xvme0-0400"
#define CARD_260 "xvme0-0800"
#define CARD_560 "xvme0-0c00"

/* Manifold A, detector 1 (bias on a port line), detector 2 (on an irq). */
static const char station_text[] =
	"card 240 @ 0x0400\n"
	"card 260 @ 0x0800\n"
	"card 560 @ 0x0c00\n"
	"station {\n"
	"\tscan-rate 10Hz\n"
	"\tbackup-interval 5min\n"
	"\tdewar-inhibit 0x0400:port7.0\n"
	"\talarm 0x0400:flag0\n"
	"}\n"
	"manifold A {\n"
	"\tsensor 0x0c00:6\n"
	"\tinput-valve 0x0800:6\n"
	"\toutput-valve 0x0800:7\n"
	"\tmanual-fill-key 0x0400:port0.6\n"
	"\treference 1.5V\n"
	"\tmax-fill 5min\n"
	"\tclosure-delay 30s\n"
	"}\n"
	"detector 1 {\n"
	"\tmanifold A\n"
	"\tsensor 0x0c00:0\n"
	"\tvalve 0x0800:0\n"
	"\tbias-shutdown 0x0400:port0.0\n"
	"\treference 1.5V\n"
	"\tmax-fill 20min\n"
	"\tclosure-delay 60s\n"
	"}\n"
	"detector 2 {\n"
	"\tmanifold A\n"
	"\tsensor 0x0c00:1\n"
	"\tvalve 0x0800:1\n"
	"\tbias-shutdown 0x0400:irq1\n"
	"\treference 1.5V\n"
	"\tmax-fill 20min\n"
	"\tclosure-delay 60s\n"
	"}\n";

#define RELAY_DETECTOR_1 0x01u
#define RELAY_DETECTOR_2 0x02u
#define RELAY_INPUT 0x40u
#define RELAY_OUTPUT 0x80u

struct fixture {
	char root[PATH_MAX];
	char log_path[PATH_MAX + 16];
	struct station *station;
	struct plant *plant;
	FILE *log;
	struct ln2_plant *ln2;
};

static void put(struct fixture *f, const char *card, const char *file, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s/%s", f->root, card, file);
	out = fopen(path, "we");
	assert_non_null(out);
	assert_int_equal(fputs(text, out) >= 0, 1);
	assert_int_equal(fclose(out), 0);
}

/* The first line of a plant file: a write at offset 0 may leave a tail. */
static const char *get(struct fixture *f, const char *card, const char *file)
{
	static char buf[512];
	char path[PATH_MAX + 64];
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s/%s", f->root, card, file);
	in = fopen(path, "re");
	assert_non_null(in);
	assert_non_null(fgets(buf, sizeof(buf), in));
	fclose(in);
	return buf;
}

static void ain_read(struct fixture *f, int mv[PLANT_AIN_CHANNELS])
{
	const char *text = get(f, CARD_560, "ain");

	for (int i = 0; i < PLANT_AIN_CHANNELS; i++) {
		char *end;

		mv[i] = (int)strtol(text, &end, 10);
		assert_true(end != text);
		text = end;
	}
	assert_string_equal(text, "\n");
}

static int ain_channel(struct fixture *f, unsigned int channel)
{
	int mv[PLANT_AIN_CHANNELS];

	ain_read(f, mv);
	return mv[channel];
}

static void relays_put(struct fixture *f, uint32_t bits)
{
	char text[16];

	snprintf(text, sizeof(text), "0x%08x\n", bits);
	put(f, CARD_260, "relays", text);
}

static void make_card(struct fixture *f, const char *card)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", f->root, card);
	assert_int_equal(mkdir(path, 0755), 0);
	put(f, card, "fault", "none\n");
}

static char *log_contents(struct fixture *f)
{
	static char buf[4096];
	FILE *in = fopen(f->log_path, "re");
	size_t n;

	assert_non_null(in);
	n = fread(buf, 1, sizeof(buf) - 1, in);
	fclose(in);
	buf[n] = '\0';
	return buf;
}

/* The log's events without their time stamps, ';'-separated. */
static const char *log_events(struct fixture *f)
{
	static char events[2048];
	char *save = NULL, *line;

	events[0] = '\0';
	for (line = strtok_r(log_contents(f), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ev = strchr(line, ' ');

		assert_non_null(ev);
		ev = strchr(ev + 1, ' ');
		assert_non_null(ev);
		strcat(events, ev + 1);
		strcat(events, ";");
	}
	return events;
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fixture *f = calloc(1, sizeof(*f));
	struct diagnostics diagnostics;
	struct ln2_params params;

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/test-ln2-plant.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->root));
	make_card(f, CARD_240);
	make_card(f, CARD_260);
	make_card(f, CARD_560);
	put(f, CARD_240, "ports", "0x0000000000000000\n");
	put(f, CARD_240, "irq_inputs", "0x00\n");
	put(f, CARD_240, "flags", "0x00\n");
	relays_put(f, 0);
	put(f, CARD_560, "ain",
	    "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	put(f, CARD_560, "range", "unipolar\n");

	diagnostics_init(&diagnostics);
	assert_int_equal(config_compile_text("test.conf", station_text, strlen(station_text),
					     &config_loader_no_includes, &diagnostics,
					     &f->station), 0);
	diagnostics_done(&diagnostics);

	snprintf(f->log_path, sizeof(f->log_path), "%s/valves.log", f->root);
	f->log = fopen(f->log_path, "we");
	assert_non_null(f->log);
	assert_int_equal(plant_open(f->root, &f->plant), 0);
	ln2_params_default(&params);
	params.noise_mv = 0;
	assert_int_equal(ln2_plant_new(f->station, f->plant, &params, f->log, &f->ln2), 0);
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ln2_plant_free(f->ln2);
	plant_close(f->plant);
	if (f->log)
		fclose(f->log);
	station_free(f->station);
	nftw(f->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void ticks(struct fixture *f, int n, double dt)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(ln2_plant_tick(f->ln2, dt), 0);
}

static void test_first_tick_writes_warm_sensors(void **state)
{
	struct fixture *f = *state;
	int mv[PLANT_AIN_CHANNELS];

	ticks(f, 1, 0.001);
	ain_read(f, mv);
	assert_int_equal(mv[0], LN2_WARM_MV);
	assert_int_equal(mv[1], LN2_WARM_MV);
	assert_int_equal(mv[6], LN2_WARM_MV);
	/* Channels no sensor is wired to read 0 V. */
	assert_int_equal(mv[2], 0);
	assert_int_equal(mv[31], 0);
	assert_string_equal(log_events(f), "");
}

static void test_open_relays_fill_the_detector_and_its_channel_falls(void **state)
{
	struct fixture *f = *state;

	/* Purge: input and output open until the manifold sensor is cold. */
	relays_put(f, RELAY_INPUT | RELAY_OUTPUT);
	ticks(f, 30, 1.0);
	assert_true(ain_channel(f, 6) > 1500);
	ticks(f, 40, 1.0);
	assert_true(ain_channel(f, 6) < 1500);

	/* Detector 1's valve open, output closed: 0.6 -> full in 240 s. */
	relays_put(f, RELAY_INPUT | RELAY_DETECTOR_1);
	ticks(f, 200, 1.0);
	assert_true(ain_channel(f, 0) > 1500);
	ticks(f, 60, 1.0);
	assert_true(ain_channel(f, 0) < 1500);
	assert_int_equal(ain_channel(f, 1), LN2_WARM_MV);
	assert_true(ain_channel(f, 6) > 1500);

	/* Closed: the exhaust warms again. */
	relays_put(f, 0);
	ticks(f, 40, 1.0);
	assert_true(ain_channel(f, 0) > 1500);

	assert_string_equal(log_events(f),
			    "open manifold A input;open manifold A output;"
			    "open detector 1;close manifold A output;"
			    "close detector 1;close manifold A input;");
}

static void test_valve_log_lines_are_time_stamped(void **state)
{
	struct fixture *f = *state;
	long long sec;
	int ms, n;
	double sim;
	char what[64];

	ticks(f, 5, 2.0);
	relays_put(f, RELAY_DETECTOR_2);
	ticks(f, 1, 2.0);
	n = sscanf(log_contents(f), "%lld.%3d %lf %63[^\n]", &sec, &ms, &sim, what);
	assert_int_equal(n, 4);
	assert_true(sec > 1600000000LL);
	assert_float_equal(sim, 10.0, 1e-9);
	assert_string_equal(what, "open detector 2");
}

static void test_changes_in_one_tick_log_in_fill_order(void **state)
{
	struct fixture *f = *state;

	relays_put(f, RELAY_INPUT | RELAY_OUTPUT | RELAY_DETECTOR_1 | RELAY_DETECTOR_2);
	ticks(f, 1, 1.0);
	relays_put(f, 0);
	ticks(f, 1, 1.0);
	assert_string_equal(log_events(f),
			    "open manifold A input;open manifold A output;"
			    "open detector 1;open detector 2;"
			    "close manifold A output;close detector 1;close detector 2;"
			    "close manifold A input;");
}

static void test_inputs_drive_port_lines_and_irq_inputs(void **state)
{
	struct fixture *f = *state;
	char reply[256];

	ticks(f, 1, 1.0);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000000\n");
	assert_int_equal(ln2_control_execute(f->ln2, "bias 1 on", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "key A on", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "bias 2 on", reply, sizeof(reply)), 0);
	ticks(f, 1, 1.0);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000041\n");
	assert_string_equal(get(f, CARD_240, "irq_inputs"), "0x02\n");
	assert_int_equal(ln2_control_execute(f->ln2, "bias 1 off", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "bias 2 off", reply, sizeof(reply)), 0);
	ticks(f, 1, 1.0);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000040\n");
	assert_string_equal(get(f, CARD_240, "irq_inputs"), "0x00\n");
}

static void test_outputs_are_logged_when_they_change(void **state)
{
	struct fixture *f = *state;

	ticks(f, 1, 1.0);
	put(f, CARD_240, "flags", "0x01\n");
	put(f, CARD_240, "ports", "0x0100000000000000\n");	/* port7.0 */
	ticks(f, 2, 1.0);
	put(f, CARD_240, "flags", "0x00\n");
	ticks(f, 1, 1.0);
	assert_string_equal(log_events(f), "on alarm;on dewar-inhibit;off alarm;");
}

static void test_faults_through_the_control_language(void **state)
{
	struct fixture *f = *state;
	struct ln2_valve_id det1 = { LN2_VALVE_DETECTOR, 0 };
	struct ln2_valve_id input = { LN2_VALVE_MANIFOLD_INPUT, 0 };
	char reply[256];

	assert_int_equal(ln2_control_execute(f->ln2, "stuck-open 1", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok");
	assert_true(ln2_model_valve_is_open(ln2_plant_model(f->ln2), det1));
	assert_int_equal(ln2_control_execute(f->ln2, "stuck-closed A.input", reply,
					     sizeof(reply)), 0);
	assert_int_equal(ln2_model_valve_fault(ln2_plant_model(f->ln2), input),
			 LN2_VALVE_STUCK_CLOSED);
	assert_int_equal(ln2_control_execute(f->ln2, "unstick A.input", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_model_valve_fault(ln2_plant_model(f->ln2), input), LN2_VALVE_WORKING);

	assert_int_equal(ln2_control_execute(f->ln2, "dead-sensor 2", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "dead-sensor A -300", reply,
					     sizeof(reply)), 0);
	ticks(f, 1, 1.0);
	assert_int_equal(ain_channel(f, 1), LN2_DEAD_SENSOR_MV);
	assert_int_equal(ain_channel(f, 6), -300);
	assert_int_equal(ln2_control_execute(f->ln2, "revive-sensor 2", reply, sizeof(reply)), 0);
	ticks(f, 1, 1.0);
	assert_int_equal(ain_channel(f, 1), LN2_WARM_MV);
	assert_int_equal(ln2_control_execute(f->ln2, "clear", reply, sizeof(reply)), 0);
	ticks(f, 1, 1.0);
	assert_int_equal(ain_channel(f, 6), LN2_WARM_MV);
	assert_false(ln2_model_valve_is_open(ln2_plant_model(f->ln2), det1));

	/* Noise goes to the card at once, as xvme-sim's "<ch> <mV> <n>". */
	assert_int_equal(ln2_control_execute(f->ln2, "noise 2 500 3", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok");
	assert_string_equal(get(f, CARD_560, "ain"), "1 500 3\n");
	assert_int_equal(ln2_control_execute(f->ln2, "noise A -200", reply, sizeof(reply)), 0);
	assert_string_equal(get(f, CARD_560, "ain"), "6 -200 1\n");

	assert_int_equal(ln2_control_execute(f->ln2, "supply empty", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok supply 0.0 L");
	assert_int_equal(ln2_control_execute(f->ln2, "supply refill", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok supply 250.0 L");
	assert_int_equal(ln2_control_execute(f->ln2, "supply 12.5", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "level 2 0.25", reply, sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "status 2", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok detector 2 level 0.250 sensor 2500 mV valve closed bias off");
	assert_int_equal(ln2_control_execute(f->ln2, "stuck-open A.output", reply,
					     sizeof(reply)), 0);
	assert_int_equal(ln2_control_execute(f->ln2, "status A", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok manifold A line 0.000 sensor 2500 mV input closed "
			    "output closed (stuck open) key off");
	assert_int_equal(ln2_control_execute(f->ln2, "status", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "ok time 3.0 s supply 12.5 L");

	assert_int_equal(ln2_control_execute(f->ln2, "card-fault " CARD_560 " adc-error", reply,
					     sizeof(reply)), 0);
	assert_string_equal(get(f, CARD_560, "fault"), "adc-error\n");
	assert_int_equal(ln2_control_execute(f->ln2, "  # a comment", reply, sizeof(reply)), 0);
	assert_string_equal(reply, "");
	assert_int_equal(ln2_control_execute(f->ln2, "", reply, sizeof(reply)), 0);
}

static void expect_refused(struct fixture *f, const char *line, int error, const char *why)
{
	char reply[256];

	assert_int_equal(ln2_control_execute(f->ln2, line, reply, sizeof(reply)), error);
	assert_string_equal(reply, why);
}

static void test_bad_commands_are_refused_and_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct ln2_model *m = ln2_plant_model(f->ln2);
	char long_line[300];

	expect_refused(f, "frobnicate 1", -EINVAL, "unknown command 'frobnicate'");
	expect_refused(f, "bias 9 on", -ENOENT, "no detector '9' in the station");
	expect_refused(f, "bias 1 maybe", -EINVAL, "'maybe': expected on or off");
	expect_refused(f, "bias 1", -EINVAL, "usage: bias <detector> on|off");
	expect_refused(f, "key B on", -ENOENT, "no manifold 'B' in the station");
	expect_refused(f, "key a on", -EINVAL, "no manifold 'a' in the station");
	expect_refused(f, "stuck-open A.sideways", -EINVAL,
		       "'A.sideways': a manifold valve is .input or .output");
	expect_refused(f, "stuck-open B.input", -ENOENT, "no manifold B in the station");
	expect_refused(f, "stuck-open x", -EINVAL,
		       "'x' is not a valve: <detector>, <manifold>.input or <manifold>.output");
	expect_refused(f, "stuck-open 7", -ENOENT, "no detector 7 in the station");
	expect_refused(f, "dead-sensor 1 40000", -EINVAL,
		       "'40000': a sensor reads -30000 to 30000 mV");
	expect_refused(f, "dead-sensor 1 12x", -EINVAL,
		       "'12x': a sensor reads -30000 to 30000 mV");
	expect_refused(f, "dead-sensor Q", -ENOENT, "no manifold Q in the station");
	expect_refused(f, "noise 1", -EINVAL, "usage: noise <detector|manifold> <mV> [<conversions>]");
	expect_refused(f, "noise 1 500 0", -EINVAL, "'0': a burst is 1 to 1000 conversions");
	expect_refused(f, "noise 1 500 1001", -EINVAL, "'1001': a burst is 1 to 1000 conversions");
	expect_refused(f, "noise 1 50000", -EINVAL, "'50000': a sensor reads -30000 to 30000 mV");
	expect_refused(f, "noise 9 500", -ENOENT, "no detector 9 in the station");
	expect_refused(f, "supply lots", -EINVAL, "'lots': expected empty, refill or litres");
	expect_refused(f, "supply 1e9", -EINVAL, "'1e9': the supply holds 0 to its capacity");
	expect_refused(f, "supply -1", -EINVAL, "'-1': the supply holds 0 to its capacity");
	expect_refused(f, "level 1 1.5", -EINVAL, "'1.5': a level is 0 to 1");
	expect_refused(f, "level 1 nan", -EINVAL, "'nan': a level is 0 to 1");
	expect_refused(f, "card-fault " CARD_560 " melted", -EINVAL,
		       "'melted': faults are none, absent, bad-id, adc-stuck, adc-error, "
		       "no-reset-clear");
	expect_refused(f, "card-fault xvme0-fc00 absent", -ENOENT,
		       "card 'xvme0-fc00': No such file or directory");
	expect_refused(f, "clear now", -EINVAL, "usage: clear");
	expect_refused(f, "status 1 2", -EINVAL, "usage: status [<detector>|<manifold>]");
	expect_refused(f, "a b c d e", -EINVAL, "too many words");
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	expect_refused(f, long_line, -EINVAL, "line longer than 255 bytes");

	/* Nothing changed. */
	assert_false(ln2_plant_bias_shutdown(f->ln2, 0));
	assert_float_equal(ln2_model_supply(m), 250.0, 1e-9);
	assert_float_equal(ln2_model_detector_level(m, 0), 0.6, 1e-9);
	assert_int_equal(ln2_model_valve_fault(m, (struct ln2_valve_id) { LN2_VALVE_DETECTOR, 0 }),
			 LN2_VALVE_WORKING);
	assert_string_equal(get(f, CARD_560, "fault"), "none\n");
	ticks(f, 1, 1.0);
	assert_int_equal(ain_channel(f, 0), LN2_WARM_MV);
}

static void test_unreadable_relays_keep_the_last_state_and_the_rest_runs(void **state)
{
	struct fixture *f = *state;

	relays_put(f, RELAY_INPUT | RELAY_OUTPUT);
	ticks(f, 1, 1.0);
	put(f, CARD_260, "relays", "garbage\n");
	assert_int_equal(ln2_plant_tick(f->ln2, 70.0), -EBADMSG);
	/* The purge went on with the valves as last seen, sensors written. */
	assert_true(ain_channel(f, 6) < 1500);
	assert_string_equal(log_events(f), "open manifold A input;open manifold A output;");
}

static void test_a_missing_card_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ln2_plant *other = NULL;
	struct ln2_params params;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s/fault", f->root, CARD_560);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/%s/range", f->root, CARD_560);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/%s/ain", f->root, CARD_560);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/%s", f->root, CARD_560);
	assert_int_equal(rmdir(path), 0);
	ln2_params_default(&params);
	assert_int_equal(ln2_plant_new(f->station, f->plant, &params, NULL, &other), -ENOENT);
	assert_null(other);
	params.detector_level = 2.0;
	assert_int_equal(ln2_plant_new(f->station, f->plant, &params, NULL, &other), -EINVAL);
}

/* ------------------------------------------------------ the program */

static const char *program(void)
{
	const char *p = getenv("LN2_PLANT");

	return p ? p : "build/bin/ln2-plant";
}

static void write_station_file(struct fixture *f, char *path, size_t size)
{
	FILE *out;

	snprintf(path, size, "%s/station.conf", f->root);
	out = fopen(path, "we");
	assert_non_null(out);
	fputs(station_text, out);
	assert_int_equal(fclose(out), 0);
}

/* Run the program with @args (NULL-terminated); its exit status. */
static int run_program(const char *const *args)
{
	const char *argv[32] = { program() };
	pid_t pid;
	int status, i;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_program_exit_codes(void **state)
{
	struct fixture *f = *state;
	char conf[PATH_MAX + 16], bad[PATH_MAX + 16];
	FILE *out;

	write_station_file(f, conf, sizeof(conf));
	snprintf(bad, sizeof(bad), "%s/bad.conf", f->root);
	out = fopen(bad, "we");
	assert_non_null(out);
	fputs("card 999 @ 0x0400\n", out);
	fclose(out);

	/* usage */
	assert_int_equal(run_program((const char *[]) { NULL }), 2);
	assert_int_equal(run_program((const char *[]) { "-c", conf, "-d", conf, NULL }), 2);
	assert_int_equal(run_program((const char *[]) { "-c", conf, "--rate", "0", NULL }), 2);
	assert_int_equal(run_program((const char *[]) { "-c", conf, "-s", "x", NULL }), 2);
	assert_int_equal(run_program((const char *[]) { "-c", conf, "extra", NULL }), 2);
	/* a station or a plant that cannot be opened */
	assert_int_equal(run_program((const char *[]) { "-c", bad, "-r", f->root, NULL }), 1);
	assert_int_equal(run_program((const char *[]) { "-d", conf, "-r", f->root, NULL }), 1);
	assert_int_equal(run_program((const char *[]) { "-c", conf, "-r", "/nonexistent",
							NULL }), 1);
	/* a control path that is not a FIFO */
	assert_int_equal(run_program((const char *[]) { "-c", conf, "-r", f->root,
							"--control", conf, "--ticks", "1", NULL }), 1);
	/* a refused --do: nothing ran */
	assert_int_equal(run_program((const char *[]) { "-c", conf, "-r", f->root,
							"--do", "bias 1 on", "--do", "bias 9 on",
							"--ticks", "1", NULL }), 2);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000000\n");
	/* a run of a few ticks */
	assert_int_equal(run_program((const char *[]) { "-c", conf, "-r", f->root,
							"--do", "bias 1 on", "--ticks", "3",
							"--rate", "100", NULL }), 0);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000001\n");
	/* warm, with the default 5 mV of noise */
	assert_in_range(ain_channel(f, 0), LN2_WARM_MV - 5, LN2_WARM_MV + 5);
}

/*
 * Run the program with @input on its stdin; its stdout into @out. Returns
 * the exit status.
 */
static int run_program_io(const char *const *args, const char *input, char *out, size_t size)
{
	const char *argv[32] = { program() };
	int in_pipe[2], out_pipe[2], status, i;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	assert_int_equal(pipe(in_pipe), 0);
	assert_int_equal(pipe(out_pipe), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in_pipe[0], STDIN_FILENO);
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(in_pipe[1]);
		close(out_pipe[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	assert_int_equal(write(in_pipe[1], input, strlen(input)), (ssize_t)strlen(input));
	close(in_pipe[1]);
	while ((n = read(out_pipe[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(out_pipe[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_program_stdin_control_and_database(void **state)
{
	struct fixture *f = *state;
	char db[PATH_MAX + 16], out[1024];

	snprintf(db, sizeof(db), "%s/station.db", f->root);
	assert_int_equal(database_write_file(db, f->station), 0);
	/* stdin closes after two lines; the plant keeps ticking to the end. */
	assert_int_equal(run_program_io((const char *[]) { "-d", db, "-r", f->root,
							   "--control", "-", "--rate", "100",
							   "--ticks", "20", NULL },
					"bias 1 on\nstatus 1\nbias 7 on\n", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "ok\nok detector 1 level 0.6"));
	assert_non_null(strstr(out, " bias on\n"));
	assert_non_null(strstr(out, "error: bias 7 on: no detector '7' in the station\n"));
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000001\n");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void test_program_control_fifo_valve_log_and_sigterm(void **state)
{
	struct fixture *f = *state;
	char conf[PATH_MAX + 16], fifo[PATH_MAX + 16], log[PATH_MAX + 16];
	char got[32] = "";
	int status, fd, i;
	pid_t pid;

	write_station_file(f, conf, sizeof(conf));
	snprintf(fifo, sizeof(fifo), "%s/control", f->root);
	snprintf(log, sizeof(log), "%s/program.log", f->root);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(program(), program(), "-c", conf, "-r", f->root, "--control", fifo,
		      "-l", log, "--rate", "50", "-s", "60", (char *)NULL);
		_exit(127);
	}
	/* The FIFO appears once the program is up. */
	for (i = 0; i < 1500 && access(fifo, F_OK) < 0; i++)
		sleep_ms(10);
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "key A on\nbias 2 on\n", 19), 19);
	close(fd);
	relays_put(f, RELAY_INPUT | RELAY_OUTPUT);
	for (i = 0; i < 1500; i++) {
		snprintf(got, sizeof(got), "%s", get(f, CARD_240, "irq_inputs"));
		if (strcmp(got, "0x02\n") == 0 && ain_channel(f, 6) < 1500)
			break;
		sleep_ms(10);
	}
	assert_string_equal(got, "0x02\n");
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000040\n");
	/* 60x: the 60 s purge takes about a second. */
	assert_true(ain_channel(f, 6) < 1500);

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	strcpy(f->log_path, log);
	assert_string_equal(log_events(f), "open manifold A input;open manifold A output;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_tick_writes_warm_sensors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_relays_fill_the_detector_and_its_channel_falls,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_valve_log_lines_are_time_stamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_in_one_tick_log_in_fill_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_inputs_drive_port_lines_and_irq_inputs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_outputs_are_logged_when_they_change,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_through_the_control_language,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_commands_are_refused_and_change_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_relays_keep_the_last_state_and_the_rest_runs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_missing_card_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_stdin_control_and_database,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_control_fifo_valve_log_and_sigterm,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
