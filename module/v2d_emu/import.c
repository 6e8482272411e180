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
 * a translation unit (iommu.c). What the engine uses (the DMA mapping,
 * its placement, a non-coherent view) is a struct v2d_place.
 *
 * Dynamic imports (V2D_IMPORT_DYNAMIC) attach with importer ops, as GPU
 * and RDMA drivers do, and keep their own attachment beside any static
 * one. The exporter's invalidation (reservation lock held) only drops
 * the attachment's reference to its current place: jobs already
 * submitted hold theirs and finish on it (the exporter waits for their
 * fences before the old pages go), and the last of them unmaps it, under
 * the reservation lock, from retirement. The next submit maps the buffer
 * again under the reservation lock it already holds to order its fence
 * (job.c), never the engine's worker, which may not wait for that lock.
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

/* The engine's one attachment of a dma-buf, static or dynamic. */
struct v2d_mapping {
	struct kref ref;		/* one per import using or awaiting it */
	struct list_head node;		/* in v2d_mappings */
	struct completion made;		/* made, or failed with @err */
	int err;
	struct dma_buf *dmabuf;		/* the key, with @dynamic; referenced */
	bool dynamic;			/* a dynamic attachment */
	bool pinned;			/* ... that the engine pins */
	struct dma_buf_attachment *attach;
	enum dma_data_direction dir;	/* of the mapping */
	/*
	 * The current mapping: for a static attachment from its making to
	 * its end; for a dynamic one NULL from an invalidation until the
	 * next job maps it again. A dynamic one's is read and changed under
	 * the dma-buf's reservation lock, and so are the counts.
	 */
	struct v2d_place *place;
	u32 invalidations;
	u32 remaps;
};

/*
 * The mappings being made, live or being torn down, at most one per
 * dma-buf and kind; the lock guards the list and the transitions of the
 * references to and from zero, never an exporter's callback. Each
 * removal from the list bumps v2d_mappings_gen and wakes
 * v2d_mappings_gone, for imports waiting for a torn-down mapping to go.
 */
static LIST_HEAD(v2d_mappings);
static DEFINE_MUTEX(v2d_mappings_lock);
static DECLARE_WAIT_QUEUE_HEAD(v2d_mappings_gone);
static atomic_t v2d_mappings_gen = ATOMIC_INIT(0);

/* Decide how the engine reaches the buffer: directly or through a unit. */
static int v2d_place_locate(struct v2d_place *p, u64 size)
{
	struct sg_table *sgt = p->sgt;

	p->nr_segments = sgt->nents;
	if (sgt->nents == 1) {
		if (sg_dma_len(sgt->sgl) < size)
			return -EINVAL;
		p->path = V2D_PATH_DIRECT;
		p->addr = sg_dma_address(sgt->sgl);
		return 0;
	}

	p->path = V2D_PATH_IOMMU;
	return v2d_iommu_map(sgt, size, &p->unit, &p->addr);
}

/* Map the attachment: a dynamic one's with the reservation lock held. */
static struct sg_table *v2d_mapping_map(struct v2d_mapping *m)
{
	if (m->dynamic)
		return dma_buf_map_attachment(m->attach, m->dir);
	return compat_dma_buf_map_attachment_unlocked(m->attach, m->dir);
}

static void v2d_mapping_unmap(struct v2d_mapping *m, struct sg_table *sgt)
{
	if (m->dynamic)
		dma_buf_unmap_attachment(m->attach, sgt, m->dir);
	else
		compat_dma_buf_unmap_attachment_unlocked(m->attach, sgt, m->dir);
}

/*
 * Map @m for the engine: DMA mapping, placement, non-coherent view. A
 * dynamic attachment's with the reservation lock held. Return: the
 * place, holding one reference, or an ERR_PTR with nothing left.
 */
static struct v2d_place *v2d_place_make(struct v2d_mapping *m)
{
	u64 size = m->dmabuf->size;
	struct v2d_place *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	refcount_set(&p->ref, 1);
	p->mapping = m;

	p->sgt = v2d_mapping_map(m);
	if (IS_ERR(p->sgt)) {
		ret = PTR_ERR(p->sgt);
		goto err_free;
	}
	/*
	 * Whether the DMA API will do anything for the engine's syncs of
	 * this mapping: for a non-coherent engine, or one that bounces, it
	 * must (debugfs shows it; the tests check it).
	 */
	p->need_sync = dma_need_sync(v2d_dma_dev, sg_dma_address(p->sgt->sgl));

	ret = v2d_place_locate(p, size);
	if (ret)
		goto err_unmap;

	if (!dev_is_dma_coherent(v2d_dma_dev)) {
		p->nc = v2d_nc_map(p->sgt, size);
		if (IS_ERR(p->nc)) {
			ret = PTR_ERR(p->nc);
			p->nc = NULL;
			goto err_unlocate;
		}
	}
	return p;

err_unlocate:
	if (p->path == V2D_PATH_IOMMU)
		v2d_iommu_unmap(p->unit, p->addr, size);
err_unmap:
	v2d_mapping_unmap(m, p->sgt);
err_free:
	kfree(p);
	return ERR_PTR(ret);
}

