# SPDX-License-Identifier: GPL-2.0
# n_unet test programs: the peer the VM scenarios drive
# (tests/vm/scenarios/unet-*.sh) and the benchmark (tests/bench/unet-pty.sh).
UNET_LINK_SRC := tests/vm/unet-link.c

PROGRAMS += $(BUILD)/bin/unet-peer
BENCHES += $(BUILD)/bench/unet-bench

$(BUILD)/bin/unet-peer: $(call obj,tests/vm/unet-peer.c $(UNET_LINK_SRC))
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^

$(BUILD)/bench/unet-bench: $(call obj,tests/vm/unet-bench.c $(UNET_LINK_SRC))
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^
