// SPDX-License-Identifier: GPL-2.0
/*
 * The plant of the simulated crate: what is wired to the cards'
 * connectors (analogue inputs, TTL levels, interrupt inputs; relay and
 * flag outputs to observe) and faults to inject. Two faces: exported
 * functions for KUnit suites and debugfs files for userspace simulators,
 * under xvme-sim/<card>/:
 *
 *   ain         560  read: 32 space-separated mV values; write
 *                    "<ch> <mV>" or all 32 values in one write;
 *                    "<ch> <mV> <n>": noise, the next n (1-1000)
 *                    conversions of ch read mV, then the plant again
 *   range       560  "bipolar" or "unipolar" (the BIPOLAR jumper)
 *   relays      260  read "0x%08x": bit n = relay n energized
 *   ports       240  read "0x%016llx": port p in bits 8p..8p+7, inputs
 *                    show the plant, outputs their latch; write the
 *                    64-bit input levels
 *   irq_inputs  240  read/write the 8 interrupt input levels; 0->1 is
 *                    an edge
 *   flags       240  read "0x%02x"
 *   fault       all  read/write none, absent, bad-id, adc-stuck,
 *                    adc-error, no-reset-clear
 *   present     all  read 1 (in its slot) or 0; write 0 to pull the card
 *                    out (its device leaves the bus), 1 to put it back
 *                    (power-on reset, device added, driver bound)
 *
 * A write carries one whole value and is taken from offset 0 whatever
 * the file position, so a simulator can keep the file open and pwrite()
 * at 20 Hz. A malformed or out-of-range write fails with -EINVAL and
 * changes nothing.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "xvme-sim.h"
#include "xvme-sim-internal.h"

/* 32 values of up to 6 characters and a separator each */
#define XVME_SIM_PLANT_WRITE_MAX	512
#define XVME_SIM_PLANT_READ_MAX		(XVME_SIM_AIN_CHANNELS * 8 + 2)

static struct dentry *xvme_sim_debugfs_root;

static const char * const xvme_sim_fault_names[XVME_SIM_FAULT_COUNT] = {
	[XVME_SIM_FAULT_NONE] = "none",
	[XVME_SIM_FAULT_ABSENT] = "absent",
	[XVME_SIM_FAULT_BAD_ID] = "bad-id",
	[XVME_SIM_FAULT_ADC_STUCK] = "adc-stuck",
	[XVME_SIM_FAULT_ADC_ERROR] = "adc-error",
	[XVME_SIM_FAULT_NO_RESET_CLEAR] = "no-reset-clear",
};

const char *xvme_sim_fault_name(enum xvme_sim_fault fault)
{
	if (fault >= XVME_SIM_FAULT_COUNT)
		return NULL;
	return xvme_sim_fault_names[fault];
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_fault_name, XVME_KUNIT);

/* Accepts one trailing newline, as sysfs_streq() does. */
int xvme_sim_fault_parse(const char *name)
{
	int i;

	i = sysfs_match_string(xvme_sim_fault_names, name);
	return i < 0 ? -EINVAL : i;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_fault_parse, XVME_KUNIT);

/* Faults of the ADC or of outputs make no sense on other cards. */
bool xvme_sim_fault_fits(enum xvme_sim_fault fault, enum xvme_model model)
{
	switch (fault) {
	case XVME_SIM_FAULT_ADC_STUCK:
	case XVME_SIM_FAULT_ADC_ERROR:
		return model == XVME_MODEL_560;
	case XVME_SIM_FAULT_NO_RESET_CLEAR:
		return model == XVME_MODEL_240 || model == XVME_MODEL_260;
	default:
		return fault < XVME_SIM_FAULT_COUNT;
	}
}

/* ---------------------------------------------------- the C interface */

#define xvme_sim_plant_lock(sc, flags) \
	raw_spin_lock_irqsave(&(sc)->sim->lock, flags)
#define xvme_sim_plant_unlock(sc, flags) \
	raw_spin_unlock_irqrestore(&(sc)->sim->lock, flags)

static bool xvme_sim_mv_valid(int mv)
{
	return mv >= -XVME_SIM_AIN_LIMIT_MV && mv <= XVME_SIM_AIN_LIMIT_MV;
}

