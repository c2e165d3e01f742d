/* SPDX-License-Identifier: GPL-2.0 */
/*
 * n_unet internals: one struct unet_port per tty the discipline is
 * attached to, shared by the line discipline (tty side), the character
 * device /dev/unetN (file side) and its sysfs attributes.
 *
 * Lifetime: the port is reference counted. The attachment holds one
 * reference from ldisc open to close; every open file of /dev/unetN
 * holds one. Detach, hangup and tty removal "shut down" the port
 * (dead = true, tty = NULL, waiters woken); the memory goes when the
 * last file is closed.
 */
#ifndef UNET_PORT_H
#define UNET_PORT_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "unet_framer.h"

/* Received payloads waiting for readers; the oldest goes when full. */
#define UNET_RX_QUEUE_LEN	64
/* Frames accepted by write() and not yet handed to the tty in full. */
#define UNET_TX_QUEUE_LEN	16

#define UNET_XON_INTERVAL_DEFAULT_MS	500
#define UNET_XON_INTERVAL_MIN_MS	10
#define UNET_XON_INTERVAL_MAX_MS	60000

struct unet_rx_slot {
	u16 len;
	u8 payload[UNET_PAYLOAD_LIMIT];
};

struct unet_tx_slot {
	u16 len;
	u8 frame[UNET_FRAME_LIMIT];
};

struct unet_port {
	struct kref kref;
	int minor;
	struct device *dev;
	char tty_name[64];

	/*
	 * @lock protects the framer (limits, counters), the receive queue,
	 * @dead and the statistics below it; taken in process context only
	 * (tty flip-buffer work, file operations, sysfs).
	 */
	spinlock_t lock;
	bool dead;
	bool flow_stopped;
	struct unet_framer framer;
	unsigned int rx_head;
	unsigned int rx_count;
	u64 overruns;
	struct unet_rx_slot rx_queue[UNET_RX_QUEUE_LEN];
	wait_queue_head_t read_wait;

	/*
	 * @tx_lock serialises everything that writes to the tty: frames
	 * from the transmit queue and keep-alive XONs. It also guards @tty,
	 * which shutdown clears so no writer touches a detached tty.
	 */
	struct mutex tx_lock;
	struct tty_struct *tty;
	unsigned int tx_head;
	unsigned int tx_count;
	unsigned int tx_sent;	/* bytes of the head frame already written */
	u64 tx_frames;
	u64 tx_bytes;
	u64 xon_sent;
	unsigned int xon_interval_ms;
	struct unet_tx_slot tx_queue[UNET_TX_QUEUE_LEN];
	wait_queue_head_t write_wait;
	struct work_struct tx_work;	/* resumes output after write_wakeup */
	struct delayed_work xon_work;
};

void unet_port_put(struct unet_port *port);
int unet_tx_queue(struct unet_port *port, const u8 *payload, size_t len,
		  bool nonblock);
bool unet_tx_writable(struct unet_port *port);
int unet_xon_set_interval(struct unet_port *port, unsigned int ms);

int unet_chardev_init(void);
void unet_chardev_exit(void);
int unet_chardev_add(struct unet_port *port, struct device *parent);
void unet_chardev_remove(struct unet_port *port);

extern const struct attribute_group *unet_port_groups[];

#endif /* UNET_PORT_H */
