/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference the modules care about, one shim each,
 * named after the kernel change it bridges. Logic elsewhere never tests
 * a version: it calls these.
 *
 * Nothing here compares version numbers: Kbuild probes the headers of
 * the kernel being built against and defines a COMPAT_HAVE_* macro for
 * each API it finds, so backports and renames are judged by what the
 * headers really declare.
 */
#ifndef DMABUF_LAB_COMPAT_H
#define DMABUF_LAB_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>

/*
 * v6.3 "mm: introduce vma->vm_flags wrapper functions" made vm_flags
 * read-only for drivers; before it they were set directly.
 */
#ifdef COMPAT_HAVE_VM_FLAGS_SET
static inline void compat_vm_flags_set(struct vm_area_struct *vma,
				       unsigned long flags)
{
	vm_flags_set(vma, flags);
}
#else
static inline void compat_vm_flags_set(struct vm_area_struct *vma,
				       unsigned long flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * v5.11 "dma-buf: Use struct dma_buf_map in dma_buf_vmap() interfaces"
 * (renamed struct iosys_map in v5.18) changed the exporter's vmap and
 * vunmap ops from returning a pointer to filling a map. Exporters write
 * two helpers, get(dmabuf) returning a kernel address or an ERR_PTR and
 * put(dmabuf), and this macro wraps them in ops of the right shape.
 */
#ifdef COMPAT_HAVE_IOSYS_MAP
#include <linux/iosys-map.h>
#define COMPAT_DEFINE_DMA_BUF_VMAP_OPS(name, get, put)			\
static int name##_vmap(struct dma_buf *dmabuf, struct iosys_map *map)	\
{									\
	void *vaddr = get(dmabuf);					\
									\
	if (IS_ERR(vaddr))						\
		return PTR_ERR(vaddr);					\
	iosys_map_set_vaddr(map, vaddr);				\
	return 0;							\
}									\
static void name##_vunmap(struct dma_buf *dmabuf, struct iosys_map *map) \
{									\
	put(dmabuf);							\
}
#else
/*
 * 5.10: the op returns the address, and the core expects NULL, not an
 * ERR_PTR, on failure. (5.11 to 5.17 used struct dma_buf_map; those
 * kernels are not supported.)
 */
#define COMPAT_DEFINE_DMA_BUF_VMAP_OPS(name, get, put)			\
static void *name##_vmap(struct dma_buf *dmabuf)			\
{									\
	void *vaddr = get(dmabuf);					\
									\
	return IS_ERR(vaddr) ? NULL : vaddr;				\
}									\
static void name##_vunmap(struct dma_buf *dmabuf, void *vaddr)		\
{									\
	put(dmabuf);							\
}
#endif

/*
 * v6.2 "dma-buf: Add unlocked variant of attachment-mapping functions"
 * (in 6.1.y too) moved the reservation lock into the callers of
 * dma_buf_map_attachment(); importers that do not hold it call the
 * _unlocked variants. Before it the plain functions took no lock.
 */
#ifdef COMPAT_HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
static inline struct sg_table *
compat_dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				       enum dma_data_direction dir)
{
	return dma_buf_map_attachment_unlocked(attach, dir);
}

static inline void
compat_dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
					 struct sg_table *sgt,
					 enum dma_data_direction dir)
{
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
}
#else
static inline struct sg_table *
compat_dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				       enum dma_data_direction dir)
{
	return dma_buf_map_attachment(attach, dir);
}

static inline void
compat_dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
					 struct sg_table *sgt,
					 enum dma_data_direction dir)
{
	dma_buf_unmap_attachment(attach, sgt, dir);
}
#endif

/*
 * An importer's kernel mapping of a whole dma-buf, as a pointer (NULL on
 * failure, or for I/O memory, which is then not kept mapped).
 * v6.2 "dma-buf: Add unlocked variant of vmapping functions" moved the
 * reservation lock into dma_buf_vmap()'s callers; importers that do not
 * hold it call dma_buf_vmap_unlocked(). Before it dma_buf_vmap() took no
 * lock, and before v5.11 (the change above) it returned the address.
 */
#ifdef COMPAT_HAVE_DMA_BUF_VMAP_UNLOCKED
#define compat_dma_buf_vmap_map dma_buf_vmap_unlocked
#define compat_dma_buf_vunmap_map dma_buf_vunmap_unlocked
#else
#define compat_dma_buf_vmap_map dma_buf_vmap
#define compat_dma_buf_vunmap_map dma_buf_vunmap
#endif

