// SPDX-License-Identifier: GPL-2.0
/*
 * pipeline: camera -> 2D engine -> GPU, zero copy. vivid (the kernel's
 * virtual camera) captures into pagebuf buffers (V4L2_MEMORY_DMABUF),
 * v2d_emu rotates the frame into another pagebuf buffer, and vgem
 * imports that one (drmPrimeFDToHandle); userspace copies no pixel.
 *
 * The reference is vivid's own MMAP capture of the same static pattern
 * (no OSD text, no movement), rotated here on the CPU. Both of vivid's
 * allocators are tested: vmalloc reaches an imported dma-buf through
 * dma_buf_vmap (pagebuf's reference-counted vmap), dma-contig through an
 * attachment and a DMA mapping (so it needs a contiguous buffer).
 *
 * The suite loads vivid with two instances, video capture only:
 * instance 0 uses vmalloc and instance 1 dma-contig.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include <uapi/v2d_emu.h>
#include <dmabuf-lab.h>

#define WIDTH		320	/* one of vivid's webcam sizes */
#define HEIGHT		180
#define NR_BUFS		2	/* vivid starts streaming with two queued */

/* Every fd a test opens, closed by the teardown too (cmocka longjmps). */
static int test_fds[32];
static int nr_test_fds;

static int track(int fd)
{
	if (fd >= 0 && nr_test_fds < (int)(sizeof(test_fds) / sizeof(test_fds[0])))
		test_fds[nr_test_fds++] = fd;
	return fd;
}

static struct {
	void *p;
	size_t len;
} test_maps[8];

static void track_map(void *p, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(test_maps) / sizeof(test_maps[0]); i++) {
		if (!test_maps[i].p) {
			test_maps[i].p = p;
			test_maps[i].len = len;
			return;
		}
	}
}

static void untrack_map(void *p)
{
	size_t i;

	for (i = 0; i < sizeof(test_maps) / sizeof(test_maps[0]); i++) {
		if (test_maps[i].p == p) {
			munmap(p, test_maps[i].len);
			test_maps[i].p = NULL;
		}
	}
}

static int pipeline_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(test_maps) / sizeof(test_maps[0]); i++)
		if (test_maps[i].p)
			untrack_map(test_maps[i].p);
	while (nr_test_fds)
		close(test_fds[--nr_test_fds]);
	return 0;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret && errno == EINTR);
	return ret;
}

/* ---- the camera -------------------------------------------------------- */

struct cam {
	int fd;
	uint32_t stride;	/* bytes per line */
	uint32_t size;		/* bytes per frame */
};

/* The capture node of vivid instance @inst, or -1. */
static int open_vivid(int inst)
{
	char path[32], bus[32];
	int i;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (i = 0; i < 64; i++) {
		struct v4l2_capability cap;
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!xioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((const char *)cap.driver, "vivid") &&
		    !strcmp((const char *)cap.bus_info, bus) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
			return fd;
		close(fd);
	}
	return -1;
}

/* Set the menu control called @name to its item called @item. */
static void set_menu_ctrl(int fd, const char *name, const char *item)
{
	struct v4l2_queryctrl qc = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };
	struct v4l2_querymenu qm;
	struct v4l2_control c;

	while (!xioctl(fd, VIDIOC_QUERYCTRL, &qc)) {
		if (!strcmp((const char *)qc.name, name))
			break;
		qc.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	if (strcmp((const char *)qc.name, name)) {
		pb_diag("vivid has no control \"%s\"", name);
		fail();
	}
	for (int i = qc.minimum; i <= qc.maximum; i++) {
		memset(&qm, 0, sizeof(qm));
		qm.id = qc.id;
		qm.index = i;
		if (xioctl(fd, VIDIOC_QUERYMENU, &qm) ||
		    strcmp((const char *)qm.name, item))
			continue;
		c.id = qc.id;
		c.value = qm.index;
		assert_succeeds(xioctl(fd, VIDIOC_S_CTRL, &c));
		return;
	}
	pb_diag("vivid's \"%s\" has no item \"%s\"", name, item);
	fail();
}

