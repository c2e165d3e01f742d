# SPDX-License-Identifier: GPL-2.0
# The autofill engine (daemon/autofill/engine*.c, manifold-fill.c,
# overfull-watch.c, fill-record.c): pure C driven by the daemon's scan,
# and its unit tests on a fake plant (tests/unit/engine-fake.c).

AUTOFILL_SRCS := \
	daemon/autofill/fill-record.c \
	daemon/autofill/engine.c \
	daemon/autofill/exhaust-reading.c \
	daemon/autofill/fast-sampling.c \
	daemon/autofill/manifold-fill.c \
	daemon/autofill/overfull-watch.c \
	daemon/autofill/engine-commands.c \
	daemon/autofill/engine-state.c \
	daemon/autofill/engine-hold.c

# What the engine uses of the configuration library (daemon/config.mk is
# included after this file, so its CONFIG_SRCS is not known here yet).
AUTOFILL_DEPS := \
	daemon/config/station.c \
	daemon/autofill/schedule.c \
	daemon/autofill/targets.c

AUTOFILL_TESTS := test-engine-fill test-engine-commands test-engine-state test-engine-overfull \
	test-engine-outputs test-engine-debounce test-engine-fast test-engine-hold
UNIT_TESTS += $(addprefix $(BUILD)/unit/,$(AUTOFILL_TESTS))

$(addprefix $(BUILD)/unit/,$(AUTOFILL_TESTS)): $(BUILD)/unit/%: \
		$(call san_obj,tests/unit/%.c tests/unit/engine-fake.c tests/unit/engine-fixture.c \
			$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# The engine on the example station, compiled by the real compiler. The
# compiler library (daemon/config.mk's CONFIG_SRCS) is only known once
# every fragment is read, so the recipe expands it; test-config links the
# same objects, so depending on it relinks this test when they change.
UNIT_TESTS += $(BUILD)/unit/test-engine-example

$(BUILD)/unit/test-engine-example: $(call san_obj,tests/unit/test-engine-example.c $(AUTOFILL_SRCS)) \
		$(BUILD)/unit/test-config
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $(call san_obj,tests/unit/test-engine-example.c \
		$(AUTOFILL_SRCS) $(CONFIG_SRCS)) $(LIBS_CMOCKA)

# Safety invariants under any sequence of scans, plant faults and commands.
FUZZERS += $(BUILD)/fuzz/fuzz-engine

$(BUILD)/fuzz/fuzz-engine: tests/fuzz/fuzz-engine.c tests/unit/engine-fake.c \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -D_GNU_SOURCE $(USER_WARN) -I$(TOP) $(FUZZ_FLAGS) \
		-o $@ $(filter %.c,$^)

# Engine costs for 72 to 4212 detectors (tests/bench/engine.sh).
BENCHES += $(BUILD)/bench/engine-bench

$(BUILD)/bench/engine-bench: $(call obj,tests/bench/engine-bench.c tests/bench/bench-stats.c \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^