/*
 * Drop a reference to a place; the last one unmaps it. For a dynamic
 * attachment that needs the reservation lock: @locked says the caller
 * holds it, else it is taken here.
 */
static void v2d_place_put_locked(struct v2d_place *p, bool locked)
{
	struct v2d_mapping *m = p->mapping;
	struct dma_resv *resv = m->dmabuf->resv;

	if (!refcount_dec_and_test(&p->ref))
		return;
	if (p->nc)
		vunmap(p->nc);
	if (p->path == V2D_PATH_IOMMU)
		v2d_iommu_unmap(p->unit, p->addr, m->dmabuf->size);
	if (m->dynamic && !locked)
		dma_resv_lock(resv, NULL);
	v2d_mapping_unmap(m, p->sgt);
	if (m->dynamic && !locked)
		dma_resv_unlock(resv);
	kfree(p);
}

/**
 * v2d_place_put() - drop a job's reference to the mapping it ran with
 * @p: the place, or NULL; the caller holds no reservation lock
 */
void v2d_place_put(struct v2d_place *p)
{
	if (p)
		v2d_place_put_locked(p, false);
}

/*
 * The exporter is moving or revoking the buffer (reservation lock held).
 * The mapping stays usable for the jobs already submitted, whose fences
 * the exporter waits for, and goes with the last of them; the next
 * submit maps the buffer again. Nothing here waits.
 */
static void v2d_mapping_invalidate(struct dma_buf_attachment *attach)
{
	struct v2d_mapping *m = attach->importer_priv;
	struct v2d_place *p = m->place;

	dma_resv_assert_held(attach->dmabuf->resv);
	m->invalidations++;
	m->place = NULL;
	trace_v2d_invalidate(file_inode(m->dmabuf->file)->i_ino,
			     m->invalidations, !!p);
	if (p)
		v2d_place_put_locked(p, true);
}

static const struct dma_buf_attach_ops v2d_importer_ops = {
	COMPAT_DMA_BUF_ATTACH_OPS_INVALIDATE(v2d_mapping_invalidate),
};

/**
 * v2d_buffer_place() - the mapping a job of @buf's uses, made if needed
 * @buf: the import; the caller holds its dma-buf's reservation lock
 *
 * Return: the place, with a reference for the caller, or an ERR_PTR:
 * the exporter's error (-ENODEV for a revoked buffer) or -ENOMEM.
 */
struct v2d_place *v2d_buffer_place(struct v2d_buffer *buf)
{
	struct v2d_mapping *m = buf->mapping;
	struct v2d_place *p;

	dma_resv_assert_held(buf->dmabuf->resv);
	if (!m->place) {
		p = v2d_place_make(m);
		trace_v2d_remap(buf->ino, IS_ERR(p) ? NULL : p,
				PTR_ERR_OR_ZERO(p));
		if (IS_ERR(p))
			return p;
		m->place = p;
		m->remaps++;
	}
	refcount_inc(&m->place->ref);
	return m->place;
}

/* Attach and map @m->dmabuf for the engine; on error nothing is left. */
static int v2d_mapping_make(struct v2d_mapping *m)
{
	struct dma_buf *dmabuf = m->dmabuf;
	struct v2d_place *p;
	int ret;

	if (m->dynamic)
		m->attach = dma_buf_dynamic_attach(dmabuf, v2d_dma_dev,
						   &v2d_importer_ops, m);
	else
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
	if (m->dynamic) {
		ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
		if (ret)
			goto err_detach;
	}
	/* As iommufd does: pinned, yet told (and revocable on 7.1+). */
	ret = m->pinned ? dma_buf_pin(m->attach) : 0;
	p = ret ? ERR_PTR(ret) : v2d_place_make(m);
	if (!IS_ERR(p))
		m->place = p;
	else if (!ret && m->pinned)
		dma_buf_unpin(m->attach);
	if (m->dynamic)
		dma_resv_unlock(dmabuf->resv);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto err_detach;
	}
	return 0;

err_detach:
	dma_buf_detach(dmabuf, m->attach);
	return ret;
}

