// SPDX-License-Identifier: GPL-2.0
/*
 * heap: pagebuf's policies as dma-heaps (pagebuf.dma_heaps=1, kernels
 * that export dma_heap_add()). A buffer from /dev/dma_heap/pagebuf* is a
 * pagebuf buffer: counted in pagebuf's statistics and quota, limited by
 * max_buffer_size, named by its exporter, zeroed, and its file's access
 * mode honoured. The suite runs this area only with the heaps registered.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

/* The heap of each policy, in pb_policies' order. */
static const char *const heap_names[PB_NR_POLICIES] = {
	"pagebuf", "pagebuf-order0", "pagebuf-contig",
};

static int heap_open(const struct pb_policy *p)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s",
		 heap_names[p - pb_policies]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		pb_diag("open %s: %s", path, strerror(errno));
	assert_true(fd >= 0);
	return fd;
}

/*
 * DMA_HEAP_IOCTL_ALLOC, raw: pagebuf's heap is the exporter under test,
 * with fd_flags the library's heap source does not take. The fd or -errno.
 */
static int heap_alloc(int heap, uint64_t len, uint32_t fd_flags)
{
	struct dma_heap_allocation_data a = {
		.len = len,
		.fd_flags = fd_flags,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a))
		return -errno;
	return (int)a.fd;
}

/* A pagebuf buffer, zeroed, that keeps what the CPU writes. */
static void test_heap_gives_pagebuf_buffers(void **state)
{
	const struct pb_policy *p = *state;
	uint64_t size = MIB + 1, len = MIB + pb_page;
	char exp[64];
	struct pb_snap s;
	int heap, fd;
	void *m;

	pb_snap(&s);
	heap = heap_open(p);
	fd = heap_alloc(heap, size, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		pb_diag("DMA_HEAP_IOCTL_ALLOC of %llu bytes: %s",
			(unsigned long long)size, strerror(-fd));
	assert_true(fd >= 0);
	pb_assert_delta(&s, 1, (int64_t)len);
	assert_int_equal(pb_fdinfo(0, fd, "exp_name", exp, sizeof(exp)), 0);
	assert_string_equal(exp, "pagebuf");
	assert_int_equal(lseek(fd, 0, SEEK_END), len);

	m = pb_map(fd, len, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	assert_bytes(m, len, 0);
	pb_fill(m, len, 7);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_pattern(m, len, 7);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	pb_unmap(m, len);

	assert_int_equal(close(fd), 0);
	assert_int_equal(close(heap), 0);
	pb_assert_unchanged(&s);
}

/* A read-only buffer cannot be mapped for writing. */
static void test_heap_read_only_fd_is_read_only(void **state)
{
	const struct pb_policy *p = *state;
	struct pb_snap s;
	int heap, fd;
	void *m;

	pb_snap(&s);
	heap = heap_open(p);
	fd = heap_alloc(heap, 64 * KIB, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	m = mmap(NULL, 64 * KIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_ptr_equal(m, MAP_FAILED);
	assert_int_equal(errno, EACCES);
	m = pb_map(fd, 64 * KIB, PROT_READ, 0);
	assert_bytes(m, 64 * KIB, 0);
	pb_unmap(m, 64 * KIB);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(heap), 0);
	pb_assert_unchanged(&s);
}

/* pagebuf's limits hold for heap allocations, and a refusal leaves nothing. */
static void test_heap_limits_are_pagebufs(void **state)
{
	const struct pb_policy *p = *state;
	struct pagebuf_stats st;
	struct pb_snap s;
	int heap, fd;

	heap = heap_open(p);
	pb_snap(&s);

	pb_param_set("max_buffer_size", MIB);
	fd = heap_alloc(heap, MIB + pb_page, O_RDWR | O_CLOEXEC);
	assert_int_equal(fd, -EFBIG);
	pb_assert_unchanged(&s);

	pb_stats(&st);
	pb_param_set("max_buffer_size", 64 * MIB);
	pb_param_set("quota", st.live_bytes + MIB);
	fd = heap_alloc(heap, 2 * MIB, O_RDWR | O_CLOEXEC);
	assert_int_equal(fd, -ENOSPC);
	pb_assert_unchanged(&s);

	/* The heap core's own checks: unknown fd or heap flags. */
	fd = heap_alloc(heap, MIB, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	assert_int_equal(fd, -EINVAL);
	pb_assert_unchanged(&s);
	assert_int_equal(close(heap), 0);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add_per_policy(&t, "heap_gives_pagebuf_buffers", test_heap_gives_pagebuf_buffers, NULL);
	pb_add_per_policy(&t, "heap_read_only_fd_is_read_only",
			  test_heap_read_only_fd_is_read_only, NULL);
	pb_add_fixture(&t, "heap_limits_are_pagebufs", test_heap_limits_are_pagebufs,
		       (void *)&pb_policies[0], NULL, pb_restore_params_teardown);
	return pb_run("heap", &t);
}
