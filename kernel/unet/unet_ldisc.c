// SPDX-License-Identifier: GPL-2.0
/*
 * n_unet: the UtilityNet line discipline.
 *
 * Attached to a tty (ldattach 29 /dev/ttyS1, or TIOCSETD), it frames the
 * byte stream of the station's CCD controller link (SYN payload EOT,
 * XON/XOFF flow control, see unet_framer.c) and offers one payload per
 * read() and write() on a character device /dev/unetN (unet_chardev.c).
 * This file is the tty side: attach/detach/hangup, receive, transmit and
 * the XON keep-alive.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/tty_ldisc.h>

#include "unet_port.h"

static int ldisc = N_DEVELOPMENT;
module_param(ldisc, int, 0444);
MODULE_PARM_DESC(ldisc,
		 "line discipline number to register, 1..NR_LDISCS-1 and otherwise unused (default 29, N_DEVELOPMENT)");

static void unet_port_release(struct kref *kref)
{
	kvfree(container_of(kref, struct unet_port, kref));
}

void unet_port_put(struct unet_port *port)
{
	kref_put(&port->kref, unet_port_release);
}

/*
 * Whether the discipline may write to @tty, a port's tty under tx_lock.
 * tty_release() closes the tty driver before it closes the line
 * discipline, and a pty slave whose last file is closed stays attached
 * while its master is open: the driver then says so with TTY_IO_ERROR,
 * until a new open clears it. Nothing goes to such a tty, neither a
 * write() on /dev/unetN, nor output resumed by tx_work, nor an XON.
 */
static bool unet_tty_writable(struct tty_struct *tty)
{
	return tty && !tty_io_error(tty);
}

/*
 * Hand queued frames to the tty, in order and each one whole: a frame
 * the tty takes only in part stays at the head with @tx_sent recording
 * how far it got, and output resumes from there on write_wakeup, so
 * frames never interleave with each other or with keep-alive XONs.
 */
static void unet_tx_pump(struct unet_port *port)
{
	struct tty_struct *tty = port->tty;

	lockdep_assert_held(&port->tx_lock);
	if (!unet_tty_writable(tty))
		return;

	while (port->tx_count) {
		struct unet_tx_slot *slot = &port->tx_queue[port->tx_head];
		int n;

		/* Before the write, so a wakeup racing with it is not lost. */
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		n = tty->ops->write(tty, slot->frame + port->tx_sent,
				    slot->len - port->tx_sent);
		/* Full, stopped by XOFF, or failing: write_wakeup resumes. */
		if (n <= 0)
			return;
		port->tx_sent += n;
		if (port->tx_sent < slot->len)
			return;

		port->tx_sent = 0;
		port->tx_head = (port->tx_head + 1) % UNET_TX_QUEUE_LEN;
		WRITE_ONCE(port->tx_count, port->tx_count - 1);
		port->tx_frames++;
		port->tx_bytes += slot->len - 2;
		wake_up_interruptible(&port->write_wait);
	}
	clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
}

bool unet_tx_writable(struct unet_port *port)
{
	return READ_ONCE(port->tx_count) < UNET_TX_QUEUE_LEN ||
	       !READ_ONCE(port->tty);
}

/*
 * Queue one checked payload for transmission. Returns 0, -EAGAIN when
 * the queue is full and @nonblock, -EIO once the tty is gone or its
 * driver reports an I/O error (closed), or -ERESTARTSYS on a signal.
 */
int unet_tx_queue(struct unet_port *port, const u8 *payload, size_t len,
		  bool nonblock)
{
	struct unet_tx_slot *slot;
	int ret;

	for (;;) {
		ret = mutex_lock_interruptible(&port->tx_lock);
		if (ret)
			return ret;
		if (!unet_tty_writable(port->tty)) {
			mutex_unlock(&port->tx_lock);
			return -EIO;
		}
		if (port->tx_count < UNET_TX_QUEUE_LEN)
			break;
		mutex_unlock(&port->tx_lock);
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(port->write_wait,
					       unet_tx_writable(port));
		if (ret)
			return ret;
	}

	slot = &port->tx_queue[(port->tx_head + port->tx_count) %
			       UNET_TX_QUEUE_LEN];
	slot->len = unet_frame_encode(slot->frame, payload, len);
	WRITE_ONCE(port->tx_count, port->tx_count + 1);
	unet_tx_pump(port);
	mutex_unlock(&port->tx_lock);
	return 0;
}

static void unet_tx_work(struct work_struct *work)
{
	struct unet_port *port = container_of(work, struct unet_port, tx_work);

	mutex_lock(&port->tx_lock);
	unet_tx_pump(port);
	mutex_unlock(&port->tx_lock);
}

