// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol table. Configurations define tens of symbols, so a linear search
 * is the simplest thing that is fast enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/symbols.h"
#include "daemon/shared/macro.h"

void symbol_table_init(struct symbol_table *t)
{
	*t = (struct symbol_table){};
}

void symbol_table_done(struct symbol_table *t)
{
	for (size_t i = 0; i < t->n_symbols; i++) {
		free(t->symbols[i].name);
		free(t->symbols[i].value);
	}
	free(t->symbols);
	*t = (struct symbol_table){};
}

const struct symbol *symbol_lookup(const struct symbol_table *t, const char *name, size_t length)
{
	for (size_t i = 0; i < t->n_symbols; i++)
		if (strlen(t->symbols[i].name) == length &&
		    memcmp(t->symbols[i].name, name, length) == 0)
			return &t->symbols[i];
	return NULL;
}

bool symbol_name_valid(const char *name, size_t length)
{
	if (length == 0)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = name[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (!letter && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

int symbol_define(struct symbol_table *t, const char *name, size_t name_length,
		  const char *value, size_t value_length, bool is_string,
		  const struct source_location *at)
{
	if (symbol_lookup(t, name, name_length))
		return -EEXIST;

	_cleanup_free_ char *n = strndup(name, name_length);
	_cleanup_free_ char *v = strndup(value, value_length);
	struct symbol *symbols;

	if (!n || !v)
		return -ENOMEM;
	symbols = reallocarray(t->symbols, t->n_symbols + 1, sizeof(*symbols));
	if (!symbols)
		return -ENOMEM;
	t->symbols = symbols;
	t->symbols[t->n_symbols++] = (struct symbol){
		.name = TAKE_PTR(n),
		.value = TAKE_PTR(v),
		.is_string = is_string,
		.defined_at = *at,
	};
	return 0;
}
