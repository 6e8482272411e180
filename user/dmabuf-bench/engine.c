// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated 2D engine against the CPU: FILL, COPY and ROTATE (90
 * degrees) of frames, each job timed from submit to its fence signalled,
 * against memset, memcpy and a tiled rotate of the same bytes in
 * anonymous memory. The direct path needs one contiguous block (4 MiB at
 * most from the page allocator); larger frames go through the engine's
 * IOMMU. Also: what importing a 64 MiB buffer costs (attach and map), and
 * how long a tiny job takes from submit to signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dmabuf-lab.h>
#include <uapi/dmabuf_null.h>
#include <uapi/v2d_emu.h>

#include "bench.h"

static int vd = -1;
static int null_fd = -1;	/* module/dmabuf_null, for the kernel's rotate */

static uint32_t import(int fd)
{
	uint32_t handle;
	int ret = dmabuf_lab_v2d_import(vd, fd, &handle);

	if (ret < 0)
		die("V2D_IOC_IMPORT: %s", strerror(-ret));
	return handle;
}

static void release(uint32_t handle)
{
	int ret = dmabuf_lab_v2d_release(vd, handle);

	if (ret < 0)
		die("V2D_IOC_RELEASE: %s", strerror(-ret));
}

/* Submit @req and wait for its fence: seconds from submit to signalled. */
static double job_once(struct v2d_submit *req)
{
	double t0 = now_s();
	int ret;

	req->flags = V2D_SUBMIT_OUT_FENCE;
	ret = dmabuf_lab_v2d_submit(vd, req);
	if (ret < 0)
		die("V2D_IOC_SUBMIT: %s", strerror(-ret));
	if (dmabuf_lab_fence_wait(req->out_fence_fd, 120000) != 1)
		die("a job did not finish within 120 s");
	t0 = now_s() - t0;
	close(req->out_fence_fd);
	return t0;
}

/*
 * A job's steady speed: it runs once untimed first. Under emulation the
 * first touch of each page costs far more than any later one (the
 * emulator fills its TLB), and the engine and the CPU would not pay it
 * alike: the CPU's side below is warmed the same way.
 */
static double run_job(struct v2d_submit *req)
{
	job_once(req);
	return job_once(req);
}

static struct v2d_surface surface(uint32_t h, uint32_t w, uint32_t rows)
{
	return (struct v2d_surface){ .handle = h, .stride = w * 4,
				     .width = w, .height = rows };
}

/* Rotate 90 degrees clockwise, in 32x32 tiles so both sides stay cached. */
static void cpu_rotate(uint32_t *dst, const uint32_t *src, uint32_t w,
		       uint32_t h)
{
	uint32_t tr, tc, r, c;

	for (tr = 0; tr < h; tr += 32)
		for (tc = 0; tc < w; tc += 32)
			for (r = tr; r < tr + 32 && r < h; r++)
				for (c = tc; c < tc + 32 && c < w; c++)
					dst[(size_t)c * h + (h - 1 - r)] = src[(size_t)r * w + c];
}

/*
 * memset 8 bytes a store, four a turn, as the engine's FILL and the
 * kernel's memset store. volatile, so that the compiler neither widens
 * the stores nor calls memset().
 */
static void cpu_fill_8b(void *p, size_t size, uint64_t v)
{
	volatile uint64_t *q = p, *end = q + size / 8;

	for (; q + 4 <= end; q += 4) {
		q[0] = v;
		q[1] = v;
		q[2] = v;
		q[3] = v;
	}
	for (; q < end; q++)
		*q = v;
}

/*
 * memset of the engine's own destination, through its mapping: the same
 * pages the engine writes, stored to by user code. Whether the engine's
 * distance to memset is the pages' (where they lie, how they are mapped)
 * or the kernel's own stores.
 */
