// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf buffers: page allocation by policy, and the dma_buf_ops.
 *
 * A buffer owns a scatter-gather table with one entry per physically
 * contiguous chunk it was allocated in. Importers never see that table:
 * every map_dma_buf call gets a fresh copy mapped for the importer's
 * device, so that two mappings of one attachment never share DMA state,
 * and begin/end_cpu_access can sync each mapping in the direction it was
 * mapped with, which is what the DMA API requires of a sync.
 *
 * Locking: buffer->lock protects the attachment list, each attachment's
 * mapping list, the vmap state and, for a movable buffer, its table. The
 * dma-buf core may call map, unmap, vmap and vunmap with the buffer's
 * reservation lock held (and always does for a movable buffer, a dynamic
 * dma-buf); nothing here takes that lock but a move, which takes it
 * first, so the order is always resv, then buffer->lock. A fault on a
 * movable buffer's CPU mapping takes buffer->lock under the mm's lock.
 *
 * Moves (pagebuf_buffer_move()) follow the dynamic dma-buf rules: with
 * the reservation lock held, an exporter tells the dynamic importers
 * their mappings are invalid, waits for the fences, then replaces the
 * pages. Static importers cannot follow a move: the core pins the
 * buffer for them, and a pinned buffer is not moved.
 *
 * Lifetime: the dma_buf owns the buffer. Release runs once the last fd,
 * mapping and importer reference are gone, calls the buffer's release
 * hook if one was set (pagebuf_buffer_set_release_hook()), and frees the
 * pages unless the buffer only wraps pages the module owns
 * (pagebuf_buffer_wrap_page()).
 */
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "buffer.h"
#include "compat.h"
#include "pagebuf.h"
#include "trace.h"

/*
 * The longest segment a mapping for @dev may have: what the device takes
 * in one segment (dma_get_max_seg_size(), 64 KiB for a device that never
 * said), and what the DMA API can map for it at once
 * (dma_max_mapping_size(): 256 KiB where swiotlb bounces, for a device
 * with a 32-bit mask, under swiotlb=force or in an encrypted guest).
 */
static unsigned int pagebuf_max_segment(struct device *dev)
{
	size_t max = min_t(size_t, dma_get_max_seg_size(dev),
			   dma_max_mapping_size(dev));

	return max_t(unsigned int, PAGE_SIZE,
		     rounddown(min_t(size_t, max, UINT_MAX), PAGE_SIZE));
}

/*
 * A table over the same pages as @src, for one DMA mapping for @dev, with
 * no segment longer than pagebuf_max_segment(): a buffer allocated in
 * 1 MiB chunks, or in one, is split for a device that bounces.
 */
static int pagebuf_copy_table(struct sg_table *dst, struct sg_table *src,
			      struct device *dev)
{
	unsigned int max = pagebuf_max_segment(dev);
	unsigned int i, off, len, nents = 0;
	struct scatterlist *s, *d;
	int ret;

	/* Not DIV_ROUND_UP(): length + max - 1 overflows for a large max. */
	for_each_sgtable_sg(src, s, i)
		nents += s->length / max + !!(s->length % max);

	ret = sg_alloc_table(dst, nents, GFP_KERNEL);
	if (ret)
		return ret;

	d = dst->sgl;
	for_each_sgtable_sg(src, s, i) {
		for (off = 0; off < s->length; off += len) {
			len = min(s->length - off, max);
			sg_set_page(d, compat_nth_page(sg_page(s),
						       off >> PAGE_SHIFT),
				    len, s->offset);
			d = sg_next(d);
		}
	}
	return 0;
}

/*
 * A movable buffer's DMA mapping holds a reference on each of its pages:
 * a dynamic importer told of a move unmaps when it next can, and until
 * then the old pages must stay (its unmap syncs them back from a bounce
 * buffer).
 */
static void pagebuf_table_pages_ref(struct sg_table *table, bool get)
{
	struct sg_page_iter piter;

	for_each_sgtable_page(table, &piter, 0) {
		if (get)
			get_page(sg_page_iter_page(&piter));
		else
			put_page(sg_page_iter_page(&piter));
	}
}

static int pagebuf_attach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	struct pagebuf_attachment *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	a->dev = attach->dev;
	INIT_LIST_HEAD(&a->mappings);
	attach->priv = a;

	mutex_lock(&buf->lock);
	if (buf->revoked) {
		mutex_unlock(&buf->lock);
		kfree(a);
		return -ENODEV;
	}
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);

	pagebuf_stats_attach(1);
	trace_pagebuf_attach(buf, a->dev);
	return 0;
}

