// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU-access bracket around every read and write through a mapping:
 * DMA_BUF_IOCTL_SYNC with START, then with END, in exactly the directions
 * asked for. The kernel waits for the buffer's fences interruptibly, so a
 * signal (EINTR) or an exporter's retry request (EAGAIN) is not a failure:
 * the call is made again, as libdrm's drmIoctl() does.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include <linux/dma-buf.h>

#include "internal.h"

_Static_assert(DMABUF_LAB_CPU_READ == DMA_BUF_SYNC_READ, "CPU_READ is DMA_BUF_SYNC_READ");
_Static_assert(DMABUF_LAB_CPU_WRITE == DMA_BUF_SYNC_WRITE, "CPU_WRITE is DMA_BUF_SYNC_WRITE");

static int cpu_sync(int fd, unsigned int dir, uint64_t when)
{
	struct dma_buf_sync s;
	int ret;

	if (!dir || (dir & ~DMABUF_LAB_CPU_RW))
		return -EINVAL;
	s.flags = when | dir;
	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : 0;
}

DL_EXPORT int dmabuf_lab_begin_cpu(int fd, unsigned int dir)
{
	return cpu_sync(fd, dir, DMA_BUF_SYNC_START);
}

DL_EXPORT int dmabuf_lab_end_cpu(int fd, unsigned int dir)
{
	return cpu_sync(fd, dir, DMA_BUF_SYNC_END);
}
