# SPDX-License-Identifier: GPL-2.0
#
# The plant library (drives xvme-sim's debugfs plant interface), the
# xvme-plant command over it, and their unit test.

PLANT_SRCS := tests/sim/plant.c tests/sim/plant-cli.c daemon/shared/read-full.c

PROGRAMS += $(BUILD)/bin/xvme-plant
INSTALL_SIM_BIN += $(BUILD)/bin/xvme-plant
UNIT_TESTS += $(BUILD)/unit/test-plant

$(BUILD)/bin/xvme-plant: $(call obj,tests/sim/xvme-plant.c $(PLANT_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^

# pread/pwrite are wrapped so the test can make them short, as a kernel
# file may; the wrappers pass through to the real calls otherwise. The
# wrapping covers read-full.c too, where plant.c's read loop lives.
$(BUILD)/unit/test-plant: $(call san_obj,tests/unit/test-plant.c $(PLANT_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -Wl,--wrap=pread,--wrap=pwrite -o $@ $^ $(LIBS_CMOCKA)

# What one plant tick costs (tests/bench/plant-ain.sh runs it in the VM).
BENCHES += $(BUILD)/bench/plant-bench

$(BUILD)/bench/plant-bench: $(call obj,tests/bench/plant-bench.c tests/bench/bench-stats.c \
		tests/sim/plant.c daemon/shared/read-full.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^
