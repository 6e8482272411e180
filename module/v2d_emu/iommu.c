// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's own IOMMU: translation units, each with a fixed IOVA
 * window and a single-level page table covering exactly that window.
 *
 * A buffer whose DMA mapping has more than one segment is given a run of
 * pages in one unit's window, and each of those pages is pointed at the
 * DMA address of the matching page of the buffer. Only DMA addresses are
 * used (for_each_sgtable_dma_sg): the page pointers of an importer's
 * table are not the importer's to use, and with swiotlb they are not
 * where the device's accesses land.
 *
 * Locking: each unit's lock protects its allocation bitmap. Entries are
 * written while their run is allocated to no buffer, or cleared by the
 * buffer's last reference, when no job can use them; the engine reads
 * them with READ_ONCE and needs no lock.
 */
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "v2d_emu.h"

#define V2D_NR_UNITS		4
#define V2D_WINDOW_SIZE		SZ_256M
#define V2D_WINDOW_PAGES	(V2D_WINDOW_SIZE >> PAGE_SHIFT)
/* Unit n translates [(n + 1) * 256 MiB, (n + 2) * 256 MiB). */
#define V2D_WINDOW_BASE(n)	((u64)((n) + 1) * V2D_WINDOW_SIZE)
#define V2D_PTE_VALID		BIT_ULL(0)

struct v2d_unit {
	struct mutex lock;		/* protects @used */
	unsigned long *used;		/* one bit per page of the window */
	u64 *ptes;			/* one entry per page of the window */
};

static struct v2d_unit v2d_units[V2D_NR_UNITS];

/* Point the entries of [@first, @first + @nr) at the DMA pages of @sgt. */
static int v2d_iommu_fill(struct v2d_unit *u, unsigned long first,
			  unsigned long nr, struct sg_table *sgt)
{
	unsigned long idx = first, end = first + nr;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned long pages = DIV_ROUND_UP(sg_dma_len(sg), PAGE_SIZE);
		bool last = i + 1 == sgt->nents;

		/* Page-granular translation cannot express a partial page. */
		if (!PAGE_ALIGNED(addr) ||
		    (!last && !PAGE_ALIGNED(sg_dma_len(sg))))
			return -EINVAL;
		if (pages > end - idx)
			return -EINVAL;
		for (; pages; pages--, addr += PAGE_SIZE)
			WRITE_ONCE(u->ptes[idx++], addr | V2D_PTE_VALID);
	}
	if (idx != end)
		return -EINVAL;

	/* Debugging aid: leave the last page untranslated, to fault on it. */
	if (READ_ONCE(v2d_inject_fault))
		WRITE_ONCE(u->ptes[end - 1], 0);
	return 0;
}

static void v2d_iommu_clear(struct v2d_unit *u, unsigned long first,
			    unsigned long nr)
{
	unsigned long i;

	for (i = first; i < first + nr; i++)
		WRITE_ONCE(u->ptes[i], 0);
}

/* Claim @nr free pages of @u's window; the first index or -ENOSPC. */
static long v2d_iommu_claim(struct v2d_unit *u, unsigned long nr)
{
	unsigned long first;

	mutex_lock(&u->lock);
	first = bitmap_find_next_zero_area(u->used, V2D_WINDOW_PAGES, 0, nr, 0);
	if (first < V2D_WINDOW_PAGES)
		bitmap_set(u->used, first, nr);
	mutex_unlock(&u->lock);

	return first < V2D_WINDOW_PAGES ? (long)first : -ENOSPC;
}

static void v2d_iommu_unclaim(struct v2d_unit *u, unsigned long first,
			      unsigned long nr)
{
	mutex_lock(&u->lock);
	bitmap_clear(u->used, first, nr);
	mutex_unlock(&u->lock);
}

/**
 * v2d_iommu_map() - map a buffer's DMA segments into a translation unit
 * @sgt: the buffer's table, mapped for the engine's device
 * @size: the buffer's size in bytes
 * @unit: out: the unit used
 * @iova: out: where byte 0 of the buffer lies in that unit's window
 *
 * The first unit with a free run of pages large enough is used.
 *
 * Return: 0, -ENOSPC when no unit has room, -EINVAL when the segments
 * do not cover @size in whole pages.
 */
