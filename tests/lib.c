// SPDX-License-Identifier: GPL-2.0
/*
 * lib: libdmabuf-lab against the real kernel. Its named sources give
 * buffers of the exporter named (pagebuf's, and the heap's, udmabuf's
 * and vgem's where this kernel has them), close-on-exec and read-write;
 * the CPU-access bracket carries data through a mapping; names set are
 * the names fdinfo shows, in this process and another; a buffer passed
 * over a socket or taken with pidfd_getfd is the same buffer; and the
 * engine's import, submit and fence calls run a job whose result the
 * CPU then sees, a fence that failed telling its error apart from a
 * wait that timed out.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <dmabuf-lab.h>

#include "v2d_lib.h"

/*
 * A fresh buffer of @spec is the exporter's (@exporter, or @other where a
 * kernel names it so), read-write and close-on-exec.
 */
static void check_fresh_as(int fd, uint64_t size, const char *exporter,
			   const char *other)
{
	struct dmabuf_lab_fdinfo fi;

	assert_int_equal(dmabuf_lab_fdinfo_read(0, fd, &fi), 0);
	if (strcmp(fi.exp_name, exporter) && (!other || strcmp(fi.exp_name, other))) {
		pb_diag("exporter \"%s\", not \"%s\"", fi.exp_name, exporter);
		fail();
	}
	assert_true(fi.has & DMABUF_LAB_FDINFO_SIZE);
	assert_true(fi.size >= size);
	assert_true(lseek(fd, 0, SEEK_END) == (off_t)fi.size);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
}

static void check_fresh(int fd, uint64_t size, const char *exporter)
{
	check_fresh_as(fd, size, exporter, NULL);
}

/* Write pattern @seed through a mapping and read it back, in brackets. */
static void round_trip(int fd, size_t len, uint64_t seed)
{
	void *m = NULL;

	assert_int_equal(dmabuf_lab_map(fd, 0, len, PROT_READ | PROT_WRITE, &m), 0);
	assert_int_equal(dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_WRITE), 0);
	pb_fill(m, len, seed);
	assert_int_equal(dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_WRITE), 0);
	assert_int_equal(dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ), 0);
	assert_pattern(m, len, seed);
	assert_int_equal(dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ), 0);
	assert_int_equal(dmabuf_lab_unmap(m, len), 0);
}

static void test_pagebuf_sources(void **state)
{
	static const char *const specs[] = { "pagebuf", "pagebuf:order0", "pagebuf:contig" };
	uint64_t size = 3 * pb_page + 1;
	struct dmabuf_lab_source *src;
	struct pb_snap s;
	char err[256];
	size_t i;
	int fd;

	(void)state;
	pb_snap(&s);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (dmabuf_lab_source_open(&src, specs[i], getenv("DL_DEVICE"), err, sizeof(err))) {
			pb_diag("%s", err);
			fail();
		}
		assert_string_equal(dmabuf_lab_source_spec(src), specs[i]);
		fd = dmabuf_lab_source_alloc(src, size);
		assert_true(fd >= 0);
		/* The device is closed; the buffer alone holds pagebuf. */
		dmabuf_lab_source_close(src);
		check_fresh(fd, size, "pagebuf");
		pb_assert_delta(&s, 1, (int64_t)(4 * pb_page));
		round_trip(fd, 4 * pb_page, i + 1);
		assert_int_equal(close(fd), 0);
	}
	pb_assert_unchanged(&s);
}

