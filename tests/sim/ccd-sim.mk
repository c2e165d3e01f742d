# SPDX-License-Identifier: GPL-2.0
#
# The CCD controller simulator: its mechanisms and runs (ccd-controller)
# and pixels (ccd-image), with their unit tests. It shares the frame
# codec and the format rules with stationd (daemon/unet.mk, daemon/ccd.mk).

# Pure code: what the unit tests link.
CCD_SIM_CORE_SRCS := tests/sim/ccd-controller.c tests/sim/ccd-image.c \
	daemon/ccd/ccd-format.c daemon/ccd/ccd-speed.c $(UNET_CODEC_SRCS)

CCD_SIM_UNIT_TESTS := $(BUILD)/unit/test-ccd-controller $(BUILD)/unit/test-ccd-image
UNIT_TESTS += $(CCD_SIM_UNIT_TESTS)

$(CCD_SIM_UNIT_TESTS): $(BUILD)/unit/%: $(call san_obj,tests/unit/%.c $(CCD_SIM_CORE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) -lm
