# SPDX-License-Identifier: GPL-2.0
#
# The LN2 plant simulator: physics (ln2-model) and its unit test.

LN2_MODEL_SRCS := tests/sim/ln2-model.c

UNIT_TESTS += $(BUILD)/unit/test-ln2-model

$(BUILD)/unit/test-ln2-model: $(call san_obj,tests/unit/test-ln2-model.c $(LN2_MODEL_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) -lm
