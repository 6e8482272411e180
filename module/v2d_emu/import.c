// SPDX-License-Identifier: GPL-2.0
/*
 * Imports: a dma-buf attached to the engine's device and mapped for DMA
 * once, for as long as any import of it lives, like a display or 2D
 * driver that keeps a streaming mapping of its buffers. CPU access goes
 * through the exporter (DMA_BUF_IOCTL_SYNC, whose begin/end_cpu_access
 * syncs every mapped attachment), so the importer never syncs on its own.
 *
 * Every import of one dma-buf, from any file, shares that one attachment
 * and mapping (struct v2d_mapping). Two streaming mappings of the same
 * pages for one device would each do their own cache maintenance, which
 * the DMA API does not support (DMA-API debug reports "overlapping
 * mappings" for exporters that sync on map), and would take IOVA space
 * twice. A mapping is on the list of mappings from the moment its first
 * import starts making it until it is torn down: an import finding it
 * being made waits for that, and one finding it being torn down waits
 * until it is gone and makes a new one. The list's lock is never held
 * while an exporter attaches, maps or unmaps, so imports and
 * retirements of different dma-bufs do not wait for each other.
 *
 * A mapping with one DMA segment is used directly; more are mapped into
 * a translation unit (iommu.c).
 *
 * Handles: per open file, in an xarray. An import reserves its handle
 * first (a NULL entry that lookups and releases do not see), tells
 * userspace, and only then stores the import there: a handle is never
 * handed out twice, and a failure to tell userspace undoes the import
 * whole. A lookup takes a reference under the xarray's lock, so it
 * cannot race with the handle's release.
 *
 * Lifetime: the handle holds one reference and every job using the
 * buffer another; the last one unmaps, detaches and drops the dma-buf.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "trace.h"
#include "v2d_emu.h"

/* Imports per open file; one more is EMFILE. */
#define V2D_MAX_IMPORTS		4096

/* The engine's one attachment and mapping of a dma-buf. */
struct v2d_mapping {
	struct kref ref;		/* one per import using or awaiting it */
	struct list_head node;		/* in v2d_mappings */
	struct completion made;		/* made, or failed with @err */
	int err;
	struct dma_buf *dmabuf;		/* the key; referenced */
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	u32 nr_segments;
	u32 path;			/* V2D_PATH_* */
	u32 unit;			/* translation unit (IOMMU path) */
	u64 addr;			/* device address of byte 0 */
	void *nc;			/* non-coherent engine: its view */
	enum dma_data_direction dir;	/* of the mapping */
	bool need_sync;			/* the DMA API does cache maintenance */
};

/*
 * The mappings being made, live or being torn down, at most one per
 * dma-buf; the lock guards the list and the transitions of the
 * references to and from zero, never an exporter's callback. Each
 * removal from the list bumps v2d_mappings_gen and wakes
 * v2d_mappings_gone, for imports waiting for a torn-down mapping to go.
 */
static LIST_HEAD(v2d_mappings);
static DEFINE_MUTEX(v2d_mappings_lock);
static DECLARE_WAIT_QUEUE_HEAD(v2d_mappings_gone);
static atomic_t v2d_mappings_gen = ATOMIC_INIT(0);

/* Decide how the engine reaches the buffer: directly or through a unit. */
static int v2d_mapping_place(struct v2d_mapping *m)
{
	struct sg_table *sgt = m->sgt;

	m->nr_segments = sgt->nents;
	if (sgt->nents == 1) {
		if (sg_dma_len(sgt->sgl) < m->dmabuf->size)
			return -EINVAL;
		m->path = V2D_PATH_DIRECT;
		m->addr = sg_dma_address(sgt->sgl);
		return 0;
	}

	m->path = V2D_PATH_IOMMU;
	return v2d_iommu_map(sgt, m->dmabuf->size, &m->unit, &m->addr);
}