static void fill_mapped(const char *measure, int fd, size_t size)
{
	void *m = map_fd(fd, size);
	double t0;

	cpu_access(fd, 1, DMABUF_LAB_CPU_WRITE);
	memset(m, 0x45, size);
	t0 = now_s();
	memset(m, 0x44, size);
	record(measure, "cpu-buffer", "GB/s", HIGHER, "cpu",
	       size / 1e9 / (now_s() - t0));
	cpu_access(fd, 0, DMABUF_LAB_CPU_WRITE);
	if (munmap(m, size))
		die("munmap: %s", strerror(errno));
}

/*
 * The CPU's rotate below, run by the kernel (module/dmabuf_null) on the
 * engine's own buffers: the same loop in kernel mode, which is what the
 * engine is. Its time excludes mapping the buffers.
 */
static void rotate_in_kernel(const char *measure, int sfd, int dfd,
			     uint32_t w, uint32_t h, size_t size)
{
	struct dmabuf_null_rotate req = {
		.src_fd = sfd, .dst_fd = dfd, .width = w, .height = h,
	};
	int i;

	if (null_fd < 0) {
		record_missing(measure, "cpu-kernel", "GB/s", null_source.absent);
		return;
	}
	/* Untimed first, as every CPU row. */
	for (i = 0; i < 2; i++)
		if (ioctl(null_fd, DMABUF_NULL_IOC_ROTATE, &req))
			die("DMABUF_NULL_IOC_ROTATE: %s", strerror(errno));
	record(measure, "cpu-kernel", "GB/s", HIGHER, "cpu", size / (double)req.ns);
	set_limit(measure, "cpu-kernel");
}

struct frame {
	const char *name;	/* "64M", "1080p", ... */
	uint32_t w, h;
	const char *policy;	/* the pagebuf source that holds it */
	const char *path;	/* "direct" or "iommu" */
};

/* The engine and the CPU on one frame: three rows each. */
static void frame_case(const struct frame *f)
{
	struct source *s = source_by_name(f->policy);
	size_t size = (size_t)f->w * f->h * 4;
	uint32_t *a, *b, hs, hd;
	struct v2d_submit req;
	char measure[48];
	int sfd, dfd;
	double t0;

	size = (size + 4095) & ~(size_t)4095;
	sfd = source_alloc(s, size);
	dfd = sfd < 0 ? -1 : source_alloc(s, size);
	if (dfd < 0)
		die("%s: allocating two %zu-byte frames failed", s->name, size);
	hs = import(sfd);
	hd = import(dfd);
	a = anon_alloc(size);
	b = anon_alloc(size);
	memset(a, 0x5a, size);

	snprintf(measure, sizeof(measure), "V2D fill %s %s", f->name, f->path);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x11223344;
	req.dst = surface(hd, f->w, f->h);
	record(measure, "v2d", "GB/s", HIGHER, "cpu", size / 1e9 / run_job(&req));
	memset(b, 0x45, size);
	t0 = now_s();
	memset(b, 0x44, size);
	record(measure, "cpu", "GB/s", HIGHER, "cpu", size / 1e9 / (now_s() - t0));
	/*
	 * The CPU storing 8 bytes at a time, as the engine's loop and the
	 * kernel's memset do (glibc's memset may store 16 or 32): whether
	 * the store width is what the engine lacks.
	 */
	t0 = now_s();
	cpu_fill_8b(b, size, 0x4444444444444444ULL);
	record(measure, "cpu-8B", "GB/s", HIGHER, "cpu", size / 1e9 / (now_s() - t0));
	/*
	 * The engine's ceiling on the first frame: a pattern of one repeated
	 * byte, which the engine hands to the kernel's own memset(), the
	 * fastest store loop kernel code has.
	 */
	if (!strcmp(f->path, "direct")) {
		fill_mapped(measure, dfd, size);
		req.value = 0x44444444;
		record(measure, "v2d-memset", "GB/s", HIGHER, "cpu",
		       size / 1e9 / run_job(&req));
		set_limit(measure, "v2d-memset");
	}

	snprintf(measure, sizeof(measure), "V2D copy %s %s", f->name, f->path);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.src = surface(hs, f->w, f->h);
	req.dst = surface(hd, f->w, f->h);
	record(measure, "v2d", "GB/s", HIGHER, "cpu", size / 1e9 / run_job(&req));
	memcpy(b, a, size);
	t0 = now_s();
	memcpy(b, a, size);
	record(measure, "cpu", "GB/s", HIGHER, "cpu", size / 1e9 / (now_s() - t0));

	snprintf(measure, sizeof(measure), "V2D rotate %s %s", f->name, f->path);
	req.op = V2D_OP_ROTATE;
	req.rotation = 90;
	req.dst = surface(hd, f->h, f->w);
	record(measure, "v2d", "GB/s", HIGHER, "cpu", size / 1e9 / run_job(&req));
	cpu_rotate(b, a, f->w, f->h);
	t0 = now_s();
	cpu_rotate(b, a, f->w, f->h);
	record(measure, "cpu", "GB/s", HIGHER, "cpu", size / 1e9 / (now_s() - t0));
	rotate_in_kernel(measure, sfd, dfd, f->w, f->h, size);

	release(hs);
	release(hd);
	close(sfd);
	close(dfd);
	munmap(a, size);
	munmap(b, size);
}

