// SPDX-License-Identifier: GPL-2.0
/* A buffer's shared mapping: what the CPU side of every test and tool uses. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "internal.h"

DL_EXPORT int dmabuf_lab_map(int fd, uint64_t offset, size_t len, int prot, void **addr)
{
	void *p;

	/* off_t is signed: an offset past its range is not one mmap can take. */
	if (offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

DL_EXPORT int dmabuf_lab_unmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}