static struct sg_table *pagebuf_map_dma_buf(struct dma_buf_attachment *attach,
					    enum dma_data_direction dir)
{
	struct pagebuf_buffer *buf = attach->dmabuf->priv;
	struct pagebuf_attachment *a = attach->priv;
	struct pagebuf_mapping *m;
	int ret;

	/* A movable buffer maps under the reservation lock, as revoke sets it. */
	if (buf->revoked)
		return ERR_PTR(-ENODEV);

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);

	ret = pagebuf_copy_table(&m->table, &buf->table, attach->dev);
	if (ret)
		goto err_free_mapping;
	if (buf->movable)
		pagebuf_table_pages_ref(&m->table, true);

	/*
	 * Two attachments of one device (two DRM files importing this buffer)
	 * map the same pages at once. The DMA API tracks cache ownership per
	 * mapping and supports such overlapping mappings only when the caller
	 * does the cache maintenance itself (DMA_ATTR_SKIP_CPU_SYNC; DMA-API
	 * debug reports the others). So the mapping skips its implicit sync
	 * and the exporter hands the pages to the device explicitly, as its
	 * CPU-access brackets do later.
	 */
	ret = dma_map_sgtable(attach->dev, &m->table, dir,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto err_free_table;

	/*
	 * A device without a DMA mask maps nothing yet reports success on
	 * some kernels; an importer must never be handed an empty table.
	 */
	if (!m->table.nents) {
		ret = -EIO;
		goto err_free_table;
	}

	dma_sync_sgtable_for_device(attach->dev, &m->table, dir);
	m->dir = dir;
	mutex_lock(&buf->lock);
	list_add(&m->node, &a->mappings);
	mutex_unlock(&buf->lock);
	atomic_inc(&buf->nr_mappings);

	pagebuf_stats_map(1);
	trace_pagebuf_map(buf, attach->dev, dir, m->table.nents);
	return &m->table;

err_free_table:
	if (buf->movable)
		pagebuf_table_pages_ref(&m->table, false);
	sg_free_table(&m->table);
err_free_mapping:
	kfree(m);
	return ERR_PTR(ret);
}

/* Hand a mapping back to the CPU, unmap and free it; off every list. */
static void pagebuf_mapping_destroy(struct pagebuf_buffer *buf,
				    struct device *dev,
				    struct pagebuf_mapping *m)
{
	trace_pagebuf_unmap(buf, dev, m->dir, m->table.nents);
	/* Back to the CPU explicitly: see pagebuf_map_dma_buf(). */
	dma_sync_sgtable_for_cpu(dev, &m->table, m->dir);
	dma_unmap_sgtable(dev, &m->table, m->dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (buf->movable)
		pagebuf_table_pages_ref(&m->table, false);
	sg_free_table(&m->table);
	kfree(m);
	pagebuf_stats_map(-1);
	if (atomic_dec_and_test(&buf->nr_mappings))
		wake_up_all(&buf->unmapped);
}

static void pagebuf_unmap_dma_buf(struct dma_buf_attachment *attach,
				  struct sg_table *table,
				  enum dma_data_direction dir)
{
	struct pagebuf_mapping *m = container_of(table, struct pagebuf_mapping,
						 table);
	struct pagebuf_buffer *buf = attach->dmabuf->priv;

	mutex_lock(&buf->lock);
	list_del(&m->node);
	mutex_unlock(&buf->lock);

	pagebuf_mapping_destroy(buf, attach->dev, m);
}

/*
 * The importer must unmap before it detaches. One that did not leaves
 * mappings that nobody can unmap any more (the attachment they belong to
 * is about to be freed): say so, and tear them down here, so that no
 * DMA mapping, no table and no count outlives the attachment.
 */
static void pagebuf_detach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	struct pagebuf_attachment *a = attach->priv;
	struct pagebuf_mapping *m, *tmp;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);

	if (!list_empty(&a->mappings))
		dev_warn(a->dev, "pagebuf: detached with DMA mappings still live; unmapping them\n");
	list_for_each_entry_safe(m, tmp, &a->mappings, node) {
		list_del(&m->node);
		pagebuf_mapping_destroy(buf, a->dev, m);
	}

	trace_pagebuf_detach(buf, a->dev);
	kfree(a);
	pagebuf_stats_attach(-1);
}

/*
 * A movable buffer's pin and unpin, with the reservation lock held: the
 * core pins for every static importer, which cannot follow a move, and a
 * dynamic importer pins when it must (or, on kernels built without
 * CONFIG_DMABUF_MOVE_NOTIFY, the core pins each of its mappings).
 */
static int pagebuf_pin(struct dma_buf_attachment *attach)
{
	struct pagebuf_buffer *buf = attach->dmabuf->priv;
	struct pagebuf_attachment *a = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	buf->pins++;
	a->pins++;
	return 0;
}

