# SPDX-License-Identifier: GPL-2.0
# Unit tests of the bus objects (daemon/bus/): the detector, manifold and
# autofill objects over a peer-to-peer sd-bus connection, on the fake
# plant's engine (tests/unit/engine-fake.c). The daemon links the same
# sources through daemon/stationd.mk.
UNIT_TESTS += $(BUILD)/unit/test-bus-objects $(BUILD)/unit/test-bus-autofill

# The autofill's command path: authorization, its audit text, the error
# map, the object (the daemon links them through daemon/stationd.mk).
BUS_AUTOFILL_SRCS := daemon/bus/bus-auth.c daemon/bus/bus-message-text.c \
	daemon/bus/bus-errors.c daemon/bus/bus-fill-record.c daemon/bus/bus-autofill.c \
	daemon/shared/log.c

# The Version property is the Makefile's STATIOND_VERSION.
$(call obj,daemon/bus/bus-manager.c) $(call san_obj,daemon/bus/bus-manager.c): Makefile

$(BUILD)/unit/test-bus-objects: $(call san_obj,tests/unit/test-bus-objects.c \
		tests/unit/engine-fake.c $(BUS_AUTOFILL_SRCS) daemon/bus/bus-detector.c \
		daemon/bus/bus-manifold.c daemon/bus/bus-object-tree.c \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# The commands end to end through a private dbus-daemon (authorization
# without polkit, refusals, the commit hook and NotDurable).
$(BUILD)/unit/test-bus-autofill: $(call san_obj,tests/unit/test-bus-autofill.c \
		tests/unit/private-bus.c tests/unit/engine-fake.c $(BUS_AUTOFILL_SRCS) \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# A call's arguments as the audit trail's text.
UNIT_TESTS += $(BUILD)/unit/test-bus-message-text

$(BUILD)/unit/test-bus-message-text: $(call san_obj,tests/unit/test-bus-message-text.c \
		daemon/bus/bus-message-text.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# Per-operation authorization: a fake polkit authority and a client that
# is not root, through a private dbus-daemon.
UNIT_TESTS += $(BUILD)/unit/test-bus-auth

$(BUILD)/unit/test-bus-auth: $(call san_obj,tests/unit/test-bus-auth.c \
		tests/unit/private-bus.c tests/unit/engine-fake.c $(BUS_AUTOFILL_SRCS) \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# The connection: the name owned, and a lost bus noticed (issue 10 item 16).
UNIT_TESTS += $(BUILD)/unit/test-bus-manager

$(BUILD)/unit/test-bus-manager: $(call san_obj,tests/unit/test-bus-manager.c \
		tests/unit/private-bus.c tests/unit/engine-fake.c daemon/shared/log.c \
		daemon/bus/bus-manager.c daemon/bus/bus-errors.c daemon/scan-timing.c \
		$(AUTOFILL_SRCS) $(AUTOFILL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)
