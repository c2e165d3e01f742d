# SPDX-License-Identifier: GPL-2.0
#
# The LN2 plant simulator: physics (ln2-model), the station wiring over
# the plant library (ln2-plant-io), the control language
# (ln2-plant-control), the ln2-plant program and their unit tests.

LN2_MODEL_SRCS := tests/sim/ln2-model.c
LN2_PLANT_SRCS := $(LN2_MODEL_SRCS) tests/sim/ln2-plant-io.c \
	tests/sim/ln2-plant-control.c tests/sim/plant.c

PROGRAMS += $(BUILD)/bin/ln2-plant
INSTALL_SIM_BIN += $(BUILD)/bin/ln2-plant
UNIT_TESTS += $(BUILD)/unit/test-ln2-model $(BUILD)/unit/test-ln2-plant

$(BUILD)/bin/ln2-plant: $(call obj,tests/sim/ln2-plant.c tests/sim/control-source.c \
		tests/sim/sim-args.c $(LN2_PLANT_SRCS) $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

$(BUILD)/unit/test-ln2-model: $(call san_obj,tests/unit/test-ln2-model.c $(LN2_MODEL_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) -lm

# Runs the program too (exit codes, the valve log): build it first.
$(BUILD)/unit/test-ln2-plant: $(call san_obj,tests/unit/test-ln2-plant.c $(LN2_PLANT_SRCS) \
		$(CONFIG_SRCS)) | $(BUILD)/bin/ln2-plant
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $(call san_obj,tests/unit/test-ln2-plant.c $(LN2_PLANT_SRCS) \
		$(CONFIG_SRCS)) $(LIBS_CMOCKA) -lm

# The control language is outside input (a FIFO anyone in the group may
# write): fuzzed against a fake plant root made in /tmp.
FUZZERS += $(BUILD)/fuzz/fuzz-ln2-control

$(BUILD)/fuzz/fuzz-ln2-control: tests/fuzz/fuzz-ln2-control.c $(LN2_PLANT_SRCS) $(CONFIG_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -D_GNU_SOURCE $(USER_WARN) -I$(TOP) $(FUZZ_FLAGS) \
		-o $@ tests/fuzz/fuzz-ln2-control.c $(LN2_PLANT_SRCS) $(CONFIG_SRCS) -lm
