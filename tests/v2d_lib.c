// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the test programs that drive v2d_emu.ko: opening the engine,
 * importing, submitting and waiting for jobs, and the CPU model of each
 * operation that results are checked against. See v2d_lib.h.
 */
#define _GNU_SOURCE
#include "v2d_lib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <linux/dma-buf.h>

#include <dmabuf-lab.h>

int vd = -1;

/* ---- utilities ----------------------------------------------------------- */

/*
 * The fds a test opens, closed by the teardown too: a failed test leaves
 * through longjmp, and its buffers (holding fences) must not outlive it.
 */
static int test_fds[64];
static int nr_test_fds;

int track(int fd)
{
	if (fd >= 0 && nr_test_fds < (int)(sizeof(test_fds) / sizeof(test_fds[0])))
		test_fds[nr_test_fds++] = fd;
	return fd;
}

int untrack(int fd)
{
	int i;

	for (i = 0; i < nr_test_fds; i++)
		if (test_fds[i] == fd)
			test_fds[i] = test_fds[--nr_test_fds];
	return fd;
}

int alloc_buf(uint64_t size, uint32_t flags, uint32_t *nr_segments)
{
	return track(pb_alloc_ok(size, flags, nr_segments));
}

/* Mappings likewise: a mapping keeps its dma-buf, and its fences, alive. */
static struct {
	void *p;
	size_t len;
} test_maps[32];

void *map_buf(int fd, size_t len, int prot, off_t off)
{
	void *p = pb_map(fd, len, prot, off);
	size_t i;

	for (i = 0; i < sizeof(test_maps) / sizeof(test_maps[0]); i++) {
		if (!test_maps[i].p) {
			test_maps[i].p = p;
			test_maps[i].len = len;
			break;
		}
	}
	return p;
}

void unmap_buf(void *p, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(test_maps) / sizeof(test_maps[0]); i++)
		if (test_maps[i].p == p)
			test_maps[i].p = NULL;
	pb_unmap(p, len);
}

int v2d_open_ok(void)
{
	int fd = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		pb_diag("open %s: %s", V2D_DEVICE, pb_errname(errno));
		fail();
	}
	return fd;
}

int import_raw(int dev, int fd, uint32_t *handle)
{
	return -dmabuf_lab_v2d_import(dev, fd, handle);
}

uint32_t import_ok(int fd)
{
	uint32_t h = 0;
	int err = import_raw(vd, fd, &h);

	if (err) {
		pb_diag("V2D_IOC_IMPORT: %s", pb_errname(err));
		fail();
	}
	assert_int_not_equal(h, 0);
	return h;
}

void release_ok(uint32_t handle)
{
	int ret = dmabuf_lab_v2d_release(vd, handle);

	if (ret < 0) {
		pb_diag("V2D_IOC_RELEASE of %u: %s", handle, pb_errname(-ret));
		fail();
	}
}

void query_ok(uint32_t handle, struct v2d_query *q)
{
	int ret = dmabuf_lab_v2d_query(vd, handle, q);

	if (ret < 0) {
		pb_diag("V2D_IOC_QUERY of %u: %s", handle, pb_errname(-ret));
		fail();
	}
}

void stats_ok(struct v2d_stats *st)
{
	assert_succeeds(ioctl(vd, V2D_IOC_GET_STATS, st));
}

struct v2d_surface surf(uint32_t h, uint32_t stride, uint64_t off,
			       uint32_t x, uint32_t y, uint32_t w, uint32_t hh)
{
	struct v2d_surface s = {
		.handle = h, .stride = stride, .offset = off,
		.x = x, .y = y, .width = w, .height = hh,
	};
	return s;
}

/* SUBMIT; 0 or errno. */
int submit_raw(struct v2d_submit *req)
{
	return -dmabuf_lab_v2d_submit(vd, req);
}

/* Submit with an out-fence or fail the test; returns the fence fd. */
int submit_ok(struct v2d_submit *req)
{
	int err;

	req->flags |= V2D_SUBMIT_OUT_FENCE;
	err = submit_raw(req);
	if (err) {
		pb_diag("V2D_IOC_SUBMIT op %u: %s", req->op, pb_errname(err));
		fail();
	}
	assert_true(req->out_fence_fd >= 0);
	return track(req->out_fence_fd);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() one fd for POLLIN: 1 ready, 0 not within @ms. */
int ready_within(int fd, int ms)
{
	int ret = dmabuf_lab_fence_wait(fd, ms);

	assert_true(ret >= 0);
	return ret;
}

/* Status of a sync_file: 1 signalled, 0 active, <0 the fence's error. */
int fence_status(int fd)
{
	int st = 0, ret = dmabuf_lab_fence_status(fd, &st);

	if (ret < 0) {
		pb_diag("SYNC_IOC_FILE_INFO: %s", pb_errname(-ret));
		fail();
	}
	return st;
}

/* Wait for a job's fence and return its status. */
int fence_wait_ms(int fd, int ms)
{
	if (!ready_within(fd, ms)) {
		pb_diag("fence not signalled within %d s", ms / 1000);
		fail();
	}
	return fence_status(fd);
}

int fence_wait(int fd)
{
	return fence_wait_ms(fd, 20000);
}

void fence_done_within(int fd, int ms)
{
	int st = fence_wait_ms(fd, ms);

	if (st != 1) {
		pb_diag("job fence status %d (%s)", st, pb_errname(-st));
		fail();
	}
	close(fd);
}

void fence_done_ok(int fd)
{
	fence_done_within(fd, 20000);
}

/* A v2d_emu parameter, written as text (restored by the teardown). */
void v2d_param(const char *name, const char *val)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), V2D_PARAMS "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, val, strlen(val)), (ssize_t)strlen(val));
	close(fd);
}