/* Attach and map @m->dmabuf for the engine; on error nothing is left. */
static int v2d_mapping_make(struct v2d_mapping *m)
{
	struct dma_buf *dmabuf = m->dmabuf;
	int ret;

	m->attach = dma_buf_attach(dmabuf, v2d_dma_dev);
	if (IS_ERR(m->attach))
		return PTR_ERR(m->attach);

	/*
	 * Every fd of a dma-buf shares its one file, and so its mode: a
	 * read-only dma-buf is only ever read by the engine and is mapped
	 * to the device alone. Mapped both ways, its syncs for the CPU
	 * would copy the device's view (a bounce slot) over the pages.
	 */
	m->dir = dmabuf->file->f_mode & FMODE_WRITE ? DMA_BIDIRECTIONAL :
						      DMA_TO_DEVICE;
	m->sgt = compat_dma_buf_map_attachment_unlocked(m->attach, m->dir);
	if (IS_ERR(m->sgt)) {
		ret = PTR_ERR(m->sgt);
		goto err_detach;
	}
	/*
	 * Whether the DMA API will do anything for the engine's syncs of
	 * this mapping: for a non-coherent engine, or one that bounces, it
	 * must (debugfs shows it; the tests check it).
	 */
	m->need_sync = dma_need_sync(v2d_dma_dev, sg_dma_address(m->sgt->sgl));

	ret = v2d_mapping_place(m);
	if (ret)
		goto err_unmap;

	if (!dev_is_dma_coherent(v2d_dma_dev)) {
		m->nc = v2d_nc_map(m->sgt, dmabuf->size);
		if (IS_ERR(m->nc)) {
			ret = PTR_ERR(m->nc);
			m->nc = NULL;
			goto err_unplace;
		}
	}
	return 0;

err_unplace:
	if (m->path == V2D_PATH_IOMMU)
		v2d_iommu_unmap(m->unit, m->addr, dmabuf->size);
err_unmap:
	compat_dma_buf_unmap_attachment_unlocked(m->attach, m->sgt, m->dir);
err_detach:
	dma_buf_detach(dmabuf, m->attach);
	return ret;
}

/* Undo v2d_mapping_make(). */
static void v2d_mapping_unmake(struct v2d_mapping *m)
{
	if (m->nc)
		vunmap(m->nc);
	if (m->path == V2D_PATH_IOMMU)
		v2d_iommu_unmap(m->unit, m->addr, m->dmabuf->size);
	compat_dma_buf_unmap_attachment_unlocked(m->attach, m->sgt, m->dir);
	dma_buf_detach(m->dmabuf, m->attach);
}

/*
 * The last reference is gone. Called with v2d_mappings_lock held
 * (kref_put_mutex), which it drops at once: the mapping stays on the
 * list while it is torn down, so that no import maps the same pages
 * meanwhile, and leaves it afterwards.
 */
static void v2d_mapping_release(struct kref *ref)
{
	struct v2d_mapping *m = container_of(ref, struct v2d_mapping, ref);

	mutex_unlock(&v2d_mappings_lock);
	if (!m->err)
		v2d_mapping_unmake(m);

	mutex_lock(&v2d_mappings_lock);
	list_del(&m->node);
	atomic_inc(&v2d_mappings_gen);
	mutex_unlock(&v2d_mappings_lock);
	wake_up_all(&v2d_mappings_gone);

	dma_buf_put(m->dmabuf);
	kfree(m);
}

static void v2d_mapping_put(struct v2d_mapping *m)
{
	kref_put_mutex(&m->ref, v2d_mapping_release, &v2d_mappings_lock);
}

/* The mapping of @dmabuf on the list, or NULL; under v2d_mappings_lock. */
static struct v2d_mapping *v2d_mapping_find(struct dma_buf *dmabuf)
{
	struct v2d_mapping *m;

	list_for_each_entry(m, &v2d_mappings, node)
		if (m->dmabuf == dmabuf)
			return m;
	return NULL;
}

/* A new mapping of @dmabuf, on the list, to be made by the caller. */
static struct v2d_mapping *v2d_mapping_new(struct dma_buf *dmabuf)
{
	struct v2d_mapping *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return NULL;
	kref_init(&m->ref);
	init_completion(&m->made);
	m->dmabuf = dmabuf;
	get_dma_buf(dmabuf);
	list_add(&m->node, &v2d_mappings);
	return m;
}

/*
 * The dma-buf's mapping: an existing one once it is made, or one made
 * here on its first import. Return: the mapping, or an ERR_PTR.
 */
static struct v2d_mapping *v2d_mapping_get(struct dma_buf *dmabuf)
{
	struct v2d_mapping *m;
	bool maker = false;
	int gen, ret;

retry:
	mutex_lock(&v2d_mappings_lock);
	m = v2d_mapping_find(dmabuf);
	if (m && !kref_get_unless_zero(&m->ref)) {
		/* Being torn down: wait until it has left the list. */
		gen = atomic_read(&v2d_mappings_gen);
		mutex_unlock(&v2d_mappings_lock);
		wait_event(v2d_mappings_gone,
			   atomic_read(&v2d_mappings_gen) != gen);
		goto retry;
	}
	if (!m) {
		m = v2d_mapping_new(dmabuf);
		maker = true;
	}
	mutex_unlock(&v2d_mappings_lock);
	if (!m)
		return ERR_PTR(-ENOMEM);

