// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_emu as the importer: it attaches a dma-buf to its own device, maps
 * the attachment and touches memory only through the DMA addresses it
 * got, so an exporter's missing sync or oversized segment shows up here
 * as it would with hardware. Every job is waited for with a bound: a
 * fence that never signals is an error, not a hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include <uapi/v2d_emu.h>

#include "conform.h"

#define V2D_DEVICE	"/dev/v2d_emu"
#define ROW_BYTES	4096U	/* 1024 pixels of 4 bytes */

static int vd = -1;

int engine_open(char *why, size_t len)
{
	if (vd >= 0)
		return 0;
	vd = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	if (vd >= 0)
		return 0;
	snprintf(why, len, "no importer: %s: %s (load v2d_emu.ko)", V2D_DEVICE,
		 strerror(errno));
	return errno;
}

int engine_import(int fd, uint32_t *handle)
{
	struct v2d_import req = { .fd = fd };

	if (ioctl(vd, V2D_IOC_IMPORT, &req))
		return errno;
	*handle = req.handle;
	return 0;
}

int engine_release(uint32_t handle)
{
	struct v2d_release req = { .handle = handle };

	return ioctl(vd, V2D_IOC_RELEASE, &req) ? errno : 0;
}

int engine_query(uint32_t handle, struct v2d_query *q)
{
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	return ioctl(vd, V2D_IOC_QUERY, q) ? errno : 0;
}

static struct v2d_surface whole(uint32_t handle, size_t size)
{
	return (struct v2d_surface){ .handle = handle, .stride = ROW_BYTES,
				     .width = ROW_BYTES / 4,
				     .height = size / ROW_BYTES };
}

/* Submit, then wait for the out-fence: 0, its error, or ETIMEDOUT. */
static int run(struct v2d_submit *req, int timeout_ms)
{
	struct sync_file_info info;
	struct pollfd p = { .events = POLLIN };
	int ret;

	req->flags = V2D_SUBMIT_OUT_FENCE;
	if (ioctl(vd, V2D_IOC_SUBMIT, req))
		return errno;
	p.fd = req->out_fence_fd;
	ret = poll(&p, 1, timeout_ms);
	if (ret <= 0) {
		close(p.fd);
		return ret ? errno : ETIMEDOUT;
	}
	memset(&info, 0, sizeof(info));
	ret = ioctl(p.fd, SYNC_IOC_FILE_INFO, &info) ? errno :
	      info.status < 0 ? -info.status : 0;
	close(p.fd);
	return ret;
}

int engine_fill(uint32_t handle, size_t size, uint32_t value, int timeout_ms)
{
	struct v2d_submit req;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = value;
	req.dst = whole(handle, size);
	return run(&req, timeout_ms);
}

int engine_copy(uint32_t src_h, uint32_t dst_h, size_t size, int timeout_ms)
{
	struct v2d_submit req;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.src = whole(src_h, size);
	req.dst = whole(dst_h, size);
	return run(&req, timeout_ms);
}

const char *engine_strerror(int err)
{
	return err == ETIMEDOUT ? "its fence did not signal within the timeout" :
	       strerror(err);
}

uint64_t engine_max_mapping_size(void)
{
	FILE *f = fopen("/sys/kernel/debug/v2d_emu/dma", "re");
	unsigned long long v = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "max_mapping_size %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}
