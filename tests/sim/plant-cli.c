// SPDX-License-Identifier: GPL-2.0
/*
 * xvme-plant's command line: parse into a complete, range-checked
 * command first, then open the plant and run it, so a mistyped command
 * never writes anything.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/plant-cli.h"

#define PROGRAM "xvme-plant"

static const struct {
	const char *name;
	int min_args;
	int max_args;
	const char *file;	/* the plant file it uses, for error hints */
	const char *model;	/* the card that has that file */
} verbs[_PLANT_CLI_VERB_MAX] = {
	[PLANT_CLI_HELP] = { "help", 0, 0, NULL, NULL },
	[PLANT_CLI_LIST] = { "list", 0, 0, NULL, NULL },
	[PLANT_CLI_AIN] = { "ain", 0, 0, "ain", "XVME-560" },
	[PLANT_CLI_AIN_SET] = { "ain-set", 2, 2, "ain", "XVME-560" },
	[PLANT_CLI_AIN_SET_ALL] = { "ain-set-all", PLANT_AIN_CHANNELS,
				    PLANT_AIN_CHANNELS, "ain", "XVME-560" },
	[PLANT_CLI_RANGE] = { "range", 0, 1, "range", "XVME-560" },
	[PLANT_CLI_RELAYS] = { "relays", 0, 0, "relays", "XVME-260" },
	[PLANT_CLI_PORTS] = { "ports", 0, 1, "ports", "XVME-240" },
	[PLANT_CLI_IRQ_INPUTS] = { "irq-inputs", 0, 1, "irq_inputs", "XVME-240" },
	[PLANT_CLI_PULSE] = { "pulse", 1, 1, "irq_inputs", "XVME-240" },
	[PLANT_CLI_FLAGS] = { "flags", 0, 0, "flags", "XVME-240" },
	[PLANT_CLI_FAULT] = { "fault", 0, 1, "fault", NULL },
};

void plant_cli_usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROGRAM " [--root DIR] list\n"
		"       " PROGRAM " [--root DIR] CARD COMMAND [ARG...]\n"
		"\n"
		"Drive the simulated xvme crate's plant interface.\n"
		"CARD is a card device name such as xvme0-0c00.\n"
		"\n"
		"Commands:\n"
		"  ain                      print the 32 ADC inputs (mV)\n"
		"  ain-set CH MV            set input CH (0-31) to MV millivolts\n"
		"  ain-set-all MV0 ... MV31 set all 32 inputs in one write\n"
		"  range [bipolar|unipolar] print or set the ADC range jumper\n"
		"  relays                   print the relay latch (bit n = relay n on)\n"
		"  ports [VALUE]            print the ports, or set the input levels\n"
		"  irq-inputs [VALUE]       print or set the interrupt input levels\n"
		"  pulse BIT                one rising edge on interrupt input BIT (0-7)\n"
		"  flags                    print the flag outputs\n"
		"  fault [NAME]             print or inject a fault: none, absent,\n"
		"                           bad-id, adc-stuck, adc-error, no-reset-clear\n"
		"\n"
		"Options:\n"
		"  -r, --root DIR  plant root (default $" PLANT_ROOT_ENV
		" or " PLANT_DEFAULT_ROOT ")\n"
		"  -h, --help      show this help\n");
}

/*
 * Decimal, or hex after "0x"; no sign, no octal (a leading 0 is still
 * decimal), the whole string, at most @max.
 */
