# SPDX-License-Identifier: GPL-2.0
#
# The UtilityNet link layer of stationd (issue 13), daemon/unet/: the frame
# payload codec, shared with the CCD controller simulator (tests/sim), and
# its unit test and fuzzer.

# Pure code: what a simulator or a test on the raw line links.
UNET_CODEC_SRCS := daemon/unet/unet-frame.c
# The link state machine, pure too: numbering, the transmit and duplicate
# tables, the time service.
UNET_LINK_SRCS := $(UNET_CODEC_SRCS) daemon/unet/unet-numbering.c daemon/unet/unet-tx-table.c \
	daemon/unet/unet-dup-table.c daemon/unet/unet-time-service.c daemon/unet/unet-link.c

UNIT_TESTS += $(BUILD)/unit/test-unet-frame

$(BUILD)/unit/test-unet-frame: $(call san_obj,tests/unit/test-unet-frame.c $(UNET_CODEC_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

FUZZERS += $(BUILD)/fuzz/fuzz-unet-frame

$(BUILD)/fuzz/fuzz-unet-frame: tests/fuzz/fuzz-unet-frame.c $(UNET_CODEC_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

UNIT_TESTS += $(BUILD)/unit/test-unet-link

$(BUILD)/unit/test-unet-link: $(call san_obj,tests/unit/test-unet-link.c $(UNET_LINK_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

FUZZERS += $(BUILD)/fuzz/fuzz-unet-link

$(BUILD)/fuzz/fuzz-unet-link: tests/fuzz/fuzz-unet-link.c $(UNET_LINK_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)
