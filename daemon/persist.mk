# SPDX-License-Identifier: GPL-2.0
# The persistence layer: the primary/secondary backup chain
# (daemon/persist/backup.c) on the database format of daemon/config, and
# its unit test. Included after daemon/config.mk, so CONFIG_SRCS is known.

PERSIST_SRCS := daemon/persist/backup.c

UNIT_TESTS += $(BUILD)/unit/test-backup

$(BUILD)/unit/test-backup: $(call san_obj,tests/unit/test-backup.c $(PERSIST_SRCS) $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# Per-command and snapshot costs for 72 to 4212 detectors (tests/bench/backup.sh).
BENCHES += $(BUILD)/bench/backup-bench

$(BUILD)/bench/backup-bench: $(call obj,tests/bench/backup-bench.c tests/bench/bench-stats.c \
		$(PERSIST_SRCS) $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^
