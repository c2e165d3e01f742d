/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the files of the xvme-sim module: the crate (backend,
 * interrupts, module parameters), the register models and the debugfs
 * plant interface.
 */
#ifndef _XVME_SIM_INTERNAL_H
#define _XVME_SIM_INTERNAL_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "xvme.h"
#include "xvme-sim.h"

struct dentry;
struct platform_device;

/* One simulated card: its registers and the plant wired to it. */
struct xvme_sim_card {
	struct xvme_sim *sim;
	u16 base;
	enum xvme_model model;
	enum xvme_sim_fault fault;
	bool present;		/* in its slot; out of it every access is a bus error */
	unsigned long write_cycles;

	/* XVME-240 */
	u8 csr240;		/* RED, GRN, IRQ enable */
	u8 ipr, imr, ivr, flags, pdr;
	u8 port_latch[8];
	u64 port_levels;	/* plant: levels at the input pins */
	u8 irq_inputs;		/* plant: levels of the interrupt inputs */

	/* XVME-260 */
	u16 out[2];

	/* XVME-560 */
	bool unipolar;		/* plant: the BIPOLAR jumper removed */
	u16 csr560_leds;
	u16 chan;
	u16 data;
	bool busy, done, err;
	ktime_t conv_start;
	int conv_mv;		/* sampled at START */
	int ain_mv[XVME_SIM_AIN_CHANNELS];
	int noise_mv[XVME_SIM_AIN_CHANNELS];	/* plant: read instead of ain_mv */
	unsigned int noise_left[XVME_SIM_AIN_CHANNELS];	/* by that many conversions */

	/* the card's VME interrupter: its level jumper (240 only) */
	unsigned int irq_level;

	/* a stalled bus cycle, for tests (xvme_sim_stall_arm()) */
	atomic_t stall;
	struct completion stall_held;
	struct completion stall_release;

	struct dentry *debugfs;
};

struct xvme_sim {
	struct platform_device *pdev;
	struct xvme_crate *crate;
	/*
	 * Registers and plant of every card, and the bridge's levels; taken
	 * with interrupts off (the core masks levels from irq_chip
	 * callbacks).
	 */
	raw_spinlock_t lock;
	struct xvme_sim_card *slot[XVME_SLOTS];
	struct xvme_sim_card *cards;
	unsigned int ncards;
	/* The bridge: levels the core enabled, levels masked as stuck. */
	bool level_enabled[XVME_IRQ_LEVELS + 1];
	bool level_stuck[XVME_IRQ_LEVELS + 1];
	bool irqs_stopped;		/* crate going away or shut down */
	struct work_struct raise_work;	/* deliver the asserted levels */
	/* A card's presence and its device on the bus change together. */
	struct mutex hotplug_lock;
};

/* xvme-sim-regs.c: with sim->lock held */
void xvme_sim_power_on(struct xvme_sim_card *sc);
void xvme_sim_power_off(struct xvme_sim_card *sc);
int xvme_sim_reg_read8(struct xvme_sim_card *sc, u16 offset, u8 *val);
int xvme_sim_reg_write8(struct xvme_sim_card *sc, u16 offset, u8 val);
int xvme_sim_reg_read16(struct xvme_sim_card *sc, u16 offset, u16 *val);
int xvme_sim_reg_write16(struct xvme_sim_card *sc, u16 offset, u16 val);
bool xvme_sim_irq_line(struct xvme_sim_card *sc);
u8 xvme_sim_irq_vector(struct xvme_sim_card *sc);
void xvme_sim_irq_inputs_change(struct xvme_sim_card *sc, u8 levels);
u64 xvme_sim_ports_read(struct xvme_sim_card *sc);
void xvme_sim_latches_show(struct xvme_sim_card *sc, char *buf, size_t size);

/* xvme-sim-crate.c: deliver the card's level if it is asserted and enabled */
void xvme_sim_irq_update(struct xvme_sim_card *sc);

/* xvme-sim-plant.c */
enum {
	XVME_SIM_STALL_OFF,
	XVME_SIM_STALL_ARMED,
	XVME_SIM_STALL_HELD,
};

void xvme_sim_stall_point(struct xvme_sim_card *sc);
bool xvme_sim_fault_fits(enum xvme_sim_fault fault, enum xvme_model model);
int xvme_sim_plant_init(void);
void xvme_sim_plant_exit(void);
void xvme_sim_plant_add(struct xvme_sim_card *sc, const char *name);
void xvme_sim_plant_remove(struct xvme_sim_card *sc);

#endif /* _XVME_SIM_INTERNAL_H */
