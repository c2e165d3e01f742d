# SPDX-License-Identifier: GPL-2.0
#
# The SCCD server of stationd (issue 13), daemon/ccd/: CCD profiles,
# read-out formats and speeds (shared with the CCD controller simulator),
# and their tests.

# What the simulator links besides the frame codec (daemon/unet.mk): the
# profile parser and what it needs.
CCD_PROFILE_SRCS := daemon/ccd/ccd-profile.c daemon/ccd/ccd-format.c daemon/ccd/ccd-speed.c \
	daemon/config/diagnostics.c daemon/shared/read-full.c daemon/unet/unet-frame.c
LIBS_CCD_PROFILE := -lm

UNIT_TESTS += $(BUILD)/unit/test-ccd-profile

$(BUILD)/unit/test-ccd-profile: $(call san_obj,tests/unit/test-ccd-profile.c $(CCD_PROFILE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_CCD_PROFILE)
