// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf page allocation policies.
 *
 * Every policy fills a scatter-gather table with one entry per physically
 * contiguous chunk, all pages zeroed: a buffer never shows what its pages
 * held before. The table is the buffer's own; importers get copies.
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "pagebuf.h"

/*
 * The default policy takes the largest of these orders that fits, like the
 * kernel's system heap: 1 MiB, 64 KiB and 4 KiB chunks with 4 KiB pages,
 * sizes that IOMMUs map efficiently. The larger two are tried without
 * reclaim or retries, as the heap tries them: a fragmented system falls
 * back to smaller chunks at once instead of compacting for a chunk it can
 * do without. Only single pages, the last resort, may reclaim.
 *
 * Every page is charged to the allocating process's memory cgroup
 * (__GFP_ACCOUNT), so that a container's memory.max covers its buffers as
 * it covers the rest of its memory. Over that limit, or when memory runs out,
 * the allocation fails with ENOMEM rather than waking the OOM killer
 * (__GFP_RETRY_MAYFAIL): a buffer request is one the caller can handle
 * failing, unlike the page faults of whatever process the killer picks;
 * and quietly: a process asking for too much is no kernel problem.
 */
#define PAGEBUF_GFP (GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT)
#define PAGEBUF_HIGH_ORDER_GFP ((PAGEBUF_GFP | __GFP_NOWARN | __GFP_NORETRY | \
				 __GFP_COMP) & ~__GFP_RECLAIM)
#define PAGEBUF_LOW_ORDER_GFP (PAGEBUF_GFP | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
			       __GFP_COMP)
#define PAGEBUF_CONTIG_GFP (PAGEBUF_GFP | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

struct pagebuf_order {
	unsigned int order;
	gfp_t gfp;
};

static const struct pagebuf_order pagebuf_default_orders[] = {
	{ 8, PAGEBUF_HIGH_ORDER_GFP },
	{ 4, PAGEBUF_HIGH_ORDER_GFP },
	{ 0, PAGEBUF_LOW_ORDER_GFP },
};

static const struct pagebuf_order pagebuf_order0_orders[] = {
	{ 0, PAGEBUF_LOW_ORDER_GFP },
};

/*
 * A chunk is one compound page (default and ORDER0 policies) or a run of
 * order-0 pages split from one block (CONTIG).
 */
static void pagebuf_free_chunk(struct page *page, unsigned int len)
{
	unsigned int i;

	if (len == page_size(page)) {
		__free_pages(page, compound_order(page));
		return;
	}
	for (i = 0; i < len >> PAGE_SHIFT; i++)
		__free_page(compat_nth_page(page, i));
}

/**
 * pagebuf_table_alloc() - entries for a table of @nents chunks
 * @table: the table
 * @one: an entry inside the buffer, used when there is a single chunk (so
 *	a small buffer costs one allocation fewer)
 * @nents: how many entries
 *
 * Return: 0 or -ENOMEM. pagebuf_table_free() gives the entries back.
 */
int pagebuf_table_alloc(struct sg_table *table, struct scatterlist *one,
			unsigned int nents)
{
	if (nents > 1)
		return sg_alloc_table(table, nents, GFP_KERNEL);
	sg_init_table(one, 1);
	table->sgl = one;
	table->nents = 1;
	table->orig_nents = 1;
	return 0;
}

void pagebuf_table_free(struct sg_table *table, struct scatterlist *one)
{
	if (table->sgl != one)
		sg_free_table(table);
	table->sgl = NULL;
}

void pagebuf_pages_free(struct sg_table *table)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(table, sg, i)
		pagebuf_free_chunk(sg_page(sg), sg->length);
}

static struct page *pagebuf_alloc_largest(size_t remaining,
					  unsigned int max_order,
					  const struct pagebuf_order *orders,
					  unsigned int nr_orders)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < nr_orders; i++) {
		if (orders[i].order > max_order ||
		    remaining < (PAGE_SIZE << orders[i].order))
			continue;
		page = alloc_pages(orders[i].gfp, orders[i].order);
		if (page)
			return page;
	}
	return NULL;
}

/* Fill @table with chunks of the given orders, largest first. */
static int pagebuf_alloc_chunks(struct sg_table *table, struct scatterlist *one,
				size_t size, const struct pagebuf_order *orders,
				unsigned int nr_orders)
{
	unsigned int max_order = orders[0].order;
	unsigned int nents = 0;
	size_t remaining = size;
	struct page *page, *tmp;
	struct scatterlist *sg;
	LIST_HEAD(pages);
	int ret;

	while (remaining) {
		/* A killed process should not wait for a large allocation. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free_pages;
		}
		page = pagebuf_alloc_largest(remaining, max_order, orders,
					     nr_orders);
		if (!page) {
			ret = -ENOMEM;
			goto err_free_pages;
		}
		list_add_tail(&page->lru, &pages);
		remaining -= page_size(page);
		max_order = compound_order(page);
		nents++;
	}

	ret = pagebuf_table_alloc(table, one, nents);
	if (ret)
		goto err_free_pages;

	sg = table->sgl;
	list_for_each_entry_safe(page, tmp, &pages, lru) {
		list_del(&page->lru);
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
	}
	return 0;

err_free_pages:
	list_for_each_entry_safe(page, tmp, &pages, lru)
		__free_pages(page, compound_order(page));
	return ret;
}

/* Fill @table with one physically contiguous chunk of exactly @size. */
static int pagebuf_alloc_contig(struct sg_table *table, struct scatterlist *one,
				size_t size)
{
	unsigned long nr_pages = size >> PAGE_SHIFT;
	unsigned int order = get_order(size);
	struct page *page;
	unsigned long i;

	/* An sg entry's length is 32-bit; the page allocator's limit is far lower. */
	if (size > UINT_MAX)
		return -ENOMEM;

	page = alloc_pages(PAGEBUF_CONTIG_GFP, order);
	if (!page)
		return -ENOMEM;

	/* Give the tail of the power-of-two block back. */
	split_page(page, order);
	for (i = nr_pages; i < (1UL << order); i++)
		__free_page(compat_nth_page(page, i));

	/* One entry: @one, which cannot fail. */
	pagebuf_table_alloc(table, one, 1);
	sg_set_page(table->sgl, page, size, 0);
	return 0;
}

/**
 * pagebuf_pages_alloc() - allocate zeroed pages by policy
 * @table: filled with one entry per physically contiguous chunk
 * @one: the entry @table uses when there is one chunk (pagebuf_table_alloc())
 * @size: bytes, a multiple of PAGE_SIZE
 * @flags: %PAGEBUF_ALLOC_* flags; the policy bits select the allocator
 *
 * Return: 0, -ENOMEM, or -EINTR when the caller was killed meanwhile.
 * On failure nothing stays allocated. pagebuf_pages_free(), then
 * pagebuf_table_free(), undo it.
 */
int pagebuf_pages_alloc(struct sg_table *table, struct scatterlist *one,
			size_t size, u32 flags)
{
	switch (flags & PAGEBUF_ALLOC_POLICY_MASK) {
	case PAGEBUF_ALLOC_ORDER0:
		return pagebuf_alloc_chunks(table, one, size,
					    pagebuf_order0_orders,
					    ARRAY_SIZE(pagebuf_order0_orders));
	case PAGEBUF_ALLOC_CONTIG:
		return pagebuf_alloc_contig(table, one, size);
	default:
		return pagebuf_alloc_chunks(table, one, size,
					    pagebuf_default_orders,
					    ARRAY_SIZE(pagebuf_default_orders));
	}
}
