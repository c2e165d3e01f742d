/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pseudo-terminal pair with the n_unet discipline attached to the
 * slave, as the VM scenarios and the benchmark use it: the master is
 * the "CCD controller" end of the line, /dev/unetN the host's frame
 * device.
 */
#ifndef UNET_LINK_H
#define UNET_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UNET_LDISC_DEFAULT 29

struct unet_link {
	int master;		/* peer end of the line, raw */
	int slave;		/* the tty carrying the discipline */
	int unet;		/* /dev/unetN, or -EBADF */
	char tty[32];		/* the slave's kernel name, e.g. "pts3" */
	char name[32];		/* the class device, e.g. "unet0" */
	char sysfs[96];		/* /sys/class/unet/<name> */
};

int unet_ldisc_number(void);
int pty_pair_open(int *master, int *slave, char *tty, size_t tty_size);
int unet_link_open(struct unet_link *link, int unet_flags);
int unet_link_attach(struct unet_link *link, int unet_flags);
int unet_link_detach(struct unet_link *link);
void unet_link_close(struct unet_link *link);

int unet_device_find(const char *tty, char *name, size_t size);
int unet_device_open(const char *name, int flags);

int unet_sysfs_read_u64(const struct unet_link *link, const char *attr,
			uint64_t *value);
int unet_sysfs_write(const struct unet_link *link, const char *attr,
		     const char *value);

int write_all(int fd, const void *buf, size_t len);
ssize_t read_timeout(int fd, void *buf, size_t len, int timeout_ms);
size_t drain(int fd, uint8_t *buf, size_t size, int quiet_ms);
uint64_t now_ns(void);

#endif
