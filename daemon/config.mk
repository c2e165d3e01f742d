# SPDX-License-Identifier: GPL-2.0
# The station configuration: compiler library, stationd-compile, the
# target parser and schedule arithmetic, their unit tests and fuzzers.

# The library later linked into stationd, stationctl and the console.
CONFIG_SRCS := \
	daemon/shared/crc32.c \
	daemon/shared/read-full.c \
	daemon/shared/write-full.c \
	daemon/shared/atomic-replace.c \
	daemon/config/diagnostics.c \
	daemon/config/lexer.c \
	daemon/config/symbols.c \
	daemon/config/values.c \
	daemon/config/loader.c \
	daemon/config/station.c \
	daemon/config/parser.c \
	daemon/config/wiring.c \
	daemon/config/check.c \
	daemon/config/compile.c \
	daemon/config/database-record.c \
	daemon/config/database-file.c \
	daemon/config/dump.c \
	daemon/autofill/schedule.c \
	daemon/autofill/targets.c

PROGRAMS += $(BUILD)/bin/stationd-compile
INSTALL_BIN += $(BUILD)/bin/stationd-compile
UNIT_TESTS += $(BUILD)/unit/test-config $(BUILD)/unit/test-config-errors \
	$(BUILD)/unit/test-config-wiring $(BUILD)/unit/test-targets \
	$(BUILD)/unit/test-schedule $(BUILD)/unit/test-database
FUZZERS += $(BUILD)/fuzz/fuzz-config $(BUILD)/fuzz/fuzz-targets $(BUILD)/fuzz/fuzz-database

$(BUILD)/bin/stationd-compile: $(call obj,daemon/clients/stationd-compile.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^

# Unit tests find the example configurations relative to the top directory.
$(BUILD)/unit/test-config $(BUILD)/unit/test-config-errors \
$(BUILD)/unit/test-config-wiring $(BUILD)/unit/test-targets \
$(BUILD)/unit/test-schedule: $(BUILD)/unit/%: $(call san_obj,tests/unit/%.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $(call san_obj,tests/unit/$*.c $(CONFIG_SRCS)) \
		$(LIBS_CMOCKA)

# The database file tests write in a scratch directory of their own.
$(BUILD)/unit/test-database: $(call san_obj,tests/unit/test-database.c \
		tests/unit/scratch-files.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# test-config runs the compiler program (the database-untouched promise).
$(BUILD)/unit/test-config: | $(BUILD)/bin/stationd-compile

# Start-up and per-command costs for big stations (tests/bench/config.sh).
BENCHES += $(BUILD)/bench/config-bench

$(BUILD)/bench/config-bench: $(call obj,tests/bench/config-bench.c tests/bench/bench-stats.c \
		$(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^

# Fuzzers compile every source with clang and libFuzzer instrumentation.
$(BUILD)/fuzz/fuzz-config $(BUILD)/fuzz/fuzz-targets $(BUILD)/fuzz/fuzz-database: $(BUILD)/fuzz/%: \
		tests/fuzz/%.c $(CONFIG_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -D_GNU_SOURCE $(USER_WARN) -I$(TOP) $(FUZZ_FLAGS) \
		-o $@ tests/fuzz/$*.c $(CONFIG_SRCS)
