// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * What a caller is told when a source cannot be opened or a buffer not
 * taken: the errno value, and a message naming the path and the likely
 * cause. Devices are named by paths that cannot exist, so the tests need
 * no module and find none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dmabuf-lab.h>

#define NOWHERE "/nonexistent/dmabuf-lab-test"

static void open_fails(const char *spec, const char *dev, int want_err, const char *want_msg)
{
	struct dmabuf_lab_source *src = (void *)1;
	char err[512] = "";

	assert_int_equal(dmabuf_lab_source_open(&src, spec, dev, err, sizeof(err)), want_err);
	assert_null(src);
	assert_string_equal(err, want_msg);
}

static void test_open_names_path_and_cause(void **state)
{
	(void)state;
	open_fails("pagebuf:contig", NOWHERE, -ENOENT,
		   "cannot open " NOWHERE ": No such file or directory (is pagebuf.ko loaded?)");
	open_fails("heap:system", NOWHERE, -ENOENT,
		   "cannot open " NOWHERE ": No such file or directory (no such DMA heap in this kernel)");
	open_fails("udmabuf", NOWHERE, -ENOENT,
		   "cannot open " NOWHERE ": No such file or directory (udmabuf is not in this kernel)");
	open_fails("vgem", NOWHERE, -ENOENT,
		   "cannot open " NOWHERE ": No such file or directory");
	/* A device that is not a vgem card is refused as one. */
	open_fails("vgem", "/dev/null", -ENODEV, "/dev/null is not a DRM card of the vgem driver");
	/* The spec is checked before anything is opened. */
	open_fails("heap:../x", "/dev/null", -EINVAL,
		   "bad heap name in 'heap:../x' (heap:NAME, NAME a file under /dev/dma_heap: printable, no '/', at most 63 characters)");
}

/* A device that opens but is not the exporter: its ioctl fails, nothing leaks. */
static void test_wrong_device_gives_no_buffer(void **state)
{
	struct dmabuf_lab_source *src;
	static const char *const specs[] = { "pagebuf", "heap:system", "udmabuf" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		assert_int_equal(dmabuf_lab_source_open(&src, specs[i], "/dev/null", NULL, 0), 0);
		assert_string_equal(dmabuf_lab_source_spec(src), specs[i]);
		assert_int_equal(dmabuf_lab_source_alloc(src, 4096), -ENOTTY);
		dmabuf_lab_source_close(src);
	}
	dmabuf_lab_source_close(NULL);
}

static void test_take_fd_says_which_step(void **state)
{
	char err[512] = "";
	int fds[2], fd;

	(void)state;
	assert_int_equal(dmabuf_lab_take_fd(0, 3, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no process 0 or fd 3 to take");
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	fd = dmabuf_lab_take_fd(getpid(), fds[0], err, sizeof(err));
	if (fd == -ENOSYS || fd == -EPERM) {
		/* A sandbox without pidfds: the message still names the step. */
		assert_true(!strncmp(err, "pidfd_", 6));
	} else {
		assert_true(fd >= 0);
		assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
		/* The copy is the same pipe: what goes in one end comes out of it. */
		assert_int_equal(write(fds[1], "x", 1), 1);
		{
			char c = 0;

			assert_int_equal(read(fd, &c, 1), 1);
			assert_int_equal(c, 'x');
		}
		close(fd);
		/* An fd the process does not have. */
		assert_int_equal(dmabuf_lab_take_fd(getpid(), 1000000, err, sizeof(err)), -EBADF);
		assert_true(!strncmp(err, "pidfd_getfd(", 12));
	}
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_names_path_and_cause),
		cmocka_unit_test(test_wrong_device_gives_no_buffer),
		cmocka_unit_test(test_take_fd_says_which_step),
	};

	return cmocka_run_group_tests_name("libdmabuf-lab errors", tests, NULL, NULL);
}
