// SPDX-License-Identifier: GPL-2.0
/*
 * classic: the demo protocol. Every PAGEBUF_IOC_CLASSIC_GET_FD call gives
 * a new O_RDWR fd on the one dma-buf over the module's page; what one
 * process writes there another one sees, and read() on the device shows
 * the text up to its first NUL plus a newline, through the kernel's own
 * mapping. The demo buffer is not counted in the statistics.
 *
 * Each test puts the page back as it found it.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <linux/dma-buf.h>

static char saved_page[65536];

static int get_demo_fd(int dev, int *fd)
{
	*fd = -1;
	return ioctl(dev, PAGEBUF_IOC_CLASSIC_GET_FD, fd) < 0 ? errno : 0;
}

static int demo_fd_ok(void)
{
	int fd, err = get_demo_fd(pb_dev, &fd);

	if (err) {
		pb_diag("PAGEBUF_IOC_CLASSIC_GET_FD: %s", pb_errname(err));
		fail();
	}
	if (fd < 0) {
		pb_diag("PAGEBUF_IOC_CLASSIC_GET_FD gave fd %d", fd);
		fail();
	}
	return fd;
}

static int save_page(void **state)
{
	int fd, err;
	void *m;

	(void)state;
	err = get_demo_fd(pb_dev, &fd);
	if (err) {
		pb_diag("saving the demo page: %s", pb_errname(err));
		return -1;
	}
	m = mmap(NULL, pb_page, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		pb_diag("saving the demo page: mmap: %s", pb_errname(errno));
		close(fd);
		return -1;
	}
	memcpy(saved_page, m, pb_page);
	munmap(m, pb_page);
	close(fd);
	return 0;
}

static int restore_page(void **state)
{
	int fd, err;
	void *m;

	(void)state;
	err = get_demo_fd(pb_dev, &fd);
	if (err) {
		pb_diag("restoring the demo page: %s", pb_errname(err));
		return -1;
	}
	m = mmap(NULL, pb_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		pb_diag("restoring the demo page: mmap: %s", pb_errname(errno));
		close(fd);
		return -1;
	}
	memcpy(m, saved_page, pb_page);
	munmap(m, pb_page);
	close(fd);
	return 0;
}

/* Read the device from a fresh open until EOF, @chunk bytes at a time. */
static size_t read_device(char *buf, size_t len, size_t chunk)
{
	const char *path = getenv("DL_DEVICE");
	size_t got = 0;
	ssize_t n;
	int fd;

	if (!path || !*path)
		path = PB_DEVICE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pb_diag("open %s: %s", path, pb_errname(errno));
		fail();
	}
	for (;;) {
		assert_true(got + chunk <= len);
		n = read(fd, buf + got, chunk);
		if (n < 0) {
			pb_diag("read of the device: %s", pb_errname(errno));
			fail();
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

/*
 * Files are looked up without a reference only since Linux 6.7 ("fs: use
 * SLAB_TYPESAFE_BY_RCU for files"); before it the module cannot find the
 * demo dma-buf again once it has handed it out, and exports a new one
 * over the same page each time.
 */
static int kernel_shares_demo_buffer(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 7);
}

static ino_t inode_of(int fd)
{
	struct stat st;

	assert_succeeds(fstat(fd, &st));
	return st.st_ino;
}

static ino_t inode_of_raw(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* In a child: its demo fd is on the parent's dma-buf (inode @arg). */
static int child_demo_inode(void *arg)
{
	ino_t want = *(ino_t *)arg;
	int fd, err = get_demo_fd(pb_dev, &fd);

	CHILD_CHECK(!err, "PAGEBUF_IOC_CLASSIC_GET_FD: %s", pb_errname(err));
	CHILD_CHECK(inode_of_raw(fd) == want,
		    "the child's demo fd has inode %llu, the parent's %llu",
		    (unsigned long long)inode_of_raw(fd), (unsigned long long)want);
	return 0;
}

/*
 * One dma-buf, one reservation object: two fds of the demo page share
 * implicit sync and every importer's per-buffer checks.
 */
static void test_each_call_new_fd_same_dma_buf(void **state)
{
	char *m1, *m2;
	int fd1, fd2;
	ino_t ino;

	(void)state;
	fd1 = demo_fd_ok();
	fd2 = demo_fd_ok();
	assert_int_not_equal(fd1, fd2);
	ino = inode_of(fd1);
	m1 = pb_map(fd1, pb_page, PROT_READ | PROT_WRITE, 0);
	m2 = pb_map(fd2, pb_page, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(pb_sync(fd1, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	pb_fill(m1, pb_page, 501);
	assert_int_equal(pb_sync(fd1, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	assert_int_equal(pb_sync(fd2, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_pattern(m2, pb_page, 501);
	assert_int_equal(pb_sync(fd2, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	/* And the other way round. */
	memcpy(m2, "via the second fd", 18);
	assert_string_equal(m1, "via the second fd");
	pb_unmap(m1, pb_page);
	pb_unmap(m2, pb_page);

	if (!kernel_shares_demo_buffer()) {
		close(fd1);
		close(fd2);
		skip_because("Linux before 6.7 cannot look a file up without a reference: each call exports a new dma-buf there");
	}
	if (inode_of(fd2) != ino) {
		pb_diag("demo fds with inodes %llu and %llu: two dma-bufs over one page",
			(unsigned long long)ino, (unsigned long long)inode_of(fd2));
		fail();
	}
	/* Another process gets the same one while this one holds it. */
	assert_int_equal(pb_in_child(child_demo_inode, &ino), 0);
	assert_int_equal(close(fd1), 0);
	assert_int_equal(close(fd2), 0);

	/* Once every fd is gone, the next call exports it anew, same page. */
	fd1 = demo_fd_ok();
	m1 = pb_map(fd1, pb_page, PROT_READ, 0);
	assert_string_equal(m1, "via the second fd");
	pb_unmap(m1, pb_page);
	assert_int_equal(close(fd1), 0);
}

static void test_demo_fd_is_rdwr_one_page(void **state)
{
	char buf[64];
	int fd, fl;

	(void)state;
	fd = demo_fd_ok();
	fl = fcntl(fd, F_GETFL);
	assert_true(fl >= 0);
	assert_int_equal(fl & O_ACCMODE, O_RDWR);
	assert_int_equal(lseek(fd, 0, SEEK_END), pb_page);
	assert_int_equal(pb_fdinfo(0, fd, "exp_name", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pagebuf");
	assert_int_equal(pb_fdinfo(0, fd, "size", buf, sizeof(buf)), 0);
	assert_int_equal(strtoull(buf, NULL, 10), pb_page);
	assert_int_equal(close(fd), 0);
}

static void test_read_text_up_to_nul_plus_newline(void **state)
{
	static const char text[] = "kernel view\0not this part";
	char buf[8192];
	char *m;
	int fd;

	(void)state;
	fd = demo_fd_ok();
	m = pb_map(fd, pb_page, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	memset(m, 'z', pb_page);
	memcpy(m, text, sizeof(text));
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	assert_int_equal(read_device(buf, sizeof(buf), pb_page), strlen("kernel view\n"));
	assert_string_equal(buf, "kernel view\n");
	/* An empty text reads as a lone newline. */
	m[0] = '\0';
	assert_int_equal(read_device(buf, sizeof(buf), pb_page), 1);
	assert_string_equal(buf, "\n");
	pb_unmap(m, pb_page);
	assert_int_equal(close(fd), 0);
}

static void test_read_then_eof_bytewise_agrees(void **state)
{
	char whole[8192], bytewise[8192];
	char *m;
	int fd;

	(void)state;
	fd = demo_fd_ok();
	m = pb_map(fd, pb_page, PROT_READ | PROT_WRITE, 0);
	snprintf(m, pb_page, "%s", "read me one byte at a time");
	read_device(whole, sizeof(whole), pb_page);
	assert_string_equal(whole, "read me one byte at a time\n");
	read_device(bytewise, sizeof(bytewise), 1);
	assert_string_equal(bytewise, whole);
	read_device(bytewise, sizeof(bytewise), 5);
	assert_string_equal(bytewise, whole);
	pb_unmap(m, pb_page);
	assert_int_equal(close(fd), 0);
}

static void test_read_page_without_nul(void **state)
{
	char buf[8192];
	char *m;
	int fd;

	(void)state;
	fd = demo_fd_ok();
	m = pb_map(fd, pb_page, PROT_READ | PROT_WRITE, 0);
	memset(m, 'q', pb_page);
	/* Never more than the page: its whole text and the newline. */
	assert_int_equal(read_device(buf, sizeof(buf), 512), pb_page + 1);
	assert_bytes(buf, pb_page, 'q');
	assert_int_equal(buf[pb_page], '\n');
	pb_unmap(m, pb_page);
	assert_int_equal(close(fd), 0);
}

static int writer_child(void *arg)
{
	const char *path = getenv("DL_DEVICE");
	int dev, fd, err;
	char *m;

	if (!path || !*path)
		path = PB_DEVICE;
	dev = open(path, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(dev >= 0, "open: %s", pb_errname(errno));
	err = get_demo_fd(dev, &fd);
	CHILD_CHECK(err == 0, "CLASSIC_GET_FD: %s", pb_errname(err));
	close(dev);
	m = mmap(NULL, pb_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHILD_CHECK(m != MAP_FAILED, "mmap: %s", pb_errname(errno));
	CHILD_CHECK(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0, "sync");
	strcpy(m, arg);
	CHILD_CHECK(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0, "sync");
	CHILD_CHECK(munmap(m, pb_page) == 0, "munmap");
	CHILD_CHECK(close(fd) == 0, "close");
	return 0;
}

static void test_content_persists_across_processes(void **state)
{
	char buf[8192];
	char *old, *m;
	int before, after;

	(void)state;
	/* An fd taken before the writer exists, and one after it is gone. */
	before = demo_fd_ok();
	old = pb_map(before, pb_page, PROT_READ, 0);
	assert_int_equal(pb_in_child(writer_child, "written by another process"), 0);
	assert_string_equal(old, "written by another process");
	after = demo_fd_ok();
	m = pb_map(after, pb_page, PROT_READ, 0);
	assert_string_equal(m, "written by another process");
	read_device(buf, sizeof(buf), pb_page);
	assert_string_equal(buf, "written by another process\n");
	pb_unmap(old, pb_page);
	pb_unmap(m, pb_page);
	assert_int_equal(close(before), 0);
	assert_int_equal(close(after), 0);
	/* Still there with no fd open at all. */
	read_device(buf, sizeof(buf), pb_page);
	assert_string_equal(buf, "written by another process\n");
}

static void test_demo_not_counted(void **state)
{
	struct pb_snap s;
	struct pagebuf_stats mid;
	char buf[8192];
	char *m;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = demo_fd_ok();
	m = pb_map(fd, pb_page, PROT_READ | PROT_WRITE, 0);
	strcpy(m, "not counted");
	read_device(buf, sizeof(buf), pb_page);
	pb_stats(&mid);
	if (mid.live_buffers != s.st.live_buffers || mid.live_bytes != s.st.live_bytes ||
	    mid.live_vmaps != s.st.live_vmaps || mid.peak_bytes != s.st.peak_bytes ||
	    mid.live_attachments != s.st.live_attachments ||
	    mid.live_mappings != s.st.live_mappings) {
		pb_stats_diag("before", &s.st);
		pb_stats_diag("with the demo buffer mapped and read", &mid);
		fail();
	}
	pb_unmap(m, pb_page);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_demo_mmap_limits(void **state)
{
	struct pb_snap s;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = demo_fd_ok();
	assert_fails_with(mmap(NULL, 2 * pb_page, PROT_READ, MAP_SHARED, fd, 0), EINVAL);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ, MAP_SHARED, fd, (off_t)pb_page), EINVAL);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), EINVAL);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_get_fd_bad_pointer(void **state)
{
	struct pb_snap s;
	void *ro;

	(void)state;
	pb_snap(&s);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_CLASSIC_GET_FD, (void *)1), EFAULT);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_CLASSIC_GET_FD, NULL), EFAULT);
	/* A read-only int: the fd cannot be returned, so none may stay open. */
	ro = mmap(NULL, pb_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_CLASSIC_GET_FD, ro), EFAULT);
	munmap(ro, pb_page);
	pb_assert_unchanged(&s);
}

int main(void)
{
	struct pb_tests t = { 0 };

#define ADD(name, fn) pb_add_fixture(&t, name, fn, NULL, save_page, restore_page)
	ADD("each_get_fd_is_a_new_fd_on_the_same_dma_buf",
	    test_each_call_new_fd_same_dma_buf);
	ADD("demo_fd_is_rdwr_one_page_exported_by_pagebuf", test_demo_fd_is_rdwr_one_page);
	ADD("read_returns_text_up_to_nul_plus_newline", test_read_text_up_to_nul_plus_newline);
	ADD("read_ends_with_eof_and_small_reads_agree", test_read_then_eof_bytewise_agrees);
	ADD("read_of_page_without_nul_returns_whole_page", test_read_page_without_nul);
	ADD("content_persists_across_processes", test_content_persists_across_processes);
	ADD("demo_buffer_not_counted_in_stats", test_demo_not_counted);
	ADD("demo_mmap_past_page_or_private_is_einval", test_demo_mmap_limits);
	ADD("get_fd_bad_pointer_is_efault_without_fd_leak", test_get_fd_bad_pointer);
#undef ADD
	return pb_run("classic", &t);
}
