/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration lexer: turns one in-memory source text into tokens.
 *
 *   word       a run of letters, digits and _ . - +   (keys, numbers with
 *              units, symbols, manifold names, "port3.5", "20min", "1.5V")
 *   string     "..." on one line; \" and \\ are the only escapes
 *   { } : @ ;  punctuation
 *   newline    ends a statement (as does ';')
 *   # ...      a comment up to the end of the line
 *
 * Tokens point into the source text, which must outlive them. Columns
 * count bytes from 1.
 */
#ifndef STATIOND_CONFIG_LEXER_H
#define STATIOND_CONFIG_LEXER_H

#include <stddef.h>

#include "daemon/config/diagnostics.h"
#include "daemon/config/source-location.h"

enum token_type {
	TOKEN_END,		/* end of the text */
	TOKEN_NEWLINE,
	TOKEN_SEMICOLON,
	TOKEN_WORD,
	TOKEN_STRING,		/* text excludes the quotes, escapes not undone */
	TOKEN_LBRACE,
	TOKEN_RBRACE,
	TOKEN_COLON,
	TOKEN_AT,
};

struct token {
	enum token_type type;
	const char *text;
	size_t length;
	struct source_location at;
};

struct lexer {
	const char *text;
	size_t size;
	size_t position;
	struct source_location at;	/* of text[position] */
	struct diagnostics *diagnostics;
};

void lexer_init(struct lexer *lx, const char *file, const char *text, size_t size,
		struct diagnostics *diagnostics);

/* Next token. Bad characters and unterminated strings are reported and
 * skipped, so the lexer always makes progress and never fails. */
void lexer_next(struct lexer *lx, struct token *token);

const char *token_type_name(enum token_type type);

/* Copy a string token's text with escapes undone; NULL when out of memory. */
char *token_string_value(const struct token *token);

#endif
