// SPDX-License-Identifier: GPL-2.0
/* pagebuf's allocation: PAGEBUF_IOC_ALLOC with one of its policies. */
#include <fcntl.h>
#include <string.h>

#include <uapi/pagebuf.h>

#include "internal.h"

int dl_alloc_pagebuf(int dev, uint32_t flags, uint64_t size)
{
	struct pagebuf_alloc a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.flags = flags;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	ret = dl_ioctl(dev, PAGEBUF_IOC_ALLOC, &a);
	return ret < 0 ? ret : a.fd;
}