/* The kernel's exporters, where this kernel has them: skipped one by one. */
static void test_other_exporters(void **state)
{
	/* DRM's PRIME exports carry the DRM core's name on older kernels. */
	static const struct { const char *spec, *exporter, *other; } ex[] = {
		{ "heap:system", "system", NULL }, { "udmabuf", "udmabuf", NULL },
		{ "vgem", "vgem", "drm" },
	};
	uint64_t size = 64 * KIB;
	char err[256];
	size_t i, ran = 0;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		fd = dmabuf_lab_alloc(ex[i].spec, size, err, sizeof(err));
		if (fd == -ENOENT || fd == -ENODEV) {
			pb_diag("%s: not here (%s)", ex[i].spec, err);
			continue;
		}
		if (fd < 0) {
			pb_diag("%s", err);
			fail();
		}
		check_fresh_as(fd, size, ex[i].exporter, ex[i].other);
		/*
		 * udmabuf maps itself for the CPU bracket in the direction of
		 * the first one and syncs later ones in theirs, which DMA-API
		 * debugging reports: the round trip is the kernel's bug there.
		 */
		if (!strcmp(ex[i].spec, "udmabuf") && !access("/sys/kernel/debug/dma-api", F_OK))
			pb_diag("udmabuf: no round trip under DMA-API debugging (udmabuf syncs in a direction other than its mapping's)");
		else
			round_trip(fd, size, 40 + i);
		assert_int_equal(close(fd), 0);
		ran++;
	}
	if (!ran)
		skip_because("no system heap, udmabuf or vgem in this kernel");
}

