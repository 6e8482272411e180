// SPDX-License-Identifier: GPL-2.0
/* The v2d_emu engine's ioctls: import a dma-buf, query, release, submit a job. */
#include <string.h>

#include <uapi/v2d_emu.h>

#include "internal.h"

DL_EXPORT int dmabuf_lab_v2d_import(int v2d, int buf_fd, uint32_t *handle)
{
	struct v2d_import req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.fd = buf_fd;
	ret = dl_ioctl(v2d, V2D_IOC_IMPORT, &req);
	if (ret < 0)
		return ret;
	*handle = req.handle;
	return 0;
}

DL_EXPORT int dmabuf_lab_v2d_release(int v2d, uint32_t handle)
{
	struct v2d_release req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.handle = handle;
	ret = dl_ioctl(v2d, V2D_IOC_RELEASE, &req);
	return ret < 0 ? ret : 0;
}

DL_EXPORT int dmabuf_lab_v2d_query(int v2d, uint32_t handle, struct v2d_query *q)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->handle = handle;
	ret = dl_ioctl(v2d, V2D_IOC_QUERY, q);
	return ret < 0 ? ret : 0;
}

DL_EXPORT int dmabuf_lab_v2d_submit(int v2d, struct v2d_submit *req)
{
	int ret = dl_ioctl(v2d, V2D_IOC_SUBMIT, req);

	return ret < 0 ? ret : 0;
}
