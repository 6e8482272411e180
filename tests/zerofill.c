// SPDX-License-Identifier: GPL-2.0
/*
 * zerofill: a new buffer never shows what an earlier one held. Many
 * buffers are filled with 0xA5 and freed, then the same sizes are
 * allocated again and must read as zero in every byte, up to the end of
 * the last page, for every policy.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#define ROUNDS 3

/* Sizes in bytes; those that are not page multiples are rounded up. */
static const uint64_t sizes[] = {
	1, 4096, 8192, 3 * 4096 + 100, 17 * 4096, 64 * 1024, 64 * 1024 + 4096,
	256 * 1024 + 4096, 1024 * 1024, 1024 * 1024 + 4096, 2 * 1024 * 1024,
	3 * 1024 * 1024 + 12345,
};
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))
#define NR_BUFS (ROUNDS * NR_SIZES)

static uint64_t rounded(uint64_t size)
{
	return (size + pb_page - 1) / pb_page * pb_page;
}

static void alloc_all(uint32_t flags, int *fds, void **maps, uint64_t *total)
{
	size_t i;

	*total = 0;
	for (i = 0; i < NR_BUFS; i++) {
		uint64_t len = rounded(sizes[i % NR_SIZES]);

		fds[i] = pb_alloc_ok(sizes[i % NR_SIZES], flags, NULL);
		assert_int_equal(lseek(fds[i], 0, SEEK_END), len);
		maps[i] = pb_map(fds[i], len, PROT_READ | PROT_WRITE, 0);
		*total += len;
	}
}

static void free_all(int *fds, void **maps)
{
	size_t i;

	for (i = 0; i < NR_BUFS; i++) {
		pb_unmap(maps[i], rounded(sizes[i % NR_SIZES]));
		assert_int_equal(close(fds[i]), 0);
	}
}

static void test_reused_pages_are_zeroed(void **state)
{
	const struct pb_policy *p = *state;
	int fds[NR_BUFS];
	void *maps[NR_BUFS];
	uint64_t total;
	struct pb_snap s;
	size_t i;
	int round;

	pb_params_allow(4 * MIB + 2 * ROUNDS * 12 * MIB);
	pb_snap(&s);

	for (round = 0; round < 2; round++) {
		alloc_all(p->flags, fds, maps, &total);
		pb_assert_delta(&s, NR_BUFS, (int64_t)total);
		for (i = 0; i < NR_BUFS; i++) {
			uint64_t len = rounded(sizes[i % NR_SIZES]);

			assert_int_equal(pb_sync(fds[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
			if (pb_check_bytes(maps[i], len, 0) >= 0)
				pb_diag("round %d, buffer %zu (%llu bytes) of policy %s is not zeroed",
					round, i, (unsigned long long)len, p->name);
			assert_bytes(maps[i], len, 0);
			memset(maps[i], 0xA5, len);
			assert_int_equal(pb_sync(fds[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);
		}
		free_all(fds, maps);
		pb_assert_unchanged(&s);
	}
}

/* A buffer whose size is not a page multiple is zero up to its last page's end. */
static void test_tail_of_last_page_is_zero(void **state)
{
	const struct pb_policy *p = *state;
	uint64_t size = 3 * pb_page + 1;
	uint64_t len = 4 * pb_page;
	struct pb_snap s;
	int fd, i;
	void *m;

	pb_snap(&s);
	for (i = 0; i < 8; i++) {
		fd = pb_alloc_ok(size, p->flags, NULL);
		pb_assert_delta(&s, 1, (int64_t)len);
		m = pb_map(fd, len, PROT_READ | PROT_WRITE, 0);
		assert_bytes(m, len, 0);
		memset(m, 0xA5, len);
		pb_unmap(m, len);
		assert_int_equal(close(fd), 0);
		pb_assert_unchanged(&s);
	}
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add_per_policy(&t, "reused_pages_are_zeroed", test_reused_pages_are_zeroed,
			  pb_restore_params_teardown);
	pb_add_per_policy(&t, "tail_of_last_page_is_zero", test_tail_of_last_page_is_zero, NULL);
	return pb_run("zerofill", &t);
}
