// SPDX-License-Identifier: GPL-2.0
/*
 * udmabuf's allocation: a memfd that cannot shrink (udmabuf refuses any
 * other), sized in whole pages (it refuses any other size), turned into
 * a dma-buf that keeps its pages; the memfd itself is not needed after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "internal.h"

int dl_alloc_udmabuf(int dev, uint64_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	struct udmabuf_create c;
	int memfd, ret;

	if (page <= 0)
		page = 4096;
	if (size > UINT64_MAX - (uint64_t)page)
		return -EINVAL;
	size = (size + page - 1) / page * page;
	if (size > (uint64_t)INT64_MAX)
		return -EINVAL;
	memfd = memfd_create("dmabuf-lab", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, (off_t)size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.memfd = (uint32_t)memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = size;
	ret = dl_ioctl(dev, UDMABUF_CREATE, &c);
out:
	close(memfd);
	return ret;
}