int v2d_iommu_map(struct sg_table *sgt, u64 size, u32 *unit, u64 *iova)
{
	unsigned long nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	u32 n;

	if (!nr || nr > V2D_WINDOW_PAGES)
		return -ENOSPC;

	for (n = 0; n < V2D_NR_UNITS; n++) {
		struct v2d_unit *u = &v2d_units[n];
		long first = v2d_iommu_claim(u, nr);
		int ret;

		if (first < 0)
			continue;
		ret = v2d_iommu_fill(u, first, nr, sgt);
		if (ret) {
			v2d_iommu_clear(u, first, nr);
			v2d_iommu_unclaim(u, first, nr);
			return ret;
		}
		*unit = n;
		*iova = V2D_WINDOW_BASE(n) + ((u64)first << PAGE_SHIFT);
		atomic64_add(nr, &v2d_counters.mapped_pages);
		return 0;
	}
	return -ENOSPC;
}

/**
 * v2d_iommu_unmap() - undo v2d_iommu_map()
 * @unit: the unit it returned
 * @iova: the IOVA it returned
 * @size: the size it was given
 */
void v2d_iommu_unmap(u32 unit, u64 iova, u64 size)
{
	unsigned long nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned long first = (iova - V2D_WINDOW_BASE(unit)) >> PAGE_SHIFT;
	struct v2d_unit *u = &v2d_units[unit];

	v2d_iommu_clear(u, first, nr);
	v2d_iommu_unclaim(u, first, nr);
	atomic64_sub(nr, &v2d_counters.mapped_pages);
}

/**
 * v2d_iommu_translate() - what the unit's hardware walk does
 * @unit: the unit
 * @iova: the address the engine emits
 * @dma: out: the DMA address it reaches
 *
 * Return: 0, or -EIO for a translation fault: @iova outside the unit's
 * window, or its page not mapped. The caller reports the fault.
 */
int v2d_iommu_translate(u32 unit, u64 iova, dma_addr_t *dma)
{
	u64 base = V2D_WINDOW_BASE(unit), pte;

	if (unit >= V2D_NR_UNITS || iova < base ||
	    iova - base >= V2D_WINDOW_SIZE)
		return -EIO;

	pte = READ_ONCE(v2d_units[unit].ptes[(iova - base) >> PAGE_SHIFT]);
	if (!(pte & V2D_PTE_VALID))
		return -EIO;

	*dma = (pte & PAGE_MASK) | offset_in_page(iova);
	return 0;
}

/**
 * v2d_iommu_translate_run() - translate a run of pages in one walk
 * @unit: the unit
 * @iova: the address the engine emits
 * @max: the most bytes the caller wants from @iova
 * @dma: out: the DMA address @iova reaches
 * @len: out: how many bytes from @dma, at most @max, are contiguous for
 *	the device: the following pages are mapped, each to the DMA address
 *	after the one before
 *
 * Return: 0, or -EIO for a translation fault at @iova itself.
 */
int v2d_iommu_translate_run(u32 unit, u64 iova, u64 max, dma_addr_t *dma,
			    u64 *len)
{
	u64 base = V2D_WINDOW_BASE(unit), pte, next, i, n;

	if (v2d_iommu_translate(unit, iova, dma))
		return -EIO;
	n = min_t(u64, max, PAGE_SIZE - offset_in_page(iova));
	i = (iova - base) >> PAGE_SHIFT;
	pte = *dma & PAGE_MASK;
	while (n < max && ++i < V2D_WINDOW_PAGES) {
		next = READ_ONCE(v2d_units[unit].ptes[i]);
		if (!(next & V2D_PTE_VALID) || (next & PAGE_MASK) != pte + PAGE_SIZE)
			break;
		pte += PAGE_SIZE;
		n = min_t(u64, max, n + PAGE_SIZE);
	}
	*len = n;
	return 0;
}

/**
 * v2d_iommu_init() - allocate the units' page tables and bitmaps
 *
 * Return: 0 or -ENOMEM.
 */
int v2d_iommu_init(void)
{
	unsigned int n;

	for (n = 0; n < V2D_NR_UNITS; n++) {
		struct v2d_unit *u = &v2d_units[n];

		mutex_init(&u->lock);
		u->ptes = kvcalloc(V2D_WINDOW_PAGES, sizeof(*u->ptes),
				   GFP_KERNEL);
		u->used = bitmap_zalloc(V2D_WINDOW_PAGES, GFP_KERNEL);
		if (!u->ptes || !u->used)
			goto err_free;
	}
	return 0;

err_free:
	v2d_iommu_exit();
	return -ENOMEM;
}

void v2d_iommu_exit(void)
{
	unsigned int n;

	for (n = 0; n < V2D_NR_UNITS; n++) {
		struct v2d_unit *u = &v2d_units[n];

		bitmap_free(u->used);
		kvfree(u->ptes);
		u->used = NULL;
		u->ptes = NULL;
	}
}
