// SPDX-License-Identifier: GPL-2.0
/*
 * uevents - run a command and print the kernel's device events meanwhile.
 *
 *   uevents COMMAND [ARGS...]
 *
 * Listens on the kernel's uevent netlink socket, runs COMMAND, waits for
 * it, collects what arrives until the socket has been quiet for 200 ms,
 * and prints one line per event ("add@/devices/virtual/misc/pagebuf").
 * A module whose init fails must leave no trace: not even a device that
 * appeared and went, since userspace could open it in between.
 *
 * Exits with COMMAND's status (128 + signal when it was killed), or 125
 * when the socket cannot be opened, with a message on stderr.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>

static int uevent_socket(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,		/* the kernel's own events */
	};
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		       NETLINK_KOBJECT_UEVENT);

	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr))) {
		close(s);
		return -1;
	}
	return s;
}

/* Print the header of each event ("ACTION@DEVPATH") until 200 ms of quiet. */
static void drain(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char msg[8192];
	ssize_t n;

	while (poll(&p, 1, 200) > 0) {
		n = recv(s, msg, sizeof(msg) - 1, MSG_DONTWAIT);
		if (n <= 0)
			break;
		msg[n] = '\0';
		/* The header is the first NUL-terminated string. */
		if (strchr(msg, '@'))
			printf("%s\n", msg);
	}
}

int main(int argc, char **argv)
{
	int s, status;
	pid_t pid;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: uevents COMMAND [ARGS...]\n");
		return argc < 2 ? 2 : 0;
	}
	s = uevent_socket();
	if (s < 0) {
		fprintf(stderr, "uevents: netlink uevent socket: %s\n",
			strerror(errno));
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "uevents: fork: %s\n", strerror(errno));
		return 125;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "uevents: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "uevents: waitpid: %s\n", strerror(errno));
		return 125;
	}
	drain(s);
	close(s);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