int xvme_sim_set_ain(struct xvme_sim_card *sc, unsigned int channel, int mv)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_560)
		return -EOPNOTSUPP;
	if (channel >= XVME_SIM_AIN_CHANNELS || !xvme_sim_mv_valid(mv))
		return -EINVAL;
	xvme_sim_plant_lock(sc, flags);
	sc->ain_mv[channel] = mv;
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_ain, XVME_KUNIT);

int xvme_sim_set_ain_noise(struct xvme_sim_card *sc, unsigned int channel,
			   int mv, unsigned int conversions)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_560)
		return -EOPNOTSUPP;
	if (channel >= XVME_SIM_AIN_CHANNELS || !xvme_sim_mv_valid(mv) ||
	    conversions < 1 || conversions > XVME_SIM_NOISE_MAX)
		return -EINVAL;
	xvme_sim_plant_lock(sc, flags);
	sc->noise_mv[channel] = mv;
	sc->noise_left[channel] = conversions;
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_ain_noise, XVME_KUNIT);

static int xvme_sim_set_ain_all(struct xvme_sim_card *sc,
				const int mv[XVME_SIM_AIN_CHANNELS])
{
	unsigned long flags;
	unsigned int i;

	if (sc->model != XVME_MODEL_560)
		return -EOPNOTSUPP;
	for (i = 0; i < XVME_SIM_AIN_CHANNELS; i++)
		if (!xvme_sim_mv_valid(mv[i]))
			return -EINVAL;
	xvme_sim_plant_lock(sc, flags);
	memcpy(sc->ain_mv, mv, sizeof(sc->ain_mv));
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}

int xvme_sim_get_ain(struct xvme_sim_card *sc, unsigned int channel, int *mv)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_560)
		return -EOPNOTSUPP;
	if (channel >= XVME_SIM_AIN_CHANNELS)
		return -EINVAL;
	xvme_sim_plant_lock(sc, flags);
	*mv = sc->ain_mv[channel];
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_get_ain, XVME_KUNIT);

int xvme_sim_set_unipolar(struct xvme_sim_card *sc, bool unipolar)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_560)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	sc->unipolar = unipolar;
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_unipolar, XVME_KUNIT);

int xvme_sim_get_relays(struct xvme_sim_card *sc, u32 *relays)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_260)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	*relays = (u32)sc->out[1] << 16 | sc->out[0];
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_get_relays, XVME_KUNIT);

int xvme_sim_set_ports(struct xvme_sim_card *sc, u64 levels)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_240)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	sc->port_levels = levels;
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_ports, XVME_KUNIT);

int xvme_sim_get_ports(struct xvme_sim_card *sc, u64 *ports)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_240)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	*ports = xvme_sim_ports_read(sc);
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_get_ports, XVME_KUNIT);

int xvme_sim_set_irq_inputs(struct xvme_sim_card *sc, u8 levels)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_240)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	xvme_sim_irq_inputs_change(sc, levels);
	xvme_sim_irq_update(sc);
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_irq_inputs, XVME_KUNIT);

static int xvme_sim_get_irq_inputs(struct xvme_sim_card *sc, u8 *levels)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_240)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	*levels = sc->irq_inputs;
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}

int xvme_sim_get_flags(struct xvme_sim_card *sc, u8 *flags_out)
{
	unsigned long flags;

	if (sc->model != XVME_MODEL_240)
		return -EOPNOTSUPP;
	xvme_sim_plant_lock(sc, flags);
	*flags_out = sc->flags;
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_get_flags, XVME_KUNIT);