/* A static frame: a fixed pattern, no text, 320x180, 4 bytes a pixel. */
static void cam_setup(struct cam *c, int inst)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	c->fd = track(open_vivid(inst));
	if (c->fd < 0)
		skip_because("no vivid instance %d (vivid not loaded)", inst);
	set_menu_ctrl(c->fd, "Test Pattern", "100% Color Squares");
	set_menu_ctrl(c->fd, "OSD Text Mode", "None");

	f.fmt.pix.width = WIDTH;
	f.fmt.pix.height = HEIGHT;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	assert_succeeds(xioctl(c->fd, VIDIOC_S_FMT, &f));
	if (f.fmt.pix.width != WIDTH || f.fmt.pix.height != HEIGHT ||
	    f.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32 ||
	    f.fmt.pix.bytesperline < WIDTH * 4) {
		pb_diag("vivid gave %ux%u, format %#x, %u bytes a line",
			f.fmt.pix.width, f.fmt.pix.height,
			f.fmt.pix.pixelformat, f.fmt.pix.bytesperline);
		fail();
	}
	c->stride = f.fmt.pix.bytesperline;
	c->size = f.fmt.pix.sizeimage;
}

static void reqbufs(struct cam *c, uint32_t memory, uint32_t count)
{
	struct v4l2_requestbuffers rb = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = memory,
	};

	assert_succeeds(xioctl(c->fd, VIDIOC_REQBUFS, &rb));
	if (count)
		assert_int_equal(rb.count, count);
}

static void stream(struct cam *c, int on)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	assert_succeeds(xioctl(c->fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF,
			       &type));
}

/* Dequeue one frame; returns its index. */
static uint32_t dqbuf(struct cam *c, uint32_t memory)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = memory,
	};
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (poll(&p, 1, 20000) != 1) {
		pb_diag("no frame from vivid within 20 s");
		fail();
	}
	assert_succeeds(xioctl(c->fd, VIDIOC_DQBUF, &b));
	if (b.flags & V4L2_BUF_FLAG_ERROR) {
		pb_diag("vivid marked frame %u as bad", b.index);
		fail();
	}
	assert_true(b.bytesused >= c->size);
	return b.index;
}

/* The reference: one frame captured into vivid's own buffers. */
static unsigned char *capture_reference(struct cam *c)
{
	unsigned char *ref = malloc(c->size);
	void *maps[NR_BUFS];
	uint32_t i;

	assert_non_null(ref);
	reqbufs(c, V4L2_MEMORY_MMAP, NR_BUFS);
	for (i = 0; i < NR_BUFS; i++) {
		struct v4l2_buffer b = {
			.index = i,
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		assert_succeeds(xioctl(c->fd, VIDIOC_QUERYBUF, &b));
		maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, c->fd,
			       b.m.offset);
		assert_true(maps[i] != MAP_FAILED);
		track_map(maps[i], b.length);
		assert_succeeds(xioctl(c->fd, VIDIOC_QBUF, &b));
	}
	stream(c, 1);
	i = dqbuf(c, V4L2_MEMORY_MMAP);
	memcpy(ref, maps[i], c->size);
	stream(c, 0);
	for (i = 0; i < NR_BUFS; i++)
		untrack_map(maps[i]);
	reqbufs(c, V4L2_MEMORY_MMAP, 0);
	return ref;
}

static void qbuf_dmabuf(struct cam *c, uint32_t index, int fd, uint32_t len)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.m.fd = fd,
		.length = len,
	};

	assert_succeeds(xioctl(c->fd, VIDIOC_QBUF, &b));
}

/* ---- the engine --------------------------------------------------------- */

static uint32_t v2d_import(int vd, int fd)
{
	struct v2d_import req = { .fd = fd };

	assert_succeeds(xioctl(vd, V2D_IOC_IMPORT, &req));
	return req.handle;
}

/* Rotate the frame @src by 90 degrees into @dst and wait for the job. */
static void v2d_rotate(int vd, uint32_t src, uint32_t stride, uint32_t dst)
{
	struct v2d_submit req = {
		.op = V2D_OP_ROTATE,
		.flags = V2D_SUBMIT_OUT_FENCE,
		.cpp = 4,
		.rotation = 90,
		.src = { .handle = src, .stride = stride,
			 .width = WIDTH, .height = HEIGHT },
		.dst = { .handle = dst, .stride = HEIGHT * 4,
			 .width = HEIGHT, .height = WIDTH },
	};
	struct sync_file_info info = { 0 };
	struct pollfd p;

	assert_succeeds(xioctl(vd, V2D_IOC_SUBMIT, &req));
	p.fd = track(req.out_fence_fd);
	p.events = POLLIN;
	if (poll(&p, 1, 20000) != 1) {
		pb_diag("the rotation did not finish within 20 s");
		fail();
	}
	assert_succeeds(xioctl(p.fd, SYNC_IOC_FILE_INFO, &info));
	if (info.status != 1) {
		pb_diag("rotation fence status %d", info.status);
		fail();
	}
}

