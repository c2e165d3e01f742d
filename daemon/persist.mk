# SPDX-License-Identifier: GPL-2.0
# The persistence layer: the primary/secondary backup chain
# (daemon/persist/backup.c) on the database format of daemon/config, the
# fill log (fill-log.c) and the daemon's glue between them and the engine
# (run-state.c); their unit tests and the fill-log fuzzer. Included after
# daemon/autofill.mk and daemon/config.mk (so AUTOFILL_SRCS and CONFIG_SRCS
# are known) and before daemon/stationd.mk, which links PERSIST_SRCS.

PERSIST_SRCS := daemon/persist/backup.c daemon/persist/carry-over.c daemon/persist/fill-log.c \
	daemon/persist/run-state.c

UNIT_TESTS += $(BUILD)/unit/test-backup

$(BUILD)/unit/test-backup: $(call san_obj,tests/unit/test-backup.c tests/unit/scratch-files.c \
		daemon/persist/backup.c daemon/persist/carry-over.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

UNIT_TESTS += $(BUILD)/unit/test-fill-log

$(BUILD)/unit/test-fill-log: $(call san_obj,tests/unit/test-fill-log.c tests/unit/scratch-files.c \
		daemon/persist/fill-log.c daemon/autofill/fill-record.c daemon/shared/crc32.c \
		daemon/shared/read-full.c daemon/shared/write-full.c daemon/shared/atomic-replace.c)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA)

# run-state on the real engine and the real compiler, over a fake plant of
# its own; daemon/shared/log.c writes to stderr there.
UNIT_TESTS += $(BUILD)/unit/test-run-state

$(BUILD)/unit/test-run-state: $(call san_obj,tests/unit/test-run-state.c tests/unit/scratch-files.c \
		$(PERSIST_SRCS) daemon/shared/log.c $(AUTOFILL_SRCS) $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_SYSTEMD)

# The fill log is read from the disk at every start: outside input.
FUZZERS += $(BUILD)/fuzz/fuzz-fill-log

$(BUILD)/fuzz/fuzz-fill-log: tests/fuzz/fuzz-fill-log.c daemon/persist/fill-log.c \
		daemon/autofill/fill-record.c daemon/shared/crc32.c daemon/shared/read-full.c \
		daemon/shared/write-full.c daemon/shared/atomic-replace.c | deps
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -O1 -g -D_GNU_SOURCE $(USER_WARN) -I$(TOP) $(FUZZ_FLAGS) \
		-o $@ $(filter %.c,$^)

# Per-command and snapshot costs for 72 to 4212 detectors (tests/bench/backup.sh).
BENCHES += $(BUILD)/bench/backup-bench

$(BUILD)/bench/backup-bench: $(call obj,tests/bench/backup-bench.c tests/bench/bench-stats.c \
		daemon/persist/backup.c daemon/persist/carry-over.c $(CONFIG_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^
