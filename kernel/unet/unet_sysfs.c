// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of /sys/class/unet/unetN: the tty name, counters and
 * the validated frame limits and keep-alive interval. Documented in
 * Documentation/ABI/testing/sysfs-class-unet.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "unet_port.h"

static ssize_t tty_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct unet_port *port = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", port->tty_name);
}
static DEVICE_ATTR_RO(tty);

/* Receive-side values live under port->lock. */
#define UNET_RX_ATTR(name, expr)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct unet_port *port = dev_get_drvdata(dev);			\
	u64 value;							\
									\
	spin_lock(&port->lock);						\
	value = (expr);							\
	spin_unlock(&port->lock);					\
	return sysfs_emit(buf, "%llu\n", value);			\
}									\
static DEVICE_ATTR_RO(name)

UNET_RX_ATTR(rx_frames, port->framer.stats.rx_frames);
UNET_RX_ATTR(rx_bytes, port->framer.stats.rx_bytes);
UNET_RX_ATTR(noise_bytes, port->framer.stats.noise_bytes);
UNET_RX_ATTR(aborted_frames, port->framer.stats.aborted_frames);
UNET_RX_ATTR(bad_frames, port->framer.stats.bad_frames);
UNET_RX_ATTR(short_frames, port->framer.stats.short_frames);
UNET_RX_ATTR(long_frames, port->framer.stats.long_frames);
UNET_RX_ATTR(overruns, port->overruns);
UNET_RX_ATTR(flow_stopped, port->flow_stopped);

/*
 * Transmit-side values live under port->tx_lock. @name is pasted into the
 * function name and is the field, never an expression, so
 * checkpatch: MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE do not apply.
 */
#define UNET_TX_ATTR(name)						\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct unet_port *port = dev_get_drvdata(dev);			\
	u64 value;							\
									\
	mutex_lock(&port->tx_lock);					\
	value = port->name;						\
	mutex_unlock(&port->tx_lock);					\
	return sysfs_emit(buf, "%llu\n", value);			\
}									\
static DEVICE_ATTR_RO(name)

UNET_TX_ATTR(tx_frames);
UNET_TX_ATTR(tx_bytes);
UNET_TX_ATTR(xon_sent);

/* The frame length limits live under port->lock, like the receive side. */
static ssize_t unet_limit_show(struct device *dev, char *buf, bool is_min)
{
	struct unet_port *port = dev_get_drvdata(dev);
	unsigned int value;

	spin_lock(&port->lock);
	value = is_min ? port->framer.min_len : port->framer.max_len;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%u\n", value);
}

/* 1 <= min_len <= max_len <= 255, checked against the other bound. */
static ssize_t unet_limit_store(struct device *dev, const char *buf,
				size_t count, bool is_min)
{
	struct unet_port *port = dev_get_drvdata(dev);
	unsigned int value;
	int ret;

	ret = kstrtouint(buf, 10, &value);
	if (ret)
		return ret;

	spin_lock(&port->lock);
	if (is_min)
		ret = unet_framer_set_limits(&port->framer, value,
					     port->framer.max_len);
	else
		ret = unet_framer_set_limits(&port->framer,
					     port->framer.min_len, value);
	spin_unlock(&port->lock);
	return ret ? ret : count;
}

/* @is_min is a constant: checkpatch: MACRO_ARG_REUSE does not apply. */
#define UNET_LIMIT_ATTR(name, is_min)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return unet_limit_show(dev, buf, is_min);			\
}									\
static ssize_t name##_store(struct device *dev,				\
			    struct device_attribute *attr,		\
			    const char *buf, size_t count)		\
{									\
	return unet_limit_store(dev, buf, count, is_min);		\
}									\
static DEVICE_ATTR_RW(name)

UNET_LIMIT_ATTR(min_len, true);
UNET_LIMIT_ATTR(max_len, false);

static ssize_t xon_interval_ms_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct unet_port *port = dev_get_drvdata(dev);
	unsigned int value;

	mutex_lock(&port->tx_lock);
	value = port->xon_interval_ms;
	mutex_unlock(&port->tx_lock);
	return sysfs_emit(buf, "%u\n", value);
}

/* 0 (off) or UNET_XON_INTERVAL_MIN_MS..UNET_XON_INTERVAL_MAX_MS. */
static ssize_t xon_interval_ms_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct unet_port *port = dev_get_drvdata(dev);
	unsigned int value;
	int ret;

	ret = kstrtouint(buf, 10, &value);
	if (ret)
		return ret;
	ret = unet_xon_set_interval(port, value);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(xon_interval_ms);

static struct attribute *unet_port_attrs[] = {
	&dev_attr_tty.attr,
	&dev_attr_rx_frames.attr,
	&dev_attr_tx_frames.attr,
	&dev_attr_rx_bytes.attr,
	&dev_attr_tx_bytes.attr,
	&dev_attr_noise_bytes.attr,
	&dev_attr_aborted_frames.attr,
	&dev_attr_bad_frames.attr,
	&dev_attr_short_frames.attr,
	&dev_attr_long_frames.attr,
	&dev_attr_overruns.attr,
	&dev_attr_xon_sent.attr,
	&dev_attr_flow_stopped.attr,
	&dev_attr_min_len.attr,
	&dev_attr_max_len.attr,
	&dev_attr_xon_interval_ms.attr,
	NULL
};

static const struct attribute_group unet_port_group = {
	.attrs = unet_port_attrs,
};

const struct attribute_group *unet_port_groups[] = {
	&unet_port_group,
	NULL
};