/* ---- checks -------------------------------------------------------------- */

/* Fail unless @n bytes at @got equal @want; say where they first differ. */
static void assert_same(const char *what, const unsigned char *got,
			const unsigned char *want, size_t n)
{
	size_t i;

	for (i = 0; i < n && got[i] == want[i]; i++)
		;
	if (i < n) {
		pb_diag("%s: byte %zu of %zu is 0x%02x, want 0x%02x", what, i,
			n, got[i], want[i]);
		fail();
	}
}

/* The visible pixels of a frame, rows packed (the stride may pad them). */
static unsigned char *pack(const unsigned char *frame, uint32_t stride)
{
	unsigned char *p = malloc((size_t)WIDTH * HEIGHT * 4);
	uint32_t r;

	assert_non_null(p);
	for (r = 0; r < HEIGHT; r++)
		memcpy(p + (size_t)r * WIDTH * 4, frame + (size_t)r * stride,
		       WIDTH * 4);
	return p;
}

/* Clockwise by 90 degrees, as the engine does: HEIGHT x WIDTH out. */
static unsigned char *rotate90(const unsigned char *packed)
{
	unsigned char *out = malloc((size_t)WIDTH * HEIGHT * 4);
	uint32_t r, c;

	assert_non_null(out);
	for (r = 0; r < HEIGHT; r++)
		for (c = 0; c < WIDTH; c++)
			memcpy(out + ((size_t)c * HEIGHT + (HEIGHT - 1 - r)) * 4,
			       packed + ((size_t)r * WIDTH + c) * 4, 4);
	return out;
}

/* A frame is no proof if the pattern is one colour: it must vary. */
static void assert_not_flat(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 4; i < n && !memcmp(p, p + i, 4); i += 4)
		;
	if (i >= n) {
		pb_diag("the reference frame has a single colour");
		fail();
	}
}

/* Read a pagebuf buffer through its own mapping, in a read bracket. */
static unsigned char *read_pagebuf(int fd, size_t len)
{
	unsigned char *copy = malloc(len);
	void *p = pb_map(fd, len, PROT_READ, 0);

	assert_non_null(copy);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	memcpy(copy, p, len);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	pb_unmap(p, len);
	return copy;
}

/*
 * vgem imports @fd: it attaches to it (pagebuf counts the attachment),
 * and what it exports back is the very same dma-buf, not a copy. Returns
 * the dma-buf fd vgem gave back.
 */
static int vgem_import(int drm, int fd)
{
	struct pagebuf_stats before, during;
	struct drm_gem_close gc = { 0 };
	struct stat a, b;
	uint32_t handle;
	int back;

	pb_stats(&before);
	if (drmPrimeFDToHandle(drm, fd, &handle)) {
		pb_diag("vgem: drmPrimeFDToHandle: %s", pb_errname(errno));
		fail();
	}
	pb_stats(&during);
	pb_stats_diag("vgem holds the rotated frame", &during);
	/* Newer kernels' DRM maps an import only when it is used. */
	assert_int_equal(during.live_attachments, before.live_attachments + 1);
	if (drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR, &back)) {
		pb_diag("vgem: drmPrimeHandleToFD: %s", pb_errname(errno));
		fail();
	}
	track(back);
	assert_succeeds(fstat(fd, &a));
	assert_succeeds(fstat(back, &b));
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	gc.handle = handle;
	assert_succeeds(drmIoctl(drm, DRM_IOCTL_GEM_CLOSE, &gc));
	return back;
}

static size_t page_align(size_t n)
{
	return (n + pb_page - 1) & ~(pb_page - 1);
}

/*
 * The whole pipeline on vivid instance @inst, whose allocator reaches
 * the frame buffers through a vmap (@vmap) or a DMA mapping.
 */
