// SPDX-License-Identifier: GPL-2.0
/*
 * v2d: the emulated 2D engine (v2d_emu.ko) imports pagebuf and vgem
 * buffers and runs jobs on them. Results are checked byte by byte
 * against a model computed here, through the exporter's mapping, with
 * DMA_BUF_IOCTL_SYNC around every CPU access (under swiotlb the engine's
 * writes reach the pages only through those syncs).
 *
 * The suite loads v2d_emu.ko (and vgem) before this program runs.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include <uapi/v2d_emu.h>
#include <dmabuf-lab.h>

#include "v2d_lib.h"

/* ---- import and paths ------------------------------------------------------ */

static void test_import_path_follows_dma_segments(void **state)
{
	/* swiotlb maps at most 256 KiB in one piece: stay within that. */
	size_t size = 256 * KIB;
	int i;

	(void)state;
	for (i = 0; i < PB_NR_POLICIES; i++) {
		uint32_t segs, h;
		struct v2d_query q;
		int fd = alloc_buf(size, pb_policies[i].flags, &segs);

		h = import_ok(fd);
		query_ok(h, &q);
		pb_diag("%s: %u allocation chunks, %u DMA segments, path %u, unit %u, iova %#llx",
			pb_policies[i].name, segs, q.nr_segments, q.path, q.unit,
			(unsigned long long)q.iova);
		assert_int_equal(q.size, size);
		assert_int_equal(q.path, q.nr_segments == 1 ? V2D_PATH_DIRECT :
				 V2D_PATH_IOMMU);
		if (pb_policies[i].flags & PAGEBUF_ALLOC_ORDER0) {
			assert_int_equal(q.path, V2D_PATH_IOMMU);
			assert_int_equal(q.nr_segments, size / pb_page);
			assert_true(q.iova != 0);
		}
		if (pb_policies[i].flags & PAGEBUF_ALLOC_CONTIG) {
			assert_int_equal(q.path, V2D_PATH_DIRECT);
			assert_int_equal(q.nr_segments, 1);
			assert_int_equal(q.iova, 0);
		}
		release_ok(h);
		close(fd);
	}
}

/*
 * Every import of one dma-buf, from any open file, shares one attachment
 * and one mapping for the engine's device: the same device address, and
 * pagebuf sees a single mapped attachment. Each import keeps its own
 * handle, and the mapping lives until the last one is released.
 */
