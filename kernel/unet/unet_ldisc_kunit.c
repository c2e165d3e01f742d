// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the n_unet line discipline on a real tty: a one-line tty
 * driver of the test's own, opened from the kernel (tty_kopen_exclusive(),
 * as speakup does) with the discipline attached by tty_set_ldisc(). The
 * driver records what the discipline writes. The cases put the tty in the
 * states the tty core leaves it in while it closes (TTY_IO_ERROR set
 * before the discipline is closed, a hangup with bytes still in the flip
 * buffer, a flush of the input) and check what the discipline does then.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/tty_ldisc.h>

#include "unet_port.h"

/* The discipline's number with the module's default ldisc= parameter. */
#define UNET_TEST_LDISC		N_DEVELOPMENT
#define UNET_TEST_OUT_MAX	4096

#define SYN "\x16"
#define EOT "\x04"
#define XON "\x11"
#define XOFF "\x13"
/* 25 characters: the default minimum payload. */
#define P25 "SYS       CCD1      00A1A"

struct unet_test_tty {
	struct tty_driver *driver;
	struct tty_port port;
	struct tty_struct *tty;
	spinlock_t out_lock;	/* what the discipline wrote */
	u8 out[UNET_TEST_OUT_MAX];
	size_t out_len;
};

static int unet_test_install(struct tty_driver *driver, struct tty_struct *tty)
{
	struct unet_test_tty *t = driver->driver_state;

	tty->driver_data = t;
	return tty_port_install(&t->port, driver, tty);
}

/* Like a UART driver: nothing goes out while the tty is stopped. */
static int unet_test_write(struct tty_struct *tty, const unsigned char *buf,
			   int count)
{
	struct unet_test_tty *t = tty->driver_data;
	unsigned long flags;

	if (tty->flow.stopped)
		return 0;
	spin_lock_irqsave(&t->out_lock, flags);
	count = min_t(int, count, UNET_TEST_OUT_MAX - t->out_len);
	memcpy(t->out + t->out_len, buf, count);
	t->out_len += count;
	spin_unlock_irqrestore(&t->out_lock, flags);
	return count;
}

static unsigned int unet_test_write_room(struct tty_struct *tty)
{
	return UNET_TEST_OUT_MAX;
}

static const struct tty_operations unet_test_tty_ops = {
	.install = unet_test_install,
	.write = unet_test_write,
	.write_room = unet_test_write_room,
};

static const struct tty_port_operations unet_test_port_ops = {};

static size_t unet_test_out_len(struct unet_test_tty *t)
{
	unsigned long flags;
	size_t len;

	spin_lock_irqsave(&t->out_lock, flags);
	len = t->out_len;
	spin_unlock_irqrestore(&t->out_lock, flags);
	return len;
}

static int unet_test_init(struct kunit *test)
{
	struct unet_test_tty *t;
	struct tty_driver *driver;
	struct tty_struct *tty;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	spin_lock_init(&t->out_lock);
	tty_port_init(&t->port);
	t->port.ops = &unet_test_port_ops;

	driver = tty_alloc_driver(1, TTY_DRIVER_REAL_RAW |
				  TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(driver)) {
		tty_port_destroy(&t->port);
		return PTR_ERR(driver);
	}
	driver->driver_name = "unet_kunit";
	driver->name = "ttyUNETKUNIT";
	driver->type = TTY_DRIVER_TYPE_SERIAL;
	driver->subtype = SERIAL_TYPE_NORMAL;
	driver->init_termios = tty_std_termios;
	driver->driver_state = t;
	tty_set_operations(driver, &unet_test_tty_ops);
	tty_port_link_device(&t->port, driver, 0);
	ret = tty_register_driver(driver);
	if (ret)
		goto err_driver;
	t->driver = driver;

	tty = tty_kopen_exclusive(MKDEV(driver->major, driver->minor_start));
	if (IS_ERR(tty)) {
		ret = PTR_ERR(tty);
		goto err_unregister;
	}
	tty_unlock(tty);
	t->tty = tty;
	test->priv = t;
	return 0;

err_unregister:
	tty_unregister_driver(driver);
	t->driver = NULL;
err_driver:
	tty_driver_kref_put(driver);
	tty_port_destroy(&t->port);
	return ret;
}

