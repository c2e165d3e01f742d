# SPDX-License-Identifier: GPL-2.0
# Scan-period jitter of a running stationd under bus and network load:
# the load generator and the reading of stationd's own scan record, run
# inside the VM by tests/bench/scan-jitter.sh.
BENCHES += $(BUILD)/bench/scan-jitter

$(BUILD)/bench/scan-jitter: $(call obj,tests/bench/scan-jitter.c tests/bench/bench-stats.c \
		$(CRYO_CODEC_SRCS) $(CRYO_BUILDER_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD) -lm -pthread
