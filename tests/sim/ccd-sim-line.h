/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CCD controller simulator's serial line: the master of a pseudo-
 * terminal pair (the host attaches n_unet to the slave) or a real tty at
 * 9600 7E1. Incoming bytes go through the kernel's framer
 * (kernel/unet/unet_framer.c: SYN payload EOT, XON/XOFF anywhere);
 * outgoing bytes are paced at the line rate and held while the host says
 * XOFF, as a UART with flow control would.
 */
#ifndef STATIOND_TESTS_SIM_CCD_SIM_LINE_H
#define STATIOND_TESTS_SIM_CCD_SIM_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CCD_LINE_OUTPUT_MAX (64u * 1024)

struct ccd_line_ops {
	/* A good payload between SYN and EOT. */
	void (*payload)(void *userdata, const uint8_t *payload, size_t len);
	/* The host's XOFF (true) or XON (false). */
	void (*flow)(void *userdata, bool stopped);
	/* A frame the framer dropped: "short", "long", "bad" or "aborted". */
	void (*dropped)(void *userdata, const char *why);
};

struct ccd_line;

/*
 * A pseudo-terminal pair: the master is ours, raw; the slave is held
 * open (so the line stays up whoever attaches and detaches) and its path
 * is ccd_line_tty(). @link: a symlink to the slave, made if non-NULL.
 */
int ccd_line_open_pty(const char *link, unsigned int baud, struct ccd_line **ret);
/* A real serial line, set to @baud (9600 if 0) 7E1, raw, with parity checking. */
int ccd_line_open_tty(const char *path, unsigned int baud, struct ccd_line **ret);
void ccd_line_free(struct ccd_line *l);

void ccd_line_set_ops(struct ccd_line *l, const struct ccd_line_ops *ops, void *userdata);
int ccd_line_fd(const struct ccd_line *l);
const char *ccd_line_tty(const struct ccd_line *l);

/* Read what is there and feed the framer. -EIO when the line is gone. */
int ccd_line_read(struct ccd_line *l);
/* Bytes ever received (0: the host has not been heard yet). */
uint64_t ccd_line_bytes_heard(const struct ccd_line *l);

/* Queue bytes for the line (-ENOBUFS when the output buffer is full). */
int ccd_line_queue(struct ccd_line *l, const uint8_t *bytes, size_t n);
/* Write what the pace allows now; -errno if the line failed. */
int ccd_line_flush(struct ccd_line *l, uint64_t now_ms);
/* When there is more to write (UINT64_MAX: nothing waits, or held). */
uint64_t ccd_line_next_write(const struct ccd_line *l, uint64_t now_ms);
/* Poll for POLLOUT: the kernel took less than offered. */
bool ccd_line_wants_pollout(const struct ccd_line *l);

#endif