static void unet_test_exit(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;

	if (!t)
		return;
	tty_kclose(t->tty);
	tty_unregister_driver(t->driver);
	tty_driver_kref_put(t->driver);
	tty_port_destroy(&t->port);
}

/* Attach the discipline; its keep-alive is off so only the case writes. */
static struct unet_port *unet_test_attach(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	struct unet_port *port;

	KUNIT_ASSERT_EQ(test, tty_set_ldisc(t->tty, UNET_TEST_LDISC), 0);
	port = t->tty->disc_data;
	KUNIT_ASSERT_NOT_NULL(test, port);
	KUNIT_ASSERT_EQ(test, unet_xon_set_interval(port, 0), 0);
	return port;
}

/* Bytes arriving from the line, handed over as the flip buffer would. */
static void unet_test_receive(struct kunit *test, const char *bytes)
{
	struct unet_test_tty *t = test->priv;
	struct tty_ldisc *ld = tty_ldisc_ref(t->tty);

	KUNIT_ASSERT_NOT_NULL(test, ld);
	ld->ops->receive_buf(t->tty, (const unsigned char *)bytes, NULL,
			     strlen(bytes));
	tty_ldisc_deref(ld);
}

/*
 * tty_release() closes the driver (TTY_IO_ERROR) before the discipline;
 * a pty slave stays in that state while its master is open. A write() on
 * /dev/unetN then fails with EIO and reaches nothing, and works again
 * once the tty is opened again (the flag cleared).
 */
static void unet_ldisc_write_to_closed_tty(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	struct unet_port *port = unet_test_attach(test);

	set_bit(TTY_IO_ERROR, &t->tty->flags);
	KUNIT_EXPECT_EQ(test, unet_tx_queue(port, (const u8 *)P25, 25, true),
			-EIO);
	KUNIT_EXPECT_EQ(test, unet_test_out_len(t), 0);

	clear_bit(TTY_IO_ERROR, &t->tty->flags);
	KUNIT_EXPECT_EQ(test, unet_tx_queue(port, (const u8 *)P25, 25, true),
			0);
	KUNIT_ASSERT_EQ(test, unet_test_out_len(t), 27);
	KUNIT_EXPECT_EQ(test, memcmp(t->out, SYN P25 EOT, 27), 0);
}

/* The keep-alive sends nothing to a closed tty, and resumes after. */
static void unet_ldisc_no_xon_to_closed_tty(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	struct unet_port *port = unet_test_attach(test);
	unsigned int i;
	size_t n;

	set_bit(TTY_IO_ERROR, &t->tty->flags);
	KUNIT_ASSERT_EQ(test, unet_xon_set_interval(port, 10), 0);
	msleep(100);
	KUNIT_EXPECT_EQ(test, unet_test_out_len(t), 0);

	clear_bit(TTY_IO_ERROR, &t->tty->flags);
	/* ten intervals, or longer if UML was descheduled meanwhile */
	for (i = 0; i < 100; i++) {
		msleep(i < 10 ? 10 : 20);
		n = unet_test_out_len(t);
		if (n)
			break;
	}
	KUNIT_EXPECT_GT(test, n, 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(t->out, UNET_XON, n));
	KUNIT_ASSERT_EQ(test, unet_xon_set_interval(port, 0), 0);
}

/*
 * Output held by XOFF, frames queued; the tty is closed; the peer's XON
 * wakes the discipline (write_wakeup -> tx_work): the queued frames must
 * not go to the closed tty.
 */
static void unet_ldisc_tx_work_to_closed_tty(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	struct unet_port *port = unet_test_attach(test);

	unet_test_receive(test, XOFF);
	KUNIT_EXPECT_TRUE(test, t->tty->flow.stopped);
	KUNIT_ASSERT_EQ(test, unet_tx_queue(port, (const u8 *)P25, 25, true),
			0);
	KUNIT_EXPECT_EQ(test, unet_test_out_len(t), 0);

	set_bit(TTY_IO_ERROR, &t->tty->flags);
	unet_test_receive(test, XON);
	KUNIT_EXPECT_FALSE(test, t->tty->flow.stopped);
	flush_work(&port->tx_work);
	KUNIT_EXPECT_EQ(test, unet_test_out_len(t), 0);

	/* opened again: the next wakeup sends what waited */
	clear_bit(TTY_IO_ERROR, &t->tty->flags);
	tty_wakeup(t->tty);
	flush_work(&port->tx_work);
	KUNIT_EXPECT_EQ(test, unet_test_out_len(t), 27);
}

