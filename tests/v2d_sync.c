// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_sync: v2d_emu's jobs and the dma-buf core's explicit/implicit sync
 * bridges. DMA_BUF_IOCTL_EXPORT_SYNC_FILE of a buffer a job writes (or
 * reads) hands out the job's fence, with the READ and WRITE rules;
 * DMA_BUF_IOCTL_IMPORT_SYNC_FILE of another driver's unsignalled fence
 * (vgem's, which userspace signals) holds the next job back as a writer
 * or only the next writer as a reader, and debugfs names the fence the
 * job waits for; SYNC_IOC_SET_DEADLINE reaches the job's fence, which
 * then runs at full speed. The ioctls came in 6.0 (the sync_file ones)
 * and 6.4 (deadlines): older kernels skip and say so.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"
#include "v2d_lib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>
#include <dmabuf-lab.h>

/*
 * vgem's fence ioctls (include/uapi/drm/vgem_drm.h), which no Debian
 * package installs for userspace.
 */
struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define VGEM_FENCE_WRITE	0x1
#define VGEM_IOCTL_FENCE_ATTACH	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

/* Linux 6.4's SYNC_IOC_SET_DEADLINE, for older userspace headers. */
#ifndef SYNC_IOC_SET_DEADLINE
struct sync_set_deadline {
	uint64_t deadline_ns;
	uint64_t pad;
};
#define SYNC_IOC_SET_DEADLINE	_IOW(SYNC_IOC_MAGIC, 5, struct sync_set_deadline)
#endif

#define V2D_JOBS	"/sys/kernel/debug/v2d_emu/jobs"
/*
 * 256 rows of 16 KiB, packed: the engine takes them as one range, a step
 * (and its delay) every 64 KiB, so 64 steps.
 */
#define BIG		(4 * MIB)
#define ROW		(16 * 1024u)

/* An unsignalled vgem fence, as a sync_file, and how to signal it. */
struct vgem_fence {
	int drm;
	uint32_t id;
	int sync_file;
};

static void vgem_fence_new(struct vgem_fence *vf)
{
	struct drm_mode_create_dumb c = { .width = 1024, .height = 1, .bpp = 32 };
	struct vgem_fence_attach a = { .flags = VGEM_FENCE_WRITE };
	int buf;

	vf->drm = dmabuf_lab_vgem_open();
	if (vf->drm < 0)
		skip_because("no vgem card (%s): vgem.ko is not loaded", pb_errname(-vf->drm));
	track(vf->drm);
	assert_succeeds(drmIoctl(vf->drm, DRM_IOCTL_MODE_CREATE_DUMB, &c));
	a.handle = c.handle;
	assert_succeeds(drmIoctl(vf->drm, VGEM_IOCTL_FENCE_ATTACH, &a));
	vf->id = a.out_fence;
	if (drmPrimeHandleToFD(vf->drm, c.handle, DRM_CLOEXEC | DRM_RDWR, &buf)) {
		pb_diag("drmPrimeHandleToFD: %s", pb_errname(errno));
		fail();
	}
	vf->sync_file = dmabuf_lab_export_sync_file(buf, DMABUF_LAB_CPU_WRITE);
	assert_int_equal(close(buf), 0);
	if (vf->sync_file < 0) {
		pb_diag("DMA_BUF_IOCTL_EXPORT_SYNC_FILE of the vgem buffer: %s",
			pb_errname(-vf->sync_file));
		fail();
	}
	track(vf->sync_file);
	assert_int_equal(fence_status(vf->sync_file), 0);
}

static void vgem_fence_signal(struct vgem_fence *vf)
{
	struct vgem_fence_signal s = { .fence = vf->id };

	assert_succeeds(drmIoctl(vf->drm, VGEM_IOCTL_FENCE_SIGNAL, &s));
}

/* Skip on kernels without DMA_BUF_IOCTL_EXPORT_SYNC_FILE. */
static void need_sync_file_ioctls(int fd)
{
	int sf = dmabuf_lab_export_sync_file(fd, DMABUF_LAB_CPU_READ);

	if (sf == -ENOTTY)
		skip_because("no DMA_BUF_IOCTL_EXPORT/IMPORT_SYNC_FILE before Linux 6.0");
	assert_true(sf >= 0);
	assert_int_equal(close(sf), 0);
}

static int export_ok(int fd, unsigned int dir)
{
	int sf = dmabuf_lab_export_sync_file(fd, dir);

	if (sf < 0) {
		pb_diag("DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s", pb_errname(-sf));
		fail();
	}
	return track(sf);
}

/* The signal time of a sync_file's fences: the latest of them. */
static uint64_t signalled_at(int fd)
{
	struct sync_fence_info fi[4];
	struct sync_file_info info;
	uint64_t ts = 0;
	uint32_t i;

	memset(&info, 0, sizeof(info));
	memset(fi, 0, sizeof(fi));
	info.num_fences = 4;
	info.sync_fence_info = (uintptr_t)fi;
	assert_succeeds(ioctl(fd, SYNC_IOC_FILE_INFO, &info));
	assert_int_equal(info.status, 1);
	assert_true(info.num_fences >= 1 && info.num_fences <= 4);
	for (i = 0; i < info.num_fences; i++)
		if (fi[i].timestamp_ns > ts)
			ts = fi[i].timestamp_ns;
	return ts;
}

/* A slow engine: it sleeps @us between two steps of a job. */
static void slow_engine(unsigned int us)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", us);
	v2d_param("debug_step_delay_us", v);
}

