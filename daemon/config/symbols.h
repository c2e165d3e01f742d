/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The symbol table of `define NAME value`. A symbol stands for one word or
 * one string; it is replaced wherever a value is expected (never in key
 * position), after its definition, across included files.
 */
#ifndef STATIOND_CONFIG_SYMBOLS_H
#define STATIOND_CONFIG_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/config/source-location.h"

struct symbol {
	char *name;
	size_t name_length;
	char *value;
	bool is_string;
	struct source_location defined_at;
};

/* Sorted by name, for binary search: a generated station uses a symbol
 * per card and looks one up for most values. */
struct symbol_table {
	struct symbol *symbols;
	size_t n_symbols;
};

void symbol_table_init(struct symbol_table *t);
void symbol_table_done(struct symbol_table *t);

/* NULL when not defined. name need not be NUL-terminated. */
const struct symbol *symbol_lookup(const struct symbol_table *t, const char *name, size_t length);

/* -EEXIST if defined already, -ENOMEM. */
int symbol_define(struct symbol_table *t, const char *name, size_t name_length,
		  const char *value, size_t value_length, bool is_string,
		  const struct source_location *at);

/* A symbol name: a letter or '_' then letters, digits and '_'. */
bool symbol_name_valid(const char *name, size_t length);

#endif
