/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The autofill console's HELP: the general page (every command of the
 * mode with its abbreviation), a page per command, and the seed's general
 * topics: SYNTAX (the input line and the targets), MODES (normal, ADMIN,
 * view-only, manual fill, confirmations, the input timeout) and DISPLAY
 * (a guide to the screen and its keys).
 */
#ifndef STATIOND_CLIENTS_CONSOLE_HELP_H
#define STATIOND_CLIENTS_CONSOLE_HELP_H

#include <stdbool.h>

#include "daemon/clients/console-view.h"

/* topic: NULL for the general page, a command (abbreviations allowed)
 * or a topic, in any case. -EINVAL with the lines left empty when it
 * names nothing; why says so. */
int console_help(struct text_lines *t, const char *topic, bool admin_mode, char *why,
		 size_t why_size);

#endif
