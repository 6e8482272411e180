// SPDX-License-Identifier: GPL-2.0
/* A DMA heap's allocation: DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/NAME. */
#include <fcntl.h>
#include <string.h>

#include <linux/dma-heap.h>

#include "internal.h"

int dl_alloc_heap(int dev, uint64_t size)
{
	struct dma_heap_allocation_data a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.len = size;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	ret = dl_ioctl(dev, DMA_HEAP_IOCTL_ALLOC, &a);
	return ret < 0 ? ret : (int)a.fd;
}
