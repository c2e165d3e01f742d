# SPDX-License-Identifier: GPL-2.0
# The autofill engine (daemon/autofill/engine*.c, manifold-fill.c,
# fill-record.c): pure C driven by the daemon's scan, and its unit tests
# on a fake plant (tests/unit/engine-fake.c).

AUTOFILL_SRCS := \
	daemon/autofill/fill-record.c \
	daemon/autofill/engine.c \
	daemon/autofill/manifold-fill.c \
	daemon/autofill/engine-commands.c \
	daemon/autofill/engine-state.c

# What the engine uses of the configuration library (daemon/config.mk is
# included after this file, so its CONFIG_SRCS is not known here yet).
AUTOFILL_DEPS := \
	daemon/config/station.c \
	daemon/autofill/schedule.c \
	daemon/autofill/targets.c

AUTOFILL_TESTS := test-engine-fill test-engine-commands test-engine-state
UNIT_TESTS += $(addprefix $(BUILD)/unit/,$(AUTOFILL_TESTS))

$(addprefix $(BUILD)/unit/,$(AUTOFILL_TESTS)): $(BUILD)/unit/%: \
		$(call san_obj,tests/unit/%.c tests/unit/engine-fake.c $(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# Safety invariants under any sequence of scans, plant faults and commands.
FUZZERS += $(BUILD)/fuzz/fuzz-engine

$(BUILD)/fuzz/fuzz-engine: tests/fuzz/fuzz-engine.c tests/unit/engine-fake.c \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -D_GNU_SOURCE $(USER_WARN) -I$(TOP) $(FUZZ_FLAGS) \
		-o $@ $(filter %.c,$^)

# Engine costs for 72 to 4212 detectors (tests/bench/engine.sh).
BENCHES += $(BUILD)/bench/engine-bench

$(BUILD)/bench/engine-bench: $(call obj,tests/bench/engine-bench.c $(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^
