# SPDX-License-Identifier: GPL-2.0
# Unit tests of the hardware layer's card hotplug (daemon/hw/hw-hotplug.c)
# and of what the autofill engine makes of a card that leaves and comes
# back. daemon/autofill.mk sorts before this fragment: AUTOFILL_SRCS and
# AUTOFILL_DEPS are known here.

HW_HOTPLUG_SRCS := \
	daemon/hw/hw.c \
	daemon/hw/card-users.c \
	daemon/hw/hw-hotplug.c \
	daemon/hw/adc-convert.c \
	daemon/shared/log.c \
	daemon/config/station.c

UNIT_TESTS += $(BUILD)/unit/test-hw-hotplug $(BUILD)/unit/test-hw-card-loss

$(BUILD)/unit/test-hw-hotplug: $(call san_obj,tests/unit/test-hw-hotplug.c $(HW_HOTPLUG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD) \
		$(LIBS_UDEV) $(LIBS_GPIOD)

$(BUILD)/unit/test-hw-card-loss: $(call san_obj,tests/unit/test-hw-card-loss.c \
		tests/unit/engine-fake.c tests/unit/engine-fixture.c $(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# What depends on a card, for its one journal entry (issue 10 item 14).
UNIT_TESTS += $(BUILD)/unit/test-card-users

$(BUILD)/unit/test-card-users: $(call san_obj,tests/unit/test-card-users.c daemon/hw/card-users.c) \
		$(BUILD)/unit/test-config
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $(call san_obj,tests/unit/test-card-users.c \
		daemon/hw/card-users.c $(CONFIG_SRCS)) $(LIBS_CMOCKA)

# The list of cards on the xvme bus, from its device directory (issue 10
# item 12).
UNIT_TESTS += $(BUILD)/unit/test-card-state

$(BUILD)/unit/test-card-state: $(call san_obj,tests/unit/test-card-state.c tests/unit/scratch-files.c \
		daemon/hw/card-state.c daemon/hw/adc-convert.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_UDEV)
