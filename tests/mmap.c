// SPDX-License-Identifier: GPL-2.0
/*
 * mmap: a mapping at an offset shows the pages from that offset on; a
 * mapping may not reach past the end, may not be private, and cannot be
 * grown with mremap, which leaves it valid. A partial munmap keeps the
 * rest of the mapping working.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

struct off_case {
	int policy;
	uint64_t pages;
};

static uint64_t marker(uint64_t page)
{
	return 0x9a9e000000000000ULL | (page << 8) | 0x5a;
}

static void write_markers(uint8_t *m, uint64_t pages)
{
	uint64_t i;

	for (i = 0; i < pages; i++) {
		/* First and last word of each page. */
		*(uint64_t *)(m + i * pb_page) = marker(i);
		*(uint64_t *)(m + (i + 1) * pb_page - 8) = ~marker(i);
	}
}

static void check_markers(const uint8_t *m, uint64_t first, uint64_t count)
{
	uint64_t i;

	for (i = 0; i < count; i++) {
		uint64_t head = *(const uint64_t *)(m + i * pb_page);
		uint64_t tail = *(const uint64_t *)(m + (i + 1) * pb_page - 8);

		if (head != marker(first + i) || tail != ~marker(first + i)) {
			pb_diag("page %llu of a mapping at page offset %llu holds markers %#llx/%#llx, expected page %llu",
				(unsigned long long)i, (unsigned long long)first,
				(unsigned long long)head, (unsigned long long)tail,
				(unsigned long long)(first + i));
			fail();
		}
	}
}

static void test_offset_maps_right_pages(void **state)
{
	const struct off_case *c = *state;
	uint64_t size = c->pages * pb_page, k;
	struct pb_snap s;
	uint8_t *full, *m;
	int fd;

	pb_snap(&s);
	fd = pb_alloc_ok(size, pb_policies[c->policy].flags, NULL);
	full = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	write_markers(full, c->pages);

	for (k = 0; k < c->pages; k++) {
		/* From page k to the end. */
		m = pb_map(fd, size - k * pb_page, PROT_READ | PROT_WRITE, (off_t)(k * pb_page));
		check_markers(m, k, c->pages - k);
		/* A write through the offset mapping lands in page k. */
		*(uint64_t *)(m + 8) = marker(k) + 1;
		assert_int_equal(*(uint64_t *)(full + k * pb_page + 8), marker(k) + 1);
		pb_unmap(m, size - k * pb_page);
		/* Just page k. */
		m = pb_map(fd, pb_page, PROT_READ, (off_t)(k * pb_page));
		check_markers(m, k, 1);
		pb_unmap(m, pb_page);
	}
	pb_unmap(full, size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_past_end_is_einval(void **state)
{
	uint64_t size = 4 * pb_page;
	struct pb_snap s;
	void *m;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(size, 0, NULL);
	pb_assert_delta(&s, 1, (int64_t)size);
	assert_fails_with(mmap(NULL, size + pb_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
			  EINVAL);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ, MAP_SHARED, fd, (off_t)size), EINVAL);
	assert_fails_with(mmap(NULL, 2 * pb_page, PROT_READ, MAP_SHARED, fd,
			       (off_t)(size - pb_page)), EINVAL);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ, MAP_SHARED, fd,
			       (off_t)(1024 * size)), EINVAL);
	/* The last page alone is fine. */
	m = pb_map(fd, pb_page, PROT_READ, (off_t)(size - pb_page));
	pb_unmap(m, pb_page);
	pb_assert_delta(&s, 1, (int64_t)size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_map_private_is_einval(void **state)
{
	uint64_t size = 2 * pb_page;
	struct pb_snap s;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(size, 0, NULL);
	assert_fails_with(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), EINVAL);
	assert_fails_with(mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ, MAP_PRIVATE, fd, (off_t)pb_page), EINVAL);
	pb_assert_delta(&s, 1, (int64_t)size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_mremap_grow_fails_mapping_stays_valid(void **state)
{
	uint64_t size = 4 * pb_page;
	struct pb_snap s;
	void *m;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(size, 0, NULL);
	/* Map half, so that growing would stay inside the buffer. */
	m = pb_map(fd, size / 2, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size / 2, 7);

	assert_fails_with(mremap(m, size / 2, size, 0), EFAULT);
	assert_fails_with(mremap(m, size / 2, size, MREMAP_MAYMOVE), EFAULT);
	assert_fails_with(mremap(m, size / 2, size + pb_page, MREMAP_MAYMOVE), EFAULT);

	/* The mapping is untouched and still works both ways. */
	assert_pattern(m, size / 2, 7);
	pb_fill(m, size / 2, 8);
	assert_pattern(m, size / 2, 8);
	pb_unmap(m, size / 2);
	m = pb_map(fd, size / 2, PROT_READ, 0);
	assert_pattern(m, size / 2, 8);
	pb_unmap(m, size / 2);

	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_partial_munmap_keeps_rest(void **state)
{
	uint64_t size = 8 * pb_page;
	struct pb_snap s;
	uint8_t *m, *again;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(size, PAGEBUF_ALLOC_ORDER0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 21);
	/* Punch out pages 2..3 and the last one. */
	pb_unmap(m + 2 * pb_page, 2 * pb_page);
	pb_unmap(m + 7 * pb_page, pb_page);
	assert_int_equal(close(fd), 0);
	/* Pieces of the mapping keep the buffer. */
	pb_assert_delta(&s, 1, (int64_t)size);
	assert_int_equal(pb_check(m, 2 * pb_page, 21), -1);
	again = m + 4 * pb_page;
	memset(again, 0x3c, 3 * pb_page);
	assert_bytes(again, 3 * pb_page, 0x3c);
	pb_unmap(m, 2 * pb_page);
	pb_assert_delta(&s, 1, (int64_t)size);
	pb_unmap(again, 3 * pb_page);
	pb_assert_unchanged(&s);
}

int main(void)
{
	static struct off_case cases[PB_NR_POLICIES];
	struct pb_tests t = { 0 };
	char name[128];
	size_t p;

	for (p = 0; p < PB_NR_POLICIES; p++) {
		cases[p].policy = (int)p;
		/* 300 pages cross an order-8 chunk of the default policy. */
		cases[p].pages = pb_policies[p].flags == PAGEBUF_ALLOC_CONTIG ? 16 : 300;
		snprintf(name, sizeof(name), "%s_offset_maps_the_right_pages", pb_policies[p].name);
		pb_add(&t, name, test_offset_maps_right_pages, &cases[p]);
	}
	pb_add(&t, "past_end_is_einval", test_past_end_is_einval, NULL);
	pb_add(&t, "map_private_is_einval", test_map_private_is_einval, NULL);
	pb_add(&t, "mremap_grow_is_efault_and_mapping_stays_valid",
	       test_mremap_grow_fails_mapping_stays_valid, NULL);
	pb_add(&t, "partial_munmap_keeps_the_rest_and_the_buffer", test_partial_munmap_keeps_rest, NULL);
	return pb_run("mmap", &t);
}
