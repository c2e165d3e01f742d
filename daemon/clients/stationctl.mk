# SPDX-License-Identifier: GPL-2.0
# stationctl, the command-line client (stationctl(1)), and its unit test:
# argument parsing, the target syntax against a station read from a
# GetManagedObjects reply, the output against golden files, the JSON
# parsed back.

STATIONCTL_LIB_SRCS := daemon/clients/station-model.c daemon/clients/json-writer.c \
	daemon/clients/table.c daemon/clients/history-plot.c daemon/clients/exit-status.c \
	daemon/clients/stationctl-args.c daemon/clients/stationctl-output.c \
	daemon/clients/operator-command.c daemon/clients/ccd-command.c \
	daemon/bus/bus-message-text.c daemon/bus/bus-errors.c \
	daemon/autofill/targets.c daemon/autofill/schedule.c daemon/config/station.c

PROGRAMS += $(BUILD)/bin/stationctl
INSTALL_BIN += $(BUILD)/bin/stationctl

$(BUILD)/bin/stationctl: $(call obj,daemon/clients/stationctl.c $(STATIONCTL_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^ $(LIBS_SYSTEMD) -lm

# --version and the Manager's Version come from the Makefile.
$(call obj,daemon/clients/stationctl-args.c) $(call san_obj,daemon/clients/stationctl-args.c): Makefile

UNIT_TESTS += $(BUILD)/unit/test-stationctl

$(BUILD)/unit/test-stationctl: $(call san_obj,tests/unit/test-stationctl.c tests/unit/client-fixture.c \
		$(STATIONCTL_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD) $(LIBS_JSON_C) -lm