/* May run in interrupt context with tty locks held: defer to tx_work. */
static void unet_ldisc_write_wakeup(struct tty_struct *tty)
{
	struct unet_port *port = tty->disc_data;

	if (port)
		schedule_work(&port->tx_work);
}

/*
 * The protocol wants an XON from the host every half second. It goes
 * only between frames (never into a partly written one), not while the
 * peer holds our output with XOFF and not to a closed tty; the timer
 * keeps running, so XONs resume when the tty is opened again.
 */
static void unet_xon_work(struct work_struct *work)
{
	struct unet_port *port = container_of(to_delayed_work(work),
					      struct unet_port, xon_work);
	static const u8 xon = UNET_XON;
	struct tty_struct *tty;

	mutex_lock(&port->tx_lock);
	tty = port->tty;
	if (unet_tty_writable(tty) && port->tx_sent == 0 &&
	    !READ_ONCE(tty->flow.stopped) && tty->ops->write(tty, &xon, 1) == 1)
		port->xon_sent++;
	if (tty && port->xon_interval_ms)
		schedule_delayed_work(&port->xon_work,
				      msecs_to_jiffies(port->xon_interval_ms));
	mutex_unlock(&port->tx_lock);
}

int unet_xon_set_interval(struct unet_port *port, unsigned int ms)
{
	if (ms && (ms < UNET_XON_INTERVAL_MIN_MS ||
		   ms > UNET_XON_INTERVAL_MAX_MS))
		return -EINVAL;

	mutex_lock(&port->tx_lock);
	port->xon_interval_ms = ms;
	if (port->tty && ms)
		mod_delayed_work(system_wq, &port->xon_work,
				 msecs_to_jiffies(ms));
	else
		cancel_delayed_work(&port->xon_work);
	mutex_unlock(&port->tx_lock);
	return 0;
}

/* Keep the newest UNET_RX_QUEUE_LEN payloads; an older one is an overrun. */
static void unet_rx_enqueue(struct unet_port *port)
{
	struct unet_rx_slot *slot;

	lockdep_assert_held(&port->lock);
	if (port->rx_count == UNET_RX_QUEUE_LEN) {
		port->rx_head = (port->rx_head + 1) % UNET_RX_QUEUE_LEN;
		port->rx_count--;
		port->overruns++;
	}
	slot = &port->rx_queue[(port->rx_head + port->rx_count) %
			       UNET_RX_QUEUE_LEN];
	slot->len = port->framer.len;
	memcpy(slot->payload, port->framer.payload, slot->len);
	port->rx_count++;
}

static void unet_ldisc_receive_buf(struct tty_struct *tty,
				   const unsigned char *cp, const char *fp,
				   int count)
{
	struct unet_port *port = tty->disc_data;
	bool delivered = false;
	int i;

	spin_lock(&port->lock);
	/*
	 * After hangup the flip buffer may still hand over what it held.
	 * Nobody reads it any more, and flow control must not act on the
	 * tty again: shutdown undid our XOFF, a late one would leave the
	 * next discipline a stopped tty it never saw stopped.
	 */
	if (port->dead) {
		spin_unlock(&port->lock);
		return;
	}
	for (i = 0; i < count; i++) {
		bool flagged = fp && fp[i] != TTY_NORMAL;

		switch (unet_framer_rx_byte(&port->framer, cp[i], flagged)) {
		case UNET_RX_FRAME:
			unet_rx_enqueue(port);
			delivered = true;
			break;
		case UNET_RX_XOFF:
			port->flow_stopped = true;
			stop_tty(tty);
			break;
		case UNET_RX_XON:
			port->flow_stopped = false;
			/* Wakes the ldisc (write_wakeup) to resume output. */
			start_tty(tty);
			break;
		case UNET_RX_NONE:
			break;
		}
	}
	spin_unlock(&port->lock);

	if (delivered)
		wake_up_interruptible(&port->read_wait);
}

/*
 * The tty discards input received but not yet read (tcflush(TCIFLUSH),
 * hangup): so does the discipline, as n_hdlc does. Queued payloads go, and
 * the frame being collected is aborted, since the bytes that would have
 * continued it were thrown away with the flip buffer.
 */
static void unet_ldisc_flush_buffer(struct tty_struct *tty)
{
	struct unet_port *port = tty->disc_data;

	if (!port)
		return;
	spin_lock(&port->lock);
	unet_framer_flush(&port->framer);
	port->rx_head = 0;
	port->rx_count = 0;
	spin_unlock(&port->lock);
}

/*
 * Detach the port from its tty: no more output, /dev/unetN disappears,
 * readers get what is queued and then EOF, pollers POLLHUP, writers
 * -EIO. Idempotent: hangup does it first, close again.
 */
