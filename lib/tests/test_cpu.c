// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU-access bracket and the sync_file ioctls against a fake kernel:
 * ioctl() is replaced (-Wl,--wrap=ioctl) by one that records what it was
 * asked and answers what the test queued, so that EINTR and EAGAIN can
 * be made to happen, and the flags passed are seen exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include <dmabuf-lab.h>

static int calls;
static unsigned long last_req;
static uint64_t last_flags;

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	(void)fd;
	calls++;
	last_req = req;
	if (req == DMA_BUF_IOCTL_SYNC)
		last_flags = ((struct dma_buf_sync *)arg)->flags;
	else if (req == DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
		last_flags = ((struct dma_buf_export_sync_file *)arg)->flags;
	else if (req == DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
		last_flags = ((struct dma_buf_import_sync_file *)arg)->flags;
	else if (req == SYNC_IOC_FILE_INFO)
		((struct sync_file_info *)arg)->status = mock_type(int);
	err = mock_type(int);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static int reset(void **state)
{
	(void)state;
	calls = 0;
	last_req = 0;
	last_flags = 0;
	return 0;
}

static void test_flags_exactly_as_asked(void **state)
{
	static const unsigned int dirs[] = {
		DMABUF_LAB_CPU_READ, DMABUF_LAB_CPU_WRITE, DMABUF_LAB_CPU_RW,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		will_return(__wrap_ioctl, 0);
		assert_int_equal(dmabuf_lab_begin_cpu(3, dirs[i]), 0);
		assert_int_equal(last_req, DMA_BUF_IOCTL_SYNC);
		assert_int_equal(last_flags, DMA_BUF_SYNC_START | dirs[i]);
		will_return(__wrap_ioctl, 0);
		assert_int_equal(dmabuf_lab_end_cpu(3, dirs[i]), 0);
		assert_int_equal(last_flags, DMA_BUF_SYNC_END | dirs[i]);
	}
	assert_int_equal(calls, 6);
}

static void test_eintr_and_eagain_are_retried(void **state)
{
	(void)state;
	will_return(__wrap_ioctl, EINTR);
	will_return(__wrap_ioctl, EAGAIN);
	will_return(__wrap_ioctl, EINTR);
	will_return(__wrap_ioctl, 0);
	assert_int_equal(dmabuf_lab_begin_cpu(3, DMABUF_LAB_CPU_WRITE), 0);
	assert_int_equal(calls, 4);
	assert_int_equal(last_flags, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
}

static void test_other_errors_are_returned(void **state)
{
	(void)state;
	will_return(__wrap_ioctl, EINTR);
	will_return(__wrap_ioctl, EIO);
	assert_int_equal(dmabuf_lab_end_cpu(3, DMABUF_LAB_CPU_READ), -EIO);
	assert_int_equal(calls, 2);
	will_return(__wrap_ioctl, ENOTTY);
	assert_int_equal(dmabuf_lab_begin_cpu(3, DMABUF_LAB_CPU_READ), -ENOTTY);
	assert_int_equal(calls, 3);
}

/* No direction, or bits that are not one, never reach the kernel. */
static void test_bad_directions_are_refused(void **state)
{
	(void)state;
	assert_int_equal(dmabuf_lab_begin_cpu(3, 0), -EINVAL);
	assert_int_equal(dmabuf_lab_end_cpu(3, 4), -EINVAL);
	assert_int_equal(dmabuf_lab_begin_cpu(3, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), -EINVAL);
	assert_int_equal(dmabuf_lab_export_sync_file(3, 0), -EINVAL);
	assert_int_equal(dmabuf_lab_import_sync_file(3, 8, 4), -EINVAL);
	assert_int_equal(calls, 0);
}

static void test_sync_file_flags(void **state)
{
	(void)state;
	will_return(__wrap_ioctl, 0);
	assert_true(dmabuf_lab_export_sync_file(3, DMABUF_LAB_CPU_READ) >= -1);
	assert_int_equal(last_req, DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
	assert_int_equal(last_flags, DMA_BUF_SYNC_READ);
	will_return(__wrap_ioctl, ENOTTY);
	assert_int_equal(dmabuf_lab_import_sync_file(3, DMABUF_LAB_CPU_WRITE, 4), -ENOTTY);
	assert_int_equal(last_req, DMA_BUF_IOCTL_IMPORT_SYNC_FILE);
	assert_int_equal(last_flags, DMA_BUF_SYNC_WRITE);
}

/* A pipe stands for a fence: never ready is 0, ready is 1, closed is EBADF. */
static void test_fence_wait(void **state)
{
	int p[2], st;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(dmabuf_lab_fence_wait(p[0], 20), 0);
	assert_int_equal(write(p[1], "s", 1), 1);
	assert_int_equal(dmabuf_lab_fence_wait(p[0], 20), 1);
	assert_int_equal(dmabuf_lab_fence_wait(p[0], -1), 1);
	assert_int_equal(calls, 0);
	/* The status is the fence's; the return value the call's. */
	will_return(__wrap_ioctl, -ETIME);
	will_return(__wrap_ioctl, 0);
	assert_int_equal(dmabuf_lab_fence_status(p[0], &st), 0);
	assert_int_equal(st, -ETIME);
	assert_int_equal(last_req, SYNC_IOC_FILE_INFO);
	will_return(__wrap_ioctl, 1);
	will_return(__wrap_ioctl, ENOTTY);
	st = 7;
	assert_int_equal(dmabuf_lab_fence_status(p[0], &st), -ENOTTY);
	assert_int_equal(st, 7);
	close(p[0]);
	close(p[1]);
	assert_int_equal(dmabuf_lab_fence_wait(p[0], 20), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flags_exactly_as_asked, reset),
		cmocka_unit_test_setup(test_eintr_and_eagain_are_retried, reset),
		cmocka_unit_test_setup(test_other_errors_are_returned, reset),
		cmocka_unit_test_setup(test_bad_directions_are_refused, reset),
		cmocka_unit_test_setup(test_sync_file_flags, reset),
		cmocka_unit_test_setup(test_fence_wait, reset),
	};

	return cmocka_run_group_tests_name("libdmabuf-lab cpu access", tests, NULL, NULL);
}