int xvme_sim_set_fault(struct xvme_sim_card *sc, enum xvme_sim_fault fault)
{
	unsigned long flags;

	if (!xvme_sim_fault_fits(fault, sc->model))
		return -EINVAL;
	xvme_sim_plant_lock(sc, flags);
	sc->fault = fault;
	xvme_sim_irq_update(sc);
	xvme_sim_plant_unlock(sc, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_fault, XVME_KUNIT);

enum xvme_sim_fault xvme_sim_get_fault(struct xvme_sim_card *sc)
{
	return READ_ONCE(sc->fault);
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_get_fault, XVME_KUNIT);

bool xvme_sim_irq_asserted(struct xvme_sim_card *sc)
{
	unsigned long flags;
	bool asserted;

	xvme_sim_plant_lock(sc, flags);
	asserted = xvme_sim_irq_line(sc);
	xvme_sim_plant_unlock(sc, flags);
	return asserted;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_irq_asserted, XVME_KUNIT);

bool xvme_sim_irq_level_enabled(struct xvme_sim *sim, unsigned int level)
{
	unsigned long flags;
	bool enabled;

	if (level < 1 || level > XVME_IRQ_LEVELS)
		return false;
	raw_spin_lock_irqsave(&sim->lock, flags);
	enabled = !sim->irqs_stopped && sim->level_enabled[level] &&
		  !sim->level_stuck[level];
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return enabled;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_irq_level_enabled, XVME_KUNIT);

/* ------------------------------------------------------ a slow bridge */

/*
 * Called by every bus cycle to the card before it is carried out: an
 * armed stall holds the first one until the test releases it. The cycle
 * may sleep here, as a real bridge's may.
 */
void xvme_sim_stall_point(struct xvme_sim_card *sc)
{
	if (atomic_cmpxchg(&sc->stall, XVME_SIM_STALL_ARMED,
			   XVME_SIM_STALL_HELD) != XVME_SIM_STALL_ARMED)
		return;
	complete(&sc->stall_held);
	wait_for_completion(&sc->stall_release);
}

/**
 * xvme_sim_stall_arm - hold the card's next bus cycle
 * @sc: the card
 *
 * The next read or write cycle to @sc, by whoever makes it, waits in the
 * backend (with whatever locks its caller holds) until
 * xvme_sim_stall_release(). xvme_sim_stall_wait() tells when it arrived.
 */
void xvme_sim_stall_arm(struct xvme_sim_card *sc)
{
	reinit_completion(&sc->stall_held);
	reinit_completion(&sc->stall_release);
	atomic_set(&sc->stall, XVME_SIM_STALL_ARMED);
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_stall_arm, XVME_KUNIT);

/* Wait at most @ms for the cycle to be held; true if it is. */
bool xvme_sim_stall_wait(struct xvme_sim_card *sc, unsigned int ms)
{
	return wait_for_completion_timeout(&sc->stall_held,
					   msecs_to_jiffies(ms)) > 0;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_stall_wait, XVME_KUNIT);

/* Let the held cycle (if any) go on, and disarm. */
void xvme_sim_stall_release(struct xvme_sim_card *sc)
{
	atomic_set(&sc->stall, XVME_SIM_STALL_OFF);
	complete_all(&sc->stall_release);
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_stall_release, XVME_KUNIT);

unsigned long xvme_sim_write_cycles(struct xvme_sim_card *sc)
{
	unsigned long flags;
	unsigned long cycles;

	xvme_sim_plant_lock(sc, flags);
	cycles = sc->write_cycles;
	xvme_sim_plant_unlock(sc, flags);
	return cycles;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_write_cycles, XVME_KUNIT);

/* ------------------------------------------------------------- debugfs */

/* The whole value of one write, NUL terminated; offsets are ignored. */
static char *xvme_sim_plant_fetch(const char __user *ubuf, size_t count)
{
	if (!count || count > XVME_SIM_PLANT_WRITE_MAX)
		return ERR_PTR(-EINVAL);
	return memdup_user_nul(ubuf, count);
}

static ssize_t xvme_sim_plant_emit(char __user *ubuf, size_t count,
				   loff_t *ppos, const char *text)
{
	return simple_read_from_buffer(ubuf, count, ppos, text, strlen(text));
}

/*
 * "<ch> <mV>", "<ch> <mV> <n>" (noise) or 32 values; nothing changes
 * unless all of it parses.
 */
static int xvme_sim_ain_parse_store(struct xvme_sim_card *sc, char *text)
{
	int mv[XVME_SIM_AIN_CHANNELS + 1];
	unsigned int n = 0;
	char *word;
	int err;

	while ((word = strsep(&text, " \t\n"))) {
		if (!*word)
			continue;
		if (n == ARRAY_SIZE(mv))
			return -EINVAL;
		err = kstrtoint(word, 10, &mv[n++]);
		if (err)
			return -EINVAL;
	}
	if (n == 2)
		return mv[0] < 0 ? -EINVAL : xvme_sim_set_ain(sc, mv[0], mv[1]);
	if (n == 3)
		return mv[0] < 0 || mv[2] < 0 ? -EINVAL :
		       xvme_sim_set_ain_noise(sc, mv[0], mv[1], mv[2]);
	if (n == XVME_SIM_AIN_CHANNELS)
		return xvme_sim_set_ain_all(sc, mv);
	return -EINVAL;
}

static ssize_t ain_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char *text = xvme_sim_plant_fetch(ubuf, count);
	int err;

	if (IS_ERR(text))
		return PTR_ERR(text);
	err = xvme_sim_ain_parse_store(sc, text);
	kfree(text);
	return err ?: count;
}

