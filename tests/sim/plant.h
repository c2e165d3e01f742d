/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plant library: how simulators drive the simulated crate (kernel
 * module xvme-sim) from outside, through its debugfs plant interface
 * under /sys/kernel/debug/xvme-sim/<card>/ (<card> is the card device
 * name, e.g. xvme0-0c00):
 *
 *   ain         560  read: 32 signed mV values, space separated, "\n"
 *                    write: "<ch> <mV>" or all 32 values at once
 *   range       560  "bipolar" or "unipolar" (the BIPOLAR jumper)
 *   relays      260  read "0x%08x": bit n = relay n energized
 *   ports       240  "0x%016llx": bits 8p..8p+7 = port p; write = input levels
 *   irq_inputs  240  "0x%02x": level of the 8 interrupt inputs; 0->1 is an edge
 *   flags       240  read "0x%02x": the 8 flag outputs
 *   fault       all  none, absent, bad-id, adc-stuck, adc-error, no-reset-clear
 *
 * A plant updates ~100 ADC channels at 20 Hz, so a card keeps each file
 * open once used and writes all 32 channels of a card in one write.
 *
 * Every function returns 0 or a negative errno: -ENOENT for a card or a
 * plant file that is not there (a 240 has no "ain"), -ERANGE for a
 * channel, voltage or bit outside the card, -EINVAL for a bad name or a
 * value the simulator refused, -EBADMSG for file contents not in the
 * format above, -EIO for a write the simulator took only part of.
 * Arguments are checked before anything is written, so a refused call
 * changes nothing.
 */
#ifndef STATIOND_TESTS_SIM_PLANT_H
#define STATIOND_TESTS_SIM_PLANT_H

#include <stdint.h>

#include "daemon/shared/macro.h"

#define PLANT_DEFAULT_ROOT	"/sys/kernel/debug/xvme-sim"
#define PLANT_ROOT_ENV		"XVME_SIM_PLANT_ROOT"

#define PLANT_AIN_CHANNELS	32
/*
 * The voltages the simulator accepts at an input: over-range on purpose,
 * so a plant can drive a sensor past the card's +-10 V and see the
 * conversion clamp at full scale, as a real XVME-560 would.
 */
#define PLANT_AIN_MV_MIN	(-30000)
#define PLANT_NOISE_MAX		1000	/* conversions of one noise burst */
#define PLANT_AIN_MV_MAX	30000
#define PLANT_IRQ_INPUTS	8

enum plant_range {
	PLANT_RANGE_BIPOLAR,
	PLANT_RANGE_UNIPOLAR,
	_PLANT_RANGE_MAX,
};

enum plant_fault {
	PLANT_FAULT_NONE,
	PLANT_FAULT_ABSENT,
	PLANT_FAULT_BAD_ID,
	PLANT_FAULT_ADC_STUCK,
	PLANT_FAULT_ADC_ERROR,
	PLANT_FAULT_NO_RESET_CLEAR,
	_PLANT_FAULT_MAX,
};

/* Names as the plant files spell them; NULL for a value out of range. */
const char *plant_range_to_string(enum plant_range range);
const char *plant_fault_to_string(enum plant_fault fault);
/* The enum value for a name, or -EINVAL for an unknown name. */
int plant_range_from_string(const char *name);
int plant_fault_from_string(const char *name);

struct plant;
struct plant_card;

/*
 * Open the plant root: @root, or if NULL $XVME_SIM_PLANT_ROOT, or if
 * unset PLANT_DEFAULT_ROOT (needs debugfs mounted and root privileges).
 */
int plant_open(const char *root, struct plant **ret);
struct plant *plant_close(struct plant *plant);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plant *, plant_close);
#define _cleanup_plant_ _cleanup_(plant_closep)

const char *plant_root(const struct plant *plant);

/*
 * The names of the cards present under the root, sorted, in a
 * NULL-terminated array; free it with plant_card_list_free().
 */
int plant_card_list(struct plant *plant, char ***ret);
char **plant_card_list_free(char **names);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, plant_card_list_free);
#define _cleanup_card_list_ _cleanup_(plant_card_list_freep)

/* A card by device name ("xvme0-0c00"); -ENOENT if it is not there. */
int plant_card_open(struct plant *plant, const char *name,
		    struct plant_card **ret);
struct plant_card *plant_card_close(struct plant_card *card);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plant_card *, plant_card_close);
#define _cleanup_plant_card_ _cleanup_(plant_card_closep)

const char *plant_card_name(const struct plant_card *card);

/* XVME-560 analogue inputs, in millivolts. */
int plant_ain_set(struct plant_card *card, unsigned int channel, int mv);
int plant_ain_set_all(struct plant_card *card,
		      const int mv[PLANT_AIN_CHANNELS]);
int plant_ain_get_all(struct plant_card *card, int mv[PLANT_AIN_CHANNELS]);
/* Noise: the next `conversions` (1 to PLANT_NOISE_MAX) conversions of the
 * channel read mv, then the plant's value again. */
int plant_ain_noise(struct plant_card *card, unsigned int channel, int mv,
		    unsigned int conversions);
int plant_range_get(struct plant_card *card, enum plant_range *ret);
int plant_range_set(struct plant_card *card, enum plant_range range);

/* XVME-260 relay latch: bit n set = relay n energized (valve open). */
int plant_relays_get(struct plant_card *card, uint32_t *ret);

/* XVME-240: ports (port p in bits 8p..8p+7), interrupt inputs, flags. */
int plant_ports_get(struct plant_card *card, uint64_t *ret);
int plant_ports_set(struct plant_card *card, uint64_t levels);
int plant_irq_inputs_get(struct plant_card *card, uint8_t *ret);
int plant_irq_inputs_set(struct plant_card *card, uint8_t levels);
/*
 * One rising edge on interrupt input @bit, leaving every input at the
 * level it had: low-high-low if it was low, high-low-high if it was high.
 */
int plant_irq_pulse(struct plant_card *card, unsigned int bit);
int plant_flags_get(struct plant_card *card, uint8_t *ret);

/* Fault injection, any card. */
int plant_fault_get(struct plant_card *card, enum plant_fault *ret);
int plant_fault_set(struct plant_card *card, enum plant_fault fault);

#endif
