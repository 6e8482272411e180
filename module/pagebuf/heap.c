// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf's allocation policies as dma-heaps: /dev/dma_heap/pagebuf,
 * pagebuf-order0 and pagebuf-contig, for every heap client (the kernel's
 * own selftest, libdmabufheap, GStreamer, libcamera). A heap allocation
 * is the same buffer as PAGEBUF_IOC_ALLOC's: same pages, statistics,
 * quota, debugfs entry and dma_buf_ops.
 *
 * Opt-in (dma_heaps=1), and only where the kernel exports dma_heap_add()
 * (v6.18 "dma-buf: heaps: export dma_heap_add() and friends" with
 * CONFIG_DMABUF_HEAPS). The kernel cannot remove a heap: once the heaps
 * are registered the module holds a reference on itself, so that rmmod
 * is refused (EBUSY) instead of leaving heaps whose code is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/module.h>

#include "../compat.h"
#include "pagebuf.h"

static bool pagebuf_dma_heaps;
module_param_named(dma_heaps, pagebuf_dma_heaps, bool, 0444);
MODULE_PARM_DESC(dma_heaps,
		 "Register the allocation policies as dma-heaps pagebuf, pagebuf-order0 and pagebuf-contig; the module then stays loaded (default 0)");

#ifdef COMPAT_HAVE_DMA_HEAP_ADD
#include <linux/dma-heap.h>

MODULE_INFO(import_ns, "DMA_BUF_HEAP");

static const struct {
	const char *name;
	u32 flags;
} pagebuf_heaps[] = {
	{ "pagebuf", 0 },
	{ "pagebuf-order0", PAGEBUF_ALLOC_ORDER0 },
	{ "pagebuf-contig", PAGEBUF_ALLOC_CONTIG },
};

/*
 * The heap core has checked fd_flags (O_ACCMODE and O_CLOEXEC bits),
 * heap_flags (none exist) and rounded len up to pages; the size limit
 * is pagebuf's own, as for the ioctl.
 */
static struct dma_buf *pagebuf_heap_allocate(struct dma_heap *heap,
					     unsigned long len, u32 fd_flags,
					     u64 heap_flags)
{
	u32 flags = (uintptr_t)dma_heap_get_drvdata(heap);
	unsigned long max = round_down(READ_ONCE(pagebuf_max_buffer_size),
				       PAGE_SIZE);
	u32 mode = fd_flags & O_ACCMODE;
	struct dma_buf *dmabuf;

	if (mode == O_ACCMODE)
		return ERR_PTR(-EINVAL);
	if (len > max)
		return ERR_PTR(-EFBIG);

	dmabuf = pagebuf_buffer_create(PAGE_ALIGN(len), flags, mode, "");
	if (IS_ERR(dmabuf))
		return dmabuf;
	/* The core installs the fd; if that fails, its put releases it. */
	pagebuf_buffer_commit(dmabuf);
	return dmabuf;
}

static const struct dma_heap_ops pagebuf_heap_ops = {
	.allocate = pagebuf_heap_allocate,
};

int pagebuf_heap_init(void)
{
	struct dma_heap_export_info info = { .ops = &pagebuf_heap_ops };
	struct dma_heap *heap;
	unsigned int i;

	if (!pagebuf_dma_heaps)
		return 0;
	for (i = 0; i < ARRAY_SIZE(pagebuf_heaps); i++) {
		info.name = pagebuf_heaps[i].name;
		info.priv = (void *)(uintptr_t)pagebuf_heaps[i].flags;
		heap = dma_heap_add(&info);
		if (IS_ERR(heap)) {
			pr_err("dma_heaps=1: cannot add heap %s: %pe\n",
			       info.name, heap);
			/* The heaps added so far cannot go: stay loaded. */
			if (i)
				__module_get(THIS_MODULE);
			return i ? 0 : PTR_ERR(heap);
		}
	}
	__module_get(THIS_MODULE);
	pr_info("dma-heaps pagebuf, pagebuf-order0, pagebuf-contig registered; the module stays loaded\n");
	return 0;
}

int pagebuf_heap_check(void)
{
	return 0;
}
#else
int pagebuf_heap_init(void)
{
	return 0;
}

int pagebuf_heap_check(void)
{
	if (!pagebuf_dma_heaps)
		return 0;
	pr_err("dma_heaps=1: this kernel does not export dma_heap_add() (Linux 6.18 with CONFIG_DMABUF_HEAPS does)\n");
	return -EOPNOTSUPP;
}
#endif