static struct v2d_submit fill_req(uint32_t h, uint64_t size, uint32_t value)
{
	struct v2d_submit req = {
		.op = V2D_OP_FILL, .cpp = 4, .value = value,
		.dst = surf(h, ROW, 0, 0, 0, ROW / 4, (uint32_t)(size / ROW)),
	};

	return req;
}

static struct v2d_submit copy_req(uint32_t src, uint32_t dst, uint64_t size)
{
	struct v2d_submit req = {
		.op = V2D_OP_COPY, .cpp = 4,
		.src = surf(src, ROW, 0, 0, 0, ROW / 4, (uint32_t)(size / ROW)),
		.dst = surf(dst, ROW, 0, 0, 0, ROW / 4, (uint32_t)(size / ROW)),
	};

	return req;
}

/* ---- export --------------------------------------------------------------- */

/*
 * A COPY from A to B, slowed down. B's sync_file for a reader (its
 * writers) and for a writer (everyone) and A's for a writer (its
 * readers) are the job's fence: unsignalled while the job runs,
 * signalled at the very time the job's out-fence is. A's for a reader
 * waits for nothing: the job only reads A.
 */
static void test_export_sync_file_is_the_job(void **state)
{
	int a = alloc_buf(BIG, 0, NULL), b = alloc_buf(BIG, 0, NULL);
	int out, bw, br, aw, ar;
	struct v2d_submit req;
	uint64_t ts;
	uint32_t ha, hb;

	(void)state;
	need_sync_file_ioctls(a);
	ha = import_ok(a);
	hb = import_ok(b);
	slow_engine(5000);
	req = copy_req(ha, hb, BIG);
	out = submit_ok(&req);
	bw = export_ok(b, DMABUF_LAB_CPU_WRITE);
	br = export_ok(b, DMABUF_LAB_CPU_READ);
	aw = export_ok(a, DMABUF_LAB_CPU_WRITE);
	ar = export_ok(a, DMABUF_LAB_CPU_READ);
	assert_int_equal(ready_within(ar, 0), 1);
	assert_int_equal(fence_status(out), 0);
	assert_int_equal(fence_status(bw), 0);
	assert_int_equal(fence_status(br), 0);
	assert_int_equal(fence_status(aw), 0);

	assert_int_equal(fence_wait(out), 1);
	ts = signalled_at(out);
	assert_true(ts > 0);
	assert_int_equal(fence_wait(bw), 1);
	assert_int_equal(fence_wait(br), 1);
	assert_int_equal(fence_wait(aw), 1);
	assert_true(signalled_at(bw) == ts);
	assert_true(signalled_at(br) == ts);
	assert_true(signalled_at(aw) == ts);
	release_ok(ha);
	release_ok(hb);
}

/* ---- import --------------------------------------------------------------- */

/* The jobs file shows a job waiting for a vgem fence. */
static void assert_waits_for_vgem(void)
{
	int found = file_has_line(V2D_JOBS, " vgem:");

	if (found < 0) {
		pb_diag("no %s: debugfs not mounted, the wait is not looked at", V2D_JOBS);
		return;
	}
	if (found != 1) {
		char *text = dl_read(V2D_JOBS);

		pb_diag("%s shows no job waiting for vgem:\n%s", V2D_JOBS, text ? text : "");
		free(text);
		fail();
	}
}

/*
 * Two imported buffers, Y and Z, and an unsignalled vgem fence imported
 * into Y for a writer or a reader (@dir).
 */
static void import_vgem_fence(struct vgem_fence *vf, unsigned int dir, uint32_t *hy,
			      uint32_t *hz)
{
	int y = alloc_buf(BIG, 0, NULL), z = alloc_buf(BIG, 0, NULL);

	need_sync_file_ioctls(y);
	vgem_fence_new(vf);
	*hy = import_ok(y);
	*hz = import_ok(z);
	assert_int_equal(dmabuf_lab_import_sync_file(y, dir, vf->sync_file), 0);
}

/*
 * Submit @req: the job must wait for vgem's fence (still unsignalled
 * after 300 ms, debugfs naming the fence it waits for) and complete once
 * it is signalled. Returns the job's out-fence.
 */
