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
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/v2d_emu.h>

#include <dmabuf-lab.h>

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
	return -dmabuf_lab_v2d_import(vd, fd, handle);
}

int engine_import_flags(int fd, uint32_t flags, uint32_t *handle)
{
	struct v2d_import req;

	memset(&req, 0, sizeof(req));
	req.fd = fd;
	req.flags = flags;
	if (ioctl(vd, V2D_IOC_IMPORT, &req))
		return errno;
	*handle = req.handle;
	return 0;
}

int engine_release(uint32_t handle)
{
	return -dmabuf_lab_v2d_release(vd, handle);
}

int engine_query(uint32_t handle, struct v2d_query *q)
{
	return -dmabuf_lab_v2d_query(vd, handle, q);
}

static struct v2d_surface whole(uint32_t handle, size_t size)
{
	return (struct v2d_surface){ .handle = handle, .stride = ROW_BYTES,
				     .width = ROW_BYTES / 4,
				     .height = size / ROW_BYTES };
}

int engine_wait(int fence_fd, int timeout_ms)
{
	int ret = dmabuf_lab_fence_wait(fence_fd, timeout_ms);

	if (ret == 1) {
		int st = 0;

		ret = dmabuf_lab_fence_status(fence_fd, &st);
		ret = ret < 0 ? -ret : st < 0 ? -st : 0;
	} else {
		ret = ret ? -ret : ETIMEDOUT;
	}
	close(fence_fd);
	return ret;
}

/* Submit, then wait for the out-fence: 0, its error, or ETIMEDOUT. */
static int run(struct v2d_submit *req, int timeout_ms)
{
	int ret;

	req->flags = V2D_SUBMIT_OUT_FENCE;
	ret = dmabuf_lab_v2d_submit(vd, req);
	if (ret < 0)
		return -ret;
	return engine_wait(req->out_fence_fd, timeout_ms);
}

static struct v2d_submit fill_req(uint32_t handle, size_t size, uint32_t value)
{
	struct v2d_submit req;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = value;
	req.dst = whole(handle, size);
	return req;
}

int engine_fill(uint32_t handle, size_t size, uint32_t value, int timeout_ms)
{
	struct v2d_submit req = fill_req(handle, size, value);

	return run(&req, timeout_ms);
}

int engine_fill_async(uint32_t handle, size_t size, uint32_t value)
{
	struct v2d_submit req = fill_req(handle, size, value);
	int ret;

	req.flags = V2D_SUBMIT_OUT_FENCE;
	ret = dmabuf_lab_v2d_submit(vd, &req);
	return ret < 0 ? ret : req.out_fence_fd;
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

int import_buffer(struct imported *b, uint32_t flags, enum result *r, char *why, size_t len)
{
	const char *how = flags & V2D_IMPORT_DYNAMIC ? "dynamic attach and map" : "attach and map";
	int err;

	b->fd = -1;
	b->handle = 0;
	if (engine_open(why, len)) {
		*r = RES_SKIP;
		return -1;
	}
	err = source_get(&src, &b->fd);
	if (err) {
		*r = failed(why, len, "%s gave no buffer: %s", src.desc, strerror(err));
		return -1;
	}
	err = engine_import_flags(b->fd, flags, &b->handle);
	if (!err)
		err = engine_query(b->handle, &b->q);
	if (err) {
		uint64_t max = engine_max_mapping_size();

		if (max)
			*r = failed(why, len, "V2D_IOC_IMPORT (%s): %s; the importer maps at most %llu bytes a segment",
				    how, strerror(err), (unsigned long long)max);
		else
			*r = failed(why, len, "V2D_IOC_IMPORT (%s): %s", how, strerror(err));
		if (b->handle)
			engine_release(b->handle);
		close(b->fd);
		return -1;
	}
	return 0;
}

void unimport(struct imported *b)
{
	engine_release(b->handle);
	close(b->fd);
}