static ssize_t ain_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	int mv[XVME_SIM_AIN_CHANNELS];
	unsigned long flags;
	unsigned int i, len = 0;
	char *text;
	ssize_t ret;

	xvme_sim_plant_lock(sc, flags);
	memcpy(mv, sc->ain_mv, sizeof(mv));
	xvme_sim_plant_unlock(sc, flags);

	text = kmalloc(XVME_SIM_PLANT_READ_MAX, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	for (i = 0; i < XVME_SIM_AIN_CHANNELS; i++)
		len += scnprintf(text + len, XVME_SIM_PLANT_READ_MAX - len,
				 "%s%d", i ? " " : "", mv[i]);
	scnprintf(text + len, XVME_SIM_PLANT_READ_MAX - len, "\n");
	ret = xvme_sim_plant_emit(ubuf, count, ppos, text);
	kfree(text);
	return ret;
}

static ssize_t range_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char *text = xvme_sim_plant_fetch(ubuf, count);
	int err = -EINVAL;

	if (IS_ERR(text))
		return PTR_ERR(text);
	if (sysfs_streq(text, "bipolar"))
		err = xvme_sim_set_unipolar(sc, false);
	else if (sysfs_streq(text, "unipolar"))
		err = xvme_sim_set_unipolar(sc, true);
	kfree(text);
	return err ?: count;
}

static ssize_t range_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;

	return xvme_sim_plant_emit(ubuf, count, ppos,
				   READ_ONCE(sc->unipolar) ? "unipolar\n" :
							     "bipolar\n");
}

static ssize_t relays_read(struct file *file, char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char text[16];
	u32 relays;
	int err;

	err = xvme_sim_get_relays(sc, &relays);
	if (err)
		return err;
	snprintf(text, sizeof(text), "0x%08x\n", relays);
	return xvme_sim_plant_emit(ubuf, count, ppos, text);
}

static ssize_t ports_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char *text = xvme_sim_plant_fetch(ubuf, count);
	u64 levels;
	int err;

	if (IS_ERR(text))
		return PTR_ERR(text);
	err = kstrtou64(text, 0, &levels);
	kfree(text);
	if (err)
		return -EINVAL;
	err = xvme_sim_set_ports(sc, levels);
	return err ?: count;
}

static ssize_t ports_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char text[24];
	u64 ports;
	int err;

	err = xvme_sim_get_ports(sc, &ports);
	if (err)
		return err;
	snprintf(text, sizeof(text), "0x%016llx\n", ports);
	return xvme_sim_plant_emit(ubuf, count, ppos, text);
}

static ssize_t irq_inputs_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char *text = xvme_sim_plant_fetch(ubuf, count);
	u8 levels;
	int err;

	if (IS_ERR(text))
		return PTR_ERR(text);
	err = kstrtou8(text, 0, &levels);
	kfree(text);
	if (err)
		return -EINVAL;
	err = xvme_sim_set_irq_inputs(sc, levels);
	return err ?: count;
}

static ssize_t irq_inputs_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char text[8];
	u8 levels;
	int err;

	err = xvme_sim_get_irq_inputs(sc, &levels);
	if (err)
		return err;
	snprintf(text, sizeof(text), "0x%02x\n", levels);
	return xvme_sim_plant_emit(ubuf, count, ppos, text);
}