#ifdef COMPAT_HAVE_IOSYS_MAP
static inline void *compat_dma_buf_vmap_unlocked(struct dma_buf *dmabuf)
{
	struct iosys_map map;

	if (compat_dma_buf_vmap_map(dmabuf, &map))
		return NULL;
	if (map.is_iomem) {
		compat_dma_buf_vunmap_map(dmabuf, &map);
		return NULL;
	}
	return map.vaddr;
}

static inline void compat_dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
						  void *vaddr)
{
	struct iosys_map map = IOSYS_MAP_INIT_VADDR(vaddr);

	compat_dma_buf_vunmap_map(dmabuf, &map);
}
#else
static inline void *compat_dma_buf_vmap_unlocked(struct dma_buf *dmabuf)
{
	return dma_buf_vmap(dmabuf);
}

static inline void compat_dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
						  void *vaddr)
{
	dma_buf_vunmap(dmabuf, vaddr);
}
#endif

/*
 * v6.18 "mm: remove nth_page()": the pages of one allocation are now
 * always contiguous in the memory map, so the n-th page of a high-order
 * block is page + n. Before it, nth_page() went through the PFN where
 * SPARSEMEM without VMEMMAP could split the map.
 */
#ifdef COMPAT_HAVE_NTH_PAGE
#define compat_nth_page(page, n) nth_page(page, n)
#else
#define compat_nth_page(page, n) ((page) + (n))
#endif

/*
 * v5.11 "mm/highmem: Provide and use CONFIG_KMAP_LOCAL" added
 * kmap_local_page()/kunmap_local(). Before it, the closest is
 * kmap_atomic(), which also disables preemption and page faults: only
 * for short copies that do not sleep, which is how callers use these.
 */
#include <linux/highmem.h>
#ifdef COMPAT_HAVE_KMAP_LOCAL
#define compat_kmap_local_page(page) kmap_local_page(page)
#define compat_kunmap_local(vaddr) kunmap_local(vaddr)
#else
#define compat_kmap_local_page(page) kmap_atomic(page)
#define compat_kunmap_local(vaddr) kunmap_atomic(vaddr)
#endif

/*
 * v6.4 "dma-buf/dma-fence: Add deadline awareness": a waiter (a display's
 * vblank, SYNC_IOC_SET_DEADLINE) tells the fence's driver when it needs
 * the fence signalled. Before it the op does not exist.
 */
#ifdef COMPAT_HAVE_DMA_FENCE_SET_DEADLINE
#define COMPAT_DMA_FENCE_OPS_SET_DEADLINE(fn)	.set_deadline = (fn),
#else
#define COMPAT_DMA_FENCE_OPS_SET_DEADLINE(fn)
#endif

/*
 * v6.17 "dma-fence: Add safe access helpers and document the rules": a
 * fence's driver and timeline names are read through
 * dma_fence_driver_name() and dma_fence_timeline_name(), under
 * rcu_read_lock(), which also covers a signalled fence whose driver is
 * gone. Before it the ops were called directly (still under the RCU lock
 * here, for one rule on every kernel).
 */
#ifdef COMPAT_HAVE_DMA_FENCE_DRIVER_NAME
static inline const char *compat_dma_fence_driver_name(struct dma_fence *f)
{
	const char __rcu *name = dma_fence_driver_name(f);

	return rcu_dereference(name);
}

static inline const char *compat_dma_fence_timeline_name(struct dma_fence *f)
{
	const char __rcu *name = dma_fence_timeline_name(f);

	return rcu_dereference(name);
}
#else
static inline const char *compat_dma_fence_driver_name(struct dma_fence *f)
{
	return f->ops->get_driver_name(f);
}

static inline const char *compat_dma_fence_timeline_name(struct dma_fence *f)
{
	return f->ops->get_timeline_name(f);
}
#endif

/*
 * v5.19 "dma-buf: add enum dma_resv_usage v4" replaced the wait_all flag
 * of dma_resv_wait_timeout() (dma_resv_wait_timeout_rcu() up to 5.14)
 * with a usage level. CPU access waits for every fence when the CPU will
 * write, and only for writers when it will only read.
 */
#include <linux/dma-resv.h>
#ifdef COMPAT_HAVE_DMA_RESV_USAGE
static inline long compat_dma_resv_wait_cpu_access(struct dma_resv *resv,
						   bool write)
{
	return dma_resv_wait_timeout(resv, dma_resv_usage_rw(write), true,
				     MAX_SCHEDULE_TIMEOUT);
}
#else
static inline long compat_dma_resv_wait_cpu_access(struct dma_resv *resv,
						   bool write)
{
	return dma_resv_wait_timeout_rcu(resv, write, true,
					 MAX_SCHEDULE_TIMEOUT);
}
#endif

/*
 * Before an exporter moves a buffer: every fence of every user, the
 * kernel's own (BOOKKEEP, since v5.19) included. Interruptible.
 */
