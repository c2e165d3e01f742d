# SPDX-License-Identifier: GPL-2.0
# stationd, the daemon: the hardware layer (daemon/hw/) and unit tests of
# what runs without hardware.

UNIT_TESTS += $(BUILD)/unit/test-adc-convert

$(BUILD)/unit/test-adc-convert: $(call san_obj,tests/unit/test-adc-convert.c daemon/hw/adc-convert.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)
