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
#include <linux/mm.h>

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

#endif /* DMABUF_LAB_COMPAT_H */
