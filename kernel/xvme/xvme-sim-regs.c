// SPDX-License-Identifier: GPL-2.0
/*
 * Register models of the simulated XVME-240, -260 and -560 cards
 * (shared/spec/xvme-cards.md; the choices the spec leaves open are listed
 * in xvme-sim.h). Offsets are card relative. Every function here runs
 * with the crate's lock held and never sleeps.
 *
 * The models keep registers in the width the card decodes them: the 240
 * has byte registers (a D16 cycle is two of them, high byte first, as
 * VME is big-endian), the 260 and 560 have 16-bit registers (a D8 cycle
 * reads or writes one byte lane of one).
 */
#include <linux/bits.h>
#include <linux/minmax.h>

#include "xvme-sim-internal.h"

#define XVME_ID_END		0x40
/* LED bits of the family's CSR: RED=1 turns the red LED off, GRN=1 on. */
#define XVME_CSR_RED_OFF	BIT(0)
#define XVME_CSR_GRN_ON		BIT(1)
#define XVME_UNDECODED8		0xff
#define XVME_UNDECODED16	0xffff

/* XVME-240 */
#define X240_IIR	0x80
#define X240_CSR	0x81
#define X240_IPR	0x82
#define X240_IMR	0x83
#define X240_ICR	0x84
#define X240_IVR	0x85
#define X240_FLAGS	0x86
#define X240_PDR	0x87
#define X240_PORT0	0x88	/* ports 0..7 at 0x88..0x8f, one byte each */
#define X240_PORTS	8
#define X240_CSR_PENDING	BIT(2)
#define X240_CSR_IRQ_EN		BIT(3)
#define X240_CSR_RESET		BIT(4)
#define X240_CSR_WRITABLE	(XVME_CSR_RED_OFF | XVME_CSR_GRN_ON | \
				 X240_CSR_IRQ_EN)

/* XVME-260 */
#define X260_CSR	0x80
#define X260_OUT0_15	0x88
#define X260_OUT16_31	0x8a
#define X260_CSR_RESET	BIT(4)

/* XVME-560 */
#define X560_CSR	0x80
#define X560_CHAN	0x82
#define X560_DATA	0x84
#define X560_CSR_LEDS		(XVME_CSR_RED_OFF | XVME_CSR_GRN_ON)
#define X560_CSR_RESET		BIT(4)
#define X560_CSR_START		BIT(7)
#define X560_CSR_BUSY		BIT(8)
#define X560_CSR_DONE		BIT(9)
#define X560_CSR_ERR		BIT(10)
#define X560_CSR_BIPOLAR	BIT(12)
#define X560_CHAN_MASK		0x1f
#define X560_CODE_MAX		0xfff

/* ------------------------------------------------------------- ID PROM */

static u8 xvme_sim_id_char(struct xvme_sim_card *sc, unsigned int i)
{
	char id[XVME_ID_CHARS + 1];
	u8 c;

	snprintf(id, sizeof(id), "%s%03dA%*s", XVME_ID_PREFIX, sc->model,
		 XVME_ID_CHARS - 12, "");
	c = id[i];
	/* A stuck D7 on the model digits: the ID is no longer ASCII. */
	if (sc->fault == XVME_SIM_FAULT_BAD_ID && i >= 8 && i < 11)
		c |= 0x80;
	return c;
}

static u8 xvme_sim_id_read(struct xvme_sim_card *sc, u16 offset)
{
	if (!(offset & 1))
		return XVME_UNDECODED8;
	return xvme_sim_id_char(sc, (offset - XVME_ID_FIRST) / 2);
}

/* ------------------------------------------------------------ XVME-240 */

static bool x240_pending(struct xvme_sim_card *sc)
{
	return sc->ipr & sc->imr;
}

static void x240_reset(struct xvme_sim_card *sc, bool keep_outputs)
{
	sc->csr240 = 0;
	sc->ipr = 0;
	sc->imr = 0;
	sc->ivr = 0;
	if (!keep_outputs) {
		sc->flags = 0;
		sc->pdr = 0;
		memset(sc->port_latch, 0, sizeof(sc->port_latch));
	}
}

static u8 x240_port(struct xvme_sim_card *sc, unsigned int port)
{
	if (sc->pdr & BIT(port))
		return sc->port_latch[port];
	return sc->port_levels >> (8 * port);
}

