// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of v2d_emu's pure logic: the translation units' page tables
 * (iommu.c) and the rectangle checks of a job (check.c). The tables are
 * fed hand-made DMA addresses: no device, no buffer, no memory access.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "v2d_emu/v2d_emu.h"

/* What main.c defines in the real module; iommu.c uses them. */
struct v2d_counters v2d_counters;
bool v2d_inject_fault;

#define WINDOW_PAGES	(SZ_256M >> PAGE_SHIFT)
#define UNIT0_BASE	((u64)SZ_256M)

struct seg {
	dma_addr_t addr;
	unsigned int len;
};

/* An sg_table whose DMA side is @segs; freed by the test's cleanup. */
static struct sg_table *make_sgt(struct kunit *test, const struct seg *segs,
				 unsigned int n)
{
	struct sg_table *sgt = kunit_kzalloc(test, sizeof(*sgt), GFP_KERNEL);
	struct scatterlist *sg;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(sgt, n, GFP_KERNEL), 0);
	for_each_sgtable_sg(sgt, sg, i) {
		sg_dma_address(sg) = segs[i].addr;
		sg_dma_len(sg) = segs[i].len;
	}
	sgt->nents = n;
	return sgt;
}

static void free_sgt(struct sg_table *sgt)
{
	sg_free_table(sgt);
}

static int iommu_test_init(struct kunit *test)
{
	memset(&v2d_counters, 0, sizeof(v2d_counters));
	v2d_inject_fault = false;
	return v2d_iommu_init();
}

static void iommu_test_exit(struct kunit *test)
{
	/* Every test unmaps what it mapped: nothing may stay counted. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&v2d_counters.mapped_pages), 0);
	v2d_iommu_exit();
}

static void iommu_maps_and_translates_segments(struct kunit *test)
{
	const struct seg segs[] = {
		{ 0x10000000, 3 * PAGE_SIZE },
		{ 0x50000000, 2 * PAGE_SIZE },
	};
	struct sg_table *sgt = make_sgt(test, segs, ARRAY_SIZE(segs));
	dma_addr_t dma;
	u64 iova;
	u32 unit;

	KUNIT_ASSERT_EQ(test, v2d_iommu_map(sgt, 5 * PAGE_SIZE, &unit, &iova), 0);
	KUNIT_EXPECT_EQ(test, unit, 0);
	KUNIT_EXPECT_EQ(test, iova, UNIT0_BASE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&v2d_counters.mapped_pages), 5);

	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova, &dma), 0);
	KUNIT_EXPECT_EQ(test, dma, (dma_addr_t)0x10000000);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova + 2 * PAGE_SIZE + 7, &dma), 0);
	KUNIT_EXPECT_EQ(test, dma, (dma_addr_t)0x10000000 + 2 * PAGE_SIZE + 7);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova + 3 * PAGE_SIZE + 5, &dma), 0);
	KUNIT_EXPECT_EQ(test, dma, (dma_addr_t)0x50000005);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova + 5 * PAGE_SIZE - 1, &dma), 0);
	KUNIT_EXPECT_EQ(test, dma, (dma_addr_t)0x50000000 + 2 * PAGE_SIZE - 1);

	/* Past the buffer, below the window, past the window, no such unit. */
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova + 5 * PAGE_SIZE, &dma), -EIO);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova - 1, &dma), -EIO);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, UNIT0_BASE + SZ_256M, &dma), -EIO);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(4, iova, &dma), -EIO);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(U32_MAX, iova, &dma), -EIO);

	v2d_iommu_unmap(unit, iova, 5 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova, &dma), -EIO);
	free_sgt(sgt);
}