static void pagebuf_unpin(struct dma_buf_attachment *attach)
{
	struct pagebuf_buffer *buf = attach->dmabuf->priv;
	struct pagebuf_attachment *a = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!WARN_ON(!buf->pins || !a->pins)) {
		buf->pins--;
		a->pins--;
	}
}

/*
 * Debugging aid that breaks coherency on purpose: with it set, CPU-access
 * brackets sync no DMA mapping, so that wherever a mapping bounces
 * (swiotlb) or a cache is not coherent, the CPU and the importer see
 * stale data. The test suite uses it to prove its checks catch that.
 */
static bool pagebuf_debug_skip_sync;
module_param_named(debug_skip_sync, pagebuf_debug_skip_sync, bool, 0644);
MODULE_PARM_DESC(debug_skip_sync,
		 "Debugging aid: skip the DMA syncs of CPU access, breaking coherency on purpose (default 0)");

/*
 * The direction of the sync that hands mapping @m back to its device
 * after a CPU access in direction @cpu_dir, or DMA_NONE for none.
 *
 * What the CPU may have written must reach the device, so after a write
 * the mapping is synced in its own direction (syncing in another one is
 * a DMA API error). After a read there is nothing to hand over: syncing
 * in the mapping's direction would copy the CPU's view over a bounce
 * buffer that the device may be writing at that moment. DMA_FROM_DEVICE
 * does no copy and still gives a non-coherent device's cache lines back
 * (the kernel's system heap syncs in the CPU's direction for the same
 * reason); a mapping the device only reads needs nothing.
 */
static enum dma_data_direction
pagebuf_sync_dir_for_device(const struct pagebuf_mapping *m,
			    enum dma_data_direction cpu_dir)
{
	if (cpu_dir != DMA_FROM_DEVICE)
		return m->dir;
	return m->dir == DMA_TO_DEVICE ? DMA_NONE : DMA_FROM_DEVICE;
}

/*
 * CPU access brackets: hand every live DMA mapping to the CPU (in the
 * direction it was mapped with: the device may have written any of it)
 * or back to its device (see pagebuf_sync_dir_for_device()), and keep
 * the kernel's vmap alias coherent.
 */
static void pagebuf_sync_mappings(struct pagebuf_buffer *buf, bool for_cpu,
				  enum dma_data_direction cpu_dir)
{
	enum dma_data_direction dir;
	struct pagebuf_attachment *a;
	struct pagebuf_mapping *m;

	mutex_lock(&buf->lock);
	if (buf->vmap_count && for_cpu)
		invalidate_kernel_vmap_range(buf->vaddr, buf->size);
	else if (buf->vmap_count)
		flush_kernel_vmap_range(buf->vaddr, buf->size);

	if (READ_ONCE(pagebuf_debug_skip_sync))
		goto out_unlock;

	list_for_each_entry(a, &buf->attachments, node) {
		list_for_each_entry(m, &a->mappings, node) {
			if (for_cpu) {
				dma_sync_sgtable_for_cpu(a->dev, &m->table,
							 m->dir);
				continue;
			}
			dir = pagebuf_sync_dir_for_device(m, cpu_dir);
			if (dir != DMA_NONE)
				dma_sync_sgtable_for_device(a->dev, &m->table,
							    dir);
		}
	}
out_unlock:
	mutex_unlock(&buf->lock);
}

static int pagebuf_begin_cpu_access(struct dma_buf *dmabuf,
				    enum dma_data_direction dir)
{
	long ret;

	trace_pagebuf_cpu_access(dmabuf->priv, dir, true);
	/*
	 * The core waits for the buffer's fences only after this op returns:
	 * wait first, or the sync hands the CPU what no device has written
	 * yet (with bounce buffers, stale data that end_cpu_access would then
	 * copy back over the device's result).
	 */
	ret = compat_dma_resv_wait_cpu_access(dmabuf->resv,
					      dir != DMA_FROM_DEVICE);
	if (ret < 0)
		return ret;

	pagebuf_sync_mappings(dmabuf->priv, true, dir);
	return 0;
}

static int pagebuf_end_cpu_access(struct dma_buf *dmabuf,
				  enum dma_data_direction dir)
{
	trace_pagebuf_cpu_access(dmabuf->priv, dir, false);
	pagebuf_sync_mappings(dmabuf->priv, false, dir);
	return 0;
}

/*
 * Count the buffer's user mappings for debugfs. The core opens a mapping
 * through mmap below; open is called for each copy the kernel makes of it
 * (fork, a split by a partial munmap, mremap), close for each one that
 * goes. The mapping holds the dma-buf's file, so the buffer outlives it.
 */
static void pagebuf_vm_open(struct vm_area_struct *vma)
{
	struct pagebuf_buffer *buf = vma->vm_private_data;

	atomic_inc(&buf->mmaps);
}