static int parse_unsigned(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s) || (base == 10 && !isdigit((unsigned char)*s)))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Decimal millivolts within the card's input range. */
static int parse_mv(const char *s, int *ret)
{
	long v;
	char *end;

	if (!*s || *s == ' ' || *s == '\t' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s || *end)
		return -EINVAL;
	if (v < PLANT_AIN_MV_MIN || v > PLANT_AIN_MV_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int bad_mv(FILE *err, const char *verb, const char *arg, int r)
{
	if (r == -ERANGE)
		fprintf(err, PROGRAM ": %s: '%s' is outside the simulator's input range %d..%d mV\n",
			verb, arg, PLANT_AIN_MV_MIN, PLANT_AIN_MV_MAX);
	else
		fprintf(err, PROGRAM ": %s: '%s' is not a whole number of millivolts\n",
			verb, arg);
	return -EINVAL;
}

static int parse_verb_args(struct plant_cli_command *cmd, int argc,
			   char *argv[], FILE *err)
{
	const char *verb = verbs[cmd->verb].name;
	uint64_t v;
	int r;

	switch (cmd->verb) {
	case PLANT_CLI_AIN_SET:
		r = parse_unsigned(argv[0], PLANT_AIN_CHANNELS - 1, &v);
		if (r < 0) {
			fprintf(err, PROGRAM ": %s: channel '%s' is not a number 0..%d\n",
				verb, argv[0], PLANT_AIN_CHANNELS - 1);
			return -EINVAL;
		}
		cmd->channel = v;
		r = parse_mv(argv[1], &cmd->mv[0]);
		if (r < 0)
			return bad_mv(err, verb, argv[1], r);
		return 0;

	case PLANT_CLI_AIN_SET_ALL:
		for (int i = 0; i < argc; i++) {
			r = parse_mv(argv[i], &cmd->mv[i]);
			if (r < 0)
				return bad_mv(err, verb, argv[i], r);
		}
		return 0;

	case PLANT_CLI_RANGE:
		if (argc == 0)
			return 0;
		r = plant_range_from_string(argv[0]);
		if (r < 0) {
			fprintf(err, PROGRAM ": %s: unknown range '%s' (bipolar or unipolar)\n",
				verb, argv[0]);
			return -EINVAL;
		}
		cmd->set = true;
		cmd->name_value = r;
		return 0;

	case PLANT_CLI_FAULT:
		if (argc == 0)
			return 0;
		r = plant_fault_from_string(argv[0]);
		if (r < 0) {
			fprintf(err, PROGRAM ": %s: unknown fault '%s'; one of:", verb,
				argv[0]);
			for (int f = 0; f < _PLANT_FAULT_MAX; f++)
				fprintf(err, " %s", plant_fault_to_string(f));
			fputc('\n', err);
			return -EINVAL;
		}
		cmd->set = true;
		cmd->name_value = r;
		return 0;

	case PLANT_CLI_PORTS:
	case PLANT_CLI_IRQ_INPUTS:
		if (argc == 0)
			return 0;
		r = parse_unsigned(argv[0],
				   cmd->verb == PLANT_CLI_PORTS ? UINT64_MAX : UINT8_MAX,
				   &cmd->value);
		if (r < 0) {
			fprintf(err, PROGRAM ": %s: '%s' is not a %s value (decimal or 0x hex)\n",
				verb, argv[0],
				cmd->verb == PLANT_CLI_PORTS ? "64-bit" : "8-bit");
			return -EINVAL;
		}
		cmd->set = true;
		return 0;

	case PLANT_CLI_PULSE:
		r = parse_unsigned(argv[0], PLANT_IRQ_INPUTS - 1, &v);
		if (r < 0) {
			fprintf(err, PROGRAM ": %s: interrupt input '%s' is not a number 0..%d\n",
				verb, argv[0], PLANT_IRQ_INPUTS - 1);
			return -EINVAL;
		}
		cmd->bit = v;
		return 0;

	default:
		return 0;
	}
}

static int verb_from_string(const char *name)
{
	/* "help" is only reachable as an option. */
	for (int v = PLANT_CLI_LIST; v < _PLANT_CLI_VERB_MAX; v++)
		if (strcmp(verbs[v].name, name) == 0)
			return v;
	return -EINVAL;
}

int plant_cli_parse(int argc, char *argv[], struct plant_cli_command *ret,
		    FILE *err)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct plant_cli_command cmd = {};
	int c, verb, nargs;

	/*
	 * '+': stop at the first non-option, so "ain-set 3 -500" keeps its
	 * negative millivolts. opterr off: the messages below say more.
	 */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:r:h", options, NULL)) >= 0) {
		switch (c) {
		case 'r':
			if (!*optarg) {
				fprintf(err, PROGRAM ": --root needs a directory\n");
				return -EINVAL;
			}
			cmd.root = optarg;
			break;
		case 'h':
			cmd.verb = PLANT_CLI_HELP;
			*ret = cmd;
			return 0;
		case ':':
			fprintf(err, PROGRAM ": option '%s' needs an argument\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				fprintf(err, PROGRAM ": unknown option '-%c' (see " PROGRAM " --help)\n",
					optopt);
			else
				fprintf(err, PROGRAM ": unknown option '%s' (see " PROGRAM " --help)\n",
					argv[optind - 1]);
			return -EINVAL;
		}
	}
	argv += optind;
	argc -= optind;

	if (argc == 0) {
		fprintf(err, PROGRAM ": no card or command given (see " PROGRAM " --help)\n");
		return -EINVAL;
	}

	if (strcmp(argv[0], "list") == 0) {
		verb = PLANT_CLI_LIST;
		argv++;
		argc--;
	} else {
		cmd.card = argv[0];
		if (!*cmd.card || strchr(cmd.card, '/') || cmd.card[0] == '.') {
			fprintf(err, PROGRAM ": '%s' is not a card name (like xvme0-0c00)\n",
				cmd.card);
			return -EINVAL;
		}
		if (argc < 2) {
			fprintf(err, PROGRAM ": %s: no command given (see " PROGRAM " --help)\n",
				cmd.card);
			return -EINVAL;
		}
		verb = verb_from_string(argv[1]);
		if (verb < 0 || verb == PLANT_CLI_LIST) {
			fprintf(err, PROGRAM ": unknown command '%s' (see " PROGRAM " --help)\n",
				argv[1]);
			return -EINVAL;
		}
		argv += 2;
		argc -= 2;
	}
	cmd.verb = verb;

	nargs = argc;
	if (nargs < verbs[verb].min_args || nargs > verbs[verb].max_args) {
		if (verbs[verb].min_args == verbs[verb].max_args)
			fprintf(err, PROGRAM ": %s: takes %d argument%s, got %d\n",
				verbs[verb].name, verbs[verb].min_args,
				verbs[verb].min_args == 1 ? "" : "s", nargs);
		else
			fprintf(err, PROGRAM ": %s: takes at most %d argument%s, got %d\n",
				verbs[verb].name, verbs[verb].max_args,
				verbs[verb].max_args == 1 ? "" : "s", nargs);
		return -EINVAL;
	}

	if (parse_verb_args(&cmd, argc, argv, err) < 0)
		return -EINVAL;

	*ret = cmd;
	return 0;
}