static void iommu_second_buffer_follows_first(struct kunit *test)
{
	const struct seg a[] = { { 0x10000000, 2 * PAGE_SIZE } };
	const struct seg b[] = { { 0x20000000, PAGE_SIZE } };
	struct sg_table *sa = make_sgt(test, a, 1), *sb = make_sgt(test, b, 1);
	u64 ia, ib, ic;
	u32 ua, ub, uc;

	KUNIT_ASSERT_EQ(test, v2d_iommu_map(sa, 2 * PAGE_SIZE, &ua, &ia), 0);
	KUNIT_ASSERT_EQ(test, v2d_iommu_map(sb, PAGE_SIZE - 100, &ub, &ib), 0);
	KUNIT_EXPECT_EQ(test, ub, ua);
	KUNIT_EXPECT_EQ(test, ib, ia + 2 * PAGE_SIZE);
	/* The hole left by the first is reused. */
	v2d_iommu_unmap(ua, ia, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, v2d_iommu_map(sa, 2 * PAGE_SIZE, &uc, &ic), 0);
	KUNIT_EXPECT_EQ(test, ic, ia);
	v2d_iommu_unmap(uc, ic, 2 * PAGE_SIZE);
	v2d_iommu_unmap(ub, ib, PAGE_SIZE - 100);
	free_sgt(sa);
	free_sgt(sb);
}

/* A failed map claims nothing: the next map gets the same IOVA. */
static void expect_map_fails_cleanly(struct kunit *test, const struct seg *segs,
				     unsigned int n, u64 size, int err)
{
	const struct seg ok[] = { { 0x30000000, PAGE_SIZE } };
	struct sg_table *sgt = make_sgt(test, segs, n);
	struct sg_table *good = make_sgt(test, ok, 1);
	u64 iova;
	u32 unit;

	KUNIT_EXPECT_EQ(test, v2d_iommu_map(sgt, size, &unit, &iova), err);
	KUNIT_EXPECT_EQ(test, atomic64_read(&v2d_counters.mapped_pages), 0);
	KUNIT_ASSERT_EQ(test, v2d_iommu_map(good, PAGE_SIZE, &unit, &iova), 0);
	KUNIT_EXPECT_EQ(test, unit, 0);
	KUNIT_EXPECT_EQ(test, iova, UNIT0_BASE);
	v2d_iommu_unmap(unit, iova, PAGE_SIZE);
	free_sgt(sgt);
	free_sgt(good);
}

static void iommu_rejects_unaligned_address(struct kunit *test)
{
	const struct seg segs[] = { { 0x10000000 + 512, PAGE_SIZE } };

	expect_map_fails_cleanly(test, segs, 1, PAGE_SIZE, -EINVAL);
}

static void iommu_rejects_partial_inner_segment(struct kunit *test)
{
	const struct seg segs[] = {
		{ 0x10000000, PAGE_SIZE + 512 },
		{ 0x20000000, PAGE_SIZE },
	};

	expect_map_fails_cleanly(test, segs, 2, 3 * PAGE_SIZE, -EINVAL);
}

static void iommu_rejects_segments_not_covering_size(struct kunit *test)
{
	const struct seg two[] = { { 0x10000000, 2 * PAGE_SIZE } };

	/* Too few pages for the size, then too many. */
	expect_map_fails_cleanly(test, two, 1, 3 * PAGE_SIZE, -EINVAL);
	expect_map_fails_cleanly(test, two, 1, PAGE_SIZE, -EINVAL);
}

static void iommu_rejects_empty_and_oversized(struct kunit *test)
{
	const struct seg segs[] = { { 0x10000000, PAGE_SIZE } };

	expect_map_fails_cleanly(test, segs, 1, 0, -ENOSPC);
	expect_map_fails_cleanly(test, segs, 1, (u64)SZ_256M + PAGE_SIZE, -ENOSPC);
	expect_map_fails_cleanly(test, segs, 1, U64_MAX, -ENOSPC);
}