static void pagebuf_vm_close(struct vm_area_struct *vma)
{
	struct pagebuf_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->mmaps);
}

static const struct vm_operations_struct pagebuf_vm_ops = {
	.open = pagebuf_vm_open,
	.close = pagebuf_vm_close,
};

/* Page @pgoff of @table, or NULL past its end. */
static struct page *pagebuf_table_page(struct sg_table *table, pgoff_t pgoff)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(table, sg, i) {
		unsigned long nr_pages = sg->length >> PAGE_SHIFT;

		if (pgoff < nr_pages)
			return compat_nth_page(sg_page(sg), pgoff);
		pgoff -= nr_pages;
	}
	return NULL;
}

/*
 * A movable buffer's CPU mapping is filled on fault, from the pages the
 * buffer has now. The PTE goes in under buffer->lock, so that a move,
 * which takes the mappings away under the same lock, cannot free a page
 * between the lookup and the insert.
 */
static vm_fault_t pagebuf_movable_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct pagebuf_buffer *buf = vma->vm_private_data;
	struct page *page;
	vm_fault_t ret;

	mutex_lock(&buf->lock);
	page = buf->revoked ? NULL : pagebuf_table_page(&buf->table, vmf->pgoff);
	ret = page ? vmf_insert_pfn(vma, vmf->address, page_to_pfn(page)) :
		     VM_FAULT_SIGBUS;
	mutex_unlock(&buf->lock);
	return ret;
}

static const struct vm_operations_struct pagebuf_movable_vm_ops = {
	.open = pagebuf_vm_open,
	.close = pagebuf_vm_close,
	.fault = pagebuf_movable_fault,
};

/*
 * Map the pfn run [pfn, pfn + len) at addr. No remap_pfn_range() ever
 * covers the whole VMA: on x86 before the pfnmap tracking rewrite (6.16)
 * such a remap reserves the range's memory type (VM_PAT), and when it
 * then fails to allocate a page table, its clean-up finds no PTE to learn
 * the range from and WARNs in get_pat_info(). So the VMA's first page
 * goes in on its own with vmf_insert_pfn(), which reserves nothing, and
 * the remap of the rest covers less than the VMA.
 */
static int pagebuf_map_run(struct vm_area_struct *vma, unsigned long addr,
			   unsigned long pfn, unsigned long len)
{
	if (addr == vma->vm_start && len == vma->vm_end - vma->vm_start) {
		vm_fault_t vmf = vmf_insert_pfn(vma, addr, pfn);

		if (vmf & VM_FAULT_ERROR)
			return vmf & VM_FAULT_OOM ? -ENOMEM : -EINVAL;
		addr += PAGE_SIZE;
		pfn++;
		len -= PAGE_SIZE;
		if (!len)
			return 0;
	}
	return remap_pfn_range(vma, addr, pfn, len, vma->vm_page_prot);
}

/*
 * The core has already checked that the mapping lies within the buffer;
 * map it chunk by chunk from vm_pgoff on.
 */
static int pagebuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	unsigned long skip = vma->vm_pgoff;
	unsigned long addr = vma->vm_start;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	/*
	 * A private copy-on-write view of shared device memory makes no
	 * sense. VM_MAYSHARE, not VM_SHARED: the latter is cleared on a
	 * MAP_SHARED mapping of a read-only fd.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	/* What remap_pfn_range() sets, set first for vmf_insert_pfn(). */
	compat_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);

	if (buf->movable) {
		mutex_lock(&buf->lock);
		ret = buf->revoked ? -ENODEV : 0;
		mutex_unlock(&buf->lock);
		if (ret)
			return ret;
		vma->vm_private_data = buf;
		vma->vm_ops = &pagebuf_movable_vm_ops;
		pagebuf_vm_open(vma);
		trace_pagebuf_mmap(buf, vma->vm_pgoff,
				   vma->vm_end - vma->vm_start);
		return 0;
	}

	for_each_sgtable_sg(&buf->table, sg, i) {
		unsigned long nr_pages = sg->length >> PAGE_SHIFT;
		unsigned long pfn = page_to_pfn(sg_page(sg));
		unsigned long len;

		if (skip >= nr_pages) {
			skip -= nr_pages;
			continue;
		}
		pfn += skip;
		len = min((nr_pages - skip) << PAGE_SHIFT, vma->vm_end - addr);
		skip = 0;

		ret = pagebuf_map_run(vma, addr, pfn, len);
		if (ret)
			return ret;
		addr += len;
		if (addr >= vma->vm_end)
			break;
	}

	/* Only now: a failed mmap is torn down without close. */
	vma->vm_private_data = buf;
	vma->vm_ops = &pagebuf_vm_ops;
	pagebuf_vm_open(vma);
	trace_pagebuf_mmap(buf, vma->vm_pgoff, vma->vm_end - vma->vm_start);
	return 0;
}

