# SPDX-License-Identifier: GPL-2.0
#
# The Cryostream 800 link (issue 6): status decoder, command encoder,
# parameter table, history ring and controller tracking in daemon/cryo/;
# the Cryostream simulator; their unit tests, fuzzer and benchmark.

# The packet formats alone (what a simulator needs), then the link.
CRYO_CODEC_SRCS := daemon/cryo/cs800-enums.c daemon/cryo/cs800-params.c \
	daemon/cryo/cs800-status.c daemon/cryo/cs800-command.c
CRYO_SRCS := $(CRYO_CODEC_SRCS) daemon/cryo/cryo-history.c \
	daemon/cryo/cryo-link.c daemon/cryo/cryo-socket.c \
	daemon/cryo/cryo-pending.c daemon/cryo/cs800-changes.c
# What stationd links (daemon/stationd.mk): the link on the event loop and
# the org.stationd1.Cryostream objects.
CRYO_DAEMON_SRCS := $(CRYO_SRCS) daemon/cryo/cryo-service.c daemon/bus/bus-cryostream.c
LIBS_CRYO := -lm
# Only simulators, tests and benchmarks build status packets.
CRYO_BUILDER_SRCS := daemon/cryo/cs800-status-builder.c

PROGRAMS += $(BUILD)/bin/cryostream-sim
INSTALL_SIM_BIN += $(BUILD)/bin/cryostream-sim

$(BUILD)/bin/cryostream-sim: $(call obj,tests/sim/cryostream-sim.c $(CRYO_CODEC_SRCS) $(CRYO_BUILDER_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

# Unit tests: every one links the whole (small) cryo library, sanitized.
CRYO_UNIT_TESTS := test-cryo-status test-cryo-command test-cryo-history \
	test-cryo-link test-cryo-loopback test-cryo-pending
UNIT_TESTS += $(addprefix $(BUILD)/unit/,$(CRYO_UNIT_TESTS))

define cryo_unit_test
$(BUILD)/unit/$(1): $(call san_obj,tests/unit/$(1).c $(CRYO_SRCS) $(CRYO_BUILDER_SRCS))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(SAN_FLAGS) -o $$@ $$(filter %.o,$$^) $$(LIBS_CMOCKA) -lm
endef
$(foreach t,$(CRYO_UNIT_TESTS),$(eval $(call cryo_unit_test,$(t))))

# The loopback test runs two real simulators next to itself.
$(BUILD)/unit/test-cryo-loopback: $(BUILD)/bin/cryostream-sim

FUZZERS += $(BUILD)/fuzz/fuzz-cs800-status $(BUILD)/fuzz/fuzz-cs800-command

$(BUILD)/fuzz/fuzz-cs800-status: tests/fuzz/fuzz-cs800-status.c $(CRYO_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $^ -lm

# What the simulator (a controller) parses on its command port.
$(BUILD)/fuzz/fuzz-cs800-command: tests/fuzz/fuzz-cs800-command.c $(CRYO_CODEC_SRCS) | deps
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP,$(USER_CFLAGS)) $(FUZZ_FLAGS) -o $@ $^ -lm

BENCHES += $(BUILD)/bench/cryo-decode

$(BUILD)/bench/cryo-decode: $(call obj,tests/bench/cryo-decode.c tests/bench/bench-stats.c \
		$(CRYO_CODEC_SRCS) $(CRYO_BUILDER_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

# The cryostream and cryostream-link statements of the station
# configuration (daemon/config.mk sorts before this fragment: CONFIG_SRCS).
UNIT_TESTS += $(BUILD)/unit/test-config-cryostream

$(BUILD)/unit/test-config-cryostream: $(call san_obj,tests/unit/test-config-cryostream.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# It also runs the compiler program, as users do.
$(BUILD)/unit/test-config-cryostream: | $(BUILD)/bin/stationd-compile

# Packet arrival -> PropertiesChanged (tests/bench/cryo-latency.sh).
BENCHES += $(BUILD)/bench/cryo-latency

$(BUILD)/bench/cryo-latency: $(call obj,tests/bench/cryo-latency.c tests/bench/bench-stats.c \
		$(CRYO_CODEC_SRCS) $(CRYO_BUILDER_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD) -lm

# The link on sd-event without D-Bus: the bounded status-socket dispatch.
UNIT_TESTS += $(BUILD)/unit/test-cryo-service

$(BUILD)/unit/test-cryo-service: $(call san_obj,tests/unit/test-cryo-service.c $(CONFIG_SRCS) \
		$(CRYO_SRCS) daemon/cryo/cryo-service.c daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_SYSTEMD) $(LIBS_CMOCKA) -lm

# org.stationd1.Cryostream end to end on a private dbus-daemon: the
# daemon side (service, bus-auth, objects) against this test as the
# controller and the client.
UNIT_TESTS += $(BUILD)/unit/test-cryo-bus

$(BUILD)/unit/test-cryo-bus: $(call san_obj,tests/unit/test-cryo-bus.c $(CONFIG_SRCS) \
		$(CRYO_DAEMON_SRCS) $(CRYO_BUILDER_SRCS) daemon/bus/bus-auth.c daemon/bus/bus-message-text.c daemon/shared/log.c \
		tests/unit/private-bus.c)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_SYSTEMD) $(LIBS_CMOCKA) -lm
