// SPDX-License-Identifier: GPL-2.0
/*
 * DMABUF_NULL_IOC_ROTATE: dmabuf-bench's CPU rotate, run by the kernel.
 *
 * v2d_emu's engine is kernel code, and under an emulator kernel code
 * runs slower than the same code in userspace: FILL showed it, where
 * the engine runs as fast as the kernel's own memset() and both reach
 * about 0.6 of glibc's, on the very pages a userspace memset fills at
 * full speed. This runs, line for line, the loop that dmabuf-bench's
 * CPU reference runs, on two dma-bufs' kernel mappings: what that rotate
 * costs in kernel mode, the ceiling of an engine written as kernel code.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <uapi/dmabuf_null.h>

#include "compat.h"
#include "null.h"

/* dmabuf-bench's cpu_rotate(): 90 degrees clockwise, in 32x32 tiles. */
static void null_rotate_90(u32 *dst, const u32 *src, u32 w, u32 h)
{
	u32 tr, tc, r, c;

	for (tr = 0; tr < h; tr += 32) {
		for (tc = 0; tc < w; tc += 32)
			for (r = tr; r < tr + 32 && r < h; r++)
				for (c = tc; c < tc + 32 && c < w; c++)
					dst[(size_t)c * h + (h - 1 - r)] =
						src[(size_t)r * w + c];
		/* A row of tiles at a time, as a preempted process would. */
		cond_resched();
	}
}

/* Map both buffers, rotate between CPU-access brackets, time the loop. */
static int null_rotate_mapped(struct dma_buf *src, struct dma_buf *dst,
			      struct dmabuf_null_rotate *req)
{
	void *s, *d;
	u64 t0;
	int ret;

	s = compat_dma_buf_vmap_unlocked(src);
	if (!s)
		return -ENOMEM;
	d = compat_dma_buf_vmap_unlocked(dst);
	if (!d) {
		ret = -ENOMEM;
		goto vunmap_src;
	}
	ret = dma_buf_begin_cpu_access(src, DMA_FROM_DEVICE);
	if (ret)
		goto vunmap_dst;
	ret = dma_buf_begin_cpu_access(dst, DMA_BIDIRECTIONAL);
	if (ret)
		goto end_src;

	t0 = ktime_get_ns();
	null_rotate_90(d, s, req->width, req->height);
	req->ns = ktime_get_ns() - t0;

	ret = dma_buf_end_cpu_access(dst, DMA_BIDIRECTIONAL);
end_src:
	dma_buf_end_cpu_access(src, DMA_FROM_DEVICE);
vunmap_dst:
	compat_dma_buf_vunmap_unlocked(dst, d);
vunmap_src:
	compat_dma_buf_vunmap_unlocked(src, s);
	return ret;
}

long null_ioctl_rotate(struct dmabuf_null_rotate __user *uarg)
{
	struct dmabuf_null_rotate req;
	struct dma_buf *src, *dst;
	u64 bytes;
	long ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (!req.width || !req.height)
		return -EINVAL;
	bytes = (u64)req.width * req.height * 4;

	src = dma_buf_get(req.src_fd);
	if (IS_ERR(src))
		return PTR_ERR(src);
	dst = dma_buf_get(req.dst_fd);
	if (IS_ERR(dst)) {
		ret = PTR_ERR(dst);
		goto put_src;
	}
	ret = -EINVAL;
	if (src != dst && src->size >= bytes && dst->size >= bytes)
		ret = null_rotate_mapped(src, dst, &req);
	if (!ret && copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;

	dma_buf_put(dst);
put_src:
	dma_buf_put(src);
	return ret;
}