static int held_until_signalled(struct vgem_fence *vf, struct v2d_submit *req)
{
	int out = submit_ok(req);

	assert_int_equal(ready_within(out, 300), 0);
	assert_waits_for_vgem();
	vgem_fence_signal(vf);
	assert_int_equal(fence_wait(out), 1);
	return out;
}

/*
 * Another driver's unsignalled fence imported as a writer: a job that
 * only reads the buffer waits for it like one that writes it, and runs
 * once it signals.
 */
static void test_imported_writer_holds_every_job(void **state)
{
	struct vgem_fence vf;
	struct v2d_submit req;
	uint32_t hy, hz;
	int out;

	(void)state;
	import_vgem_fence(&vf, DMABUF_LAB_CPU_WRITE, &hy, &hz);
	req = copy_req(hy, hz, BIG);
	out = held_until_signalled(&vf, &req);
	assert_true(signalled_at(out) >= signalled_at(vf.sync_file));
	release_ok(hy);
	release_ok(hz);
}

/*
 * The same fence imported as a reader: a job that reads the buffer runs
 * at once, one that writes it waits for the reader to be done.
 */
static void test_imported_reader_holds_only_writers(void **state)
{
	struct vgem_fence vf;
	struct v2d_submit req;
	uint32_t hy, hz;
	int out;

	(void)state;
	import_vgem_fence(&vf, DMABUF_LAB_CPU_READ, &hy, &hz);
	req = copy_req(hy, hz, BIG);
	out = submit_ok(&req);
	assert_int_equal(fence_wait(out), 1);
	assert_int_equal(fence_status(vf.sync_file), 0);

	req = fill_req(hy, BIG, 0x12345678);
	held_until_signalled(&vf, &req);
	release_ok(hy);
	release_ok(hz);
}

/* ---- deadlines -------------------------------------------------------------- */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether the jobs file shows a deadline for the job @seqno. */
static int job_has_deadline(uint64_t seqno)
{
	char *text = dl_read(V2D_JOBS), *line, *save = NULL;
	int found = 0;

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char fence[48], dl[32];
		unsigned long long ctx, seq;

		/* fence op src dst state fence error age_ms deadline_ms waits */
		if (sscanf(line, "%47s %*s %*s %*s %*s %*s %*s %*s %31s", fence, dl) != 2)
			continue;
		if (sscanf(fence, "%llu:%llu", &ctx, &seq) != 2 || seq != seqno)
			continue;
		found = strcmp(dl, "-") != 0;
	}
	free(text);
	return found;
}

/*
 * Two slow FILLs in a row, a deadline on the second's out-fence: the
 * engine records it (debugfs) and runs that job at full speed, so that
 * it takes well under half the time of the first, which sleeps between
 * every step.
 */
static void test_deadline_speeds_the_job_up(void **state)
{
	int a = alloc_buf(BIG, 0, NULL), b = alloc_buf(BIG, 0, NULL);
	struct sync_set_deadline d = { 0 };
	struct v2d_submit r1, r2;
	int64_t t0, slow, fast;
	int o1, o2;
	uint32_t ha, hb;

	(void)state;
	ha = import_ok(a);
	hb = import_ok(b);
	slow_engine(10000);
	t0 = mono_ns();
	r1 = fill_req(ha, BIG, 1);
	o1 = submit_ok(&r1);
	r2 = fill_req(hb, BIG, 2);
	o2 = submit_ok(&r2);
	d.deadline_ns = (uint64_t)mono_ns() + 50000000;
	if (ioctl(o2, SYNC_IOC_SET_DEADLINE, &d)) {
		assert_int_equal(errno, ENOTTY);
		assert_int_equal(fence_wait(o1), 1);
		assert_int_equal(fence_wait(o2), 1);
		skip_because("no SYNC_IOC_SET_DEADLINE before Linux 6.4");
	}
	if (!access(V2D_JOBS, R_OK))
		assert_true(job_has_deadline(r2.seqno));
	assert_int_equal(fence_wait(o1), 1);
	assert_int_equal(fence_wait(o2), 1);
	slow = (int64_t)signalled_at(o1) - t0;
	fast = (int64_t)signalled_at(o2) - (int64_t)signalled_at(o1);
	pb_diag("without a deadline %.1f ms, with one %.1f ms", slow / 1e6, fast / 1e6);
	/* 64 steps of at least 10 ms each: 640 ms at least. */
	assert_true(slow >= 640000000);
	assert_true(fast < slow / 2);
	release_ok(ha);
	release_ok(hb);
}

int main(void)
{
	struct pb_tests t = { 0 };

	v2d_open_for_tests();
#define ADD(name) pb_add_fixture(&t, #name, test_##name, NULL, NULL, v2d_teardown)
	ADD(export_sync_file_is_the_job);
	ADD(imported_writer_holds_every_job);
	ADD(imported_reader_holds_only_writers);
	ADD(deadline_speeds_the_job_up);
#undef ADD
	return pb_run("v2d", &t);
}
