// SPDX-License-Identifier: GPL-2.0
/*
 * Imports: a dma-buf attached to the engine's device and mapped for DMA
 * once, for as long as the import lives, like a display or 2D driver
 * that keeps a streaming mapping of its buffers. CPU access goes through
 * the exporter (DMA_BUF_IOCTL_SYNC, whose begin/end_cpu_access syncs
 * every mapped attachment), so the importer never syncs on its own.
 *
 * A mapping with one DMA segment is used directly; more are mapped into
 * a translation unit (iommu.c).
 *
 * Handles: per open file, in an xarray; a lookup takes a reference under
 * the xarray's lock, so it cannot race with the handle's release.
 *
 * Lifetime: the handle holds one reference and every job using the
 * buffer another; the last one unmaps, detaches and drops the dma-buf.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "compat.h"
#include "trace.h"
#include "v2d_emu.h"

/* Imports per open file; one more is EMFILE. */
#define V2D_MAX_IMPORTS		4096

/* Decide how the engine reaches the buffer: directly or through a unit. */
static int v2d_buffer_place(struct v2d_buffer *buf)
{
	struct sg_table *sgt = buf->sgt;

	buf->nr_segments = sgt->nents;
	if (sgt->nents == 1) {
		if (sg_dma_len(sgt->sgl) < buf->size)
			return -EINVAL;
		buf->path = V2D_PATH_DIRECT;
		buf->addr = sg_dma_address(sgt->sgl);
		return 0;
	}

	buf->path = V2D_PATH_IOMMU;
	return v2d_iommu_map(sgt, buf->size, &buf->unit, &buf->addr);
}

static struct v2d_buffer *v2d_buffer_create(int fd)
{
	struct v2d_buffer *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	INIT_LIST_HEAD(&buf->debug_node);
	buf->pid = task_tgid_nr(current);
	get_task_comm(buf->comm, current);

	buf->dmabuf = dma_buf_get(fd);
	if (IS_ERR(buf->dmabuf)) {
		ret = PTR_ERR(buf->dmabuf);
		goto err_free;
	}
	buf->size = buf->dmabuf->size;
	buf->ino = file_inode(buf->dmabuf->file)->i_ino;

	buf->attach = dma_buf_attach(buf->dmabuf, v2d_dma_dev);
	if (IS_ERR(buf->attach)) {
		ret = PTR_ERR(buf->attach);
		goto err_put;
	}

	buf->sgt = compat_dma_buf_map_attachment_unlocked(buf->attach,
							  DMA_BIDIRECTIONAL);
	if (IS_ERR(buf->sgt)) {
		ret = PTR_ERR(buf->sgt);
		goto err_detach;
	}

	ret = v2d_buffer_place(buf);
	if (ret)
		goto err_unmap;

	atomic64_inc(&v2d_counters.live_imports);
	v2d_debug_add_import(buf);
	return buf;

err_unmap:
	compat_dma_buf_unmap_attachment_unlocked(buf->attach, buf->sgt,
						 DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(buf->dmabuf, buf->attach);
err_put:
	dma_buf_put(buf->dmabuf);
err_free:
	kfree(buf);
	return ERR_PTR(ret);
}

static void v2d_buffer_destroy(struct kref *ref)
{
	struct v2d_buffer *buf = container_of(ref, struct v2d_buffer, ref);

	v2d_debug_del_import(buf);
	trace_v2d_release(buf);
	if (buf->path == V2D_PATH_IOMMU)
		v2d_iommu_unmap(buf->unit, buf->addr, buf->size);
	compat_dma_buf_unmap_attachment_unlocked(buf->attach, buf->sgt,
						 DMA_BIDIRECTIONAL);
	dma_buf_detach(buf->dmabuf, buf->attach);
	dma_buf_put(buf->dmabuf);
	kfree(buf);
	atomic64_dec(&v2d_counters.live_imports);
}

/**
 * v2d_buffer_put() - drop a reference to an import
 * @buf: the import; the last reference unmaps it. May sleep (it takes
 *	the buffer's reservation lock to unmap), so never call it with a
 *	reservation lock held or from atomic context.
 */
void v2d_buffer_put(struct v2d_buffer *buf)
{
	kref_put(&buf->ref, v2d_buffer_destroy);
}

/**
 * v2d_buffer_import() - import a dma-buf fd into an open file
 * @vfile: the file
 * @fd: the dma-buf fd
 * @handle: out: the new handle
 *
 * Return: 0, or -EBADF (not an open fd), -EINVAL (not a dma-buf, or a
 * mapping the engine cannot use), -EMFILE (too many imports), -ENOSPC (no
 * IOVA room), -ENOMEM, or the exporter's error.
 */
int v2d_buffer_import(struct v2d_file *vfile, int fd, u32 *handle)
{
	struct v2d_buffer *buf;
	u32 id;
	int ret;

	buf = v2d_buffer_create(fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	/*
	 * Reserve the handle first and publish the import only once it is
	 * complete: a published entry can be released by another thread at
	 * once, so nothing may touch @buf after the store.
	 */
	ret = xa_alloc(&vfile->imports, &id, NULL,
		       XA_LIMIT(1, V2D_MAX_IMPORTS), GFP_KERNEL);
	if (ret) {
		v2d_buffer_put(buf);
		return ret == -EBUSY ? -EMFILE : ret;
	}
	buf->handle = id;
	trace_v2d_import(buf);
	/* Storing into a reserved slot needs no memory: it cannot fail. */
	xa_store(&vfile->imports, id, buf, GFP_KERNEL);
	*handle = id;
	return 0;
}

/**
 * v2d_buffer_lookup() - take a reference to the import behind a handle
 * @vfile: the file
 * @handle: the handle
 *
 * Return: the import, to be dropped with v2d_buffer_put(), or NULL.
 */
struct v2d_buffer *v2d_buffer_lookup(struct v2d_file *vfile, u32 handle)
{
	struct v2d_buffer *buf;

	xa_lock(&vfile->imports);
	buf = xa_load(&vfile->imports, handle);
	if (buf)
		kref_get(&buf->ref);
	xa_unlock(&vfile->imports);
	return buf;
}

/**
 * v2d_buffer_release() - drop a handle
 * @vfile: the file
 * @handle: the handle
 *
 * Return: 0, or -ENOENT for an unknown handle.
 */
int v2d_buffer_release(struct v2d_file *vfile, u32 handle)
{
	struct v2d_buffer *buf = xa_erase(&vfile->imports, handle);

	if (!buf)
		return -ENOENT;
	v2d_buffer_put(buf);
	return 0;
}

/* The file is closing and its jobs are retired: drop every handle. */
void v2d_buffer_release_all(struct v2d_file *vfile)
{
	struct v2d_buffer *buf;
	unsigned long id;

	xa_for_each(&vfile->imports, id, buf) {
		xa_erase(&vfile->imports, id);
		v2d_buffer_put(buf);
	}
	xa_destroy(&vfile->imports);
}