static void *pagebuf_do_vmap(struct pagebuf_buffer *buf)
{
	unsigned long nr_pages = buf->size >> PAGE_SHIFT;
	struct sg_page_iter piter;
	struct page **pages;
	unsigned long i = 0;
	void *vaddr;

	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	for_each_sgtable_page(&buf->table, &piter, 0)
		pages[i++] = sg_page_iter_page(&piter);

	vaddr = vmap(pages, nr_pages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);

	return vaddr ? vaddr : ERR_PTR(-ENOMEM);
}

/* vmap is reference counted: all users share one kernel mapping. */
static void *pagebuf_vmap_get(struct dma_buf *dmabuf)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	void *vaddr;

	mutex_lock(&buf->lock);
	if (buf->revoked) {
		vaddr = ERR_PTR(-ENODEV);
		goto out_unlock;
	}
	if (buf->vmap_count) {
		buf->vmap_count++;
		vaddr = buf->vaddr;
		goto out_unlock;
	}

	vaddr = pagebuf_do_vmap(buf);
	if (IS_ERR(vaddr))
		goto out_unlock;

	buf->vaddr = vaddr;
	buf->vmap_count = 1;
	pagebuf_stats_vmap(1);
out_unlock:
	mutex_unlock(&buf->lock);
	return vaddr;
}

static void pagebuf_vmap_put(struct dma_buf *dmabuf)
{
	struct pagebuf_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!buf->vmap_count) && !--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
		pagebuf_stats_vmap(-1);
	}
	mutex_unlock(&buf->lock);
}

COMPAT_DEFINE_DMA_BUF_VMAP_OPS(pagebuf, pagebuf_vmap_get, pagebuf_vmap_put)

/* Undo everything a buffer holds; the dma_buf is gone or never was. */
static void pagebuf_buffer_destroy(struct pagebuf_buffer *buf)
{
	pagebuf_debug_unlist(buf);
	if (buf->dmabuf)
		trace_pagebuf_release(buf);
	if (buf->owns_pages)
		pagebuf_pages_free(&buf->table);
	pagebuf_table_free(&buf->table, &buf->one);

	if (buf->accounting == PAGEBUF_RESERVED)
		pagebuf_stats_cancel(buf->size);
	else if (buf->accounting == PAGEBUF_COMMITTED)
		pagebuf_stats_release(buf->size);

	mutex_destroy(&buf->lock);
	kfree(buf);
}

static void pagebuf_release(struct dma_buf *dmabuf)
{
	struct pagebuf_buffer *buf = dmabuf->priv;

	if (buf->release_hook)
		buf->release_hook(dmabuf);
	pagebuf_buffer_destroy(buf);
}

static const struct dma_buf_ops pagebuf_dma_buf_ops = {
	.attach = pagebuf_attach,
	.detach = pagebuf_detach,
	.map_dma_buf = pagebuf_map_dma_buf,
	.unmap_dma_buf = pagebuf_unmap_dma_buf,
	.begin_cpu_access = pagebuf_begin_cpu_access,
	.end_cpu_access = pagebuf_end_cpu_access,
	.mmap = pagebuf_mmap,
	.vmap = pagebuf_vmap,
	.vunmap = pagebuf_vunmap,
	.release = pagebuf_release,
};

/* A movable buffer's: the same, with pin and unpin (a dynamic dma-buf). */
static const struct dma_buf_ops pagebuf_movable_dma_buf_ops = {
	.attach = pagebuf_attach,
	.detach = pagebuf_detach,
	.pin = pagebuf_pin,
	.unpin = pagebuf_unpin,
	.map_dma_buf = pagebuf_map_dma_buf,
	.unmap_dma_buf = pagebuf_unmap_dma_buf,
	.begin_cpu_access = pagebuf_begin_cpu_access,
	.end_cpu_access = pagebuf_end_cpu_access,
	.mmap = pagebuf_mmap,
	.vmap = pagebuf_vmap,
	.vunmap = pagebuf_vunmap,
	.release = pagebuf_release,
};

static struct pagebuf_buffer *pagebuf_buffer_new(size_t size)
{
	struct pagebuf_buffer *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;

	mutex_init(&buf->lock);
	init_waitqueue_head(&buf->unmapped);
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->debug_node);
	atomic_set(&buf->mmaps, 0);
	buf->size = size;
	return buf;
}

