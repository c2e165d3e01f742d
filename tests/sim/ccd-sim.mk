# SPDX-License-Identifier: GPL-2.0
#
# The CCD controller simulator: its mechanisms and runs (ccd-controller),
# pixels (ccd-image), its end of the link (ccd-sim-link), its line
# (ccd-sim-line), the fault language (ccd-sim-control), the ccd-sim
# program, their unit tests and fuzzers. It shares the frame codec, the
# profile parser and the format rules with stationd (daemon/unet.mk,
# daemon/ccd.mk).

# Pure code: what the unit tests and fuzzers link.
CCD_SIM_CORE_SRCS := tests/sim/ccd-controller.c tests/sim/ccd-image.c \
	tests/sim/ccd-sim-link.c tests/sim/ccd-sim-control.c \
	daemon/ccd/ccd-format.c daemon/ccd/ccd-speed.c $(UNET_CODEC_SRCS) \
	daemon/unet/unet-numbering.c daemon/unet/unet-tx-table.c daemon/unet/unet-dup-table.c
CCD_SIM_SRCS := tests/sim/ccd-sim.c tests/sim/ccd-sim-line.c tests/sim/control-source.c \
	tests/sim/sim-args.c tests/vm/unet-link.c \
	$(sort $(CCD_SIM_CORE_SRCS) $(CCD_PROFILE_SRCS))

# kernel/unet/unet_framer.c and daemon/unet/unet-frame.c both define a
# unet_frame_encode(); the simulator needs the framer's receive side and
# the codec, so its copy of the framer has that one function renamed.
CCD_SIM_FRAMER_RENAME := -Dunet_frame_encode=unet_framer_frame_encode
CFLAGS_ccd-sim-line := $(CCD_SIM_FRAMER_RENAME)

$(BUILD)/obj/tests/sim/ccd-sim-framer.o: kernel/unet/unet_framer.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(CCD_SIM_FRAMER_RENAME) -c -o $@ $<

PROGRAMS += $(BUILD)/bin/ccd-sim
INSTALL_SIM_BIN += $(BUILD)/bin/ccd-sim

$(BUILD)/bin/ccd-sim: $(call obj,$(CCD_SIM_SRCS)) $(BUILD)/obj/tests/sim/ccd-sim-framer.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

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

# The host's end of the line for the VM scenario tests/vm/scenarios/ccd-sim.sh.
PROGRAMS += $(BUILD)/bin/ccd-sim-check

$(BUILD)/bin/ccd-sim-check: $(call obj,tests/vm/ccd-sim-check.c tests/vm/unet-link.c $(UNET_CODEC_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^