static void iommu_fills_every_unit_then_enospc(struct kunit *test)
{
	const struct seg whole[] = { { 0x100000000ULL, SZ_256M } };
	const struct seg one[] = { { 0x10000000, PAGE_SIZE } };
	struct sg_table *sw = make_sgt(test, whole, 1);
	struct sg_table *so = make_sgt(test, one, 1);
	u64 iova[4], extra;
	u32 unit[4], u;
	dma_addr_t dma;
	int n;

	for (n = 0; n < 4; n++) {
		KUNIT_ASSERT_EQ(test, v2d_iommu_map(sw, SZ_256M, &unit[n], &iova[n]), 0);
		KUNIT_EXPECT_EQ(test, unit[n], n);
		KUNIT_EXPECT_EQ(test, iova[n], (u64)(n + 1) * SZ_256M);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&v2d_counters.mapped_pages),
			4 * WINDOW_PAGES);
	KUNIT_EXPECT_EQ(test, v2d_iommu_map(so, PAGE_SIZE, &u, &extra), -ENOSPC);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(3, iova[3] + SZ_256M - 1, &dma), 0);
	KUNIT_EXPECT_EQ(test, dma, (dma_addr_t)0x100000000ULL + SZ_256M - 1);

	v2d_iommu_unmap(unit[2], iova[2], SZ_256M);
	KUNIT_ASSERT_EQ(test, v2d_iommu_map(so, PAGE_SIZE, &u, &extra), 0);
	KUNIT_EXPECT_EQ(test, u, 2);
	v2d_iommu_unmap(u, extra, PAGE_SIZE);
	for (n = 0; n < 4; n++)
		if (n != 2)
			v2d_iommu_unmap(unit[n], iova[n], SZ_256M);
	free_sgt(sw);
	free_sgt(so);
}

static void iommu_inject_fault_unmaps_last_page(struct kunit *test)
{
	const struct seg segs[] = { { 0x10000000, 2 * PAGE_SIZE } };
	struct sg_table *sgt = make_sgt(test, segs, 1);
	dma_addr_t dma;
	u64 iova;
	u32 unit;

	v2d_inject_fault = true;
	KUNIT_ASSERT_EQ(test, v2d_iommu_map(sgt, 2 * PAGE_SIZE, &unit, &iova), 0);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova, &dma), 0);
	KUNIT_EXPECT_EQ(test, v2d_iommu_translate(unit, iova + PAGE_SIZE, &dma), -EIO);
	v2d_iommu_unmap(unit, iova, 2 * PAGE_SIZE);
	free_sgt(sgt);
}

static struct kunit_case v2d_iommu_cases[] = {
	KUNIT_CASE(iommu_maps_and_translates_segments),
	KUNIT_CASE(iommu_second_buffer_follows_first),
	KUNIT_CASE(iommu_rejects_unaligned_address),
	KUNIT_CASE(iommu_rejects_partial_inner_segment),
	KUNIT_CASE(iommu_rejects_segments_not_covering_size),
	KUNIT_CASE(iommu_rejects_empty_and_oversized),
	KUNIT_CASE(iommu_fills_every_unit_then_enospc),
	KUNIT_CASE(iommu_inject_fault_unmaps_last_page),
	{}
};

static struct kunit_suite v2d_iommu_suite = {
	.name = "v2d_iommu",
	.init = iommu_test_init,
	.exit = iommu_test_exit,
	.test_cases = v2d_iommu_cases,
};

/* ---- rectangle checks ------------------------------------------------- */

static struct v2d_surface surf(u32 stride, u64 offset, u32 x, u32 y, u32 w,
			       u32 h)
{
	struct v2d_surface s = {
		.stride = stride, .offset = offset,
		.x = x, .y = y, .width = w, .height = h,
	};

	return s;
}

static void span_of_a_rectangle(struct kunit *test)
{
	struct v2d_surface s = surf(64, 16, 2, 1, 3, 2);
	u64 start, end;

	/* Rows 1-2, bytes 8..19 of each, after a 16-byte offset. */
	KUNIT_ASSERT_EQ(test, v2d_surface_span(&s, 4, 164, &start, &end), 0);
	KUNIT_EXPECT_EQ(test, start, 16 + 64 + 8);
	KUNIT_EXPECT_EQ(test, end, 16 + 2 * 64 + 20);
	/* One byte short of the last pixel. */
	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, 163, &start, &end), -ERANGE);
}