/*
 * "<tgid>-<comm>", like Rockchip's BSP names its buffers, in an
 * allocation of its own (the dma-buf core frees the name). Formatted
 * without vsnprintf(), which was the largest part of what pagebuf adds to
 * a small buffer's export (dmabuf-bench's P1 under function_graph).
 * At most 10 digits, a dash and TASK_COMM_LEN - 1 bytes: never more than
 * PAGEBUF_NAME_LEN - 1, the longest name userspace can give.
 */
static char *pagebuf_default_name(const struct pagebuf_buffer *buf)
{
	size_t len = strnlen(buf->comm, sizeof(buf->comm) - 1), n = 0;
	unsigned int pid = buf->pid;
	char digits[10], *name, *p;

	BUILD_BUG_ON(sizeof(digits) + 1 + TASK_COMM_LEN > PAGEBUF_NAME_LEN);
	do {
		digits[n++] = '0' + pid % 10;
		pid /= 10;
	} while (pid);

	name = kmalloc(n + 1 + len + 1, GFP_KERNEL);
	if (!name)
		return NULL;
	for (p = name; n; p++)
		*p = digits[--n];
	*p++ = '-';
	memcpy(p, buf->comm, len);
	p[len] = '\0';
	return name;
}

/* The buffer's name: @name, or its creator's. */
static char *pagebuf_name_dup(const struct pagebuf_buffer *buf,
			      const char *name)
{
	if (name && name[0])
		return kstrdup(name, GFP_KERNEL);
	return pagebuf_default_name(buf);
}

/*
 * Export @buf, which from then on belongs to the dma_buf: whatever fails,
 * @buf is destroyed, at once or by release when the dma_buf is dropped.
 */
static struct dma_buf *pagebuf_export(struct pagebuf_buffer *buf, u32 mode,
				      const char *name)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	char *dup;

	buf->pid = task_tgid_nr(current);
	/*
	 * Our own task's name, without get_task_comm()'s task lock (which
	 * 6.13 dropped for the same reason): strscpy_pad() always ends the
	 * copy with a NUL, and a rename racing with it from another thread
	 * can only give a mix of the two names.
	 */
	strscpy_pad(buf->comm, current->comm, sizeof(buf->comm));
	dup = pagebuf_name_dup(buf, name);
	if (!dup) {
		pagebuf_buffer_destroy(buf);
		return ERR_PTR(-ENOMEM);
	}

	exp_info.ops = buf->movable ? &pagebuf_movable_dma_buf_ops :
				      &pagebuf_dma_buf_ops;
	exp_info.size = buf->size;
	exp_info.flags = mode;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		kfree(dup);
		pagebuf_buffer_destroy(buf);
		return dmabuf;
	}
	buf->dmabuf = dmabuf;
	buf->ino = file_inode(dmabuf->file)->i_ino;

	/*
	 * dma_buf_export() has published the buffer: debugfs's bufinfo and
	 * the BPF iterator may read its name from now on, under name_lock.
	 */
	spin_lock(&dmabuf->name_lock);
	dmabuf->name = dup;
	spin_unlock(&dmabuf->name_lock);
	return dmabuf;
}

/**
 * pagebuf_buffer_create() - allocate a zeroed buffer and export it
 * @size: size in bytes, a multiple of PAGE_SIZE, within the size limit
 * @flags: %PAGEBUF_ALLOC_* flags, already validated
 * @mode: access mode of the dma-buf's file (O_RDONLY, O_WRONLY, O_RDWR)
 * @name: buffer name, or an empty string for the default
 *
 * The buffer's bytes are reserved against the quota until
 * pagebuf_buffer_commit() counts it as live.
 *
 * Return: the dma_buf, or an ERR_PTR: -ENOSPC over the quota, -ENOMEM,
 * -EINTR when the caller was killed.
 */