int v2d_teardown(void **state)
{
	(void)state;
	v2d_param("timeout_ms", "5000");
	v2d_param("inject_fault", "0");
	if (!access(V2D_PARAMS "/max_pending_jobs", F_OK))
		v2d_param("max_pending_jobs", "256");
	if (!access(V2D_PARAMS "/debug_commit_delay_ms", F_OK))
		v2d_param("debug_commit_delay_ms", "0");
	if (!access(V2D_PARAMS "/debug_step_delay_us", F_OK))
		v2d_param("debug_step_delay_us", "0");
	/* Drop whatever a failed test left: mappings, fds, then imports. */
	for (size_t i = 0; i < sizeof(test_maps) / sizeof(test_maps[0]); i++) {
		if (test_maps[i].p)
			munmap(test_maps[i].p, test_maps[i].len);
		test_maps[i].p = NULL;
	}
	while (nr_test_fds)
		close(test_fds[--nr_test_fds]);
	close(vd);
	vd = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	return vd < 0 ? -1 : 0;
}

/* A buffer of @size filled with pattern @seed, mapped; returns the fd. */
void write_pattern(int fd, unsigned char *map, size_t size, uint64_t seed)
{
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	pb_fill(map, size, seed);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
}

int buf_with_pattern(uint64_t size, uint32_t flags, uint64_t seed,
			    unsigned char **map)
{
	int fd = alloc_buf(size, flags, NULL);

	*map = map_buf(fd, size, PROT_READ | PROT_WRITE, 0);
	write_pattern(fd, *map, size, seed);
	return fd;
}

/* Compare the buffer with @want, inside a read bracket. */
void check_buf(int fd, const unsigned char *map,
		      const unsigned char *want, size_t size)
{
	size_t i;

	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	for (i = 0; i < size && map[i] == want[i]; i++)
		;
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	if (i < size) {
		pb_diag("byte %zu of %zu is 0x%02x, want 0x%02x", i, size,
			map[i], want[i]);
		fail();
	}
}

unsigned char *snapshot(int fd, const unsigned char *map, size_t size)
{
	unsigned char *copy = malloc(size);

	assert_non_null(copy);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	memcpy(copy, map, size);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	return copy;
}

size_t px(const struct v2d_surface *s, uint32_t cpp, uint32_t c,
		 uint32_t r)
{
	return s->offset + (size_t)(s->y + r) * s->stride + (size_t)(s->x + c) * cpp;
}

/* ---- the model of each operation ----------------------------------------- */

void model_fill(unsigned char *m, const struct v2d_surface *d,
		       uint32_t cpp, uint32_t value)
{
	uint32_t r, c, b;

	for (r = 0; r < d->height; r++)
		for (c = 0; c < d->width; c++)
			for (b = 0; b < cpp; b++)
				m[px(d, cpp, c, r) + b] = value >> (8 * b);
}

void model_copy(unsigned char *m, const unsigned char *src,
		       const struct v2d_surface *s, const struct v2d_surface *d,
		       uint32_t cpp)
{
	uint32_t r;

	for (r = 0; r < d->height; r++)
		memcpy(m + px(d, cpp, 0, r), src + px(s, cpp, 0, r),
		       (size_t)d->width * cpp);
}

void model_rotate(unsigned char *m, const unsigned char *src,
			 const struct v2d_surface *s,
			 const struct v2d_surface *d, uint32_t deg)
{
	uint32_t r, c, dc, dr, w = s->width, h = s->height;

	for (r = 0; r < h; r++) {
		for (c = 0; c < w; c++) {
			if (deg == 90) {
				dc = h - 1 - r;
				dr = c;
			} else if (deg == 180) {
				dc = w - 1 - c;
				dr = h - 1 - r;
			} else {
				dc = r;
				dr = w - 1 - c;
			}
			memcpy(m + px(d, 4, dc, dr), src + px(s, 4, c, r), 4);
		}
	}
}

/* A job that hangs on @h's buffer until the watchdog fails it. */
int submit_hang(uint32_t h)
{
	struct v2d_submit req;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.flags = V2D_SUBMIT_HANG;
	req.dst = surf(h, 4096, 0, 0, 0, 16, 1);
	return submit_ok(&req);
}

int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

void v2d_assert_idle(void)
{
	struct v2d_stats st;
	int i;

	for (i = 0; i < 100; i++) {
		stats_ok(&st);
		if (!st.live_jobs && !st.live_fences && !st.live_imports)
			break;
		usleep(20000);
	}
	pb_diag("imports %llu jobs %llu fences %llu pages %llu done %llu failed %llu faults %llu timeouts %llu",
		(unsigned long long)st.live_imports, (unsigned long long)st.live_jobs,
		(unsigned long long)st.live_fences, (unsigned long long)st.mapped_pages,
		(unsigned long long)st.jobs_done, (unsigned long long)st.jobs_failed,
		(unsigned long long)st.faults, (unsigned long long)st.timeouts);
	assert_int_equal(st.live_imports, 0);
	assert_int_equal(st.live_jobs, 0);
	assert_int_equal(st.live_fences, 0);
	assert_int_equal(st.mapped_pages, 0);
	pb_assert_idle();
}

void v2d_open_for_tests(void)
{
	vd = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	if (vd < 0)
		fprintf(stderr, "# open %s: %s\n", V2D_DEVICE, strerror(errno));
}

int file_has_line(const char *path, const char *needle)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found = 1;
	fclose(f);
	return found;
}
