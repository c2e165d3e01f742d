# SPDX-License-Identifier: GPL-2.0
#
# The SCCD server of stationd (issue 13): the UtilityNet link layer in
# daemon/unet/ and the CCD server in daemon/ccd/, their unit tests and
# fuzzers. Sorted after daemon/config.mk (CONFIG_SRCS) and before
# daemon/stationd.mk, which links the daemon's part.

# ---- daemon/unet/
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

# The frame device on sd-event: hang-up, reopen with backoff (on ptys).
UNIT_TESTS += $(BUILD)/unit/test-unet-device

$(BUILD)/unit/test-unet-device: $(call san_obj,tests/unit/test-unet-device.c tests/unit/scratch-files.c \
		daemon/unet/unet-device.c daemon/unet/unet-frame.c daemon/shared/read-full.c daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

UNIT_TESTS += $(BUILD)/unit/test-unet-link

$(BUILD)/unit/test-unet-link: $(call san_obj,tests/unit/test-unet-link.c $(UNET_LINK_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

FUZZERS += $(BUILD)/fuzz/fuzz-unet-link

$(BUILD)/fuzz/fuzz-unet-link: tests/fuzz/fuzz-unet-link.c $(UNET_LINK_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

# ---- daemon/ccd/

# What the simulator links besides the frame codec (above): the
# profile parser and what it needs.
CCD_PROFILE_SRCS := daemon/ccd/ccd-profile.c daemon/ccd/ccd-format.c daemon/ccd/ccd-speed.c \
	daemon/config/diagnostics.c daemon/shared/read-full.c $(UNET_CODEC_SRCS)
LIBS_CCD_PROFILE := -lm

UNIT_TESTS += $(BUILD)/unit/test-ccd-profile

$(BUILD)/unit/test-ccd-profile: $(call san_obj,tests/unit/test-ccd-profile.c $(CCD_PROFILE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_CCD_PROFILE)

# The ccd statement of the station configuration and the ccd records of
# the database (daemon/config.mk sorts before this fragment: CONFIG_SRCS).
UNIT_TESTS += $(BUILD)/unit/test-config-ccd

$(BUILD)/unit/test-config-ccd: $(call san_obj,tests/unit/test-config-ccd.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# The SCCD server's logic, pure: what stationd links besides the link
# layer and the profile parser.
CCD_SERVER_SRCS := daemon/ccd/ccd-mechanism.c daemon/ccd/ccd-run.c daemon/ccd/ccd-settings.c \
	daemon/ccd/ccd-server.c

UNIT_TESTS += $(BUILD)/unit/test-ccd-server

$(BUILD)/unit/test-ccd-server: $(call san_obj,tests/unit/test-ccd-server.c $(CCD_SERVER_SRCS) \
		$(CCD_PROFILE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_CCD_PROFILE)

# What stationd links (daemon/stationd.mk): the link layer, the server, the
# data channel, FITS files, the service on the loop and the bus objects.
CCD_DAEMON_SRCS := $(UNET_LINK_SRCS) daemon/unet/unet-device.c $(CCD_PROFILE_SRCS) \
	$(CCD_SERVER_SRCS) daemon/ccd/ccd-run-number.c daemon/ccd/ccd-image-header.c \
	daemon/ccd/ccd-data-socket.c daemon/ccd/ccd-fits.c daemon/ccd/ccd-service.c \
	daemon/bus/bus-ccd.c daemon/shared/atomic-replace.c daemon/shared/write-full.c
LIBS_CFITSIO = $(shell pkg-config --libs cfitsio)
LIBS_CCD = $(LIBS_CFITSIO) -lm

# The data channel and the run number file, on a real socket and sd-event.
UNIT_TESTS += $(BUILD)/unit/test-ccd-data

$(BUILD)/unit/test-ccd-data: $(call san_obj,tests/unit/test-ccd-data.c tests/unit/scratch-files.c \
		daemon/ccd/ccd-image-header.c daemon/ccd/ccd-data-socket.c daemon/ccd/ccd-run-number.c \
		daemon/shared/atomic-replace.c daemon/shared/read-full.c daemon/shared/write-full.c \
		daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# The header line is outside input.
FUZZERS += $(BUILD)/fuzz/fuzz-ccd-image-header

$(BUILD)/fuzz/fuzz-ccd-image-header: tests/fuzz/fuzz-ccd-image-header.c daemon/ccd/ccd-image-header.c | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

# FITS files, read back with cfitsio and checked with fitsverify.
UNIT_TESTS += $(BUILD)/unit/test-ccd-fits

$(BUILD)/unit/test-ccd-fits: $(call san_obj,tests/unit/test-ccd-fits.c tests/unit/scratch-files.c \
		daemon/ccd/ccd-fits.c $(CCD_SERVER_SRCS) $(CCD_PROFILE_SRCS) daemon/ccd/ccd-image-header.c \
		daemon/ccd/ccd-data-socket.c daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD) $(LIBS_CCD)

# Link goodput on n_unet at 9600 baud with 1 % of the frames spoiled
# (tests/bench/ccd-link.sh, in the VM).
BENCHES += $(BUILD)/bench/ccd-link-bench

$(BUILD)/bench/ccd-link-bench: $(call obj,tests/bench/ccd-link-bench.c tests/bench/bench-stats.c $(UNET_LINK_SRCS) \
		daemon/unet/unet-device.c daemon/shared/read-full.c \
		daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD)

# How long a FITS step holds the loop (tests/bench/ccd-fits.sh, on the host).
BENCHES += $(BUILD)/bench/ccd-fits-bench

$(BUILD)/bench/ccd-fits-bench: $(call obj,tests/bench/ccd-fits-bench.c tests/bench/bench-stats.c \
		daemon/ccd/ccd-fits.c $(CCD_SERVER_SRCS) $(CCD_PROFILE_SRCS) daemon/ccd/ccd-image-header.c \
		daemon/ccd/ccd-data-socket.c daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD) $(LIBS_CCD)

# StartRun -> PIC frame and status -> PropertiesChanged against Peer.Ping
# (tests/bench/ccd-latency.sh, in the VM).
BENCHES += $(BUILD)/bench/ccd-latency

$(BUILD)/bench/ccd-latency: $(call obj,tests/bench/ccd-latency.c tests/bench/bench-stats.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD)