static void pipeline_case(int inst, int vmap)
{
	/* dma-contig needs one contiguous DMA block per frame. */
	uint32_t flags = vmap ? PAGEBUF_ALLOC_ORDER0 : PAGEBUF_ALLOC_CONTIG;
	size_t out_len = (size_t)WIDTH * HEIGHT * 4;
	unsigned char *ref, *want, *got, *packed;
	int bufs[NR_BUFS], out, vd, drm;
	struct pagebuf_stats st;
	uint32_t i, k, hsrc, hdst;
	struct cam c;
	size_t len;

	drm = track(dmabuf_lab_vgem_open());
	if (drm < 0)
		skip_because("no vgem DRM device under /dev/dri");
	vd = track(open(V2D_DEVICE, O_RDWR | O_CLOEXEC));
	if (vd < 0)
		skip_because("open %s: %s", V2D_DEVICE, pb_errname(errno));
	cam_setup(&c, inst);
	ref = capture_reference(&c);
	packed = pack(ref, c.stride);
	assert_not_flat(packed, out_len);
	want = rotate90(packed);

	len = page_align(c.size);
	pb_params_allow(len);
	for (i = 0; i < NR_BUFS; i++)
		bufs[i] = track(pb_alloc_ok(len, flags, NULL));
	out = track(pb_alloc_ok(page_align(out_len), 0, NULL));

	reqbufs(&c, V4L2_MEMORY_DMABUF, NR_BUFS);
	qbuf_dmabuf(&c, 0, bufs[0], len);
	/* vivid holds one buffer: vmapped (vmalloc) or mapped (dma-contig). */
	pb_stats(&st);
	pb_stats_diag("one frame buffer queued", &st);
	if (vmap) {
		assert_int_equal(st.live_vmaps, 1);
	} else {
		assert_int_equal(st.live_attachments, 1);
		assert_int_equal(st.live_mappings, 1);
	}
	for (i = 1; i < NR_BUFS; i++)
		qbuf_dmabuf(&c, i, bufs[i], len);
	stream(&c, 1);
	k = dqbuf(&c, V4L2_MEMORY_DMABUF);

	/* vivid wrote the frame straight into pagebuf's pages. */
	got = read_pagebuf(bufs[k], c.size);
	assert_same("captured frame", got, ref, c.size);
	free(got);

	hsrc = v2d_import(vd, bufs[k]);
	hdst = v2d_import(vd, out);
	v2d_rotate(vd, hsrc, c.stride, hdst);

	got = read_pagebuf(vgem_import(drm, out), out_len);
	assert_same("rotated frame, as vgem exports it", got, want, out_len);
	free(got);

	stream(&c, 0);
	reqbufs(&c, V4L2_MEMORY_DMABUF, 0);
	free(ref);
	free(packed);
	free(want);
	pipeline_teardown(NULL);

	/* Everyone let go: no vmap, mapping or attachment is left. */
	pb_stats(&st);
	assert_int_equal(st.live_vmaps, 0);
	assert_int_equal(st.live_mappings, 0);
	assert_int_equal(st.live_attachments, 0);
	pb_assert_idle();
}

static void test_vivid_vmalloc_to_v2d_to_vgem(void **state)
{
	(void)state;
	pipeline_case(0, 1);
}

static void test_vivid_dma_contig_to_v2d_to_vgem(void **state)
{
	(void)state;
	/*
	 * vb2-dma-contig fills an imported buffer through its vmap while the
	 * buffer is mapped for vivid's device, without CPU-access brackets;
	 * with every mapping bounced, the unmap at dequeue rightly copies the
	 * untouched bounce buffer back over the frame.
	 */
	if (pb_cmdline_has("swiotlb=force"))
		skip_because("under swiotlb=force vivid's dma-contig capture writes through a vmap, not its bounced mapping");
	pipeline_case(1, 0);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add_fixture(&t, "vivid_vmalloc_to_v2d_to_vgem",
		       test_vivid_vmalloc_to_v2d_to_vgem, NULL, NULL,
		       pipeline_teardown);
	pb_add_fixture(&t, "vivid_dma_contig_to_v2d_to_vgem",
		       test_vivid_dma_contig_to_v2d_to_vgem, NULL, NULL,
		       pipeline_teardown);
	return pb_run("pipeline", &t);
}
