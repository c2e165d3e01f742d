# SPDX-License-Identifier: GPL-2.0
#
# The CCD controller simulator: its mechanisms and runs (ccd-controller),
# pixels (ccd-image), its end of the link (ccd-sim-link), the fault
# language (ccd-sim-control), their unit tests and fuzzers. It shares the
# frame codec and the format rules with stationd (daemon/unet.mk,
# daemon/ccd.mk).

# Pure code: what the unit tests and fuzzers link.
CCD_SIM_CORE_SRCS := tests/sim/ccd-controller.c tests/sim/ccd-image.c \
	tests/sim/ccd-sim-link.c tests/sim/ccd-sim-control.c \
	daemon/ccd/ccd-format.c daemon/ccd/ccd-speed.c $(UNET_CODEC_SRCS)

CCD_SIM_UNIT_TESTS := $(BUILD)/unit/test-ccd-controller $(BUILD)/unit/test-ccd-image \
	$(BUILD)/unit/test-ccd-sim-link $(BUILD)/unit/test-ccd-sim-control
UNIT_TESTS += $(CCD_SIM_UNIT_TESTS)

$(CCD_SIM_UNIT_TESTS): $(BUILD)/unit/%: $(call san_obj,tests/unit/%.c $(CCD_SIM_CORE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) -lm

# What arrives on the control FIFO and on the line is outside input.
CCD_SIM_FUZZERS := $(BUILD)/fuzz/fuzz-ccd-sim-control $(BUILD)/fuzz/fuzz-ccd-sim-link
FUZZERS += $(CCD_SIM_FUZZERS)

$(CCD_SIM_FUZZERS): $(BUILD)/fuzz/%: tests/fuzz/%.c $(CCD_SIM_CORE_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) -lm
