// SPDX-License-Identifier: GPL-2.0
/*
 * stationd-compile: check a station configuration, compile it to the
 * binary database stationd loads, or dump a database back as text.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "daemon/config/dump.h"
#include "daemon/config/wiring.h"
#include "daemon/shared/macro.h"

#define EXIT_CONFIG_ERRORS 1
#define EXIT_USAGE 2

static void help(FILE *f)
{
	fprintf(f,
		"Usage: stationd-compile check CONFIG\n"
		"       stationd-compile compile CONFIG DATABASE\n"
		"       stationd-compile dump DATABASE [OUTPUT]\n"
		"       stationd-compile wiring DATABASE [DETECTOR|MANIFOLD|CARD]\n"
		"\n"
		"Check a station configuration, compile it into a station database, or\n"
		"write a database back as configuration text.\n"
		"\n"
		"  check    report every error as file:line:col, write nothing\n"
		"  compile  check, then replace DATABASE atomically; on any error\n"
		"           an existing DATABASE is left untouched\n"
		"  dump     validate DATABASE and print it as configuration text\n"
		"           (to OUTPUT, or standard output); the text compiles\n"
		"           back to the same database\n"
		"  wiring   show what every line of every card does and which are\n"
		"           spare; or the lines of one detector (7), manifold (B)\n"
		"           or card (xvme0-0c00, 0x0c00)\n"
		"\n"
		"  -q, --quiet    no summary line on success\n"
		"  -h, --help     show this help\n"
		"\n"
		"Exit status: 0 success, 1 errors in the configuration or database,\n"
		"2 wrong usage. See stationd-compile(1), stationd.conf(5).\n");
}

static int compile_config(const char *path, bool quiet, struct station **ret)
{
	struct diagnostics d;
	int r;

	diagnostics_init(&d);
	r = config_compile_file(path, &d, ret);
	diagnostics_print(&d, stderr);
	if (r == -EINVAL || (r >= 0 && d.n_warnings && !quiet))
		fprintf(stderr, "%s: %u error%s, %u warning%s\n", path, d.n_errors,
			d.n_errors == 1 ? "" : "s", d.n_warnings, d.n_warnings == 1 ? "" : "s");
	else if (r < 0)
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
	diagnostics_done(&d);
	return r;
}

static int verb_check(int argc, char **argv, bool quiet)
{
	_cleanup_station_ struct station *s = NULL;

	if (argc != 1) {
		fprintf(stderr, "stationd-compile check: expected one CONFIG\n");
		return EXIT_USAGE;
	}
	if (compile_config(argv[0], quiet, &s) < 0)
		return EXIT_CONFIG_ERRORS;
	if (!quiet)
		printf("%s: ok: %zu detectors on %zu manifolds, %zu cards\n", argv[0],
		       s->n_detectors, s->n_manifolds, s->n_cards);
	return EXIT_SUCCESS;
}

static int verb_compile(int argc, char **argv, bool quiet)
{
	_cleanup_station_ struct station *s = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "stationd-compile compile: expected CONFIG and DATABASE\n");
		return EXIT_USAGE;
	}
	if (compile_config(argv[0], quiet, &s) < 0)
		return EXIT_CONFIG_ERRORS;
	r = database_write_file(argv[1], s);
	if (r < 0) {
		fprintf(stderr, "%s: cannot write database: %s\n", argv[1], strerror(-r));
		return EXIT_CONFIG_ERRORS;
	}
	if (!quiet)
		printf("%s: %zu detectors on %zu manifolds, %zu cards\n", argv[1],
		       s->n_detectors, s->n_manifolds, s->n_cards);
	return EXIT_SUCCESS;
}

static int verb_dump(int argc, char **argv)
{
	_cleanup_station_ struct station *s = NULL;
	_cleanup_fclose_ FILE *out = NULL;
	struct database_error err = {};
	int r;

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "stationd-compile dump: expected DATABASE [OUTPUT]\n");
		return EXIT_USAGE;
	}
	r = database_read_file(argv[0], &s, &err);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], err.message[0] ? err.message : strerror(-r));
		return EXIT_CONFIG_ERRORS;
	}
	if (argc == 2) {
		out = fopen(argv[1], "we");
		if (!out) {
			fprintf(stderr, "%s: %m\n", argv[1]);
			return EXIT_CONFIG_ERRORS;
		}
	}
	r = config_dump(s, out ? out : stdout);
	if (r >= 0 && out && fclose(TAKE_PTR(out)) != 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "%s: cannot write: %s\n", argc == 2 ? argv[1] : "stdout",
			strerror(-r));
		return EXIT_CONFIG_ERRORS;
	}
	return EXIT_SUCCESS;
}

/* "xvme1-0c00" or "0x0c00" (crate 0): a card's name as in the configuration. */
static bool parse_card_name(const char *text, uint8_t *crate, uint16_t *address)
{
	unsigned c = 0, a;
	int n = 0;

	if (sscanf(text, "xvme%u-%4x%n", &c, &a, &n) == 2 && text[n] == '\0' && c <= CRATE_MAX &&
	    strlen(text) == (size_t)n)
		goto found;
	n = 0;
	if (sscanf(text, "0x%4x%n", &a, &n) == 1 && text[n] == '\0')
		goto found;
	return false;
found:
	*crate = c;
	*address = a;
	return true;
}

