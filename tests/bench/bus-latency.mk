# SPDX-License-Identifier: GPL-2.0
# The D-Bus round-trip benchmark client of stationd, run inside the VM by
# tests/bench/bus-latency.sh.
BENCHES += $(BUILD)/bench/bus-latency

$(BUILD)/bench/bus-latency: $(call obj,tests/bench/bus-latency.c tests/bench/bench-stats.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD)
