// SPDX-License-Identifier: GPL-2.0
/* The autofill console's HELP (see console-help.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/clients/console-command.h"
#include "daemon/clients/console-help.h"

static const char *const syntax_page[] = {
	"SYNTAX: the input line",
	"",
	"  COMMAND {arg1} {arg2} ...   words separated by blanks, any case.",
	"  A command may be abbreviated to the first letters that name only it",
	"  (HELP lists them): F 7 is FILL 7, CA B is CANCEL B.",
	"",
	"  TARGETS of the autofill commands, as stationctl takes them:",
	"    7            detector 7 only",
	"    B            every detector of manifold B       (asks YES/NO)",
	"    1-6          detectors 1 to 6                   (asks YES/NO)",
	"    1,3,7-9,B    a set of the above                 (asks YES/NO)",
	"    all          every detector                     (asks YES/NO)",
	"  HH:MM          a time of day, 24 hours (FILL 7 18:30, PRESET 7 06:00)",
	"  MINUTES        1 to 1440 (DELAY 7 30)",
	"",
	"  A mistake is named with its column; nothing is sent.",
	NULL,
};

static const char *const modes_page[] = {
	"MODES",
	"",
	"  NORMAL   the autofill: SHOW, HELP and the operator commands",
	"           PRESET FILL DELAY AVOID UNAVOID CANCEL CLEAR.",
	"  ADMIN    also the auxiliary commands: SCAN, CARDS, TEST, CONVERT,",
	"           SPARE, CONNECTIONS. NORMAL goes back.",
	"",
	"  VIEW ONLY (on the top line): this user may not intervene here (polkit,",
	"           or the operator group); the display and HELP still work.",
	"  MANUAL FILL (the state): a manual-fill key is on; stationd refuses",
	"           every intervention until it is off.",
	"  YES/NO   a command on a manifold, a range, a set or all asks first;",
	"           anything but YES (or Y) is no.",
	"  Timeout  a half-typed line or an unanswered YES/NO is dropped after",
	"           the input timeout, and the display comes back.",
	NULL,
};

static const char *const display_page[] = {
	"DISPLAY: a guide to the screen",
	"",
	"  Top line      state, detectors filling, alarm, mode, the clock",
	"  Second line   the latest error (also Cryostream faults), or none",
	"  Middle        what SHOW, HELP or an ADMIN command shows",
	"  Bottom lines  the last message, and the prompt",
	"",
	"  SHOW levels: all manifolds -> one manifold -> one detector.",
	"    Up/Down      previous/next manifold",
	"    Left/Right   previous/next detector",
	"    Tab          toggle between the manifold and the detector",
	"    Enter        (empty line) open the selected manifold or detector",
	"    Esc          back to all manifolds    PgUp/PgDn  scroll",
	"",
	"  Detector codes in the overview: ok, FIL filling, PUR purging,",
	"  DEL delayed, AVD avoided, BSD bias shutdown, N/A hardware unavailable,",
	"  ERR manifold error, UND underfull, OVF overfull.",
	NULL,
};

static const struct {
	const char *name;
	const char *const *page;
} topics[] = {
	{ "SYNTAX", syntax_page },
	{ "MODES", modes_page },
	{ "DISPLAY", display_page },
};

static int add_page(struct text_lines *t, const char *const *page)
{
	int r = 0;

	for (const char *const *l = page; r >= 0 && *l; l++)
		r = text_lines_add(t, l == page ? LINE_HEADING : LINE_NORMAL, "%s", *l);
	return r;
}

static int general_page(struct text_lines *t, bool admin_mode)
{
	int r;

	r = text_lines_add(t, LINE_HEADING, "HELP: the commands%s (abbreviation in capitals)",
			   admin_mode ? " of ADMIN mode" : "");
	for (int v = 0; r >= 0 && v < _CONSOLE_VERB_MAX; v++) {
		const struct console_verb_info *info = console_verb_info(v);
		size_t n = console_verb_abbreviation(v, admin_mode);
		char name[16];

		if (info->admin && !admin_mode)
			continue;
		/* "CAncel": the letters to type in capitals. */
		for (size_t i = 0; i < sizeof(name) - 1 && info->name[i]; i++) {
			name[i] = i < n ? info->name[i] : (char)(info->name[i] - 'A' + 'a');
			name[i + 1] = 0;
		}
		r = text_lines_add(t, LINE_NORMAL, "  %-12s%s%s", name, info->summary,
				   info->privileged ? " *" : "");
	}
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "%s", "");
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL,
				   "  * changes the station: not in VIEW ONLY or MANUAL FILL.");
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL,
				   "  HELP COMMAND: its arguments. Topics: HELP SYNTAX, MODES, DISPLAY.");
	return r;
}

static int command_page(struct text_lines *t, enum console_verb v, bool admin_mode)
{
	const struct console_verb_info *info = console_verb_info(v);
	int r;

	r = text_lines_add(t, LINE_HEADING, "%s %s", info->name, info->usage);
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "%s", "");
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  %s.", info->summary);
	if (r >= 0)
		r = text_lines_add(t, LINE_NORMAL, "  Abbreviation: %.*s%s.",
				   (int)console_verb_abbreviation(v, admin_mode), info->name,
				   info->admin ? " (ADMIN mode)" : "");
	if (r >= 0 && info->privileged)
		r = text_lines_add(t, LINE_NORMAL,
				   "  It changes the station: refused in VIEW ONLY and MANUAL FILL.");
	if (r >= 0 && v <= CONSOLE_CLEAR)
		r = text_lines_add(t, LINE_NORMAL,
				   "  More than one detector asks YES/NO first (HELP SYNTAX).");
	if (r >= 0 && v == CONSOLE_PRESET)
		r = text_lines_add(t, LINE_NORMAL,
				   "  PRESET 7 06:00 18:00 replaces; PRESET 7 ADD 12:00; PRESET 7 CLEAR.");
	if (r >= 0 && v == CONSOLE_SHOW)
		r = text_lines_add(t, LINE_NORMAL,
				   "  SHOW: all manifolds; SHOW B: manifold B; SHOW 7: detector 7 (HELP DISPLAY).");
	return r;
}

int console_help(struct text_lines *t, const char *topic, bool admin_mode, char *why,
		 size_t why_size)
{
	enum console_verb v;

	if (!topic)
		return general_page(t, admin_mode);
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		if (strlen(topic) >= 2 && strncasecmp(topic, topics[i].name, strlen(topic)) == 0)
			return add_page(t, topics[i].page);
	/* A command, abbreviated as it would be typed; ADMIN commands are
	 * explained in any mode. */
	if (console_verb_lookup(topic, admin_mode, &v, why, why_size) >= 0 ||
	    console_verb_lookup(topic, true, &v, why, why_size) >= 0)
		return command_page(t, v, admin_mode);
	snprintf(why, why_size, "HELP: no command or topic \"%s\" (SYNTAX, MODES, DISPLAY)",
		 topic);
	return -EINVAL;
}
