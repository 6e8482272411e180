// SPDX-License-Identifier: GPL-2.0
/*
 * Fences as sync_file fds: waiting on one with a bound (a fence that
 * never signals is an error, not a hang), its status, and moving fences
 * between a dma-buf's reservation and sync_files (Linux 6.0).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "internal.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

DL_EXPORT int dmabuf_lab_fence_status(int fence_fd, int *status)
{
	struct sync_file_info info;
	int ret;

	memset(&info, 0, sizeof(info));
	ret = dl_ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info);
	if (ret < 0)
		return ret;
	*status = info.status;
	return 0;
}

DL_EXPORT int dmabuf_lab_fence_wait(int fence_fd, int timeout_ms)
{
	struct pollfd p = { .fd = fence_fd, .events = POLLIN };
	int64_t end = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int left = timeout_ms, ret;

	for (;;) {
		ret = poll(&p, 1, left);
		if (ret > 0)
			return p.revents & POLLNVAL ? -EBADF : 1;
		if (ret == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
		/* A signal: wait again, for what is left of the time. */
		if (timeout_ms >= 0) {
			int64_t rest = end - now_ms();

			left = rest > 0 ? (int)rest : 0;
		}
	}
}

DL_EXPORT int dmabuf_lab_export_sync_file(int buf_fd, unsigned int dir)
{
	struct dma_buf_export_sync_file req;
	int ret;

	if (!dir || (dir & ~DMABUF_LAB_CPU_RW))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.flags = dir;
	req.fd = -1;
	ret = dl_ioctl(buf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &req);
	return ret < 0 ? ret : req.fd;
}

DL_EXPORT int dmabuf_lab_import_sync_file(int buf_fd, unsigned int dir, int fence_fd)
{
	struct dma_buf_import_sync_file req;
	int ret;

	if (!dir || (dir & ~DMABUF_LAB_CPU_RW))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.flags = dir;
	req.fd = fence_fd;
	ret = dl_ioctl(buf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &req);
	return ret < 0 ? ret : 0;
}
