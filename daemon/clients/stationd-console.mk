# SPDX-License-Identifier: GPL-2.0
# stationd-console, the autofill console on a terminal (stationd-console(1)):
# ncurses, on the clients' station model and operator commands; and its
# unit test: the command language, HELP, and the SHOW levels against
# golden files. daemon/clients/stationctl.mk sorts before this fragment:
# STATIONCTL_LIB_SRCS is known here.

CONSOLE_SRCS := daemon/clients/console-command.c daemon/clients/console-view.c \
	daemon/clients/console-help.c
LIBS_NCURSES = $(shell pkg-config --libs ncurses)

PROGRAMS += $(BUILD)/bin/stationd-console
INSTALL_BIN += $(BUILD)/bin/stationd-console
UNIT_TESTS += $(BUILD)/unit/test-console

$(BUILD)/bin/stationd-console: $(call obj,daemon/clients/stationd-console.c $(CONSOLE_SRCS) \
		$(STATIONCTL_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^ $(LIBS_SYSTEMD) $(LIBS_NCURSES) -lm

$(BUILD)/unit/test-console: $(call san_obj,tests/unit/test-console.c \
		tests/unit/client-fixture.c $(CONSOLE_SRCS) $(STATIONCTL_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD) -lm