/* V2D_IOC_IMPORT of 64 MiB from each exporter: attach and map. */
static void import_cost(void)
{
	size_t size = quick ? 16 * MIB : 64 * MIB;
	static const char *const names[] = { "pagebuf", "heap", "udmabuf" };
	size_t i;

	for (i = 0; i < 3; i++) {
		const struct source *s = source_by_name(names[i]);
		double t0;
		uint32_t h;
		int fd;

		if (s->why_not) {
			record_missing("V2D import 64M", s->name, "ms", s->why_not);
			continue;
		}
		fd = source_alloc(s, size);
		if (fd < 0)
			die("%s: allocation for the import failed", s->name);
		t0 = now_s();
		h = import(fd);
		record("V2D import 64M", s->name, "ms", LOWER, "heap",
		       (now_s() - t0) * 1e3);
		release(h);
		close(fd);
	}
}

/* Submit to signal of a 16-pixel FILL: median and 99th percentile. */
static void latency(void)
{
	const struct source *s = source_by_name("pagebuf");
	int n = quick ? 50 : 200, i, fd;
	struct v2d_submit req;
	double us[200];
	uint32_t h;

	fd = source_alloc(s, 4096);
	if (fd < 0)
		die("allocation for the latency jobs failed");
	h = import(fd);
	for (i = 0; i < n; i++) {
		memset(&req, 0, sizeof(req));
		req.op = V2D_OP_FILL;
		req.cpp = 4;
		req.dst = surface(h, 16, 1);
		us[i] = job_once(&req) * 1e6;
	}
	qsort(us, n, sizeof(us[0]), cmp_double);
	record("V2D tiny job, submit to signal", "median", "us", LOWER, NULL, us[n / 2]);
	record("V2D tiny job, submit to signal", "p99", "us", LOWER, NULL,
	       us[n * 99 / 100]);
	release(h);
	close(fd);
}

void measure_engine(void)
{
	static const struct frame frames[] = {
		{ "4M", 1024, 1024, "pagebuf-contig", "direct" },
		{ "64M", 4096, 4096, "pagebuf", "iommu" },
		{ "1080p", 1920, 1080, "pagebuf", "iommu" },
		{ "4K", 3840, 2160, "pagebuf", "iommu" },
	};
	size_t i;

	if (vd < 0)
		vd = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	if (vd < 0) {
		record_missing("V2D", "v2d", "", "no /dev/v2d_emu (v2d_emu.ko not loaded)");
		return;
	}
	if (null_fd < 0)
		null_fd = open(null_source.dev, O_RDWR | O_CLOEXEC);
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		if (!quick || i != 1)
			frame_case(&frames[i]);
	import_cost();
	latency();
}