/* Undo v2d_mapping_make(): jobs hold no place of it any more. */
static void v2d_mapping_unmake(struct v2d_mapping *m)
{
	struct dma_resv *resv = m->dmabuf->resv;

	if (m->dynamic)
		dma_resv_lock(resv, NULL);
	if (m->place)
		v2d_place_put_locked(m->place, m->dynamic);
	m->place = NULL;
	if (m->pinned)
		dma_buf_unpin(m->attach);
	if (m->dynamic)
		dma_resv_unlock(resv);
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
static struct v2d_mapping *v2d_mapping_find(struct dma_buf *dmabuf,
					    u32 flags)
{
	bool dynamic = flags & V2D_IMPORT_DYNAMIC, pinned = flags & V2D_IMPORT_PIN;
	struct v2d_mapping *m;

	list_for_each_entry(m, &v2d_mappings, node)
		if (m->dmabuf == dmabuf && m->dynamic == dynamic &&
		    m->pinned == pinned)
			return m;
	return NULL;
}

/* A new mapping of @dmabuf, on the list, to be made by the caller. */
static struct v2d_mapping *v2d_mapping_new(struct dma_buf *dmabuf,
					   u32 flags)
{
	struct v2d_mapping *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return NULL;
	kref_init(&m->ref);
	init_completion(&m->made);
	m->dmabuf = dmabuf;
	m->dynamic = flags & V2D_IMPORT_DYNAMIC;
	m->pinned = flags & V2D_IMPORT_PIN;
	get_dma_buf(dmabuf);
	list_add(&m->node, &v2d_mappings);
	return m;
}

/*
 * The dma-buf's mapping: an existing one once it is made, or one made
 * here on its first import. Return: the mapping, or an ERR_PTR.
 */
static struct v2d_mapping *v2d_mapping_get(struct dma_buf *dmabuf,
					   u32 flags)
{
	struct v2d_mapping *m;
	bool maker = false;
	int gen, ret;

retry:
	mutex_lock(&v2d_mappings_lock);
	m = v2d_mapping_find(dmabuf, flags);
	if (m && !kref_get_unless_zero(&m->ref)) {
		/* Being torn down: wait until it has left the list. */
		gen = atomic_read(&v2d_mappings_gen);
		mutex_unlock(&v2d_mappings_lock);
		wait_event(v2d_mappings_gone,
			   atomic_read(&v2d_mappings_gen) != gen);
		goto retry;
	}
	if (!m) {
		m = v2d_mapping_new(dmabuf, flags);
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

/*
 * A dynamic import shares the mapping of earlier ones, which the exporter
 * may have invalidated since: map it again now, so that an import of a
 * buffer the engine cannot map (a revoked one) fails as the first did.
 */
static int v2d_buffer_validate(struct v2d_buffer *buf)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	struct v2d_place *p;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	p = v2d_buffer_place(buf);
	if (!IS_ERR(p))
		v2d_place_put_locked(p, true);
	dma_resv_unlock(resv);
	return PTR_ERR_OR_ZERO(p);
}

static struct v2d_buffer *v2d_buffer_create(int fd, u32 flags)
{
	struct v2d_query q;
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

	m = v2d_mapping_get(buf->dmabuf, flags);
	if (IS_ERR(m)) {
		ret = PTR_ERR(m);
		goto err_put;
	}
	buf->mapping = m;
	buf->dynamic = m->dynamic;
	buf->dir = m->dir;
	if (m->dynamic) {
		ret = v2d_buffer_validate(buf);
		if (ret)
			goto err_mapping;
	}
	/* For the import's tracepoint (a dynamic mapping may move soon). */
	if (!v2d_buffer_describe(buf, &q, NULL)) {
		buf->path_at_import = q.path;
		buf->segments_at_import = q.nr_segments;
	}

	atomic64_inc(&v2d_counters.live_imports);
	v2d_debug_add_import(buf);
	return buf;

err_mapping:
	v2d_mapping_put(m);
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
 * @flags: %V2D_IMPORT_* flags, already checked
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
struct v2d_buffer *v2d_buffer_import(struct v2d_file *vfile, int fd,
				     u32 flags)
{
	struct v2d_buffer *buf;
	u32 id;
	int ret;

	buf = v2d_buffer_create(fd, flags);
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

/**
 * v2d_buffer_describe() - how the engine reaches an import now
 * @buf: the import
 * @q: its @nr_segments, @path, @unit, @iova, @state, @invalidations and
 *	@remaps are filled (see &struct v2d_query)
 * @need_sync: if not NULL, whether the DMA API syncs the current mapping
 *
 * A dynamic import's mapping changes under its reservation lock, which
 * is taken here: never call it with one held.
 *
 * Return: 0, or -EINTR when a signal arrived while waiting for the lock.
 */
int v2d_buffer_describe(struct v2d_buffer *buf, struct v2d_query *q,
			bool *need_sync)
{
	struct v2d_mapping *m = buf->mapping;
	struct dma_resv *resv = buf->dmabuf->resv;
	struct v2d_place *p;

	q->state = 0;
	if (buf->dynamic) {
		if (dma_resv_lock_interruptible(resv, NULL))
			return -EINTR;
		q->state = V2D_QUERY_DYNAMIC;
		if (m->pinned || !compat_dma_buf_dynamic_unpinned())
			q->state |= V2D_QUERY_PINNED;
		if (m->pinned && compat_dma_buf_attach_revocable(m->attach))
			q->state |= V2D_QUERY_REVOCABLE;
	}
	p = m->place;
	if (!p)
		q->state |= V2D_QUERY_INVALID;
	q->nr_segments = p ? p->nr_segments : 0;
	q->path = p ? p->path : 0;
	/* The bus address of the direct path is nobody's business. */
	q->unit = p && p->path == V2D_PATH_IOMMU ? p->unit : 0;
	q->iova = p && p->path == V2D_PATH_IOMMU ? p->addr : 0;
	q->invalidations = m->invalidations;
	q->remaps = m->remaps;
	if (need_sync)
		*need_sync = p && p->need_sync;
	if (buf->dynamic)
		dma_resv_unlock(resv);
	return 0;
}