#ifdef COMPAT_HAVE_DMA_RESV_USAGE
static inline long compat_dma_resv_wait_all(struct dma_resv *resv)
{
	return dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, true,
				     MAX_SCHEDULE_TIMEOUT);
}
#else
static inline long compat_dma_resv_wait_all(struct dma_resv *resv)
{
	return dma_resv_wait_timeout_rcu(resv, true, true,
					 MAX_SCHEDULE_TIMEOUT);
}
#endif

/*
 * v7.1 "dma-buf: Rename dma_buf_move_notify() to
 * dma_buf_invalidate_mappings()": an exporter about to move a buffer tells
 * the dynamic importers, with the reservation lock held.
 */
#ifdef COMPAT_HAVE_DMA_BUF_INVALIDATE_MAPPINGS
static inline void compat_dma_buf_invalidate_mappings(struct dma_buf *dmabuf)
{
	dma_buf_invalidate_mappings(dmabuf);
}
#else
static inline void compat_dma_buf_invalidate_mappings(struct dma_buf *dmabuf)
{
	dma_buf_move_notify(dmabuf);
}
#endif

/*
 * The same change renamed the importer's callback, &struct
 * dma_buf_attach_ops.move_notify, to .invalidate_mappings, and made
 * dynamic attachments unpinned always: before it, a kernel built without
 * CONFIG_DMABUF_MOVE_NOTIFY pins every mapping of a dynamic attachment,
 * which then never moves.
 */
#ifdef COMPAT_HAVE_DMA_BUF_INVALIDATE_MAPPINGS
#define COMPAT_DMA_BUF_ATTACH_OPS_INVALIDATE(fn)	.invalidate_mappings = (fn)
static inline bool compat_dma_buf_dynamic_unpinned(void)
{
	return true;
}
#else
#define COMPAT_DMA_BUF_ATTACH_OPS_INVALIDATE(fn)	.move_notify = (fn)
static inline bool compat_dma_buf_dynamic_unpinned(void)
{
	return IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY);
}
#endif

/*
 * v7.1 "dma-buf: Add dma_buf_attach_revocable()": an exporter may revoke
 * a pinned attachment whose importer stops all access when its mappings
 * are invalidated (iommufd, VFIO). Before it no pinned importer promised
 * that.
 */
#ifdef COMPAT_HAVE_DMA_BUF_INVALIDATE_MAPPINGS
static inline bool
compat_dma_buf_attach_revocable(struct dma_buf_attachment *attach)
{
	return dma_buf_attach_revocable(attach);
}
#else
static inline bool
compat_dma_buf_attach_revocable(struct dma_buf_attachment *attach)
{
	return false;
}
#endif

/*
 * v5.19 "dma-buf: add enum dma_resv_usage v4" (with "dma-buf: add
 * dma_resv_get_singleton v2" and "dma-buf: drop the DAG approach for the
 * dma_resv object", v5.17-v5.19) replaced the one exclusive fence plus
 * shared fences of a reservation object by fences tagged with a usage.
 * Importers here use two levels: a writer's fence (WRITE, the exclusive
 * fence before) and a reader's (READ, a shared fence before). @write in
 * compat_dma_resv_get_singleton() asks what a writer must wait for:
 * every fence; otherwise only the writers.
 */
#ifdef COMPAT_HAVE_DMA_RESV_USAGE
static inline int compat_dma_resv_reserve_fences(struct dma_resv *obj,
						 unsigned int num)
{
	return dma_resv_reserve_fences(obj, num);
}

static inline void compat_dma_resv_add_fence(struct dma_resv *obj,
					     struct dma_fence *fence,
					     bool write)
{
	dma_resv_add_fence(obj, fence, write ? DMA_RESV_USAGE_WRITE :
					       DMA_RESV_USAGE_READ);
}

static inline int compat_dma_resv_get_singleton(struct dma_resv *obj,
						bool write,
						struct dma_fence **fence)
{
	return dma_resv_get_singleton(obj, dma_resv_usage_rw(write), fence);
}
#else
#include <linux/dma-fence-array.h>
#include <linux/slab.h>

static inline int compat_dma_resv_reserve_fences(struct dma_resv *obj,
						 unsigned int num)
{
	return dma_resv_reserve_shared(obj, num);
}

/* The exclusive fence replaces every shared one, as a writer must. */
static inline void compat_dma_resv_add_fence(struct dma_resv *obj,
					     struct dma_fence *fence,
					     bool write)
{
	if (write)
		dma_resv_add_excl_fence(obj, fence);
	else
		dma_resv_add_shared_fence(obj, fence);
}