static ssize_t flags_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char text[8];
	u8 flags;
	int err;

	err = xvme_sim_get_flags(sc, &flags);
	if (err)
		return err;
	snprintf(text, sizeof(text), "0x%02x\n", flags);
	return xvme_sim_plant_emit(ubuf, count, ppos, text);
}

static ssize_t fault_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char *text = xvme_sim_plant_fetch(ubuf, count);
	int fault, err;

	if (IS_ERR(text))
		return PTR_ERR(text);
	fault = xvme_sim_fault_parse(text);
	kfree(text);
	if (fault < 0)
		return fault;
	err = xvme_sim_set_fault(sc, fault);
	return err ?: count;
}

static ssize_t fault_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char text[24];

	snprintf(text, sizeof(text), "%s\n",
		 xvme_sim_fault_name(xvme_sim_get_fault(sc)));
	return xvme_sim_plant_emit(ubuf, count, ppos, text);
}

static ssize_t present_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;
	char *text = xvme_sim_plant_fetch(ubuf, count);
	bool present;
	int err;

	if (IS_ERR(text))
		return PTR_ERR(text);
	err = kstrtobool(text, &present);
	kfree(text);
	if (err)
		return -EINVAL;
	err = xvme_sim_set_present(sc, present);
	return err ?: count;
}

static ssize_t present_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct xvme_sim_card *sc = file->private_data;

	return xvme_sim_plant_emit(ubuf, count, ppos,
				   xvme_sim_get_present(sc) ? "1\n" : "0\n");
}

#define XVME_SIM_PLANT_FOPS(_name, _read, _write)		\
static const struct file_operations _name##_fops = {		\
	.owner = THIS_MODULE,					\
	.open = simple_open,					\
	.read = _read,						\
	.write = _write,					\
	.llseek = default_llseek,				\
}

XVME_SIM_PLANT_FOPS(ain, ain_read, ain_write);
XVME_SIM_PLANT_FOPS(range, range_read, range_write);
XVME_SIM_PLANT_FOPS(relays, relays_read, NULL);
XVME_SIM_PLANT_FOPS(ports, ports_read, ports_write);
XVME_SIM_PLANT_FOPS(irq_inputs, irq_inputs_read, irq_inputs_write);
XVME_SIM_PLANT_FOPS(flags, flags_read, NULL);
XVME_SIM_PLANT_FOPS(fault, fault_read, fault_write);
XVME_SIM_PLANT_FOPS(present, present_read, present_write);

void xvme_sim_plant_add(struct xvme_sim_card *sc, const char *name)
{
	struct dentry *dir;

	if (IS_ERR_OR_NULL(xvme_sim_debugfs_root))
		return;
	dir = debugfs_create_dir(name, xvme_sim_debugfs_root);
	sc->debugfs = dir;
	debugfs_create_file("fault", 0644, dir, sc, &fault_fops);
	debugfs_create_file("present", 0644, dir, sc, &present_fops);
	switch (sc->model) {
	case XVME_MODEL_240:
		debugfs_create_file("ports", 0644, dir, sc, &ports_fops);
		debugfs_create_file("irq_inputs", 0644, dir, sc,
				    &irq_inputs_fops);
		debugfs_create_file("flags", 0444, dir, sc, &flags_fops);
		break;
	case XVME_MODEL_260:
		debugfs_create_file("relays", 0444, dir, sc, &relays_fops);
		break;
	case XVME_MODEL_560:
		debugfs_create_file("ain", 0644, dir, sc, &ain_fops);
		debugfs_create_file("range", 0644, dir, sc, &range_fops);
		break;
	default:
		break;
	}
}

/* Waits for readers and writers still inside the files. */
void xvme_sim_plant_remove(struct xvme_sim_card *sc)
{
	debugfs_remove(sc->debugfs);
	sc->debugfs = NULL;
}

int xvme_sim_plant_init(void)
{
	xvme_sim_debugfs_root = debugfs_create_dir("xvme-sim", NULL);
	return 0;
}

void xvme_sim_plant_exit(void)
{
	debugfs_remove(xvme_sim_debugfs_root);
	xvme_sim_debugfs_root = NULL;
}