static int report(FILE *err, const struct plant_cli_command *cmd, int r)
{
	const char *verb = verbs[cmd->verb].name;

	if (r == -ENOENT && verbs[cmd->verb].model)
		fprintf(err, PROGRAM ": %s: %s: the card has no '%s' plant file (not an %s?)\n",
			cmd->card, verb, verbs[cmd->verb].file,
			verbs[cmd->verb].model);
	else if (r == -EBADMSG)
		fprintf(err, PROGRAM ": %s: %s: plant file '%s' does not hold what the simulator writes\n",
			cmd->card, verb, verbs[cmd->verb].file);
	else if (r == -EINVAL)
		fprintf(err, PROGRAM ": %s: %s: the simulator refused the value\n",
			cmd->card, verb);
	else
		fprintf(err, PROGRAM ": %s: %s: %s\n", cmd->card, verb,
			strerror(-r));
	return PLANT_CLI_EXIT_FAILED;
}

static int run_list(struct plant *plant, FILE *out, FILE *err)
{
	_cleanup_card_list_ char **names = NULL;
	int r;

	r = plant_card_list(plant, &names);
	if (r < 0) {
		fprintf(err, PROGRAM ": cannot list cards under %s: %s\n",
			plant_root(plant), strerror(-r));
		return PLANT_CLI_EXIT_FAILED;
	}
	for (char **n = names; *n; n++)
		fprintf(out, "%s\n", *n);
	return PLANT_CLI_EXIT_OK;
}

static int run_card_verb(const struct plant_cli_command *cmd,
			 struct plant_card *card, FILE *out)
{
	int mv[PLANT_AIN_CHANNELS];
	enum plant_range range;
	enum plant_fault fault;
	uint64_t ports;
	uint32_t relays;
	uint8_t byte;
	int r;

