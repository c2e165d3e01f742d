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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/private-bus.h"

/* Every uid may connect: a session bus allows only its own by default. */
static const char open_config[] =
	"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
	" \"https://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	"<busconfig>\n"
	"  <type>session</type>\n"
	"  <listen>unix:tmpdir=/tmp</listen>\n"
	"  <auth>EXTERNAL</auth>\n"
	"  <policy context=\"default\">\n"
	"    <allow user=\"*\"/>\n"
	"    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	"    <allow eavesdrop=\"true\"/>\n"
	"    <allow own=\"*\"/>\n"
	"  </policy>\n"
	"</busconfig>\n";

/* config_file: NULL for dbus-daemon's own session configuration. */
static pid_t bus_start(char *address, size_t size, const char *config_file)
{
	char config_option[256];
	int pipefd[2];
	pid_t pid;
	ssize_t n;

	if (config_file)
		snprintf(config_option, sizeof(config_option), "--config-file=%s", config_file);
	else
		snprintf(config_option, sizeof(config_option), "--session");

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
		execlp("dbus-daemon", "dbus-daemon", config_option, "--nofork", "--nopidfile",
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

pid_t private_bus_start(char *address, size_t size)
{
	return bus_start(address, size, NULL);
}

pid_t private_bus_start_open(char *address, size_t size)
{
	char config_file[] = "/tmp/private-bus-XXXXXX.conf";
	int fd = mkstemps(config_file, 5);
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, open_config, strlen(open_config)), (ssize_t)strlen(open_config));
	close(fd);
	pid = bus_start(address, size, config_file);
	/* Read once the address is printed: the daemon no longer needs it. */
	unlink(config_file);
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