struct dma_buf *pagebuf_buffer_create(size_t size, u32 flags, u32 mode,
				      const char *name)
{
	struct pagebuf_buffer *buf;
	int ret;

	buf = pagebuf_buffer_new(size);
	if (!buf)
		return ERR_PTR(-ENOMEM);

	ret = pagebuf_stats_reserve(size, READ_ONCE(pagebuf_quota));
	if (ret)
		goto err_free_buf;
	buf->accounting = PAGEBUF_RESERVED;

	ret = pagebuf_pages_alloc(&buf->table, &buf->one, size, flags);
	if (ret)
		goto err_cancel;
	buf->owns_pages = true;
	buf->flags = flags;
	buf->movable = flags & PAGEBUF_ALLOC_MOVABLE;

	return pagebuf_export(buf, mode, name);

err_cancel:
	pagebuf_stats_cancel(size);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

/* The buffer's fd is about to reach userspace: count it as live. */
void pagebuf_buffer_commit(struct dma_buf *dmabuf)
{
	struct pagebuf_buffer *buf = dmabuf->priv;

	buf->accounting = PAGEBUF_COMMITTED;
	pagebuf_stats_commit(buf->size);
	pagebuf_debug_list(buf);
	trace_pagebuf_alloc(buf);
}

bool pagebuf_buffer_is_movable(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &pagebuf_movable_dma_buf_ops;
}

/* Copy every page of @src to the page at the same offset in @dst. */
static void pagebuf_copy_pages(struct sg_table *dst, struct sg_table *src)
{
	struct sg_page_iter s, d;

	__sg_page_iter_start(&d, dst->sgl, dst->orig_nents, 0);
	for_each_sgtable_page(src, &s, 0) {
		if (WARN_ON(!__sg_page_iter_next(&d)))
			return;
		copy_highpage(sg_page_iter_page(&d), sg_page_iter_page(&s));
		cond_resched();
	}
}

/*
 * Swap in the pages of @new (whose single entry, if it has one, is @one)
 * and give the old ones back in *@old (*@old_one). Under buffer->lock.
 */
static void pagebuf_swap_table(struct pagebuf_buffer *buf,
			       struct sg_table *new, struct scatterlist *one,
			       struct sg_table *old, struct scatterlist *old_one)
{
	*old = buf->table;
	*old_one = buf->one;
	if (old->sgl == &buf->one)
		old->sgl = old_one;

	buf->table = *new;
	if (new->sgl == one) {
		buf->one = *one;
		buf->table.sgl = &buf->one;
	}
}

/*
 * Whether every pinned attachment of @dmabuf may be revoked: its importer
 * (7.1+, dma_buf_attach_revocable()) stops all access when told and
 * unmaps within bounded time, as iommufd and VFIO do. Older kernels know
 * no such importer. Under the reservation lock, which guards the core's
 * attachment list.
 */
static bool pagebuf_pins_revocable(struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;

	list_for_each_entry(attach, &dmabuf->attachments, node) {
		struct pagebuf_attachment *a = attach->priv;

		if (a->pins && !compat_dma_buf_attach_revocable(attach))
			return false;
	}
	return true;
}

/*
 * What a move and a revoke do first, by the dynamic rules: take the
 * reservation lock, refuse a revoked (-ENODEV) or pinned (-EBUSY) buffer,
 * tell the dynamic importers, and wait for every fence. A revoke also
 * takes a buffer whose pins are all revocable. The importers are told
 * before the wait: one that cannot stop at once adds a fence. On success
 * the reservation lock is held; on error it is not.
 */
static int pagebuf_buffer_quiesce(struct dma_buf *dmabuf, bool revoke)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	long wait;
	int ret;

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		return ret;
	if (buf->revoked)
		ret = -ENODEV;
	else if (buf->pins && !(revoke && pagebuf_pins_revocable(dmabuf)))
		ret = -EBUSY;
	if (ret)
		goto err_unlock;
	compat_dma_buf_invalidate_mappings(dmabuf);
	wait = compat_dma_resv_wait_all(dmabuf->resv);
	if (wait < 0) {
		ret = wait;
		goto err_unlock;
	}
	return 0;

err_unlock:
	dma_resv_unlock(dmabuf->resv);
	return ret;
}

/**
 * pagebuf_buffer_move() - move a movable buffer's contents to new pages
 * @dmabuf: a buffer for which pagebuf_buffer_is_movable() holds
 * @policy: the new pages' %PAGEBUF_ALLOC_* policy flags, already checked
 * @nr_segments: set to the new number of chunks on success
 *
 * The new pages are allocated first, outside every lock. Then
 * pagebuf_buffer_quiesce(), and under buffer->lock (which a vmap and a
 * CPU fault take): refuse a vmapped buffer, take the CPU mappings away,
 * copy and swap.
 *
 * Return: 0, or -ENODEV (revoked), -EBUSY, -ENOMEM, -EINTR or
 * -ERESTARTSYS, with the buffer unchanged.
 */
int pagebuf_buffer_move(struct dma_buf *dmabuf, u32 policy, u32 *nr_segments)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	struct scatterlist one, old_one;
	struct sg_table new, old;
	int ret;

	ret = pagebuf_pages_alloc(&new, &one, buf->size, policy);
	if (ret)
		return ret;

	ret = pagebuf_buffer_quiesce(dmabuf, false);
	if (ret)
		goto err_free_new;

	mutex_lock(&buf->lock);
	if (buf->vmap_count) {
		mutex_unlock(&buf->lock);
		ret = -EBUSY;
		goto err_unlock_resv;
	}
	/* Faults wait on buffer->lock, then map the new pages. */
	unmap_mapping_range(dmabuf->file->f_mapping, 0, 0, 1);
	pagebuf_copy_pages(&new, &buf->table);
	pagebuf_swap_table(buf, &new, &one, &old, &old_one);
	buf->flags = (buf->flags & ~PAGEBUF_ALLOC_POLICY_MASK) | policy;
	buf->moves++;
	*nr_segments = buf->table.orig_nents;
	trace_pagebuf_move(buf, old.orig_nents);
	mutex_unlock(&buf->lock);
	dma_resv_unlock(dmabuf->resv);

	/* DMA mappings made before the move hold their own page references. */
	pagebuf_pages_free(&old);
	pagebuf_table_free(&old, &old_one);
	return 0;

