// SPDX-License-Identifier: GPL-2.0
/*
 * The list of cards on the xvme bus (daemon/hw/card-state.c), read from
 * the bus's device directory (issue 10 item 12: libudev's enumeration
 * held the safety scan ~90 ms every 5 s on a 1000-detector station): a
 * scratch directory laid out as /sys/bus/xvme/devices is (symlinks named
 * after crates and cards), and the edge cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/hw/card-state.h"
#include "tests/unit/scratch-files.h"

struct fixture {
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || scratch_dir_make(f->dir, sizeof(f->dir), "test-card-state") < 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	scratch_dir_remove(f->dir);
	free(f);
	return 0;
}

/* An entry as sysfs makes it: a symlink into /sys/devices. */
static void add_entry(const struct fixture *f, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(symlink("../../../devices/xvme", path), 0);
}

static size_t count(char **names)
{
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

static void free_names(char **names)
{
	for (char **s = names; *s; s++)
		free(*s);
	free(names);
}

/* Every card, in name order; the crates and whatever else is there are
 * not cards. */
static void test_cards_of_two_crates(void **state)
{
	const struct fixture *f = *state;
	static const char *const entries[] = {
		"xvme1-0400", "xvme0", "xvme0-0c00", "xvme1", "xvme0-0400", "xvme12-ff00",
		"xvme0-0C00", "xvme0-400", "xvme01-0400", "xvme0-0400x", "iio:device0",
	};
	char **names = NULL;

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		add_entry(f, entries[i]);
	assert_int_equal(card_state_list_dir(f->dir, &names), 0);
	assert_non_null(names);
	assert_int_equal(count(names), 4);
	assert_string_equal(names[0], "xvme0-0400");
	assert_string_equal(names[1], "xvme0-0c00");
	assert_string_equal(names[2], "xvme1-0400");
	assert_string_equal(names[3], "xvme12-ff00");
	assert_null(names[4]);
	free_names(names);
}

/* Crates with no card in them: an empty list, not an error. */
static void test_no_cards(void **state)
{
	const struct fixture *f = *state;
	char **names = NULL;

	add_entry(f, "xvme0");
	assert_int_equal(card_state_list_dir(f->dir, &names), 0);
	assert_non_null(names);
	assert_null(names[0]);
	free_names(names);
}

/* No xvme bus at all (its module not loaded): no cards, not an error. */
static void test_no_bus(void **state)
{
	const struct fixture *f = *state;
	char path[PATH_MAX + 16], **names = NULL;

	snprintf(path, sizeof(path), "%s/absent", f->dir);
	assert_int_equal(card_state_list_dir(path, &names), 0);
	assert_non_null(names);
	assert_null(names[0]);
	free_names(names);
}

/* A directory that cannot be read is an error, and no list. */
static void test_not_a_directory(void **state)
{
	const struct fixture *f = *state;
	char path[PATH_MAX + 16], **names = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/file", f->dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(card_state_list_dir(path, &names), -ENOTDIR);
	assert_null(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cards_of_two_crates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_directory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