	if (maker) {
		m->err = v2d_mapping_make(m);
		complete_all(&m->made);
	} else {
		wait_for_completion(&m->made);
	}
	ret = m->err;
	if (ret) {
		v2d_mapping_put(m);
		return ERR_PTR(ret);
	}
	return m;
}

static struct v2d_buffer *v2d_buffer_create(int fd)
{
	struct v2d_mapping *m;
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
	/*
	 * What the fd allows is what the engine may do: an importer given a
	 * read-only fd reads through it and never writes.
	 */
	buf->writable = buf->dmabuf->file->f_mode & FMODE_WRITE;
	buf->readable = buf->dmabuf->file->f_mode & FMODE_READ;

	m = v2d_mapping_get(buf->dmabuf);
	if (IS_ERR(m)) {
		ret = PTR_ERR(m);
		goto err_put;
	}
	buf->mapping = m;
	buf->nr_segments = m->nr_segments;
	buf->path = m->path;
	buf->unit = m->unit;
	buf->addr = m->addr;
	buf->nc = m->nc;
	buf->dir = m->dir;
	buf->need_sync = m->need_sync;

	atomic64_inc(&v2d_counters.live_imports);
	v2d_debug_add_import(buf);
	return buf;

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
	v2d_mapping_put(buf->mapping);
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
 * v2d_buffer_import() - import a dma-buf fd and reserve its handle
 * @vfile: the file
 * @fd: the dma-buf fd
 *
 * The handle (@buf->handle) is reserved but names nothing yet: a RELEASE
 * or lookup of it finds nothing until v2d_buffer_publish(), so the
 * caller can still tell userspace the handle, and undo everything with
 * v2d_buffer_unreserve() if that fails.
 *
 * Return: the import, or an ERR_PTR: -EBADF (not an open fd), -EINVAL
 * (not a dma-buf, or a mapping the engine cannot use), -EMFILE (too many
 * imports), -ENOSPC (no IOVA room), -ENOMEM, or the exporter's error.
 */
struct v2d_buffer *v2d_buffer_import(struct v2d_file *vfile, int fd)
{
	struct v2d_buffer *buf;
	u32 id;
	int ret;

	buf = v2d_buffer_create(fd);
	if (IS_ERR(buf))
		return buf;

	ret = xa_alloc(&vfile->imports, &id, NULL,
		       XA_LIMIT(1, V2D_MAX_IMPORTS), GFP_KERNEL);
	if (ret) {
		v2d_buffer_put(buf);
		return ERR_PTR(ret == -EBUSY ? -EMFILE : ret);
	}
	buf->handle = id;
	trace_v2d_import(buf);
	return buf;
}

/**
 * v2d_buffer_publish() - let the reserved handle name the import
 * @vfile: the file
 * @buf: from v2d_buffer_import(); another thread may release it at once,
 *	so the caller no longer touches it
 */
void v2d_buffer_publish(struct v2d_file *vfile, struct v2d_buffer *buf)
{
	/* Storing into a reserved slot needs no memory: it cannot fail. */
	xa_store(&vfile->imports, buf->handle, buf, GFP_KERNEL);
}

/**
 * v2d_buffer_unreserve() - undo v2d_buffer_import()
 * @vfile: the file
 * @buf: the import, never published
 */
void v2d_buffer_unreserve(struct v2d_file *vfile, struct v2d_buffer *buf)
{
	xa_release(&vfile->imports, buf->handle);
	v2d_buffer_put(buf);
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
 * A handle still reserved by an import in progress names nothing: it is
 * refused like an unknown one, and stays reserved, so that no other
 * import can be given it meanwhile.
 *
 * Return: 0, or -ENOENT for an unknown handle.
 */
int v2d_buffer_release(struct v2d_file *vfile, u32 handle)
{
	struct v2d_buffer *buf;

	xa_lock(&vfile->imports);
	buf = xa_load(&vfile->imports, handle);
	if (buf)
		__xa_erase(&vfile->imports, handle);
	xa_unlock(&vfile->imports);

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
