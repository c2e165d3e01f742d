// SPDX-License-Identifier: GPL-2.0
/*
 * UDP sockets of the Cryostream link (see cryo-socket.h).
 */
#include "daemon/cryo/cryo-socket.h"

#include <errno.h>
#include <sys/socket.h>

#include "daemon/shared/macro.h"

int cryo_status_socket_open(const struct sockaddr_in *bind_address)
{
	_cleanup_close_ int fd = -EBADF;
	int one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)bind_address, sizeof(*bind_address)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int cryo_status_socket_drain(int fd, struct cryo_link *link, uint64_t now_usec, unsigned int max)
{
	/* The largest UDP payload: every datagram arrives whole, so an
	 * oversized one is rejected with its real size. */
	uint8_t buf[UINT16_MAX];
	unsigned int n = 0;

	while (n < max) {
		struct sockaddr_in source = {};
		socklen_t len = sizeof(source);
		ssize_t r;

		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&source, &len);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (int)n;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		(void)cryo_link_receive(link, buf, (size_t)r, &source, now_usec);
		n++;
	}
	return (int)n;
}

int cryo_command_socket_open(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int cryo_command_send(int fd, const struct sockaddr_in *to, const struct cs800_command *command)
{
	ssize_t r;

	r = sendto(fd, command->bytes, sizeof(command->bytes), 0,
		   (const struct sockaddr *)to, sizeof(*to));
	if (r < 0)
		return -errno;
	if ((size_t)r != sizeof(command->bytes))
		return -EIO;
	return 0;
}
