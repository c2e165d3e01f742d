// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration lexer. Works on a buffer with an explicit size (the text
 * may contain NUL bytes, which are reported like any other bad byte), so
 * the fuzzer and the file loader share it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/lexer.h"

void lexer_init(struct lexer *lx, const char *file, const char *text, size_t size,
		struct diagnostics *diagnostics)
{
	*lx = (struct lexer){
		.text = text,
		.size = size,
		.at = { .file = file, .line = 1, .column = 1 },
		.diagnostics = diagnostics,
	};
	/* Editors on other systems may start a file with a UTF-8 byte order
	 * mark; it is not part of the text. */
	if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		lx->position = 3;
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '+';
}

static char peek(const struct lexer *lx)
{
	return lx->position < lx->size ? lx->text[lx->position] : '\0';
}

static void advance(struct lexer *lx)
{
	if (lx->text[lx->position] == '\n') {
		lx->at.line++;
		lx->at.column = 1;
	} else {
		lx->at.column++;
	}
	lx->position++;
}

static void lex_string(struct lexer *lx, struct token *token)
{
	advance(lx);	/* opening quote */
	token->type = TOKEN_STRING;
	token->text = lx->text + lx->position;
	for (;;) {
		if (lx->position >= lx->size || peek(lx) == '\n') {
			diagnostic_error(lx->diagnostics, &token->at,
					 "unterminated string (strings end on the same line)");
			token->length = lx->text + lx->position - token->text;
			return;
		}
		char c = peek(lx);

		if (c == '"') {
			token->length = lx->text + lx->position - token->text;
			advance(lx);
			return;
		}
		if (c == '\\') {
			struct source_location escape_at = lx->at;

			advance(lx);
			c = peek(lx);
			if (lx->position >= lx->size || (c != '"' && c != '\\')) {
				diagnostic_error(lx->diagnostics, &escape_at,
						 "invalid escape in string (only \\\" and \\\\)");
				continue;
			}
		} else if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f) {
			diagnostic_error(lx->diagnostics, &lx->at,
					 "invalid byte 0x%02x in string", (unsigned char)c);
		}
		advance(lx);
	}
}

void lexer_next(struct lexer *lx, struct token *token)
{
	for (;;) {
		char c = peek(lx);

		*token = (struct token){ .at = lx->at, .text = lx->text + lx->position };
		if (lx->position >= lx->size) {
			token->type = TOKEN_END;
			return;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			advance(lx);
			continue;
		}
		if (c == '#') {
			while (lx->position < lx->size && peek(lx) != '\n')
				advance(lx);
			continue;
		}
		if (c == '"') {
			lex_string(lx, token);
			return;
		}
		if (is_word_char(c)) {
			while (lx->position < lx->size && is_word_char(peek(lx)))
				advance(lx);
			token->type = TOKEN_WORD;
			token->length = lx->text + lx->position - token->text;
			return;
		}

		switch (c) {
		case '\n':
			token->type = TOKEN_NEWLINE;
			break;
		case ';':
			token->type = TOKEN_SEMICOLON;
			break;
		case '{':
			token->type = TOKEN_LBRACE;
			break;
		case '}':
			token->type = TOKEN_RBRACE;
			break;
		case ':':
			token->type = TOKEN_COLON;
			break;
		case '@':
			token->type = TOKEN_AT;
			break;
		default:
			if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
				diagnostic_error(lx->diagnostics, &lx->at,
						 "unexpected character '%c'", c);
			else
				diagnostic_error(lx->diagnostics, &lx->at,
						 "invalid byte 0x%02x", (unsigned char)c);
			advance(lx);
			continue;
		}
		token->length = 1;
		advance(lx);
		return;
	}
}

const char *token_type_name(enum token_type type)
{
	switch (type) {
	case TOKEN_END:
		return "end of file";
	case TOKEN_NEWLINE:
		return "end of line";
	case TOKEN_SEMICOLON:
		return "';'";
	case TOKEN_WORD:
		return "word";
	case TOKEN_STRING:
		return "string";
	case TOKEN_LBRACE:
		return "'{'";
	case TOKEN_RBRACE:
		return "'}'";
	case TOKEN_COLON:
		return "':'";
	case TOKEN_AT:
		return "'@'";
	}
	return "token";
}

char *token_string_value(const struct token *token)
{
	char *s = malloc(token->length + 1), *out = s;

	if (!s)
		return NULL;
	for (size_t i = 0; i < token->length; i++) {
		if (token->text[i] == '\\' && i + 1 < token->length)
			i++;
		*out++ = token->text[i];
	}
	*out = '\0';
	return s;
}
