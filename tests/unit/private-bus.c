// SPDX-License-Identifier: GPL-2.0
/*
 * The private dbus-daemon of the bus unit tests (see private-bus.h). Its
 * address comes back on a pipe (--print-address=3), which is also how a
 * missing dbus-daemon shows: the pipe closes with nothing written.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/private-bus.h"

pid_t private_bus_start(char *address, size_t size)
{
	int pipefd[2];
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(pipefd[0]);
		if (pipefd[1] != 3) {
			dup2(pipefd[1], 3);
			close(pipefd[1]);
		}
		execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile",
		       "--print-address=3", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	n = read(pipefd[0], address, size - 1);
	close(pipefd[0]);
	if (n <= 0) {
		int status;

		/* Only a failed exec (no dbus-daemon here) is a skip: a daemon
		 * that ran and gave no address is a broken bus, a failure. */
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 127);
		return -1;
	}
	address[n] = 0;
	address[strcspn(address, "\n")] = 0;
	return pid;
}

sd_bus *private_bus_connect(const char *address)
{
	sd_bus *bus = NULL;

	assert_true(sd_bus_new(&bus) >= 0);
	assert_true(sd_bus_set_address(bus, address) >= 0);
	assert_true(sd_bus_set_bus_client(bus, 1) >= 0);
	assert_true(sd_bus_start(bus) >= 0);
	return bus;
}

void private_bus_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
