// SPDX-License-Identifier: GPL-2.0
/* stationctl's command line (see stationctl-args.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/clients/ccd-command.h"
#include "daemon/clients/stationctl-args.h"
#include "daemon/config/station.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/version.h"

static void help(const struct verb *verbs)
{
	printf("stationctl [OPTIONS...] COMMAND ...\n\n"
	       "Query or operate the station (stationd on the system bus).\n\n"
	       "Station:\n"
	       "  status                      State, alarm, fills, faults, Cryostreams, CCDs\n"
	       "  list-detectors              Every detector with its state\n"
	       "  list-manifolds              Every manifold with its state\n"
	       "  list-cards                  The I/O cards and who uses them\n"
	       "  show DETECTOR|MANIFOLD|CARD Everything about one of them\n"
	       "  history [DETECTOR]          Fills recorded, with a plot of their durations\n"
	       "  monitor                     Fills, faults and state changes as they happen\n\n"
	       "Autofill (TARGETS: 7, B, 1-6, 1,3,7-9,B or all):\n"
	       "  fill TARGETS [HH:MM]        Fill now, or at a time of day\n"
	       "  preset TARGETS HH:MM...     Set up to 4 daily fill times (--add, --clear)\n"
	       "  delay TARGETS MINUTES       Postpone the next fill (1-1440 minutes)\n"
	       "  avoid TARGETS               Stop filling the targets\n"
	       "  unavoid TARGETS             Fill them again (also after bias shutdown)\n"
	       "  cancel TARGETS              End running fills, drop delayed fills\n"
	       "  clear TARGETS               Clear errors and warnings, silence the alarm\n\n"
	       "Cryostream:\n"
	       "  cryostream NAME [status]    Its state\n"
	       "  cryostream NAME COMMAND ... %s\n\n"
	       "CCD (the SCCD clients):\n"
	       "  ccd NAME [status]           Its state, settings, last run and counters\n"
	       "  ccd NAME setup [PROFILE]    Load the profile, send its settings\n"
	       "  ccd NAME settings [SETTING VALUE...]\n"
	       "                              Show them, or: bin X [Y], window 1|2 X1 Y1 X2 Y2|off,\n"
	       "                              enable-windows, disable-windows, readout-speed SPEED,\n"
	       "                              clear-speed SPEED, exptime SECONDS, preflash SECONDS\n"
	       "  ccd NAME run [arc|flat|sky|flash] SECONDS [TITLE]\n"
	       "  ccd NAME glance|scratch|dark SECONDS [TITLE]\n"
	       "  ccd NAME bias [TITLE]       A run; waits for its end unless --no-block\n"
	       "  ccd NAME runkick pause|continue|finish|abort\n"
	       "  ccd NAME shutter open|close|unjam\n"
	       "  ccd NAME sync-rtc           Set the controller's clock (up to 70 s)\n"
	       "  ccd NAME reset              Reset the controller (asks YES/NO)\n\n"
	       "Options:\n"
	       "  -h --help                   Show this help\n"
	       "     --version                Show the version\n"
	       "     --no-pager               Do not pipe output into a pager\n"
	       "     --no-legend              No column headers and footers\n"
	       "     --no-ask-password        Do not let polkit ask for a password\n"
	       "     --json=short|pretty      JSON output\n"
	       "  -y --yes                    Act on several detectors (or reset) without asking\n"
	       "     --no-block               ccd run: return once the run started\n"
	       "     --add                    preset: add the times to the old ones\n"
	       "     --clear                  preset: remove every time\n\n"
	       "See the stationctl(1) man page for details.\n", cryostream_command_names());
	(void)verbs;
}

enum {
	ARG_VERSION = 0x100,
	ARG_NO_PAGER,
	ARG_NO_LEGEND,
	ARG_NO_ASK_PASSWORD,
	ARG_JSON,
	ARG_ADD,
	ARG_CLEAR,
	ARG_NO_BLOCK,
};

int stationctl_parse_args(int argc, char **argv, const struct verb *verbs, struct stationctl *c,
			  const struct verb **verb, int *first, char *why, size_t why_size)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "no-pager", no_argument, NULL, ARG_NO_PAGER },
		{ "no-legend", no_argument, NULL, ARG_NO_LEGEND },
		{ "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
		{ "json", required_argument, NULL, ARG_JSON },
		{ "yes", no_argument, NULL, 'y' },
		{ "add", no_argument, NULL, ARG_ADD },
		{ "clear", no_argument, NULL, ARG_CLEAR },
		{ "no-block", no_argument, NULL, ARG_NO_BLOCK },
		{}
	};
	int opt, n;

	/* "+": stop at the first non-option, so "preset 7 --clear" is not
	 * mistaken... getopt would permute; options after the verb are
	 * taken as well by a second pass below. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hy", options, NULL)) >= 0) {
		switch (opt) {
		case 'h':
			help(verbs);
			return 0;
		case ARG_VERSION:
			printf("stationctl %s\n", STATIOND_VERSION);
			return 0;
		case ARG_NO_PAGER:
			c->pager = false;
			break;
		case ARG_NO_LEGEND:
			c->legend = false;
			break;
		case ARG_NO_ASK_PASSWORD:
			c->ask_password = false;
			break;
		case ARG_JSON:
			if (strcmp(optarg, "short") == 0)
				c->json = JSON_SHORT;
			else if (strcmp(optarg, "pretty") == 0)
				c->json = JSON_PRETTY;
			else if (strcmp(optarg, "off") == 0)
				c->json = JSON_OFF;
			else {
				snprintf(why, why_size, "--json=%s: expected short, pretty or off",
					 optarg);
				return -EINVAL;
			}
			break;
		case 'y':
			c->yes = true;
			break;
		case ARG_ADD:
			c->preset_mode = OPERATOR_PRESET_ADD;
			break;
		case ARG_CLEAR:
			c->preset_mode = OPERATOR_PRESET_CLEAR;
			break;
		case ARG_NO_BLOCK:
			c->no_block = true;
			break;
		default:
			if (optopt)
				snprintf(why, why_size, "unknown option '-%c'", optopt);
			else
				snprintf(why, why_size, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind >= argc) {
		snprintf(why, why_size, "no command given");
		return -EINVAL;
	}
	for (*verb = verbs; (*verb)->name && strcmp((*verb)->name, argv[optind]) != 0; (*verb)++)
		;
	if (!(*verb)->name) {
		snprintf(why, why_size, "unknown command \"%s\"", argv[optind]);
		return -EINVAL;
	}
	n = argc - optind - 1;
	if (n < (*verb)->min_args || n > (*verb)->max_args) {
		if ((*verb)->min_args == (*verb)->max_args)
			snprintf(why, why_size, "%s takes %d argument%s, %d given", (*verb)->name,
				 (*verb)->min_args, (*verb)->min_args == 1 ? "" : "s", n);
		else
			snprintf(why, why_size, "%s takes %d to %d arguments, %d given",
				 (*verb)->name, (*verb)->min_args, (*verb)->max_args, n);
		return -EINVAL;
	}
	if (c->preset_mode != OPERATOR_PRESET_REPLACE && strcmp((*verb)->name, "preset") != 0) {
		snprintf(why, why_size, "--add and --clear are options of preset only");
		return -EINVAL;
	}
	*first = optind;
	return 1;
}

int parse_detector_number(const char *text, uint32_t *ret)
{
	unsigned long v = 0;

	if (!*text || strlen(text) > 5 || text[0] == '0')
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < DETECTOR_NUMBER_MIN || v > DETECTOR_NUMBER_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int parse_minutes(const char *text, uint32_t *ret, char *why, size_t why_size)
{
	unsigned long v = 0;

	if (!*text) {
		snprintf(why, why_size, "empty");
		return -EINVAL;
	}
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(why, why_size, "'%c' at column %zu is not a digit", *p,
				 (size_t)(p - text) + 1);
			return -EINVAL;
		}
		if (v > 100000)
			break;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 1440) {
		snprintf(why, why_size, "a delay is 1 to 1440 minutes");
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

static const struct cryostream_command cryostream_commands[] = {
	{ "cool", "Cool", "d", "TARGET_K" },
	{ "ramp", "Ramp", "dd", "RATE_K_PER_H TARGET_K" },
	{ "plat", "Plat", "u", "MINUTES" },
	{ "hold", "Hold", "", "" },
	{ "end", "End", "d", "RATE_K_PER_H" },
	{ "purge", "Purge", "", "" },
	{ "pause", "Pause", "", "" },
	{ "resume", "Resume", "", "" },
	{ "stop", "Stop", "", "" },
	{ "restart", "Restart", "", "" },
	{ "turbo", "Turbo", "b", "on|off" },
	{ "regen", "Regen", "", "" },
	{ "flow-interrupt-time", "SetFlowInterruptTime", "q", "DECISECONDS" },
	{ "interrupt-flow", "InterruptFlow", "", "" },
	{ "shield", "RunShield", "b", "on|off" },
	{ "idle-shield-flow", "SetIdleShieldFlowMode", "s", "off|on|auto" },
	{ "autofill-mode", "SetAutofillMode", "s", "manual|auto|scheduled" },
	{ "autofill-refill-level", "SetAutofillRefillLevel", "q", "PERCENT" },
	{ "autofill-stop-level", "SetAutofillStopLevel", "q", "PERCENT" },
	{}
};

const struct cryostream_command *cryostream_command_find(const char *verb)
{
	for (const struct cryostream_command *c = cryostream_commands; c->verb; c++)
		if (strcmp(c->verb, verb) == 0)
			return c;
	return NULL;
}

const char *cryostream_command_names(void)
{
	return "cool, ramp, plat, hold, end, purge, pause, resume, stop, restart, turbo, regen, "
	       "flow-interrupt-time, interrupt-flow, shield, idle-shield-flow, autofill-mode, "
	       "autofill-refill-level, autofill-stop-level";
}

/* Is word one of the '|'-separated words of usage? */
static bool usage_has_word(const char *usage, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = usage; *p; p += strcspn(p, "|"), p += *p == '|')
		if (n && strncmp(p, word, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return true;
	return false;
}

int cryostream_command_append(const struct cryostream_command *cmd, sd_bus_message *m, int argc,
			      char **argv, char *why, size_t why_size)
{
	int n = (int)strlen(cmd->signature);

	if (argc != n) {
		snprintf(why, why_size, "%d argument%s expected%s%s, %d given", n, n == 1 ? "" : "s",
			 n ? ": " : "", cmd->usage, argc);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		char *end;
		int r;

		switch (cmd->signature[i]) {
		case 'd': {
			double v;

			errno = 0;
			v = strtod(argv[i], &end);
			if (errno || end == argv[i] || *end || !isfinite(v)) {
				snprintf(why, why_size, "\"%s\" is not a number", argv[i]);
				return -EINVAL;
			}
			r = sd_bus_message_append(m, "d", v);
			break;
		}
		case 'u':
		case 'q': {
			unsigned long v;

			errno = 0;
			v = strtoul(argv[i], &end, 10);
			if (errno || end == argv[i] || *end || argv[i][0] == '-' ||
			    v > (cmd->signature[i] == 'q' ? UINT16_MAX : UINT32_MAX)) {
				snprintf(why, why_size, "\"%s\" is not a whole number%s", argv[i],
					 cmd->signature[i] == 'q' ? " up to 65535" : "");
				return -EINVAL;
			}
			if (cmd->signature[i] == 'q')
				r = sd_bus_message_append(m, "q", (uint16_t)v);
			else
				r = sd_bus_message_append(m, "u", (uint32_t)v);
			break;
		}
		case 's':
			/* One of the words of the usage ("off|on|auto"); the daemon
			 * checks again, but nothing wrong is sent. */
			if (!usage_has_word(cmd->usage, argv[i])) {
				snprintf(why, why_size, "\"%s\": expected %s", argv[i], cmd->usage);
				return -EINVAL;
			}
			r = sd_bus_message_append(m, "s", argv[i]);
			break;
		default:
			if (strcmp(argv[i], "on") != 0 && strcmp(argv[i], "off") != 0) {
				snprintf(why, why_size, "\"%s\": expected on or off", argv[i]);
				return -EINVAL;
			}
			r = sd_bus_message_append(m, "b", strcmp(argv[i], "on") == 0);
			break;
		}
		if (r < 0) {
			snprintf(why, why_size, "%s", strerror(-r));
			return -EINVAL;
		}
	}
	return 0;
}

void pager_open(struct stationctl *c)
{
	const char *pager = getenv("STATIONCTL_PAGER");
	int fds[2];
	pid_t pid;

	if (!pager)
		pager = getenv("PAGER");
	if (!pager)
		pager = "less";
	if (!*pager || strcmp(pager, "cat") == 0 || !isatty(STDOUT_FILENO) || c->json ||
	    pipe(fds) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		/* less: quit if one screen, raw colours, no init, chop lines. */
		setenv("LESS", "FRSXMK", 0);
		execlp(pager, pager, (char *)NULL);
		execlp("more", "more", (char *)NULL);
		_exit(EXIT_FAILURE);
	}
	dup2(fds[1], STDOUT_FILENO);
	close(fds[0]);
	close(fds[1]);
	c->pager_pid = pid;
}

void pager_close(struct stationctl *c)
{
	if (c->pager_pid <= 0)
		return;
	fflush(stdout);
	fclose(stdout);
	waitpid(c->pager_pid, NULL, 0);
	c->pager_pid = 0;
}
