// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of pagebuf's pure logic: the quota and counter arithmetic
 * (stats.c), overflow included, and the scatter-gather tables the page
 * allocation policies build (pages.c). The test module has its own copy
 * of the counters, which each test leaves as it found them.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "pagebuf/pagebuf.h"

static void expect_counters(struct kunit *test, u64 buffers, u64 bytes,
			    u64 peak)
{
	struct pagebuf_stats st;

	pagebuf_stats_read(&st);
	KUNIT_EXPECT_EQ(test, st.live_buffers, buffers);
	KUNIT_EXPECT_EQ(test, st.live_bytes, bytes);
	KUNIT_EXPECT_EQ(test, st.peak_bytes, peak);
}

static int stats_test_init(struct kunit *test)
{
	pagebuf_stats_reset_peak();
	return 0;
}

static void stats_test_exit(struct kunit *test)
{
	pagebuf_stats_reset_peak();
	expect_counters(test, 0, 0, 0);
}

static void quota_reserve_commit_release(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_64K, SZ_1M), 0);
	/* Reserved is not live yet. */
	expect_counters(test, 0, 0, 0);
	pagebuf_stats_commit(SZ_64K);
	expect_counters(test, 1, SZ_64K, SZ_64K);
	pagebuf_stats_release(SZ_64K);
	/* The peak stays until reset. */
	expect_counters(test, 0, 0, SZ_64K);
}

static void quota_exactly_full_then_enospc(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_1M - PAGE_SIZE, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(2 * PAGE_SIZE, SZ_1M), -ENOSPC);
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(PAGE_SIZE, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(1, SZ_1M), -ENOSPC);
	pagebuf_stats_cancel(PAGE_SIZE);
	pagebuf_stats_cancel(SZ_1M - PAGE_SIZE);
	expect_counters(test, 0, 0, 0);
}

static void quota_reservations_count_against_it(struct kunit *test)
{
	/* Two racing allocations cannot both squeeze under the quota. */
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_512K, SZ_1M), 0);
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_512K, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(PAGE_SIZE, SZ_1M), -ENOSPC);
	pagebuf_stats_commit(SZ_512K);
	pagebuf_stats_cancel(SZ_512K);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(SZ_512K + 1, SZ_1M), -ENOSPC);
	expect_counters(test, 1, SZ_512K, SZ_512K);
	pagebuf_stats_release(SZ_512K);
}

static void quota_larger_than_quota_and_overflow(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(SZ_1M + 1, SZ_1M), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(U64_MAX, SZ_1M), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(1, 0), -ENOSPC);

	/* live + bytes would wrap past 2^64: the check must not. */
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_1M, U64_MAX), 0);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(U64_MAX, U64_MAX), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pagebuf_stats_reserve(U64_MAX - SZ_1M + 1, U64_MAX),
			-ENOSPC);
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(U64_MAX - SZ_1M, U64_MAX), 0);
	pagebuf_stats_cancel(U64_MAX - SZ_1M);
	pagebuf_stats_cancel(SZ_1M);
	expect_counters(test, 0, 0, 0);
}

static void quota_cancel_leaves_peak(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_256K, SZ_1M), 0);
	pagebuf_stats_cancel(SZ_256K);
	expect_counters(test, 0, 0, 0);
}

static void peak_reset_starts_from_live(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_128K, SZ_1M), 0);
	pagebuf_stats_commit(SZ_128K);
	KUNIT_ASSERT_EQ(test, pagebuf_stats_reserve(SZ_64K, SZ_1M), 0);
	pagebuf_stats_commit(SZ_64K);
	pagebuf_stats_release(SZ_128K);
	expect_counters(test, 1, SZ_64K, SZ_128K + SZ_64K);
	pagebuf_stats_reset_peak();
	expect_counters(test, 1, SZ_64K, SZ_64K);
	pagebuf_stats_release(SZ_64K);
}

static struct kunit_case pagebuf_stats_cases[] = {
	KUNIT_CASE(quota_reserve_commit_release),
	KUNIT_CASE(quota_exactly_full_then_enospc),
	KUNIT_CASE(quota_reservations_count_against_it),
	KUNIT_CASE(quota_larger_than_quota_and_overflow),
	KUNIT_CASE(quota_cancel_leaves_peak),
	KUNIT_CASE(peak_reset_starts_from_live),
	{}
};

static struct kunit_suite pagebuf_stats_suite = {
	.name = "pagebuf_stats",
	.init = stats_test_init,
	.exit = stats_test_exit,
	.test_cases = pagebuf_stats_cases,
};

