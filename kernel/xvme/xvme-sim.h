/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated XVME crate (module xvme-sim), as seen by KUnit suites:
 * create a crate from a card list, find its cards, drive the plant (the
 * world outside the cards' connectors) and inject faults. The same
 * operations are the debugfs plant files under xvme-sim/<card>/.
 *
 * Register models follow shared/spec/xvme-cards.md. Where the spec leaves
 * a choice, the model makes it here:
 * - ID PROM: "VMEIDXYC<model>A", space padded; even bytes read 0xff.
 *   The bad-id fault sets bit 7 of the three model characters (a stuck
 *   data line), so the ID is not ASCII.
 * - Offsets a card does not decode read all ones; writes there are lost.
 * - XVME-240: CSR bit 2 (pending) is (IPR & IMR) != 0; the card's
 *   interrupt is asserted while that and CSR bit 3 (enable) are set.
 *   Soft reset clears CSR, IPR, IMR, IVR, FLAGS, PDR and the port
 *   latches (no-reset-clear: FLAGS, PDR and the latches survive).
 * - XVME-560: START samples the channel in CHAN; the conversion ends
 *   15 us later (evaluated when CSR or DATA is read). It ends with DONE;
 *   with the adc-error fault it ends with DONE and ERR and DATA 0; with
 *   adc-stuck BUSY never clears. Codes: bipolar
 *   (mV + 10000) * 4096 / 20000, unipolar mV * 4096 / 10000, rounded
 *   down and clamped to 0..0xfff.
 * - Interrupts: a 240 asserts the VME level of its jumper (card list
 *   option irq1..irq7, XVME_SIM_IRQ_LEVEL_DEFAULT without) while
 *   (IPR & IMR) and CSR bit 3; the IACK cycle returns its IVR. The other
 *   models do not interrupt.
 * - Power-on (card creation) resets every card completely; faults given
 *   at creation apply from then on, so bad-id is seen by the first scan.
 *   An XVME-260 created with no-reset-clear powers up with both output
 *   latches at XVME_SIM_LATCH_UNDEFINED (its reset never cleared them).
 */
#ifndef _XVME_XVME_SIM_H
#define _XVME_XVME_SIM_H

#include <linux/types.h>

#include "xvme.h"

#define XVME_SIM_AIN_CHANNELS	32
#define XVME_SIM_AIN_LIMIT_MV	30000	/* plant range; codes clamp at +-10 V */
#define XVME_SIM_NOISE_MAX	1000	/* conversions of one noise burst */
/* An XVME-560 conversion: BUSY from START until this much later. */
#define XVME_SIM_560_CONVERSION_NS	15000
/* Power-up latch pattern of an XVME-260 whose reset is broken. */
#define XVME_SIM_LATCH_UNDEFINED	0x5a5a
/* Interrupter level of a 240 whose card list entry names none. */
#define XVME_SIM_IRQ_LEVEL_DEFAULT	1

enum xvme_sim_fault {
	XVME_SIM_FAULT_NONE,
	XVME_SIM_FAULT_ABSENT,		/* every access is a bus error */
	XVME_SIM_FAULT_BAD_ID,		/* ID PROM corrupt */
	XVME_SIM_FAULT_ADC_STUCK,	/* 560: BUSY never clears */
	XVME_SIM_FAULT_ADC_ERROR,	/* 560: conversions end with ERR */
	XVME_SIM_FAULT_NO_RESET_CLEAR,	/* 240/260: outputs survive reset */
	XVME_SIM_FAULT_COUNT,
};

struct xvme_sim;
struct xvme_sim_card;

/*
 * Everything here is for KUnit suites (symbol namespace XVME_KUNIT); the
 * module's own users are its parameters and the debugfs plant.
 *
 * @cards: "240@0x0400:irq2,260@0x0800,560@0x0c00:unipolar,560@0x1000:bad-id";
 * options after a colon: "unipolar" (560), "irq<level>" (240) or a fault
 * name.
 * Return: the simulated crate (already registered, cards added) or an
 * ERR_PTR(): -EINVAL for a bad card list (logged with the reason).
 */
struct xvme_sim *xvme_sim_create(const char *cards, bool slot0_usable);
void xvme_sim_destroy(struct xvme_sim *sim);
struct xvme_crate *xvme_sim_crate(struct xvme_sim *sim);

/* The simulated card at @base, or NULL when that slot is empty. */
struct xvme_sim_card *xvme_sim_card_at(struct xvme_sim *sim, u16 base);

/*
 * Plant. Setters return 0, -EINVAL for a value out of range (or a fault
 * the model cannot have: adc-* on a non-560, no-reset-clear on a 560)
 * and -EOPNOTSUPP when the card's model has no such input or output.
 */
int xvme_sim_set_ain(struct xvme_sim_card *sc, unsigned int channel, int mv);
int xvme_sim_get_ain(struct xvme_sim_card *sc, unsigned int channel, int *mv);
/* Noise: the next @conversions (1 to 1000) of @channel read @mv. */
int xvme_sim_set_ain_noise(struct xvme_sim_card *sc, unsigned int channel,
			   int mv, unsigned int conversions);
int xvme_sim_set_unipolar(struct xvme_sim_card *sc, bool unipolar);
int xvme_sim_get_relays(struct xvme_sim_card *sc, u32 *relays);
int xvme_sim_set_ports(struct xvme_sim_card *sc, u64 levels);
int xvme_sim_get_ports(struct xvme_sim_card *sc, u64 *ports);
int xvme_sim_set_irq_inputs(struct xvme_sim_card *sc, u8 levels);
int xvme_sim_get_flags(struct xvme_sim_card *sc, u8 *flags);
int xvme_sim_set_fault(struct xvme_sim_card *sc, enum xvme_sim_fault fault);
enum xvme_sim_fault xvme_sim_get_fault(struct xvme_sim_card *sc);

/*
 * Hotplug: pull a card out of its slot (its device leaves the bus) or put
 * it back (power-on reset, device added, driver bound); may sleep. The
 * "absent" fault is different: a dead card whose device stays.
 */
int xvme_sim_set_present(struct xvme_sim_card *sc, bool present);
bool xvme_sim_get_present(struct xvme_sim_card *sc);

/* "none", "absent", ...; parse returns the fault or -EINVAL. */
const char *xvme_sim_fault_name(enum xvme_sim_fault fault);
int xvme_sim_fault_parse(const char *name);

/* Observation for tests. */
bool xvme_sim_irq_asserted(struct xvme_sim_card *sc);
/*
 * The bridge delivers @level: enabled by the core, not masked as stuck,
 * the crate not shut down.
 */
bool xvme_sim_irq_level_enabled(struct xvme_sim *sim, unsigned int level);
/*
 * A slow bridge: the card's next bus cycle, whoever makes it, waits in the
 * backend until released, so a test can make things happen in between.
 */
void xvme_sim_stall_arm(struct xvme_sim_card *sc);
bool xvme_sim_stall_wait(struct xvme_sim_card *sc, unsigned int ms);
void xvme_sim_stall_release(struct xvme_sim_card *sc);
/* D8 and D16 write cycles the card has seen since creation. */
unsigned long xvme_sim_write_cycles(struct xvme_sim_card *sc);

#endif /* _XVME_XVME_SIM_H */
