# SPDX-License-Identifier: GPL-2.0
# The UtilityNet framer fuzzer: kernel/unet/unet_framer.c compiled
# unchanged with libFuzzer and the sanitizers.
FUZZERS += $(BUILD)/fuzz/unet-framer

$(BUILD)/fuzz/unet-framer: tests/fuzz/unet-framer.c kernel/unet/unet_framer.c \
		kernel/unet/unet_framer.h | deps
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -D_GNU_SOURCE $(USER_WARN) -I$(TOP) \
		$(FUZZ_FLAGS) -o $@ tests/fuzz/unet-framer.c kernel/unet/unet_framer.c