static int verb_wiring(int argc, char **argv)
{
	_cleanup_station_ struct station *s = NULL;
	struct database_error err = {};
	uint8_t crate;
	uint16_t address;
	int r;

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "stationd-compile wiring: expected DATABASE [DETECTOR|MANIFOLD|CARD]\n");
		return EXIT_USAGE;
	}
	r = database_read_file(argv[0], &s, &err);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], err.message[0] ? err.message : strerror(-r));
		return EXIT_CONFIG_ERRORS;
	}
	if (argc == 1) {
		for (size_t i = 0; i < s->n_cards && r >= 0; i++)
			r = wiring_print_card(stdout, s, &s->cards[i]);
	} else if (argv[1][0] >= '1' && argv[1][0] <= '9' && strspn(argv[1], "0123456789") == strlen(argv[1])) {
		const struct detector *d = station_find_detector(s, strtoul(argv[1], NULL, 10));

		if (!d) {
			fprintf(stderr, "stationd-compile wiring: detector %s is not configured\n", argv[1]);
			return EXIT_CONFIG_ERRORS;
		}
		r = wiring_print_detector(stdout, s, d);
	} else if (manifold_name_valid(argv[1], strlen(argv[1]))) {
		const struct manifold *m = station_find_manifold(s, argv[1]);

		if (!m) {
			fprintf(stderr, "stationd-compile wiring: manifold %s is not configured\n", argv[1]);
			return EXIT_CONFIG_ERRORS;
		}
		r = wiring_print_manifold(stdout, s, m);
	} else if (parse_card_name(argv[1], &crate, &address)) {
		const struct card *c = station_find_card(s, crate, address);

		if (!c) {
			fprintf(stderr, "stationd-compile wiring: no card %s in the station\n", argv[1]);
			return EXIT_CONFIG_ERRORS;
		}
		r = wiring_print_card(stdout, s, c);
	} else {
		fprintf(stderr, "stationd-compile wiring: '%s' is not a detector number, a manifold or a card (xvme0-0c00)\n",
			argv[1]);
		return EXIT_USAGE;
	}
	if (r >= 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "stationd-compile wiring: %s\n", strerror(-r));
		return EXIT_CONFIG_ERRORS;
	}
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{}
	};
	bool quiet = false;
	const char *verb;
	int c;

	while ((c = getopt_long(argc, argv, "+hq", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_SUCCESS;
		case 'q':
			quiet = true;
			break;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	verb = argv[optind++];
	argc -= optind;
	argv += optind;
	if (strcmp(verb, "check") == 0)
		return verb_check(argc, argv, quiet);
	if (strcmp(verb, "compile") == 0)
		return verb_compile(argc, argv, quiet);
	if (strcmp(verb, "dump") == 0)
		return verb_dump(argc, argv);
	if (strcmp(verb, "wiring") == 0)
		return verb_wiring(argc, argv);
	fprintf(stderr, "stationd-compile: unknown command '%s' (check, compile, dump, wiring)\n",
		verb);
	return EXIT_USAGE;
}
