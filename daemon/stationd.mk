# SPDX-License-Identifier: GPL-2.0
# stationd, the daemon: its event loop (stationd.c), logging, the hardware
# layer (daemon/hw/), the bus (daemon/bus/), on the configuration library
# and the autofill engine; unit tests of what runs without hardware.

STATIOND_SRCS := \
	daemon/stationd.c \
	daemon/exhaust-sampler.c \
	daemon/scan-timing.c \
	daemon/shared/log.c \
	daemon/hw/adc-convert.c \
	daemon/hw/hw.c \
	daemon/hw/card-users.c \
	daemon/hw/hw-hotplug.c \
	daemon/hw/card-state.c \
	daemon/hw/card-retest.c \
	daemon/bus/bus-manager.c \
	daemon/bus/bus-auth.c \
	daemon/bus/bus-message-text.c \
	daemon/bus/bus-errors.c \
	daemon/bus/bus-fill-record.c \
	daemon/bus/bus-autofill.c \
	daemon/bus/bus-detector.c \
	daemon/bus/bus-manifold.c \
	daemon/bus/bus-card.c \
	daemon/bus/bus-object-tree.c

PROGRAMS += $(BUILD)/bin/stationd
INSTALL_SBIN += $(BUILD)/bin/stationd

# daemon/autofill.mk, daemon/config.mk and daemon/persist.mk sort before this
# fragment, so AUTOFILL_SRCS, CONFIG_SRCS and PERSIST_SRCS are known here.
# daemon/cryo.mk too: CRYO_DAEMON_SRCS; daemon/sccd.mk: CCD_DAEMON_SRCS.
$(BUILD)/bin/stationd: $(call obj,$(STATIOND_SRCS) $(AUTOFILL_SRCS) $(CONFIG_SRCS) $(PERSIST_SRCS) \
		$(CRYO_DAEMON_SRCS) $(CCD_DAEMON_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^ $(LIBS_SYSTEMD) $(LIBS_UDEV) $(LIBS_GPIOD) $(LIBS_CRYO) \
		$(LIBS_CCD)

UNIT_TESTS += $(BUILD)/unit/test-adc-convert

$(BUILD)/unit/test-adc-convert: $(call san_obj,tests/unit/test-adc-convert.c daemon/hw/adc-convert.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# The fast path's timer on a real sd-event loop over the engine on the
# fake plant (tests/unit/engine-fake.c).
UNIT_TESTS += $(BUILD)/unit/test-exhaust-sampler

$(BUILD)/unit/test-exhaust-sampler: $(call san_obj,tests/unit/test-exhaust-sampler.c \
		daemon/exhaust-sampler.c daemon/shared/log.c tests/unit/engine-fake.c \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# The scan's own timing record: the ring and the next deadline (issue 10
# item 12).
UNIT_TESTS += $(BUILD)/unit/test-scan-timing

$(BUILD)/unit/test-scan-timing: $(call san_obj,tests/unit/test-scan-timing.c daemon/scan-timing.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# The text of a log entry: the error's text in MESSAGE (issue 10 item 17).
UNIT_TESTS += $(BUILD)/unit/test-log

$(BUILD)/unit/test-log: $(call san_obj,tests/unit/test-log.c daemon/shared/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# The card objects (daemon/bus/bus-card.c) on a fake crate, over a
# peer-to-peer connection; here, after daemon/config.mk, for CONFIG_SRCS.
UNIT_TESTS += $(BUILD)/unit/test-bus-card

$(BUILD)/unit/test-bus-card: $(call san_obj,tests/unit/test-bus-card.c daemon/bus/bus-card.c \
		daemon/bus/bus-object-tree.c daemon/hw/card-state.c daemon/hw/adc-convert.c \
		daemon/bus/bus-auth.c daemon/bus/bus-message-text.c daemon/bus/bus-errors.c \
		daemon/shared/log.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD) $(LIBS_UDEV)