static void unet_port_shutdown(struct unet_port *port)
{
	struct tty_struct *tty;
	bool stopped;

	spin_lock(&port->lock);
	if (port->dead) {
		spin_unlock(&port->lock);
		return;
	}
	port->dead = true;
	stopped = port->flow_stopped;
	spin_unlock(&port->lock);

	mutex_lock(&port->tx_lock);
	tty = port->tty;
	WRITE_ONCE(port->tty, NULL);
	clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
	mutex_unlock(&port->tx_lock);

	/* Do not leave the next discipline a stop it never saw an XOFF for. */
	if (stopped)
		start_tty(tty);

	/* Neither work item touches the tty once @tty is NULL. */
	cancel_delayed_work_sync(&port->xon_work);
	cancel_work_sync(&port->tx_work);

	unet_chardev_remove(port);

	wake_up_interruptible_all(&port->read_wait);
	wake_up_interruptible_all(&port->write_wait);
}

static int unet_ldisc_open(struct tty_struct *tty)
{
	struct unet_port *port;
	int ret;

	/*
	 * As n_gsm: every attachment takes one of the 256 minors and makes
	 * udev create /dev/unet/by-tty/ links, so it is not for any user who
	 * can open a pty.
	 */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (!tty->ops->write)
		return -EOPNOTSUPP;

	port = kvzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;

	kref_init(&port->kref);
	spin_lock_init(&port->lock);
	mutex_init(&port->tx_lock);
	init_waitqueue_head(&port->read_wait);
	init_waitqueue_head(&port->write_wait);
	INIT_WORK(&port->tx_work, unet_tx_work);
	INIT_DELAYED_WORK(&port->xon_work, unet_xon_work);
	unet_framer_init(&port->framer);
	port->tty = tty;
	port->xon_interval_ms = UNET_XON_INTERVAL_DEFAULT_MS;
	strscpy(port->tty_name, tty->name, sizeof(port->tty_name));

	tty->disc_data = port;
	tty->receive_room = 65536;

	ret = unet_chardev_add(port, tty->dev);
	if (ret) {
		tty->disc_data = NULL;
		unet_port_put(port);
		return ret;
	}

	schedule_delayed_work(&port->xon_work,
			      msecs_to_jiffies(port->xon_interval_ms));
	return 0;
}

static void unet_ldisc_close(struct tty_struct *tty)
{
	struct unet_port *port = tty->disc_data;

	if (!port)
		return;
	unet_port_shutdown(port);
	/* A write_wakeup after a hangup may have queued it again. */
	cancel_work_sync(&port->tx_work);
	tty->disc_data = NULL;
	unet_port_put(port);
}

static void unet_ldisc_hangup(struct tty_struct *tty)
{
	struct unet_port *port = tty->disc_data;

	if (port)
		unet_port_shutdown(port);
}

/*
 * The discipline has no ioctl of its own; the tty's (termios: stty,
 * tcgetattr, tcflush) work on an attached line as on any other, as in
 * n_hdlc. Without this op the tty core answers them all with -EINVAL.
 */
static int unet_ldisc_ioctl(struct tty_struct *tty, unsigned int cmd,
			    unsigned long arg)
{
	return n_tty_ioctl_helper(tty, cmd, arg);
}

static struct tty_ldisc_ops unet_ldisc_ops = {
	.owner		= THIS_MODULE,
	.name		= "n_unet",
	.open		= unet_ldisc_open,
	.close		= unet_ldisc_close,
	.hangup		= unet_ldisc_hangup,
	.receive_buf	= unet_ldisc_receive_buf,
	.write_wakeup	= unet_ldisc_write_wakeup,
	.flush_buffer	= unet_ldisc_flush_buffer,
	.ioctl		= unet_ldisc_ioctl,
};

static int __init unet_init(void)
{
	int ret;

	if (ldisc <= N_TTY || ldisc >= NR_LDISCS) {
		pr_err("n_unet: ldisc=%d out of range 1..%d\n", ldisc,
		       NR_LDISCS - 1);
		return -EINVAL;
	}

	ret = unet_chardev_init();
	if (ret)
		return ret;

	unet_ldisc_ops.num = ldisc;
	ret = tty_register_ldisc(&unet_ldisc_ops);
	if (ret) {
		pr_err("n_unet: cannot register line discipline %d: %d\n",
		       ldisc, ret);
		unet_chardev_exit();
	}
	return ret;
}

static void __exit unet_exit(void)
{
	tty_unregister_ldisc(&unet_ldisc_ops);
	unet_chardev_exit();
}

module_init(unet_init);
module_exit(unet_exit);

MODULE_DESCRIPTION("UtilityNet line discipline: one frame per read/write on /dev/unetN");
MODULE_LICENSE("GPL");
MODULE_ALIAS_LDISC(N_DEVELOPMENT);
