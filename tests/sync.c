// SPDX-License-Identifier: GPL-2.0
/*
 * sync: DMA_BUF_IOCTL_SYNC brackets CPU access in every direction for
 * every policy, and the flag combinations the dma-buf core rejects fail
 * with EINVAL (a bad pointer with EFAULT) without touching the data or
 * the counters.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

/* Raw DMA_BUF_IOCTL_SYNC, no retry: this area tests the ioctl itself, not the library. */
static int sync_raw(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) ? errno : 0;
}

static void test_start_end_all_directions(void **state)
{
	const struct pb_policy *p = *state;
	static const uint64_t dirs[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	uint64_t size = 5 * pb_page;
	struct pb_snap s;
	size_t i;
	void *m;
	int fd;

	pb_snap(&s);
	fd = pb_alloc_ok(size, p->flags, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 40);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		/* Each bracket sees what the previous one left. */
		assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_START | dirs[i]), 0);
		assert_pattern(m, size, 40 + i);
		if (dirs[i] & DMA_BUF_SYNC_WRITE)
			pb_fill(m, size, 41 + i);
		assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_END | dirs[i]), 0);
		if (!(dirs[i] & DMA_BUF_SYNC_WRITE))
			pb_fill(m, size, 41 + i);
		assert_pattern(m, size, 41 + i);
	}
	/* Nested and repeated brackets are allowed by the core. */
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	pb_assert_delta(&s, 1, (int64_t)size);
	pb_unmap(m, size);
	/* Without any mapping too. */
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_bad_flags_are_einval(void **state)
{
	static const uint64_t bad[] = {
		0,					/* no direction */
		DMA_BUF_SYNC_START,			/* the same */
		DMA_BUF_SYNC_END,			/* END without direction */
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_END,	/* START is 0: END alone */
		1ULL << 3,				/* unknown bit */
		DMA_BUF_SYNC_RW | (1ULL << 3),
		DMA_BUF_SYNC_READ | (1ULL << 31),
		DMA_BUF_SYNC_WRITE | DMA_BUF_SYNC_END | (1ULL << 32),
		DMA_BUF_SYNC_RW | (1ULL << 63),
		~0ULL,
	};
	uint64_t size = 2 * pb_page;
	struct dma_buf_sync sync;
	struct pb_snap s;
	size_t i;
	void *m;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(size, 0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 77);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sync.flags = bad[i];
		errno = 0;
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) != -1 || errno != EINVAL) {
			pb_diag("sync flags %#llx: expected EINVAL, got %s",
				(unsigned long long)bad[i], pb_errname(errno));
			fail();
		}
	}
	assert_fails_with(ioctl(fd, DMA_BUF_IOCTL_SYNC, (void *)1), EFAULT);
	assert_fails_with(ioctl(fd, DMA_BUF_IOCTL_SYNC, NULL), EFAULT);
	assert_pattern(m, size, 77);
	pb_assert_delta(&s, 1, (int64_t)size);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_sync_on_read_only_fd(void **state)
{
	uint64_t size = pb_page;
	struct pb_snap s;
	int fd = -1;
	void *m;

	(void)state;
	pb_snap(&s);
	assert_int_equal(pb_alloc(size, 0, O_RDONLY | O_CLOEXEC, NULL, &fd, NULL), 0);
	m = pb_map(fd, size, PROT_READ, 0);
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_bytes(m, size, 0);
	assert_int_equal(sync_raw(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add_per_policy(&t, "start_end_read_write_rw_succeed", test_start_end_all_directions,
			  NULL);
	pb_add(&t, "bad_flags_are_einval_bad_pointer_efault", test_bad_flags_are_einval, NULL);
	pb_add(&t, "read_sync_on_read_only_fd_succeeds", test_sync_on_read_only_fd, NULL);
	return pb_run("sync", &t);
}
