// SPDX-License-Identifier: GPL-2.0
/* ioctl() in the library's convention: 0 (or what it returned) or -errno. */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

int dl_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}