	switch (cmd->verb) {
	case PLANT_CLI_AIN:
		r = plant_ain_get_all(card, mv);
		if (r < 0)
			return r;
		for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
			fprintf(out, "%d%c", mv[ch],
				ch + 1 < PLANT_AIN_CHANNELS ? ' ' : '\n');
		return 0;
	case PLANT_CLI_AIN_SET:
		return plant_ain_set(card, cmd->channel, cmd->mv[0]);
	case PLANT_CLI_AIN_SET_ALL:
		return plant_ain_set_all(card, cmd->mv);
	case PLANT_CLI_RANGE:
		if (cmd->set)
			return plant_range_set(card, cmd->name_value);
		r = plant_range_get(card, &range);
		if (r < 0)
			return r;
		fprintf(out, "%s\n", plant_range_to_string(range));
		return 0;
	case PLANT_CLI_RELAYS:
		r = plant_relays_get(card, &relays);
		if (r < 0)
			return r;
		fprintf(out, "0x%08" PRIx32 "\n", relays);
		return 0;
	case PLANT_CLI_PORTS:
		if (cmd->set)
			return plant_ports_set(card, cmd->value);
		r = plant_ports_get(card, &ports);
		if (r < 0)
			return r;
		fprintf(out, "0x%016" PRIx64 "\n", ports);
		return 0;
	case PLANT_CLI_IRQ_INPUTS:
		if (cmd->set)
			return plant_irq_inputs_set(card, cmd->value);
		r = plant_irq_inputs_get(card, &byte);
		if (r < 0)
			return r;
		fprintf(out, "0x%02x\n", byte);
		return 0;
	case PLANT_CLI_PULSE:
		return plant_irq_pulse(card, cmd->bit);
	case PLANT_CLI_FLAGS:
		r = plant_flags_get(card, &byte);
		if (r < 0)
			return r;
		fprintf(out, "0x%02x\n", byte);
		return 0;
	case PLANT_CLI_FAULT:
		if (cmd->set)
			return plant_fault_set(card, cmd->name_value);
		r = plant_fault_get(card, &fault);
		if (r < 0)
			return r;
		fprintf(out, "%s\n", plant_fault_to_string(fault));
		return 0;
	default:
		return -EINVAL;
	}
}

static int run_card(const struct plant_cli_command *cmd, struct plant *plant,
		    FILE *out, FILE *err)
{
	_cleanup_plant_card_ struct plant_card *card = NULL;
	int r;

	r = plant_card_open(plant, cmd->card, &card);
	if (r < 0) {
		if (r == -ENOENT)
			fprintf(err, PROGRAM ": %s: no such card under %s (see " PROGRAM " list)\n",
				cmd->card, plant_root(plant));
		else if (r == -EINVAL)
			fprintf(err, PROGRAM ": '%s' is not a card name\n", cmd->card);
		else
			fprintf(err, PROGRAM ": %s: cannot open card under %s: %s\n",
				cmd->card, plant_root(plant), strerror(-r));
		return PLANT_CLI_EXIT_FAILED;
	}

	r = run_card_verb(cmd, card, out);
	if (r < 0)
		return report(err, cmd, r);
	return PLANT_CLI_EXIT_OK;
}

int plant_cli_run(const struct plant_cli_command *cmd, FILE *out, FILE *err)
{
	_cleanup_plant_ struct plant *plant = NULL;
	int r;

	if (cmd->verb == PLANT_CLI_HELP) {
		plant_cli_usage(out);
		return PLANT_CLI_EXIT_OK;
	}

	r = plant_open(cmd->root, &plant);
	if (r < 0) {
		const char *root = cmd->root ?: secure_getenv(PLANT_ROOT_ENV);

		if (!root || !*root)
			root = PLANT_DEFAULT_ROOT;
		fprintf(err, PROGRAM ": cannot open plant root %s: %s%s\n", root,
			strerror(-r),
			r == -ENOENT ? " (is xvme-sim loaded and debugfs mounted?)" : "");
		return PLANT_CLI_EXIT_FAILED;
	}

	if (cmd->verb == PLANT_CLI_LIST)
		r = run_list(plant, out, err);
	else
		r = run_card(cmd, plant, out, err);
	if (r == PLANT_CLI_EXIT_OK && fflush(out) != 0) {
		fprintf(err, PROGRAM ": writing output: %s\n", strerror(errno));
		return PLANT_CLI_EXIT_FAILED;
	}
	return r;
}
