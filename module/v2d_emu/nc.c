// SPDX-License-Identifier: GPL-2.0
/*
 * The non-coherent engine's view of a buffer. Such an engine goes to
 * memory past the CPU's caches: it gets a non-cacheable kernel mapping
 * of the pages its DMA addresses name (the bounce slots, under swiotlb),
 * in the buffer's order. It is made at import because the engine's own
 * path may not allocate (fence signalling).
 *
 * Kept apart from import.c so that the KUnit tests (module/kunit/) can
 * feed it hand-made tables.
 */
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "v2d_emu.h"

/**
 * v2d_nc_map() - map the pages behind a DMA table, non-cacheable
 * @sgt: the table, mapped for the engine's device
 * @size: the buffer's size in bytes; a partial last page is mapped whole,
 *	since the engine may reach every byte below @size
 *
 * Page by page, the view needs segments that start on a page and, but
 * for the last, end on one.
 *
 * Return: the mapping, to be undone with vunmap(), or an ERR_PTR:
 * -EINVAL for a segment that is not page-aligned or a table shorter than
 * @size, -ENOMEM.
 */
void *v2d_nc_map(struct sg_table *sgt, u64 size)
{
	unsigned long nr = PFN_UP(size), i = 0;
	struct scatterlist *sg;
	struct page **pages;
	unsigned int k, off;
	void *va = ERR_PTR(-EINVAL);

	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for_each_sgtable_dma_sg(sgt, sg, k) {
		dma_addr_t addr = sg_dma_address(sg);

		if (offset_in_page(addr) ||
		    (k + 1 < sgt->nents && offset_in_page(sg_dma_len(sg))))
			goto out;
		for (off = 0; off < sg_dma_len(sg) && i < nr; off += PAGE_SIZE)
			pages[i++] = pfn_to_page(PHYS_PFN(addr + off));
	}
	if (i == nr) {
		va = vmap(pages, nr, VM_MAP, pgprot_dmacoherent(PAGE_KERNEL));
		if (!va)
			va = ERR_PTR(-ENOMEM);
	}
out:
	kvfree(pages);
	return va;
}
