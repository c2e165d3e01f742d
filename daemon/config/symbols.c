// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol table: a sorted array. Definitions are rare and lookups frequent
 * (a 4000-detector station defines hundreds of card symbols and looks up
 * tens of thousands of values), so insertion pays the memmove.
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

static int name_compare(const char *a, size_t a_length, const char *b, size_t b_length)
{
	int r = memcmp(a, b, a_length < b_length ? a_length : b_length);

	if (r)
		return r;
	return (a_length > b_length) - (a_length < b_length);
}

/* Index of the symbol, or of where it would be inserted. */
static size_t symbol_position(const struct symbol_table *t, const char *name, size_t length,
			      bool *found)
{
	size_t lo = 0, hi = t->n_symbols;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = name_compare(t->symbols[mid].name, t->symbols[mid].name_length, name,
				     length);

		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct symbol *symbol_lookup(const struct symbol_table *t, const char *name, size_t length)
{
	bool found;
	size_t i = symbol_position(t, name, length, &found);

	return found ? &t->symbols[i] : NULL;
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
	bool found;
	size_t i = symbol_position(t, name, name_length, &found);

	if (found)
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
	memmove(&symbols[i + 1], &symbols[i], (t->n_symbols - i) * sizeof(*symbols));
	symbols[i] = (struct symbol){
		.name = TAKE_PTR(n),
		.name_length = name_length,
		.value = TAKE_PTR(v),
		.is_string = is_string,
		.defined_at = *at,
	};
	t->n_symbols++;
	return 0;
}