err_unlock_resv:
	dma_resv_unlock(dmabuf->resv);
err_free_new:
	pagebuf_pages_free(&new);
	pagebuf_table_free(&new, &one);
	return ret;
}

/*
 * After the fences, an importer told of the revocation may still read
 * the pages until it unmaps (dma_buf_invalidate_mappings()); each must do
 * so within bounded time, without the reservation lock, which it may need
 * to unmap. A revoked buffer gives out no new mapping.
 */
static int pagebuf_buffer_wait_unmapped(struct pagebuf_buffer *buf)
{
	return wait_event_interruptible(buf->unmapped,
					!atomic_read(&buf->nr_mappings));
}

/**
 * pagebuf_buffer_revoke() - end all access to a movable buffer for good
 * @dmabuf: a buffer for which pagebuf_buffer_is_movable() holds
 *
 * As a move does: pagebuf_buffer_quiesce() (which also takes a buffer
 * whose pinned attachments are all revocable), then under buffer->lock
 * refuse a vmapped buffer, mark the buffer revoked and take the CPU
 * mappings away. Every op that gives access checks the mark under one of
 * those two locks. Then, with no lock held, wait until the importers
 * have unmapped. The pages stay until release.
 *
 * Return: 0 once the buffer is revoked and no device mapping of it is
 * left (also for a buffer revoked before); -EBUSY, -EINTR or -ERESTARTSYS
 * with nothing revoked; -ERESTARTSYS also when a signal ends the wait for
 * the unmaps, the buffer revoked all the same.
 */
int pagebuf_buffer_revoke(struct dma_buf *dmabuf)
{
	struct pagebuf_buffer *buf = dmabuf->priv;
	int ret;

	ret = pagebuf_buffer_quiesce(dmabuf, true);
	if (ret == -ENODEV)
		return pagebuf_buffer_wait_unmapped(buf);
	if (ret)
		return ret;

	mutex_lock(&buf->lock);
	if (buf->vmap_count) {
		ret = -EBUSY;
	} else {
		buf->revoked = true;
		unmap_mapping_range(dmabuf->file->f_mapping, 0, 0, 1);
		trace_pagebuf_revoke(buf);
	}
	mutex_unlock(&buf->lock);
	dma_resv_unlock(dmabuf->resv);
	return ret ? ret : pagebuf_buffer_wait_unmapped(buf);
}

unsigned int pagebuf_buffer_segments(struct dma_buf *dmabuf)
{
	struct pagebuf_buffer *buf = dmabuf->priv;

	return buf->table.orig_nents;
}

/**
 * pagebuf_buffer_set_release_hook() - have release call @hook first
 * @dmabuf: a pagebuf dma_buf the caller holds a reference on
 * @hook: called with @dmabuf by its release, before the buffer is freed
 *
 * For a caller that keeps a pointer to @dmabuf without a reference and
 * must forget it when the dma_buf goes.
 */
void pagebuf_buffer_set_release_hook(struct dma_buf *dmabuf,
				     void (*hook)(struct dma_buf *dmabuf))
{
	struct pagebuf_buffer *buf = dmabuf->priv;

	buf->release_hook = hook;
}

/**
 * pagebuf_buffer_wrap_page() - export a page the module owns
 * @page: the page; it must outlive the dma_buf, which holds a reference
 *	on the module, so module-lifetime pages qualify
 *
 * Return: a read-write dma_buf over @page, not counted in the statistics,
 * or an ERR_PTR.
 */
struct dma_buf *pagebuf_buffer_wrap_page(struct page *page)
{
	struct pagebuf_buffer *buf;
	struct dma_buf *dmabuf;

	buf = pagebuf_buffer_new(PAGE_SIZE);
	if (!buf)
		return ERR_PTR(-ENOMEM);

	/* One entry: the buffer's own, which cannot fail. */
	pagebuf_table_alloc(&buf->table, &buf->one, 1);
	sg_set_page(buf->table.sgl, page, PAGE_SIZE, 0);

	/* Listed for debugfs too, as a demo buffer (see debug.c). */
	dmabuf = pagebuf_export(buf, O_RDWR, NULL);
	if (!IS_ERR(dmabuf))
		pagebuf_debug_list(buf);
	return dmabuf;
}
