// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the non-coherent engine's view of a buffer (nc.c): the
 * pages it maps for tables whose DMA addresses are the physical
 * addresses of pages allocated here, as on the engine's platform.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#include "v2d_emu/v2d_emu.h"

struct nc_ctx {
	struct page *pages[2];
	struct sg_table sgt;
};

/* Two pages, each its own DMA segment of @len0 and @len1 bytes. */
static void nc_table(struct kunit *test, struct nc_ctx *c, unsigned int off0,
		     unsigned int len0, unsigned int len1)
{
	struct scatterlist *sg;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		c->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->pages[i]);
	}
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&c->sgt, 2, GFP_KERNEL), 0);
	for_each_sgtable_sg(&c->sgt, sg, i) {
		sg_dma_address(sg) = page_to_phys(c->pages[i]) + (i ? 0 : off0);
		sg_dma_len(sg) = i ? len1 : len0;
	}
	c->sgt.nents = 2;
}

static void nc_free(struct nc_ctx *c)
{
	sg_free_table(&c->sgt);
	__free_page(c->pages[0]);
	__free_page(c->pages[1]);
}

/*
 * A dma-buf whose size is not a multiple of the page size: the engine
 * may reach every byte up to the size, so the view must map the partial
 * last page too.
 */
static void nc_map_covers_a_partial_last_page(struct kunit *test)
{
	struct nc_ctx c;
	void *va;

	nc_table(test, &c, 0, PAGE_SIZE, 100);
	va = v2d_nc_map(&c.sgt, PAGE_SIZE + 100);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(va));
	if (!IS_ERR_OR_NULL(va)) {
		KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(va), c.pages[0]);
		KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(va + PAGE_SIZE),
				    c.pages[1]);
		vunmap(va);
	}
	nc_free(&c);
}

/*
 * A segment that does not start on a page cannot be mapped page by page:
 * that is the table's fault (EINVAL), not a shortage of memory.
 */
static void nc_map_refuses_misaligned_segments(struct kunit *test)
{
	struct nc_ctx c;
	void *va;

	nc_table(test, &c, 256, PAGE_SIZE - 256, PAGE_SIZE);
	va = v2d_nc_map(&c.sgt, 2 * PAGE_SIZE - 256);
	KUNIT_EXPECT_TRUE(test, IS_ERR(va));
	if (IS_ERR(va))
		KUNIT_EXPECT_EQ(test, PTR_ERR(va), -EINVAL);
	else if (va)
		vunmap(va);
	nc_free(&c);
}

static struct kunit_case v2d_nc_cases[] = {
	KUNIT_CASE(nc_map_covers_a_partial_last_page),
	KUNIT_CASE(nc_map_refuses_misaligned_segments),
	{}
};

static struct kunit_suite v2d_nc_suite = {
	.name = "v2d_nc",
	.test_cases = v2d_nc_cases,
};

kunit_test_suites(&v2d_nc_suite);