/* The bits of the 64 port lines that are outputs (PDR). */
static u64 xvme_sim_output_mask(struct xvme_sim_card *sc)
{
	u64 mask = 0;
	unsigned int p;

	for (p = 0; p < X240_PORTS; p++)
		if (sc->pdr & BIT(p))
			mask |= 0xffULL << (8 * p);
	return mask;
}

u64 xvme_sim_ports_read(struct xvme_sim_card *sc)
{
	u64 ports = 0;
	unsigned int p;

	for (p = 0; p < X240_PORTS; p++)
		ports |= (u64)x240_port(sc, p) << (8 * p);
	return ports;
}

void xvme_sim_irq_inputs_change(struct xvme_sim_card *sc, u8 levels)
{
	u8 rising = levels & ~sc->irq_inputs;

	sc->ipr |= rising & sc->imr;
	sc->irq_inputs = levels;
}

static u8 x240_read(struct xvme_sim_card *sc, u16 offset)
{
	switch (offset) {
	case X240_IIR:
		return sc->irq_inputs;
	case X240_CSR:
		return sc->csr240 | (x240_pending(sc) ? X240_CSR_PENDING : 0);
	case X240_IPR:
		return sc->ipr;
	case X240_IMR:
		return sc->imr;
	case X240_ICR:
		return 0;
	case X240_IVR:
		return sc->ivr;
	case X240_FLAGS:
		return sc->flags;
	case X240_PDR:
		return sc->pdr;
	case X240_PORT0 ... X240_PORT0 + X240_PORTS - 1:
		return x240_port(sc, offset - X240_PORT0);
	default:
		return XVME_UNDECODED8;
	}
}

static void x240_write(struct xvme_sim_card *sc, u16 offset, u8 val)
{
	switch (offset) {
	case X240_CSR:
		if (val & X240_CSR_RESET)
			x240_reset(sc, sc->fault == XVME_SIM_FAULT_NO_RESET_CLEAR);
		else
			sc->csr240 = val & X240_CSR_WRITABLE;
		break;
	case X240_IMR:
		sc->imr = val;
		break;
	case X240_ICR:
		sc->ipr &= ~val;
		break;
	case X240_IVR:
		sc->ivr = val;
		break;
	case X240_FLAGS:
		sc->flags = val;
		break;
	case X240_PDR:
		sc->pdr = val;
		break;
	case X240_PORT0 ... X240_PORT0 + X240_PORTS - 1:
		/* One byte lane: the other port of the pair is untouched. */
		sc->port_latch[offset - X240_PORT0] = val;
		break;
	default:	/* IIR and IPR are read only */
		break;
	}
}

/* ------------------------------------------------------------ XVME-260 */

static void x260_reset(struct xvme_sim_card *sc, bool keep_outputs)
{
	if (!keep_outputs)
		memset(sc->out, 0, sizeof(sc->out));
}

static u16 x260_read(struct xvme_sim_card *sc, u16 reg)
{
	switch (reg) {
	case X260_CSR:
		return 0;
	case X260_OUT0_15:
		return sc->out[0];
	case X260_OUT16_31:
		return sc->out[1];
	default:
		return XVME_UNDECODED16;
	}
}

static void x260_write(struct xvme_sim_card *sc, u16 reg, u16 val, u16 lanes)
{
	switch (reg) {
	case X260_CSR:
		if (val & lanes & X260_CSR_RESET)
			x260_reset(sc,
				   sc->fault == XVME_SIM_FAULT_NO_RESET_CLEAR);
		break;
	case X260_OUT0_15:
	case X260_OUT16_31: {
		u16 *out = &sc->out[(reg - X260_OUT0_15) / 2];

		*out = (*out & ~lanes) | (val & lanes);
		break;
	}
	default:
		break;
	}
}

/* ------------------------------------------------------------ XVME-560 */

static void x560_reset(struct xvme_sim_card *sc)
{
	sc->csr560_leds = 0;
	sc->chan = 0;
	sc->data = 0;
	sc->busy = false;
	sc->done = false;
	sc->err = false;
}

static u16 x560_code(int mv, bool unipolar)
{
	int code;

	if (unipolar)
		code = clamp(mv, 0, 10000) * 4096 / 10000;
	else
		code = (clamp(mv, -10000, 10000) + 10000) * 4096 / 20000;
	return min(code, X560_CODE_MAX);
}