/* A spec the library refuses reaches no device and says why. */
static void test_bad_specs_touch_nothing(void **state)
{
	struct pb_snap s;
	char err[256] = "";

	(void)state;
	pb_snap(&s);
	assert_int_equal(dmabuf_lab_alloc("heap:../pagebuf", pb_page, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad heap name"));
	assert_int_equal(dmabuf_lab_alloc("pagebuf:order1", pb_page, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown pagebuf policy"));
	/* No direction: refused before the kernel is asked. */
	{
		int fd = pb_alloc_ok(pb_page, 0, NULL);

		assert_int_equal(dmabuf_lab_begin_cpu(fd, 0), -EINVAL);
		assert_int_equal(dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_RW | 4), -EINVAL);
		close(fd);
	}
	pb_assert_unchanged(&s);
}

static void test_names(void **state)
{
	char name[DMA_BUF_NAME_LEN + 1], got[64], small[4];
	struct dmabuf_lab_fdinfo fi;
	int fd;

	(void)state;
	fd = pb_alloc_ok(pb_page, 0, NULL);
	assert_int_equal(dmabuf_lab_set_name(fd, "lib-test"), 0);
	assert_int_equal(dmabuf_lab_get_name(fd, got, sizeof(got)), 8);
	assert_string_equal(got, "lib-test");
	/* Cut to the buffer given, NUL-terminated. */
	assert_int_equal(dmabuf_lab_get_name(fd, small, sizeof(small)), 3);
	assert_string_equal(small, "lib");
	/* Too long for the kernel: refused, the name stays. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(dmabuf_lab_set_name(fd, name), -EINVAL);
	assert_int_equal(dmabuf_lab_fdinfo_read(0, fd, &fi), 0);
	assert_string_equal(fi.name, "lib-test");
	assert_true(fi.has & DMABUF_LAB_FDINFO_COUNT);
	assert_true(fi.count >= 1);
	close(fd);
}

/* A child names and holds a buffer; the parent reads the child's fdinfo. */
struct holder {
	int ready[2], done[2];
	int fd;
};

static int hold_named(void *arg)
{
	struct holder *h = arg;
	char c = 0;

	CHILD_CHECK(!dmabuf_lab_set_name(h->fd, "held-by-child"), "set_name failed");
	CHILD_CHECK(write(h->ready[1], "r", 1) == 1, "write: %s", pb_errname(errno));
	/* Until the parent has looked. */
	CHILD_CHECK(read(h->done[0], &c, 1) >= 0, "read: %s", pb_errname(errno));
	return 0;
}

static void test_fdinfo_of_another_process(void **state)
{
	struct dmabuf_lab_fdinfo fi;
	struct holder h;
	char c, v[32];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe2(h.ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(h.done, O_CLOEXEC), 0);
	h.fd = pb_alloc_ok(2 * pb_page, 0, NULL);
	pid = pb_spawn(hold_named, &h);
	assert_int_equal(read(h.ready[0], &c, 1), 1);
	assert_int_equal(dmabuf_lab_fdinfo_read(pid, h.fd, &fi), 0);
	assert_string_equal(fi.exp_name, "pagebuf");
	assert_string_equal(fi.name, "held-by-child");
	assert_true(fi.size == 2 * pb_page);
	assert_int_equal(dmabuf_lab_fdinfo_get(pid, h.fd, "exp_name", v, sizeof(v)), 7);
	assert_int_equal(write(h.done[1], "d", 1), 1);
	assert_int_equal(pb_wait(pid), 0);
	close(h.fd);
	close(h.ready[0]);
	close(h.ready[1]);
	close(h.done[0]);
	close(h.done[1]);
}

/* The fd that arrives over a socket is the buffer sent: same data, same life. */
static void test_fd_passing(void **state)
{
	uint64_t word = 0xfeedULL, got = 0;
	struct pb_snap s;
	struct stat a, b;
	int sv[2], fd, rfd;
	void *m = NULL;

	(void)state;
	pb_snap(&s);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	fd = pb_alloc_ok(4 * pb_page, 0, NULL);
	round_trip(fd, 4 * pb_page, 77);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(dmabuf_lab_send_fd(sv[0], fd, &word, sizeof(word)), 0);
	assert_int_equal(close(fd), 0);
	/* In flight, the buffer lives on. */
	pb_assert_delta(&s, 1, (int64_t)(4 * pb_page));
	assert_int_equal(dmabuf_lab_recv_fd(sv[1], &rfd, &got, sizeof(got)), sizeof(got));
	assert_true(got == word);
	assert_int_equal(fstat(rfd, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	assert_int_equal(dmabuf_lab_map(rfd, 0, 4 * pb_page, PROT_READ, &m), 0);
	assert_int_equal(dmabuf_lab_begin_cpu(rfd, DMABUF_LAB_CPU_READ), 0);
	assert_pattern(m, 4 * pb_page, 77);
	assert_int_equal(dmabuf_lab_end_cpu(rfd, DMABUF_LAB_CPU_READ), 0);
	assert_int_equal(dmabuf_lab_unmap(m, 4 * pb_page), 0);
	close(rfd);
	close(sv[0]);
	close(sv[1]);
	pb_assert_unchanged(&s);
}

/* pidfd_getfd of a child's buffer: the same buffer, its data visible. */
static void test_take_fd(void **state)
{
	struct holder h;
	char c, err[256];
	struct stat a, b;
	void *m = NULL;
	pid_t pid;
	int fd;

	(void)state;
	assert_int_equal(pipe2(h.ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(h.done, O_CLOEXEC), 0);
	h.fd = pb_alloc_ok(pb_page, 0, NULL);
	round_trip(h.fd, pb_page, 5);
	pid = pb_spawn(hold_named, &h);
	assert_int_equal(read(h.ready[0], &c, 1), 1);
	fd = dmabuf_lab_take_fd(pid, h.fd, err, sizeof(err));
	assert_int_equal(write(h.done[1], "d", 1), 1);
	assert_int_equal(pb_wait(pid), 0);
	if (fd == -ENOSYS)
		skip_because("no pidfd_getfd before Linux 5.6: %s", err);
	if (fd < 0) {
		pb_diag("%s", err);
		fail();
	}
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	assert_int_equal(fstat(h.fd, &a), 0);
	assert_int_equal(fstat(fd, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	assert_int_equal(dmabuf_lab_map(fd, 0, pb_page, PROT_READ, &m), 0);
	assert_int_equal(dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ), 0);
	assert_pattern(m, pb_page, 5);
	assert_int_equal(dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ), 0);
	assert_int_equal(dmabuf_lab_unmap(m, pb_page), 0);
	close(fd);
	close(h.fd);
	close(h.ready[0]);
	close(h.ready[1]);
	close(h.done[0]);
	close(h.done[1]);
}

static void need_engine(void)
{
	if (vd < 0)
		skip_because("no %s (v2d_emu.ko not loaded)", V2D_DEVICE);
}

/* FILL through the library's calls, waited for, and seen by the CPU. */
static void test_engine_job(void **state)
{
	struct v2d_submit req;
	struct v2d_query q;
	uint32_t h, value = 0x5a5a5a5a;
	int fd, st = 0, sf;
	void *m = NULL;

	(void)state;
	need_engine();
	fd = alloc_buf(16 * KIB, 0, NULL);
	assert_int_equal(dmabuf_lab_v2d_import(vd, fd, &h), 0);
	assert_int_equal(dmabuf_lab_v2d_query(vd, h, &q), 0);
	assert_true(q.size == 16 * KIB);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = value;
	req.flags = V2D_SUBMIT_OUT_FENCE;
	req.dst = surf(h, 4096, 0, 0, 0, 1024, 4);
	assert_int_equal(dmabuf_lab_v2d_submit(vd, &req), 0);
	track(req.out_fence_fd);
	assert_int_equal(dmabuf_lab_fence_wait(req.out_fence_fd, 20000), 1);
	assert_int_equal(dmabuf_lab_fence_status(req.out_fence_fd, &st), 0);
	assert_int_equal(st, 1);
	/* After the job, the buffer's fences are signalled (6.0 on). */
	sf = dmabuf_lab_export_sync_file(fd, DMABUF_LAB_CPU_RW);
	if (sf >= 0) {
		assert_int_equal(dmabuf_lab_fence_wait(sf, 0), 1);
		assert_int_equal(dmabuf_lab_import_sync_file(fd, DMABUF_LAB_CPU_WRITE,
							     req.out_fence_fd), 0);
		close(sf);
	} else {
		assert_int_equal(sf, -ENOTTY);
		pb_diag("no DMA_BUF_IOCTL_EXPORT_SYNC_FILE before 6.0");
	}
	m = map_buf(fd, 16 * KIB, PROT_READ, 0);
	assert_int_equal(dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ), 0);
	assert_bytes(m, 16 * KIB, 0x5a);
	assert_int_equal(dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ), 0);
	assert_int_equal(dmabuf_lab_v2d_release(vd, h), 0);
	assert_int_equal(dmabuf_lab_v2d_release(vd, h), -ENOENT);
}

/*
 * A job the watchdog fails: the wait first says "not yet" (0), then
 * "signalled" (1), and the status carries the error, -ETIMEDOUT, which
 * is not mistaken for a wait that ran out of time.
 */
static void test_failed_fence_is_not_a_timeout(void **state)
{
	uint32_t h;
	int fd, out, st = 0;

	(void)state;
	need_engine();
	v2d_param("timeout_ms", "1000");
	fd = alloc_buf(64 * KIB, 0, NULL);
	h = import_ok(fd);
	out = submit_hang(h);
	assert_int_equal(dmabuf_lab_fence_wait(out, 100), 0);
	assert_int_equal(dmabuf_lab_fence_wait(out, 20000), 1);
	assert_int_equal(dmabuf_lab_fence_status(out, &st), 0);
	assert_int_equal(st, -ETIMEDOUT);
	release_ok(h);
}

/* The engine's parameters and the test's fds go back, where there is an engine. */
static int engine_teardown(void **state)
{
	return vd < 0 ? 0 : v2d_teardown(state);
}

int main(void)
{
	struct pb_tests t = { 0 };

	v2d_open_for_tests();
	pb_add(&t, "pagebuf_sources", test_pagebuf_sources, NULL);
	pb_add(&t, "other_exporters", test_other_exporters, NULL);
	pb_add(&t, "bad_specs_touch_nothing", test_bad_specs_touch_nothing, NULL);
	pb_add(&t, "names", test_names, NULL);
	pb_add(&t, "fdinfo_of_another_process", test_fdinfo_of_another_process, NULL);
	pb_add(&t, "fd_passing", test_fd_passing, NULL);
	pb_add(&t, "take_fd", test_take_fd, NULL);
	pb_add_fixture(&t, "engine_job", test_engine_job, NULL, NULL, engine_teardown);
	pb_add_fixture(&t, "failed_fence_is_not_a_timeout", test_failed_fence_is_not_a_timeout,
		       NULL, NULL, engine_teardown);
	return pb_run("lib", &t);
}