static void test_imports_of_one_buffer_share_one_mapping(void **state)
{
	uint32_t h1, h2, h3 = 0;
	struct pagebuf_stats before, st;
	struct v2d_query q1, q2, q3;
	struct v2d_stats v;
	int fd, vd2;

	(void)state;
	fd = alloc_buf(64 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	vd2 = track(v2d_open_ok());
	pb_stats(&before);
	h1 = import_ok(fd);
	h2 = import_ok(fd);
	assert_int_equal(import_raw(vd2, fd, &h3), 0);
	assert_int_not_equal(h1, h2);

	pb_stats(&st);
	assert_int_equal(st.live_attachments, before.live_attachments + 1);
	assert_int_equal(st.live_mappings, before.live_mappings + 1);
	stats_ok(&v);
	assert_int_equal(v.live_imports, 3);
	assert_int_equal(v.mapped_pages, 64 * KIB / pb_page);

	query_ok(h1, &q1);
	query_ok(h2, &q2);
	memset(&q3, 0, sizeof(q3));
	q3.handle = h3;
	assert_succeeds(ioctl(vd2, V2D_IOC_QUERY, &q3));
	assert_int_equal(q1.path, V2D_PATH_IOMMU);
	assert_true(q1.iova == q2.iova && q1.iova == q3.iova);
	assert_int_equal(q1.unit, q3.unit);

	/* The other file's import keeps the mapping after ours are gone. */
	release_ok(h1);
	release_ok(h2);
	pb_stats(&st);
	assert_int_equal(st.live_mappings, before.live_mappings + 1);
	assert_int_equal(close(untrack(vd2)), 0);
	pb_stats(&st);
	assert_int_equal(st.live_attachments, before.live_attachments);
	assert_int_equal(st.live_mappings, before.live_mappings);
	stats_ok(&v);
	assert_int_equal(v.live_imports, 0);
	assert_int_equal(v.mapped_pages, 0);
}

static void test_import_rejects_bad_fds(void **state)
{
	int p[2], null_fd;
	uint32_t h;

	(void)state;
	assert_int_equal(import_raw(vd, -1, &h), EBADF);
	assert_int_equal(import_raw(vd, 999, &h), EBADF);
	assert_succeeds(pipe(p));
	/* An open fd that is not a dma-buf: EINVAL, as dma_buf_get says. */
	assert_int_equal(import_raw(vd, p[0], &h), EINVAL);
	close(p[0]);
	close(p[1]);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_int_equal(import_raw(vd, null_fd, &h), EINVAL);
	close(null_fd);
	/* The device itself is not a dma-buf either. */
	assert_int_equal(import_raw(vd, vd, &h), EINVAL);
}

static void test_release_and_query_unknown_handle_enoent(void **state)
{
	struct v2d_release rel = { .handle = 12345 };
	struct v2d_query q = { .handle = 12345 };
	int fd = alloc_buf(64 * KIB, 0, NULL);
	uint32_t h;

	(void)state;
	assert_fails_with(ioctl(vd, V2D_IOC_RELEASE, &rel), ENOENT);
	assert_fails_with(ioctl(vd, V2D_IOC_QUERY, &q), ENOENT);
	h = import_ok(fd);
	release_ok(h);
	rel.handle = h;
	q.handle = h;
	assert_fails_with(ioctl(vd, V2D_IOC_RELEASE, &rel), ENOENT);
	assert_fails_with(ioctl(vd, V2D_IOC_QUERY, &q), ENOENT);
	close(fd);
}

/*
 * An import made from an O_RDONLY dma-buf fd is a source only: a job
 * writing it fails with EACCES and leaves it untouched; a copy out of it
 * works. A shared writable mapping of that fd is refused too.
 */
static void test_read_only_fd_is_a_source_only(void **state)
{
	const size_t size = 64 * KIB;
	unsigned char *rmap, *want;
	struct v2d_submit req;
	int ro, rw;
	uint32_t hro, hrw;

	(void)state;
	assert_int_equal(pb_alloc(size, 0, O_RDONLY | O_CLOEXEC, NULL, &ro, NULL), 0);
	track(ro);
	assert_true(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
		    MAP_FAILED);
	assert_int_equal(errno, EACCES);
	rw = buf_with_pattern(size, 0, 7, &rmap);
	hro = import_ok(ro);
	hrw = import_ok(rw);

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x55555555;
	req.dst = surf(hro, 4096, 0, 0, 0, 1024, 16);
	assert_int_equal(submit_raw(&req), EACCES);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.src = surf(hrw, 4096, 0, 0, 0, 1024, 16);
	req.dst = surf(hro, 4096, 0, 0, 0, 1024, 16);
	assert_int_equal(submit_raw(&req), EACCES);

	/* The other way round: the read-only buffer (zeroes) is copied out. */
	req.src = surf(hro, 4096, 0, 0, 0, 1024, 16);
	req.dst = surf(hrw, 4096, 0, 0, 0, 1024, 16);
	fence_done_ok(submit_ok(&req));
	want = calloc(1, size);
	assert_non_null(want);
	check_buf(rw, rmap, want, size);
	free(want);

	/* Nothing was written into the read-only buffer. */
	rmap = map_buf(ro, size, PROT_READ, 0);
	assert_int_equal(pb_sync(ro, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_bytes(rmap, size, 0);
	assert_int_equal(pb_sync(ro, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	release_ok(hro);
	release_ok(hrw);
}

static void test_import_struct_size_compat(void **state)
{
	struct {
		struct v2d_import imp;
		uint64_t extra;
	} big;
	int fd = alloc_buf(64 * KIB, 0, NULL);
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, V2D_IOC_MAGIC, 1,
				 sizeof(big));
	struct v2d_import imp = { .fd = fd, .reserved = 1 };

	(void)state;
	assert_fails_with(ioctl(vd, V2D_IOC_IMPORT, &imp), EINVAL);
	memset(&big, 0, sizeof(big));
	big.imp.fd = fd;
	big.extra = 1;
	assert_fails_with(ioctl(vd, cmd, &big), E2BIG);
	big.extra = 0;
	assert_succeeds(ioctl(vd, cmd, &big));
	assert_int_not_equal(big.imp.handle, 0);
	release_ok(big.imp.handle);
	close(fd);
}

/* ---- FILL, COPY, ROTATE --------------------------------------------------- */

static void fill_case(uint32_t flags, uint32_t cpp)
{
	size_t size = 64 * KIB;
	unsigned char *map, *want;
	struct v2d_submit req;
	int fd, out;
	uint32_t h;

	fd = buf_with_pattern(size, flags, 7 + cpp, &map);
	want = snapshot(fd, map, size);
	h = import_ok(fd);

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = cpp;
	req.value = 0xa1b2c3d4;
	/* A rectangle crossing page boundaries, away from row 0 and col 0. */
	req.dst = surf(h, 1000, 100, 3, 5, 150 / cpp, 40);
	out = submit_ok(&req);
	fence_done_ok(out);

	model_fill(want, &req.dst, cpp, req.value);
	check_buf(fd, map, want, size);

	release_ok(h);
	free(want);
	unmap_buf(map, size);
	close(fd);
}

static void test_fill_every_policy_and_pixel_size(void **state)
{
	static const uint32_t cpps[] = { 1, 2, 4 };
	int i, j;

	(void)state;
	for (i = 0; i < PB_NR_POLICIES; i++)
		for (j = 0; j < 3; j++)
			fill_case(pb_policies[i].flags, cpps[j]);
}

/*
 * A source and a destination of @size, both imported: the destination
 * holds pattern @seed + 1, the source pattern @seed, written while it was
 * mapped for the engine (it gets there by SYNC END); with copies of both
 * as the CPU sees them, the source's and the destination's expected.
 */
struct two_bufs {
	size_t size;
	int sfd, dfd;
	unsigned char *smap, *dmap, *src, *want;
	uint32_t sh, dh;
};

static void two_bufs_open(struct two_bufs *b, size_t size, uint32_t sflags,
			  uint32_t dflags, uint64_t seed)
{
	b->size = size;
	b->sfd = alloc_buf(size, sflags, NULL);
	b->smap = map_buf(b->sfd, size, PROT_READ | PROT_WRITE, 0);
	b->dfd = buf_with_pattern(size, dflags, seed + 1, &b->dmap);
	b->sh = import_ok(b->sfd);
	b->dh = import_ok(b->dfd);
	write_pattern(b->sfd, b->smap, size, seed);
	b->src = snapshot(b->sfd, b->smap, size);
	b->want = snapshot(b->dfd, b->dmap, size);
}

static void two_bufs_close(struct two_bufs *b)
{
	release_ok(b->sh);
	release_ok(b->dh);
	free(b->src);
	free(b->want);
	unmap_buf(b->smap, b->size);
	unmap_buf(b->dmap, b->size);
	close(b->sfd);
	close(b->dfd);
}

static void copy_case(uint32_t sflags, uint32_t dflags, uint32_t cpp)
{
	struct v2d_submit req;
	struct two_bufs b;

	two_bufs_open(&b, 128 * KIB, sflags, dflags, 11);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = cpp;
	req.src = surf(b.sh, 4096, 8, 7, 2, 1000 / cpp, 20);
	req.dst = surf(b.dh, 3000, 4, 1, 9, 1000 / cpp, 20);
	fence_done_ok(submit_ok(&req));

	model_copy(b.want, b.src, &req.src, &req.dst, cpp);
	check_buf(b.dfd, b.dmap, b.want, b.size);
	/* The source is untouched. */
	check_buf(b.sfd, b.smap, b.src, b.size);
	two_bufs_close(&b);
}

static void test_copy_between_policies(void **state)
{
	(void)state;
	copy_case(PAGEBUF_ALLOC_ORDER0, PAGEBUF_ALLOC_CONTIG, 4);
	copy_case(PAGEBUF_ALLOC_CONTIG, PAGEBUF_ALLOC_ORDER0, 2);
	copy_case(0, PAGEBUF_ALLOC_ORDER0, 1);
}

static void test_copy_within_one_buffer(void **state)
{
	size_t size = 64 * KIB;
	unsigned char *map, *want;
	struct v2d_submit req;
	uint32_t h;
	int fd;

	(void)state;
	fd = buf_with_pattern(size, PAGEBUF_ALLOC_ORDER0, 3, &map);
	want = snapshot(fd, map, size);
	h = import_ok(fd);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.src = surf(h, 1024, 0, 0, 0, 64, 16);
	req.dst = surf(h, 1024, 32 * KIB, 0, 0, 64, 16);
	fence_done_ok(submit_ok(&req));
	model_copy(want, want, &req.src, &req.dst, 4);
	check_buf(fd, map, want, size);
	release_ok(h);
	free(want);
	unmap_buf(map, size);
	close(fd);
}

static void rotate_case(uint32_t deg)
{
	uint32_t w = 37, hgt = 23;
	struct v2d_submit req;
	struct two_bufs b;

	two_bufs_open(&b, 64 * KIB, PAGEBUF_ALLOC_ORDER0, PAGEBUF_ALLOC_CONTIG, 21);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_ROTATE;
	req.cpp = 4;
	req.rotation = deg;
	req.src = surf(b.sh, 256, 12, 2, 3, w, hgt);
	if (deg == 180)
		req.dst = surf(b.dh, 512, 0, 5, 1, w, hgt);
	else
		req.dst = surf(b.dh, 512, 0, 5, 1, hgt, w);
	fence_done_ok(submit_ok(&req));

	model_rotate(b.want, b.src, &req.src, &req.dst, deg);
	check_buf(b.dfd, b.dmap, b.want, b.size);
	two_bufs_close(&b);
}

static void test_rotate_90_180_270(void **state)
{
	(void)state;
	rotate_case(90);
	rotate_case(180);
	rotate_case(270);
}

/* ---- argument checks ----------------------------------------------------- */

static void test_submit_rejects_bad_requests(void **state)
{
	struct v2d_submit base, req;
	struct v2d_stats before, after;
	int fd = alloc_buf(64 * KIB, 0, NULL);
	int fd2 = alloc_buf(64 * KIB, 0, NULL);
	uint32_t h = import_ok(fd), h2 = import_ok(fd2);

	(void)state;
	stats_ok(&before);
	memset(&base, 0, sizeof(base));
	base.op = V2D_OP_FILL;
	base.cpp = 4;
	base.dst = surf(h, 256, 0, 0, 0, 64, 256);	/* exactly 64 KiB */

	req = base;
	assert_int_equal(submit_raw(&req), 0);

#define EXPECT(err, mutate) do {						\
	req = base;								\
	mutate;									\
	if (submit_raw(&req) != (err)) {					\
		pb_diag("%s: expected %s", #mutate, pb_errname(err));		\
		fail();								\
	}									\
} while (0)
	EXPECT(EINVAL, req.op = 0);
	EXPECT(EINVAL, req.op = 4);
	EXPECT(EINVAL, req.flags = 1U << 31);
	EXPECT(EINVAL, req.cpp = 3);
	EXPECT(EINVAL, req.pad = 1);
	EXPECT(EINVAL, req.reserved = 1);
	EXPECT(EINVAL, req.rotation = 90);
	EXPECT(EINVAL, req.in_fence_fd = 3);
	EXPECT(EINVAL, req.src.width = 1);
	EXPECT(EINVAL, req.dst.width = 0);
	EXPECT(EINVAL, req.dst.height = 0);
	EXPECT(EINVAL, req.dst.stride = 255);		/* row longer than stride */
	EXPECT(ERANGE, req.dst.height = 257);		/* one row past the end */
	EXPECT(ERANGE, req.dst.offset = 1);
	EXPECT(ERANGE, req.dst.y = 0xffffffff);
	EXPECT(ERANGE, req.dst.offset = ~0ULL);
	EXPECT(ERANGE, (req.dst.stride = 0xffffffff, req.dst.height = 2));
	EXPECT(EINVAL, (req.dst.stride = 0xffffffff, req.dst.x = 0xfffffff0));
	EXPECT(ENOENT, req.dst.handle = 999);
	EXPECT(EINVAL, (req.flags = V2D_SUBMIT_IN_FENCE, req.in_fence_fd = fd));
	EXPECT(EINVAL, (req.flags = V2D_SUBMIT_IN_FENCE, req.in_fence_fd = -1));
	/* COPY: sizes must match, no overlap in one buffer. */
	base.op = V2D_OP_COPY;
	base.src = surf(h2, 256, 0, 0, 0, 64, 256);
	EXPECT(0, (void)0);
	EXPECT(EINVAL, req.value = 1);
	EXPECT(EINVAL, req.src.width = 63);
	EXPECT(ENOENT, req.src.handle = 999);
	EXPECT(ERANGE, req.src.y = 1);
	EXPECT(EINVAL, (req.src.handle = h, req.src.height = 10,
			req.dst.height = 10, req.dst.y = 5));
	EXPECT(0, (req.src.handle = h, req.src.height = 10,
		   req.dst.height = 10, req.dst.y = 10));
	/* ROTATE: 4 bytes per pixel, known angles, swapped sizes. */
	base.op = V2D_OP_ROTATE;
	base.rotation = 90;
	base.src = surf(h2, 256, 0, 0, 0, 64, 32);
	base.dst = surf(h, 256, 0, 0, 0, 32, 64);
	EXPECT(0, (void)0);
	EXPECT(EINVAL, req.cpp = 2);
	EXPECT(EINVAL, req.rotation = 0);
	EXPECT(EINVAL, req.rotation = 45);
	EXPECT(EINVAL, req.dst.width = 64);
	EXPECT(0, (req.rotation = 180, req.dst.width = 64, req.dst.height = 32));
#undef EXPECT

	release_ok(h);
	release_ok(h2);
	close(fd);
	close(fd2);
	/* Accepted jobs retire; rejected ones left nothing behind. */
	for (int i = 0; i < 200; i++) {
		stats_ok(&after);
		if (!after.live_jobs)
			break;
		usleep(10000);
	}
	assert_int_equal(after.live_jobs, 0);
	assert_int_equal(after.jobs_done - before.jobs_done, 5);
	assert_int_equal(after.jobs_failed, before.jobs_failed);
}

/* ---- fences and implicit sync --------------------------------------------- */


/*
 * Whether bufinfo lists an unsignalled write fence of the engine. The line
 * differs by kernel: "write fence:v2d_emu v2d_emu-engine seq N unsignalled"
 * from 5.19 to 6.12, "write fence:CTX:SEQ v2d_emu-engine v2d_emu
 * unsignalled" in 7.x; before 5.19 a writer's fence is the exclusive one,
 * "Exclusive fence: v2d_emu v2d_emu-engine unsignalled". All name the
 * usage, the timeline and the state.
 */
static int bufinfo_has_unsignalled_write_fence(void)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(BUFINFO, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if ((strstr(line, "write fence:") ||
		     strstr(line, "Exclusive fence:")) &&
		    strstr(line, " v2d_emu-engine ") &&
		    strstr(line, " unsignalled"))
			found = 1;
	fclose(f);
	return found;
}

static int bufinfo_has(const char *needle)
{
	return file_has_line(BUFINFO, needle);
}

static void test_hang_is_failed_by_watchdog_and_visible_in_bufinfo(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	struct v2d_stats before, after;
	int64_t t0, dt;
	uint32_t h;
	int out;

	(void)state;
	v2d_param("timeout_ms", "1500");
	h = import_ok(fd);
	stats_ok(&before);
	t0 = now_ms();
	out = submit_hang(h);

	assert_false(ready_within(out, 200));
	assert_int_equal(fence_status(out), 0);
	/* The write fence is on the buffer, unsignalled, while it hangs. */
	if (bufinfo_has("") < 0)
		pb_diag("no %s: debugfs not mounted", BUFINFO);
	else
		assert_int_equal(bufinfo_has_unsignalled_write_fence(), 1);

	assert_int_equal(fence_wait(out), -ETIMEDOUT);
	dt = now_ms() - t0;
	pb_diag("watchdog fired after %lld ms", (long long)dt);
	assert_true(dt >= 1300);
	close(out);

	stats_ok(&after);
	assert_int_equal(after.timeouts - before.timeouts, 1);
	release_ok(h);
	close(fd);
}

static void test_out_fence_blocks_cpu_sync_and_poll(void **state)
{
	int a = alloc_buf(64 * KIB, 0, NULL);
	int b = alloc_buf(64 * KIB, 0, NULL);
	uint32_t ha, hb;
	struct v2d_submit req;
	int hang, out;
	int64_t t0, dt;

	(void)state;
	v2d_param("timeout_ms", "1500");
	ha = import_ok(a);
	hb = import_ok(b);
	/* A stalls; B waits for it through its in-fence, then succeeds. */
	hang = submit_hang(ha);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x5a5a5a5a;
	req.flags = V2D_SUBMIT_IN_FENCE;
	req.in_fence_fd = hang;
	req.dst = surf(hb, 4096, 0, 0, 0, 1024, 16);
	t0 = now_ms();
	out = submit_ok(&req);

	/* Readers of B wait for its writer: poll and the CPU bracket. */
	assert_false(ready_within(b, 100));
	assert_false(ready_within(out, 0));
	assert_int_equal(pb_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	dt = now_ms() - t0;
	pb_diag("DMA_BUF_IOCTL_SYNC waited %lld ms", (long long)dt);
	assert_true(dt >= 1000);
	assert_int_equal(fence_status(out), 1);
	assert_true(ready_within(b, 0));
	assert_int_equal(pb_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(fence_status(hang), -ETIMEDOUT);

	unsigned char *map = map_buf(b, 64 * KIB, PROT_READ, 0);

	assert_int_equal(pb_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_bytes(map, 64 * KIB, 0x5a);
	assert_int_equal(pb_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	unmap_buf(map, 64 * KIB);
	close(out);
	close(hang);
	release_ok(ha);
	release_ok(hb);
	close(a);
	close(b);
}

static void test_export_sync_file_waits_for_job(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	uint32_t h;
	int out, sf;

	(void)state;
	v2d_param("timeout_ms", "1000");
	h = import_ok(fd);
	out = submit_hang(h);
	sf = dmabuf_lab_export_sync_file(fd, DMABUF_LAB_CPU_READ);
	if (sf < 0) {
		/*
		 * Before 6.0 the ioctl does not exist; the documented way to
		 * wait for a buffer's implicit fences is then poll() on the
		 * dma-buf fd itself, which must wait for the job the same way.
		 */
		assert_int_equal(sf, -ENOTTY);
		pb_diag("no DMA_BUF_IOCTL_EXPORT_SYNC_FILE (ENOTTY): checking the poll() fallback");
	}
	assert_false(ready_within(sf >= 0 ? sf : fd, 100));
	assert_true(ready_within(sf >= 0 ? sf : fd, 20000));
	assert_int_equal(fence_status(out), -ETIMEDOUT);
	if (sf >= 0)
		close(sf);
	close(out);
	release_ok(h);
	close(fd);
}

static uint64_t fence_timestamp(int fd)
{
	struct sync_fence_info fi;
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	memset(&fi, 0, sizeof(fi));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	assert_succeeds(ioctl(fd, SYNC_IOC_FILE_INFO, &info));
	/* 7.x detaches a signalled fence from its driver's ops. */
	if (!(fi.status == 1 && !strcmp(fi.driver_name, "detached-driver")))
		assert_string_equal(fi.driver_name, "v2d_emu");
	return fi.timestamp_ns;
}

static void test_chain_of_jobs_runs_in_order(void **state)
{
	size_t size = 64 * KIB;
	unsigned char *amap, *bmap, *want;
	struct v2d_submit req;
	int a, b, f[4], i;
	uint64_t seq[4], ts[4];
	uint32_t ha, hb;

	(void)state;
	a = buf_with_pattern(size, PAGEBUF_ALLOC_ORDER0, 31, &amap);
	b = buf_with_pattern(size, PAGEBUF_ALLOC_CONTIG, 32, &bmap);
	ha = import_ok(a);
	hb = import_ok(b);

	/* fill A; copy A to B; fill part of B; rotate part of B into A */
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x01020304;
	req.dst = surf(ha, 1024, 0, 0, 0, 256, 64);
	f[0] = submit_ok(&req);
	seq[0] = req.seqno;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.flags = V2D_SUBMIT_IN_FENCE;
	req.in_fence_fd = f[0];
	req.src = surf(ha, 1024, 0, 0, 0, 256, 64);
	req.dst = surf(hb, 1024, 0, 0, 0, 256, 64);
	f[1] = submit_ok(&req);
	seq[1] = req.seqno;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 1;
	req.value = 0xee;
	req.flags = V2D_SUBMIT_IN_FENCE;
	req.in_fence_fd = f[1];
	req.dst = surf(hb, 1024, 0, 0, 0, 16, 16);
	f[2] = submit_ok(&req);
	seq[2] = req.seqno;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_ROTATE;
	req.cpp = 4;
	req.rotation = 90;
	req.flags = V2D_SUBMIT_IN_FENCE;
	req.in_fence_fd = f[2];
	req.src = surf(hb, 1024, 0, 0, 0, 8, 4);
	req.dst = surf(ha, 1024, 0, 0, 0, 4, 8);
	f[3] = submit_ok(&req);
	seq[3] = req.seqno;

	for (i = 3; i >= 0; i--) {
		int st = fence_wait(f[i]);

		assert_int_equal(st, 1);
		ts[i] = fence_timestamp(f[i]);
	}
	for (i = 1; i < 4; i++) {
		assert_int_equal(seq[i], seq[i - 1] + 1);
		assert_true(ts[i] >= ts[i - 1]);
	}

	/*
	 * A: 0x01020304 in the whole rectangle but where the rotation wrote
	 * B's 0xee corner (16 bytes wide: 4 pixels, which land in rows 0-3).
	 */
	want = malloc(size);
	assert_non_null(want);
	assert_int_equal(pb_sync(a, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	memcpy(want, amap, size);
	assert_int_equal(pb_sync(a, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	for (i = 0; i < 64 * 256; i++) {
		uint32_t v, r = i / 256, c = i % 256;

		memcpy(&v, want + r * 1024 + c * 4, 4);
		if (v != ((r < 4 && c < 4) ? 0xeeeeeeee : 0x01020304)) {
			pb_diag("A pixel (%u,%u) is %#x", c, r, v);
			fail();
		}
	}
	free(want);
	for (i = 0; i < 4; i++)
		close(f[i]);
	release_ok(ha);
	release_ok(hb);
	unmap_buf(amap, size);
	unmap_buf(bmap, size);
	close(a);
	close(b);
}

static void test_close_with_jobs_in_flight_cancels_them(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	struct v2d_submit req;
	int dev, save = vd, hang, next;
	uint32_t h;
	int64_t t0, dt;

	(void)state;
	v2d_param("timeout_ms", "10000");
	dev = track(v2d_open_ok());
	vd = dev;
	h = import_ok(fd);
	hang = submit_hang(h);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.dst = surf(h, 4096, 0, 0, 0, 16, 1);
	next = submit_ok(&req);
	vd = save;

	t0 = now_ms();
	close(dev);
	dt = now_ms() - t0;
	pb_diag("close took %lld ms", (long long)dt);
	assert_true(dt < 5000);
	assert_int_equal(fence_status(hang), -ECANCELED);
	assert_int_equal(fence_status(next), -ECANCELED);
	close(hang);
	close(next);
	close(fd);
}

static void test_translation_fault_fails_job_with_eio(void **state)
{
	int fd = alloc_buf(64 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	struct v2d_stats before, after;
	struct v2d_submit req;
	uint32_t h;
	int out;

	(void)state;
	v2d_param("inject_fault", "1");
	h = import_ok(fd);
	v2d_param("inject_fault", "0");
	stats_ok(&before);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.dst = surf(h, 4096, 0, 0, 0, 1024, 16);
	out = submit_ok(&req);
	assert_int_equal(fence_wait(out), -EIO);
	close(out);
	stats_ok(&after);
	assert_int_equal(after.faults - before.faults, 1);
	assert_int_equal(after.jobs_failed - before.jobs_failed, 1);
	release_ok(h);
	close(fd);
}

/* ---- vgem ------------------------------------------------------------------ */

static void test_vgem_dumb_buffer_round_trip(void **state)
{
	struct drm_mode_create_dumb create = { .width = 256, .height = 64, .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	struct v2d_submit req;
	struct v2d_query q;
	unsigned char *p;
	int drm, fd;
	uint32_t h, r, c;

	(void)state;
	if (pb_cmdline_has("swiotlb=force"))
		skip_because("vgem maps with DMA_ATTR_SKIP_CPU_SYNC: bounced writes never reach its pages");
	drm = track(dmabuf_lab_vgem_open());
	if (drm < 0)
		skip_because("no vgem DRM device under /dev/dri");
	assert_succeeds(drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &create));
	assert_succeeds(drmPrimeHandleToFD(drm, create.handle,
					   DRM_CLOEXEC | DRM_RDWR, &fd));
	track(fd);
	h = import_ok(fd);
	query_ok(h, &q);
	pb_diag("vgem: %llu bytes, %u DMA segments, path %u",
		(unsigned long long)q.size, q.nr_segments, q.path);
	assert_true(q.size >= create.size);

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0xcafef00d;
	req.dst = surf(h, create.pitch, 0, 0, 0, 256, 64);
	fence_done_ok(submit_ok(&req));
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_ROTATE;
	req.cpp = 4;
	req.rotation = 180;
	req.src = surf(h, create.pitch, 0, 0, 0, 2, 1);
	req.dst = surf(h, create.pitch, 0, 0, 63, 2, 1);
	fence_done_ok(submit_ok(&req));
	/*
	 * vgem has no CPU-access hooks: the engine's writes are in the pages
	 * only once the mapping is gone (they may sit in swiotlb slots).
	 */
	release_ok(h);

	map.handle = create.handle;
	assert_succeeds(drmIoctl(drm, DRM_IOCTL_MODE_MAP_DUMB, &map));
	p = mmap(NULL, create.size, PROT_READ, MAP_SHARED, drm, map.offset);
	assert_true(p != MAP_FAILED);
	for (r = 0; r < 64; r++)
		for (c = 0; c < 256; c++) {
			uint32_t v;

			memcpy(&v, p + r * create.pitch + c * 4, 4);
			if (v != 0xcafef00d) {
				pb_diag("vgem pixel (%u,%u) is %#x", c, r, v);
				fail();
			}
		}
	munmap(p, create.size);
	close(fd);
	close(drm);
}

/* ---- module lifetime ------------------------------------------------------- */


static void test_rmmod_refused_while_fence_alive(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	struct v2d_submit req;
	int dev, save = vd, out;
	uint32_t h;

	(void)state;
	dev = track(v2d_open_ok());
	vd = dev;
	h = import_ok(fd);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.dst = surf(h, 4096, 0, 0, 0, 16, 1);
	out = submit_ok(&req);
	vd = save;
	fence_done_ok(dup(out));
	/* An open file: refused. */
	assert_fails_with(delete_module("v2d_emu"), EWOULDBLOCK);
	close(dev);
	/* Only a sync_file and a buffer holding the fence: still refused. */
	assert_fails_with(delete_module("v2d_emu"), EWOULDBLOCK);
	close(out);
	assert_fails_with(delete_module("v2d_emu"), EWOULDBLOCK);
	close(fd);
}

static void test_counters_clean_at_end(void **state)
{
	(void)state;
	v2d_assert_idle();
}

int main(void)
{
	struct pb_tests t = { 0 };

	v2d_open_for_tests();
#define ADD(name) pb_add_fixture(&t, #name, test_##name, NULL, NULL, v2d_teardown)
	ADD(import_path_follows_dma_segments);
	ADD(imports_of_one_buffer_share_one_mapping);
	ADD(import_rejects_bad_fds);
	ADD(release_and_query_unknown_handle_enoent);
	ADD(import_struct_size_compat);
	ADD(read_only_fd_is_a_source_only);
	ADD(fill_every_policy_and_pixel_size);
	ADD(copy_between_policies);
	ADD(copy_within_one_buffer);
	ADD(rotate_90_180_270);
	ADD(submit_rejects_bad_requests);
	ADD(hang_is_failed_by_watchdog_and_visible_in_bufinfo);
	ADD(out_fence_blocks_cpu_sync_and_poll);
	ADD(export_sync_file_waits_for_job);
	ADD(chain_of_jobs_runs_in_order);
	ADD(close_with_jobs_in_flight_cancels_them);
	ADD(translation_fault_fails_job_with_eio);
	ADD(vgem_dumb_buffer_round_trip);
	ADD(rmmod_refused_while_fence_alive);
	ADD(counters_clean_at_end);
#undef ADD
	return pb_run("v2d", &t);
}
