// SPDX-License-Identifier: GPL-2.0
/*
 * Taking a copy of another process's fd: pidfd_open(2), then
 * pidfd_getfd(2) (Linux 5.6), through syscall() as older glibc has no
 * wrappers. The copy is close-on-exec, as pidfd_getfd always makes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Headers older than the calls: 434 and 438 on x86_64, arm64 and riscv64 alike. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

DL_EXPORT int dmabuf_lab_take_fd(pid_t pid, int fd, char *err, size_t errlen)
{
	int pidfd, ret;

	if (pid <= 0 || fd < 0) {
		dl_seterr(err, errlen, "no process %d or fd %d to take", (int)pid, fd);
		return -EINVAL;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		ret = -errno;
		dl_seterr(err, errlen, "pidfd_open(%d): %s", (int)pid, strerror(-ret));
		return ret;
	}
	ret = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (ret < 0) {
		ret = -errno;
		dl_seterr(err, errlen, "pidfd_getfd(%d, %d): %s%s", (int)pid, fd, strerror(-ret),
			  ret == -EPERM ?
			  " (taking another process's fd needs the right to ptrace it: root, or the same user with ptrace_scope 0)" :
			  "");
	}
	close(pidfd);
	return ret;
}