static void span_row_exactly_the_stride(struct kunit *test)
{
	struct v2d_surface s = surf(16, 0, 0, 0, 4, 4);
	u64 start, end;

	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, 64, &start, &end), 0);
	KUNIT_EXPECT_EQ(test, end, 64);
	s.x = 1;
	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, 1024, &start, &end), -EINVAL);
}

static void span_rejects_empty(struct kunit *test)
{
	struct v2d_surface w0 = surf(64, 0, 0, 0, 0, 1);
	struct v2d_surface h0 = surf(64, 0, 0, 0, 1, 0);
	u64 start, end;

	KUNIT_EXPECT_EQ(test, v2d_surface_span(&w0, 4, SZ_1M, &start, &end), -EINVAL);
	KUNIT_EXPECT_EQ(test, v2d_surface_span(&h0, 4, SZ_1M, &start, &end), -EINVAL);
}

static void span_overflow_is_erange(struct kunit *test)
{
	struct v2d_surface s;
	u64 start = 1, end = 2;

	/* Offset at the end of the address space: the sums wrap. */
	s = surf(64, U64_MAX - 10, 0, 0, 4, 1);
	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, U64_MAX, &start, &end), -ERANGE);
	/* (y + height - 1) * stride past 64 bits. */
	s = surf(U32_MAX, 0, 0, U32_MAX, 1, U32_MAX);
	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, U64_MAX, &start, &end), -ERANGE);
	/* A huge row: (x + width) * cpp overflows nothing, but is wider than the stride. */
	s = surf(U32_MAX, 0, U32_MAX, 0, U32_MAX, 1);
	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, U64_MAX, &start, &end), -EINVAL);
	/* The outputs are left alone on failure. */
	KUNIT_EXPECT_EQ(test, start, 1);
	KUNIT_EXPECT_EQ(test, end, 2);
}

static void span_largest_rectangle_fits_u64(struct kunit *test)
{
	struct v2d_surface s = surf(U32_MAX, 0, 0, 0, U32_MAX / 4, U32_MAX);
	u64 start, end;

	KUNIT_EXPECT_EQ(test, v2d_surface_span(&s, 4, U64_MAX, &start, &end), 0);
	KUNIT_EXPECT_EQ(test, end, (u64)(U32_MAX - 1) * U32_MAX + (U32_MAX / 4) * 4);
}

static void sizes_follow_the_operation(struct kunit *test)
{
	struct v2d_submit req = { .op = V2D_OP_COPY };

	req.src = surf(64, 0, 0, 0, 8, 4);
	req.dst = surf(64, 0, 0, 0, 8, 4);
	KUNIT_EXPECT_EQ(test, v2d_check_sizes(&req), 0);
	req.dst = surf(64, 0, 0, 0, 4, 8);
	KUNIT_EXPECT_EQ(test, v2d_check_sizes(&req), -EINVAL);

	req.op = V2D_OP_ROTATE;
	req.rotation = 90;
	KUNIT_EXPECT_EQ(test, v2d_check_sizes(&req), 0);
	req.rotation = 270;
	KUNIT_EXPECT_EQ(test, v2d_check_sizes(&req), 0);
	req.rotation = 180;
	KUNIT_EXPECT_EQ(test, v2d_check_sizes(&req), -EINVAL);
	req.dst = surf(64, 0, 0, 0, 8, 4);
	KUNIT_EXPECT_EQ(test, v2d_check_sizes(&req), 0);
}

static struct kunit_case v2d_check_cases[] = {
	KUNIT_CASE(span_of_a_rectangle),
	KUNIT_CASE(span_row_exactly_the_stride),
	KUNIT_CASE(span_rejects_empty),
	KUNIT_CASE(span_overflow_is_erange),
	KUNIT_CASE(span_largest_rectangle_fits_u64),
	KUNIT_CASE(sizes_follow_the_operation),
	{}
};

static struct kunit_suite v2d_check_suite = {
	.name = "v2d_check",
	.test_cases = v2d_check_cases,
};

kunit_test_suites(&v2d_iommu_suite, &v2d_check_suite);

MODULE_DESCRIPTION("KUnit tests of v2d_emu's IOMMU tables and job checks");
MODULE_LICENSE("GPL");
