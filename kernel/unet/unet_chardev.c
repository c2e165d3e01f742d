// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/unetN: the file side of n_unet. One payload per read() and
 * write(), poll(), and the "unet" class whose devices carry the sysfs
 * counters and a UNET_TTY= uevent variable naming the tty.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "unet_port.h"

#define UNET_MINORS	256

static dev_t unet_devt;
static struct cdev unet_cdev;
static struct class *unet_class;

/* Minor number -> attached port; open() takes its reference under it. */
static DEFINE_MUTEX(unet_ports_lock);
static DEFINE_IDR(unet_ports);

static bool unet_rx_readable(struct unet_port *port)
{
	bool readable;

	spin_lock(&port->lock);
	readable = port->rx_count || port->dead;
	spin_unlock(&port->lock);
	return readable;
}

/*
 * One payload per call. A buffer too small for the next payload gets
 * -EOVERFLOW and the payload stays queued. Queued payloads remain
 * readable after detach; then read() returns 0.
 */
static ssize_t unet_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct unet_port *port = file->private_data;
	u8 payload[UNET_PAYLOAD_LIMIT];
	struct unet_rx_slot *slot;
	size_t len;
	bool dead;
	int ret;

	for (;;) {
		spin_lock(&port->lock);
		if (port->rx_count) {
			slot = &port->rx_queue[port->rx_head];
			if (count < slot->len) {
				spin_unlock(&port->lock);
				return -EOVERFLOW;
			}
			len = slot->len;
			memcpy(payload, slot->payload, len);
			port->rx_head = (port->rx_head + 1) % UNET_RX_QUEUE_LEN;
			port->rx_count--;
			spin_unlock(&port->lock);

			/* Dequeued already: a bad buffer loses the frame. */
			if (copy_to_user(buf, payload, len))
				return -EFAULT;
			return len;
		}
		dead = port->dead;
		spin_unlock(&port->lock);

		if (dead)
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(port->read_wait,
					       unet_rx_readable(port));
		if (ret)
			return ret;
	}
}

/*
 * One payload per call, sent as SYN payload EOT. Refused whole with
 * -EINVAL (nothing sent) unless it is printable 7-bit ASCII of
 * min_len..max_len characters.
 */
static ssize_t unet_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	struct unet_port *port = file->private_data;
	u8 payload[UNET_PAYLOAD_LIMIT];
	unsigned int min_len, max_len;
	int ret;

	spin_lock(&port->lock);
	min_len = port->framer.min_len;
	max_len = port->framer.max_len;
	spin_unlock(&port->lock);

	if (count < min_len || count > max_len)
		return -EINVAL;
	if (copy_from_user(payload, buf, count))
		return -EFAULT;
	ret = unet_payload_check(payload, count, min_len, max_len);
	if (ret)
		return ret;

	ret = unet_tx_queue(port, payload, count,
			    file->f_flags & O_NONBLOCK);
	return ret ? ret : count;
}

static __poll_t unet_poll(struct file *file, poll_table *wait)
{
	struct unet_port *port = file->private_data;
	__poll_t mask = 0;
	bool dead;

	poll_wait(file, &port->read_wait, wait);
	poll_wait(file, &port->write_wait, wait);

	spin_lock(&port->lock);
	if (port->rx_count)
		mask |= EPOLLIN | EPOLLRDNORM;
	dead = port->dead;
	spin_unlock(&port->lock);

	if (dead)
		mask |= EPOLLHUP | EPOLLERR;
	else if (unet_tx_writable(port))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int unet_open(struct inode *inode, struct file *file)
{
	struct unet_port *port;

	mutex_lock(&unet_ports_lock);
	port = idr_find(&unet_ports, iminor(inode));
	if (port)
		kref_get(&port->kref);
	mutex_unlock(&unet_ports_lock);
	if (!port)
		return -ENXIO;

	file->private_data = port;
	return stream_open(inode, file);
}

static int unet_release(struct inode *inode, struct file *file)
{
	unet_port_put(file->private_data);
	return 0;
}

static const struct file_operations unet_fops = {
	.owner		= THIS_MODULE,
	.open		= unet_open,
	.release	= unet_release,
	.read		= unet_read,
	.write		= unet_write,
	.poll		= unet_poll,
	.llseek		= no_llseek,
};

/* UNET_TTY=<tty name>, so udev can link /dev/unet/by-tty/<tty>. */
static int unet_dev_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct unet_port *port = dev_get_drvdata(dev);

	return port ? add_uevent_var(env, "UNET_TTY=%s", port->tty_name) : 0;
}

/*
 * Give the port a minor and its class device, a child of the tty's
 * device when the tty has one.
 */
int unet_chardev_add(struct unet_port *port, struct device *parent)
{
	struct device *dev;
	int minor;

	mutex_lock(&unet_ports_lock);
	minor = idr_alloc(&unet_ports, port, 0, UNET_MINORS, GFP_KERNEL);
	mutex_unlock(&unet_ports_lock);
	if (minor < 0)
		return minor;
	port->minor = minor;

	dev = device_create_with_groups(unet_class, parent,
					MKDEV(MAJOR(unet_devt), minor), port,
					unet_port_groups, "unet%d", minor);
	if (IS_ERR(dev)) {
		mutex_lock(&unet_ports_lock);
		idr_remove(&unet_ports, minor);
		mutex_unlock(&unet_ports_lock);
		return PTR_ERR(dev);
	}
	port->dev = dev;
	return 0;
}

/* No new opens; files already open keep their port reference. */
void unet_chardev_remove(struct unet_port *port)
{
	mutex_lock(&unet_ports_lock);
	idr_remove(&unet_ports, port->minor);
	mutex_unlock(&unet_ports_lock);
	device_unregister(port->dev);
	port->dev = NULL;
}

int unet_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&unet_devt, 0, UNET_MINORS, "unet");
	if (ret)
		return ret;

	unet_class = class_create(THIS_MODULE, "unet");
	if (IS_ERR(unet_class)) {
		ret = PTR_ERR(unet_class);
		goto err_region;
	}
	unet_class->dev_uevent = unet_dev_uevent;

	cdev_init(&unet_cdev, &unet_fops);
	unet_cdev.owner = THIS_MODULE;
	ret = cdev_add(&unet_cdev, unet_devt, UNET_MINORS);
	if (ret)
		goto err_class;
	return 0;

err_class:
	class_destroy(unet_class);
err_region:
	unregister_chrdev_region(unet_devt, UNET_MINORS);
	return ret;
}

void unet_chardev_exit(void)
{
	cdev_del(&unet_cdev);
	class_destroy(unet_class);
	unregister_chrdev_region(unet_devt, UNET_MINORS);
	idr_destroy(&unet_ports);
}
