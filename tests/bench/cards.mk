# SPDX-License-Identifier: GPL-2.0
# The XVME card drivers' benchmark program, run inside the VM by
# tests/bench/cards.sh (ADC read, 32-channel scan, relay round trip,
# plant edge -> gpio event latency).
BENCHES += $(BUILD)/bench/cards-bench

$(BUILD)/bench/cards-bench: $(call obj,tests/bench/cards-bench.c tests/bench/bench-stats.c)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_GPIOD)