/*
 * Hangup undoes the peer's XOFF (so the next discipline does not inherit
 * a stopped tty); an XOFF the flip buffer delivers after the hangup must
 * not stop the tty again.
 */
static void unet_ldisc_xoff_after_hangup(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	struct tty_ldisc *ld;

	unet_test_attach(test);
	unet_test_receive(test, XOFF);
	KUNIT_EXPECT_TRUE(test, t->tty->flow.stopped);

	ld = tty_ldisc_ref(t->tty);
	KUNIT_ASSERT_NOT_NULL(test, ld);
	ld->ops->hangup(t->tty);
	KUNIT_EXPECT_FALSE(test, t->tty->flow.stopped);
	ld->ops->receive_buf(t->tty, (const unsigned char *)XOFF, NULL, 1);
	KUNIT_EXPECT_FALSE(test, t->tty->flow.stopped);
	tty_ldisc_deref(ld);
}

/*
 * A flush of the input (tcflush(TCIFLUSH), hangup) drops what was
 * received and not read, and the frame being collected: its missing
 * bytes went with the flip buffer, so what follows cannot complete it.
 */
static void unet_ldisc_flush_buffer(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	struct unet_port *port = unet_test_attach(test);
	struct tty_ldisc *ld;

	unet_test_receive(test, SYN P25 EOT SYN "SYS       CCD1");
	KUNIT_EXPECT_EQ(test, port->rx_count, 1U);

	ld = tty_ldisc_ref(t->tty);
	KUNIT_ASSERT_NOT_NULL(test, ld);
	KUNIT_ASSERT_NOT_NULL(test, ld->ops->flush_buffer);
	ld->ops->flush_buffer(t->tty);
	tty_ldisc_deref(ld);
	KUNIT_EXPECT_EQ(test, port->rx_count, 0U);
	KUNIT_EXPECT_EQ(test, port->framer.stats.aborted_frames, 1ULL);

	unet_test_receive(test, "      00A1A" EOT);
	KUNIT_EXPECT_EQ(test, port->rx_count, 0U);
	unet_test_receive(test, SYN P25 EOT);
	KUNIT_EXPECT_EQ(test, port->rx_count, 1U);
	KUNIT_EXPECT_EQ(test, port->framer.stats.rx_frames, 2ULL);
}

/* Attaching takes a minor and makes device links: CAP_NET_ADMIN only. */
static void unet_ldisc_attach_needs_cap_net_admin(struct kunit *test)
{
	struct unet_test_tty *t = test->priv;
	const struct cred *old;
	struct cred *cred;
	int ret;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	old = override_creds(cred);
	ret = tty_set_ldisc(t->tty, UNET_TEST_LDISC);
	revert_creds(old);
	put_cred(cred);

	KUNIT_EXPECT_EQ(test, ret, -EPERM);
	/* refused: the tty is back on N_TTY */
	KUNIT_EXPECT_EQ(test, t->tty->ldisc->ops->num, N_TTY);
	KUNIT_EXPECT_EQ(test, tty_set_ldisc(t->tty, UNET_TEST_LDISC), 0);
	KUNIT_EXPECT_EQ(test, t->tty->ldisc->ops->num, UNET_TEST_LDISC);
}

static struct kunit_case unet_ldisc_cases[] = {
	KUNIT_CASE(unet_ldisc_write_to_closed_tty),
	KUNIT_CASE(unet_ldisc_no_xon_to_closed_tty),
	KUNIT_CASE(unet_ldisc_tx_work_to_closed_tty),
	KUNIT_CASE(unet_ldisc_xoff_after_hangup),
	KUNIT_CASE(unet_ldisc_flush_buffer),
	KUNIT_CASE(unet_ldisc_attach_needs_cap_net_admin),
	{}
};

static struct kunit_suite unet_ldisc_suite = {
	.name = "n_unet_ldisc",
	.init = unet_test_init,
	.exit = unet_test_exit,
	.test_cases = unet_ldisc_cases,
};

kunit_test_suite(unet_ldisc_suite);

MODULE_LICENSE("GPL");