/* Conversions end lazily: whenever someone looks, 15 us after START. */
static void x560_update(struct xvme_sim_card *sc)
{
	if (!sc->busy || sc->fault == XVME_SIM_FAULT_ADC_STUCK)
		return;
	if (ktime_to_ns(ktime_sub(ktime_get(), sc->conv_start)) <
	    XVME_SIM_560_CONVERSION_NS)
		return;
	sc->busy = false;
	sc->done = true;
	if (sc->fault == XVME_SIM_FAULT_ADC_ERROR) {
		sc->err = true;
		sc->data = 0;
	} else {
		sc->data = x560_code(sc->conv_mv, sc->unipolar);
	}
}

static void x560_start(struct xvme_sim_card *sc)
{
	unsigned int chan;

	sc->done = false;
	sc->err = false;
	sc->busy = true;
	sc->conv_start = ktime_get();
	chan = sc->chan & X560_CHAN_MASK;
	if (sc->noise_left[chan]) {
		sc->noise_left[chan]--;
		sc->conv_mv = sc->noise_mv[chan];
	} else {
		sc->conv_mv = sc->ain_mv[chan];
	}
}

static u16 x560_read(struct xvme_sim_card *sc, u16 reg)
{
	u16 val;

	x560_update(sc);
	switch (reg) {
	case X560_CSR:
		return sc->csr560_leds |
		       (sc->busy ? X560_CSR_BUSY : 0) |
		       (sc->done ? X560_CSR_DONE : 0) |
		       (sc->err ? X560_CSR_ERR : 0) |
		       (sc->unipolar ? 0 : X560_CSR_BIPOLAR);
	case X560_CHAN:
		return sc->chan;
	case X560_DATA:
		val = sc->data;
		sc->done = false;
		return val;
	default:
		return XVME_UNDECODED16;
	}
}

static void x560_write(struct xvme_sim_card *sc, u16 reg, u16 val, u16 lanes)
{
	x560_update(sc);
	val &= lanes;
	switch (reg) {
	case X560_CSR:
		if (val & X560_CSR_RESET) {
			x560_reset(sc);
			break;
		}
		sc->csr560_leds = (sc->csr560_leds & ~lanes) |
				  (val & X560_CSR_LEDS);
		if (val & X560_CSR_START)
			x560_start(sc);
		break;
	case X560_CHAN:
		sc->chan = ((sc->chan & ~lanes) | val) & X560_CHAN_MASK;
		break;
	default:	/* DATA is read only */
		break;
	}
}

/* ------------------------------------------------------------- dispatch */

/*
 * A card without power (pulled out of its slot) drives nothing: relays
 * de-energized, flags and ports low, no conversion running.
 */
void xvme_sim_power_off(struct xvme_sim_card *sc)
{
	switch (sc->model) {
	case XVME_MODEL_240:
		x240_reset(sc, false);
		break;
	case XVME_MODEL_260:
		x260_reset(sc, false);
		break;
	case XVME_MODEL_560:
		x560_reset(sc);
		break;
	default:
		break;
	}
}

void xvme_sim_power_on(struct xvme_sim_card *sc)
{
	xvme_sim_power_off(sc);
	/*
	 * With its reset broken, nothing clears the latches at power-on
	 * either: they come up undefined. That is the state in which a
	 * power-on test sees the fault without energizing anything.
	 */
	if (sc->model == XVME_MODEL_260 &&
	    sc->fault == XVME_SIM_FAULT_NO_RESET_CLEAR) {
		sc->out[0] = XVME_SIM_LATCH_UNDEFINED;
		sc->out[1] = XVME_SIM_LATCH_UNDEFINED;
	}
}

/* The vector the card answers an IACK cycle with. */
u8 xvme_sim_irq_vector(struct xvme_sim_card *sc)
{
	return sc->model == XVME_MODEL_240 ? sc->ivr : 0;
}

/*
 * What the card drives and would interrupt for, one line, for the log at
 * shutdown: the latches the drivers left must be the safe ones.
 */