/*
 * Called with @obj locked, like dma_resv_get_singleton(): the exclusive
 * fence and the shared ones, one reference each, folded into a fence
 * array when there is more than one.
 */
static inline int compat_dma_resv_get_singleton(struct dma_resv *obj,
						bool write,
						struct dma_fence **fence)
{
	struct dma_fence *excl = dma_resv_get_excl(obj);
	struct dma_resv_list *list = write ? dma_resv_get_list(obj) : NULL;
	unsigned int shared = list ? list->shared_count : 0;
	struct dma_fence_array *array;
	struct dma_fence **fences;
	unsigned int i, n = 0;
	struct dma_fence *f;

	*fence = NULL;
	if (!shared) {
		*fence = dma_fence_get(excl);
		return 0;
	}
	fences = kmalloc_array(shared + 1, sizeof(*fences), GFP_KERNEL);
	if (!fences)
		return -ENOMEM;
	if (excl)
		fences[n++] = dma_fence_get(excl);
	for (i = 0; i < shared; i++) {
		f = rcu_dereference_protected(list->shared[i],
					      dma_resv_held(obj));
		fences[n++] = dma_fence_get(f);
	}
	if (n == 1) {
		*fence = fences[0];
		kfree(fences);
		return 0;
	}
	/* On success the array owns @fences and their references. */
	array = dma_fence_array_create(n, fences, dma_fence_context_alloc(1),
				       1, false);
	if (!array) {
		while (n--)
			dma_fence_put(fences[n]);
		kfree(fences);
		return -ENOMEM;
	}
	*fence = &array->base;
	return 0;
}
#endif

/*
 * v6.10 "tracing/treewide: Remove second parameter of __assign_str()":
 * the source of a __string() field is now the one given in TP_STRUCT__entry.
 * Trace headers call this with both, as before.
 */
#ifdef COMPAT_HAVE_ASSIGN_STR_ONE_ARG
#define compat_assign_str(dst, src) __assign_str(dst)
#else
#define compat_assign_str(dst, src) __assign_str(dst, src)
#endif

/*
 * v6.7 "fs: use SLAB_TYPESAFE_BY_RCU for files" (with get_file_active()):
 * the memory of a struct file stays a struct file while an RCU reader
 * may look at it, so a file can be found again through a pointer that
 * holds no reference, and taken only if it is still open. Before it, a
 * dma-buf's file can be freed before the dma-buf's release runs (a
 * /proc/PID/fd lookup holding its dentry delays that), so such a pointer
 * must not be followed at all: the shim finds nothing.
 *
 * Returns @dmabuf with a new reference on its file, or NULL if its file
 * is gone (or cannot be looked at). The caller keeps @dmabuf itself
 * valid, e.g. by clearing its pointer in the exporter's release.
 */
#ifdef COMPAT_HAVE_GET_FILE_ACTIVE
static inline struct dma_buf *compat_dma_buf_get_if_open(struct dma_buf *dmabuf)
{
	struct file *file;

	rcu_read_lock();
	file = get_file_active(&dmabuf->file);
	rcu_read_unlock();
	if (!file)
		return NULL;
	/* The memory may have become another file meanwhile. */
	if (file->private_data != dmabuf) {
		fput(file);
		return NULL;
	}
	return dmabuf;
}
#else
static inline struct dma_buf *compat_dma_buf_get_if_open(struct dma_buf *dmabuf)
{
	return NULL;
}
#endif

/*
 * Not a version but an architecture difference: where the DMA API does
 * cache maintenance (arm64, riscv64: CONFIG_ARCH_HAS_SYNC_DMA_FOR_*), each
 * device says whether it snoops the CPU's caches in dev->dma_coherent,
 * which firmware (the "dma-coherent" property) normally sets; elsewhere
 * (x86) every device is coherent and the field does not exist. Returns
 * whether the device now is what was asked.
 */
#if !defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) && \
	!defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) && \
	!defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
static inline bool compat_dev_set_dma_coherent(struct device *dev,
					       bool coherent)
{
	return coherent;
}
#elif defined(COMPAT_HAVE_DEV_FLAG_DMA_COHERENT)
/*
 * After v6.18 the driver core turned struct device's bit fields,
 * dma_coherent among them, into DEV_FLAG_* bits of dev->flags behind
 * generated accessors (__create_dev_flag_accessors()).
 */
static inline bool compat_dev_set_dma_coherent(struct device *dev,
					       bool coherent)
{
	dev_assign_dma_coherent(dev, coherent);
	return true;
}
#else
static inline bool compat_dev_set_dma_coherent(struct device *dev,
					       bool coherent)
{
	dev->dma_coherent = coherent;
	return true;
}
#endif

#endif /* DMABUF_LAB_COMPAT_H */
