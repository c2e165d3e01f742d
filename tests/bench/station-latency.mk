# SPDX-License-Identifier: GPL-2.0
# Exhaust crossing -> valve closed latency of a running stationd: the
# program that plays the plant for one manifold, run inside the VM by
# tests/bench/station-latency.sh.
BENCHES += $(BUILD)/bench/station-latency

$(BUILD)/bench/station-latency: $(call obj,tests/bench/station-latency.c tests/bench/bench-stats.c \
		tests/sim/plant.c daemon/shared/read-full.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_SYSTEMD)