/* ---- sg tables of the allocation policies ------------------------------ */

/* Sum of the entries' lengths; every page of every entry must be zero. */
static u64 table_bytes(struct kunit *test, struct sg_table *t)
{
	struct scatterlist *sg;
	unsigned int i, p;
	u64 sum = 0;

	for_each_sgtable_sg(t, sg, i) {
		KUNIT_EXPECT_EQ(test, sg->offset, 0);
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(sg->length));
		for (p = 0; p < sg->length >> PAGE_SHIFT; p++) {
			void *va = kmap_local_page(nth_page(sg_page(sg), p));

			KUNIT_EXPECT_NULL(test, memchr_inv(va, 0, PAGE_SIZE));
			kunmap_local(va);
		}
		sum += sg->length;
	}
	return sum;
}

static void free_table(struct sg_table *t, struct scatterlist *one)
{
	pagebuf_pages_free(t);
	pagebuf_table_free(t, one);
}

static void pages_default_largest_chunks_first(struct kunit *test)
{
	size_t size = (PAGE_SIZE << 8) + (PAGE_SIZE << 4) + PAGE_SIZE;
	unsigned int i, prev = UINT_MAX;
	struct scatterlist *sg;
	struct scatterlist one;
	struct sg_table t;

	KUNIT_ASSERT_EQ(test, pagebuf_pages_alloc(&t, &one, size, 0), 0);
	KUNIT_EXPECT_EQ(test, table_bytes(test, &t), size);
	KUNIT_EXPECT_GE(test, t.orig_nents, 3);
	for_each_sgtable_sg(&t, sg, i) {
		KUNIT_EXPECT_TRUE(test, sg->length == PAGE_SIZE << 8 ||
				  sg->length == PAGE_SIZE << 4 ||
				  sg->length == PAGE_SIZE);
		KUNIT_EXPECT_LE(test, sg->length, prev);
		prev = sg->length;
	}
	free_table(&t, &one);
}

static void pages_order0_one_entry_per_page(struct kunit *test)
{
	struct scatterlist *sg;
	struct scatterlist one;
	struct sg_table t;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pagebuf_pages_alloc(&t, &one, 17 * PAGE_SIZE,
						  PAGEBUF_ALLOC_ORDER0), 0);
	KUNIT_EXPECT_EQ(test, t.orig_nents, 17);
	for_each_sgtable_sg(&t, sg, i)
		KUNIT_EXPECT_EQ(test, sg->length, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, table_bytes(test, &t), 17 * PAGE_SIZE);
	free_table(&t, &one);
}

static void pages_contig_one_exact_entry(struct kunit *test)
{
	struct scatterlist one;
	struct sg_table t;

	/* 3 pages: the tail of the order-2 block goes back. */
	KUNIT_ASSERT_EQ(test, pagebuf_pages_alloc(&t, &one, 3 * PAGE_SIZE,
						  PAGEBUF_ALLOC_CONTIG), 0);
	KUNIT_EXPECT_EQ(test, t.orig_nents, 1);
	KUNIT_EXPECT_EQ(test, t.sgl->length, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, table_bytes(test, &t), 3 * PAGE_SIZE);
	free_table(&t, &one);
}

static void pages_contig_over_u32_refused(struct kunit *test)
{
	struct scatterlist one;
	struct sg_table t = { };

	/* An sg entry cannot describe it: refused before allocating. */
	KUNIT_EXPECT_EQ(test, pagebuf_pages_alloc(&t, &one, (size_t)SZ_4G + PAGE_SIZE,
						  PAGEBUF_ALLOC_CONTIG), -ENOMEM);
	KUNIT_EXPECT_NULL(test, t.sgl);
}

static struct kunit_case pagebuf_pages_cases[] = {
	KUNIT_CASE(pages_default_largest_chunks_first),
	KUNIT_CASE(pages_order0_one_entry_per_page),
	KUNIT_CASE(pages_contig_one_exact_entry),
	KUNIT_CASE(pages_contig_over_u32_refused),
	{}
};

static struct kunit_suite pagebuf_pages_suite = {
	.name = "pagebuf_pages",
	.test_cases = pagebuf_pages_cases,
};

kunit_test_suites(&pagebuf_stats_suite, &pagebuf_pages_suite);

MODULE_DESCRIPTION("KUnit tests of pagebuf's quota arithmetic and sg tables");
MODULE_LICENSE("GPL");