void xvme_sim_latches_show(struct xvme_sim_card *sc, char *buf, size_t size)
{
	switch (sc->model) {
	case XVME_MODEL_240:
		snprintf(buf, size,
			 "flags 0x%02x pdr 0x%02x ports 0x%016llx imr 0x%02x irq-enable %d",
			 sc->flags, sc->pdr, xvme_sim_ports_read(sc) &
			 xvme_sim_output_mask(sc), sc->imr,
			 !!(sc->csr240 & X240_CSR_IRQ_EN));
		break;
	case XVME_MODEL_260:
		snprintf(buf, size, "relays 0x%08x",
			 (u32)sc->out[1] << 16 | sc->out[0]);
		break;
	default:
		snprintf(buf, size, "no outputs");
		break;
	}
}

bool xvme_sim_irq_line(struct xvme_sim_card *sc)
{
	return sc->model == XVME_MODEL_240 && sc->present &&
	       sc->fault != XVME_SIM_FAULT_ABSENT && x240_pending(sc) &&
	       (sc->csr240 & X240_CSR_IRQ_EN);
}

static bool xvme_sim_has_16bit_regs(struct xvme_sim_card *sc)
{
	return sc->model == XVME_MODEL_260 || sc->model == XVME_MODEL_560;
}

static u16 xvme_sim_read16_reg(struct xvme_sim_card *sc, u16 reg)
{
	if (sc->model == XVME_MODEL_260)
		return x260_read(sc, reg);
	return x560_read(sc, reg);
}

static void xvme_sim_write16_reg(struct xvme_sim_card *sc, u16 reg, u16 val,
				 u16 lanes)
{
	if (sc->model == XVME_MODEL_260)
		x260_write(sc, reg, val, lanes);
	else
		x560_write(sc, reg, val, lanes);
}

int xvme_sim_reg_read8(struct xvme_sim_card *sc, u16 offset, u8 *val)
{
	u16 reg = offset & ~1;

	if (sc->fault == XVME_SIM_FAULT_ABSENT)
		return -EIO;
	if (offset < XVME_ID_END)
		*val = xvme_sim_id_read(sc, offset);
	else if (sc->model == XVME_MODEL_240)
		*val = x240_read(sc, offset);
	else if (xvme_sim_has_16bit_regs(sc))
		*val = (offset & 1) ? xvme_sim_read16_reg(sc, reg) & 0xff :
				      xvme_sim_read16_reg(sc, reg) >> 8;
	else
		*val = XVME_UNDECODED8;
	return 0;
}

int xvme_sim_reg_write8(struct xvme_sim_card *sc, u16 offset, u8 val)
{
	u16 reg = offset & ~1;

	if (sc->fault == XVME_SIM_FAULT_ABSENT)
		return -EIO;
	sc->write_cycles++;
	if (offset < XVME_ID_END)
		return 0;
	if (sc->model == XVME_MODEL_240)
		x240_write(sc, offset, val);
	else if (xvme_sim_has_16bit_regs(sc))
		/* Big-endian: the even address is the high byte lane. */
		xvme_sim_write16_reg(sc, reg, (offset & 1) ? val : val << 8,
				     (offset & 1) ? 0x00ff : 0xff00);
	return 0;
}

int xvme_sim_reg_read16(struct xvme_sim_card *sc, u16 offset, u16 *val)
{
	if (sc->fault == XVME_SIM_FAULT_ABSENT)
		return -EIO;
	if (offset & 1)
		return -EINVAL;
	if (offset < XVME_ID_END)
		*val = XVME_UNDECODED8 << 8 | xvme_sim_id_read(sc, offset + 1);
	else if (sc->model == XVME_MODEL_240)
		*val = x240_read(sc, offset) << 8 | x240_read(sc, offset + 1);
	else if (xvme_sim_has_16bit_regs(sc))
		*val = xvme_sim_read16_reg(sc, offset);
	else
		*val = XVME_UNDECODED16;
	return 0;
}

int xvme_sim_reg_write16(struct xvme_sim_card *sc, u16 offset, u16 val)
{
	if (sc->fault == XVME_SIM_FAULT_ABSENT)
		return -EIO;
	if (offset & 1)
		return -EINVAL;
	sc->write_cycles++;
	if (offset < XVME_ID_END)
		return 0;
	if (sc->model == XVME_MODEL_240) {
		x240_write(sc, offset, val >> 8);
		x240_write(sc, offset + 1, val & 0xff);
	} else if (xvme_sim_has_16bit_regs(sc)) {
		xvme_sim_write16_reg(sc, offset, val, 0xffff);
	}
	return 0;
}
