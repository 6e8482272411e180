// SPDX-License-Identifier: GPL-2.0
/*
 * import: a DRM driver (vgem) imports pagebuf buffers. Importing attaches
 * and maps the buffer for the device (one attachment per DRM file, however
 * often the fd is imported), exporting the handle again gives back the very
 * same dma-buf, the importer keeps the buffer alive on its own, and once
 * the handle and every fd are gone the buffer is freed.
 *
 * vgem (with drm and drm_shmem_helper) is loaded by the suite before this
 * program runs. DRM cannot map an imported object itself, so the data is
 * checked through pagebuf's own mmap.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <dmabuf-lab.h>

static int vgem_or_skip(void)
{
	int fd = dmabuf_lab_vgem_open();

	if (fd < 0)
		skip_because("no vgem DRM device under /dev/dri");
	return fd;
}

static uint32_t import_ok(int drm, int fd)
{
	uint32_t handle = 0;

	if (drmPrimeFDToHandle(drm, fd, &handle)) {
		pb_diag("drmPrimeFDToHandle: %s", pb_errname(errno));
		fail();
	}
	assert_int_not_equal(handle, 0);
	return handle;
}

static int export_ok(int drm, uint32_t handle)
{
	int fd = -1;

	if (drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR, &fd)) {
		pb_diag("drmPrimeHandleToFD: %s", pb_errname(errno));
		fail();
	}
	assert_true(fd >= 0);
	return fd;
}

static void gem_close(int drm, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	if (drmIoctl(drm, DRM_IOCTL_GEM_CLOSE, &c)) {
		pb_diag("DRM_IOCTL_GEM_CLOSE: %s", pb_errname(errno));
		fail();
	}
}

/*
 * Whether vgem maps an attachment when it imports a dma-buf. Kernels
 * whose DRM_GEM_SHMEM_DRIVER_OPS import with
 * drm_gem_shmem_prime_import_no_map() (7.x) only attach: the exporter
 * then sees an attachment and no mapping until the importer needs the
 * pages, which vgem never does. Found out once, on a buffer of its own.
 */
static int vgem_import_maps = -1;

static int vgem_maps_on_import(void)
{
	struct pagebuf_stats before, after;
	struct drm_gem_close c = { 0 };
	int drm, fd;

	if (vgem_import_maps >= 0)
		return vgem_import_maps;
	drm = dmabuf_lab_vgem_open();
	if (drm < 0)
		return 1;
	fd = pb_alloc_ok(pb_page, 0, NULL);
	pb_stats(&before);
	if (drmPrimeFDToHandle(drm, fd, &c.handle)) {
		pb_diag("drmPrimeFDToHandle: %s", pb_errname(errno));
		fail();
	}
	pb_stats(&after);
	drmIoctl(drm, DRM_IOCTL_GEM_CLOSE, &c);
	close(fd);
	close(drm);
	vgem_import_maps = after.live_mappings > before.live_mappings;
	if (!vgem_import_maps)
		pb_diag("vgem attaches without mapping on this kernel (drm_gem_shmem_prime_import_no_map): expecting no mapped attachment");
	return vgem_import_maps;
}

static void assert_counts(const struct pb_snap *s, uint64_t bufs, uint64_t atts,
			  uint64_t maps)
{
	struct pagebuf_stats st;

	if (maps && !vgem_maps_on_import())
		maps = 0;
	pb_stats(&st);
	if (st.live_buffers != s->st.live_buffers + bufs ||
	    st.live_attachments != s->st.live_attachments + atts ||
	    st.live_mappings != s->st.live_mappings + maps ||
	    st.live_vmaps != s->st.live_vmaps) {
		pb_diag("expected +%llu buffers, +%llu attachments, +%llu mapped attachments, +0 vmaps",
			(unsigned long long)bufs, (unsigned long long)atts,
			(unsigned long long)maps);
		pb_stats_diag("before", &s->st);
		pb_stats_diag("now", &st);
		fail();
	}
}

static void test_import_attaches_and_maps(void **state)
{
	const struct pb_policy *p = *state;
	uint64_t size = 64 * pb_page;
	struct pb_snap s;
	uint32_t handle;
	int drm, fd;
	void *m;

	pb_snap(&s);
	drm = vgem_or_skip();
	fd = pb_alloc_ok(size, p->flags, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 900);
	assert_counts(&s, 1, 0, 0);

	/* drm_gem_prime_import attaches and maps the attachment at once. */
	handle = import_ok(drm, fd);
	assert_counts(&s, 1, 1, 1);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	assert_pattern(m, size, 900);
	pb_fill(m, size, 901);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);

	gem_close(drm, handle);
	assert_counts(&s, 1, 0, 0);
	assert_pattern(m, size, 901);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(drm), 0);
	pb_assert_unchanged(&s);
}

static void test_reimport_same_handle(void **state)
{
	uint32_t h1, h2, h3;
	struct pb_snap s;
	int drm, fd, fd2;

	(void)state;
	pb_snap(&s);
	drm = vgem_or_skip();
	fd = pb_alloc_ok(4 * pb_page, 0, NULL);
	h1 = import_ok(drm, fd);
	h2 = import_ok(drm, fd);
	fd2 = dup(fd);
	assert_true(fd2 >= 0);
	h3 = import_ok(drm, fd2);
	assert_int_equal(h1, h2);
	assert_int_equal(h1, h3);
	assert_counts(&s, 1, 1, 1);
	gem_close(drm, h1);
	assert_counts(&s, 1, 0, 0);
	assert_int_equal(close(fd2), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(drm), 0);
	pb_assert_unchanged(&s);
}

static void test_second_drm_file_own_attachment(void **state)
{
	struct pb_snap s;
	int drm1, drm2, fd;

	(void)state;
	pb_snap(&s);
	drm1 = vgem_or_skip();
	drm2 = dmabuf_lab_vgem_open();
	assert_true(drm2 >= 0);
	fd = pb_alloc_ok(8 * pb_page, PAGEBUF_ALLOC_ORDER0, NULL);
	import_ok(drm1, fd);
	import_ok(drm2, fd);
	assert_counts(&s, 1, 2, 2);
	/* Closing a DRM file drops its handles and so its attachment. */
	assert_int_equal(close(drm2), 0);
	assert_counts(&s, 1, 1, 1);
	assert_int_equal(close(fd), 0);
	assert_counts(&s, 1, 1, 1);
	assert_int_equal(close(drm1), 0);
	pb_assert_unchanged(&s);
}

static void test_export_back_same_buffer(void **state)
{
	uint64_t size = 16 * pb_page;
	struct stat st1, st2;
	char n1[64], n2[64];
	struct pb_snap s;
	uint32_t handle;
	int drm, fd, back;
	void *m, *mb;

	(void)state;
	pb_snap(&s);
	drm = vgem_or_skip();
	assert_int_equal(pb_alloc(size, PAGEBUF_ALLOC_CONTIG, O_RDWR | O_CLOEXEC, "to-vgem",
				  &fd, NULL), 0);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 910);
	handle = import_ok(drm, fd);
	back = export_ok(drm, handle);

	assert_succeeds(fstat(fd, &st1));
	assert_succeeds(fstat(back, &st2));
	if (st1.st_ino != st2.st_ino || st1.st_dev != st2.st_dev) {
		pb_diag("exported back as inode %llu, ours is %llu: not the same dma-buf",
			(unsigned long long)st2.st_ino, (unsigned long long)st1.st_ino);
		fail();
	}
	assert_int_equal(pb_fdinfo(0, back, "exp_name", n2, sizeof(n2)), 0);
	assert_string_equal(n2, "pagebuf");
	assert_int_equal(pb_fdinfo(0, fd, "name", n1, sizeof(n1)), 0);
	assert_int_equal(pb_fdinfo(0, back, "name", n2, sizeof(n2)), 0);
	assert_string_equal(n1, n2);
	assert_int_equal(lseek(back, 0, SEEK_END), size);
	/* Still one buffer, one attachment. */
	assert_counts(&s, 1, 1, 1);

	mb = pb_map(back, size, PROT_READ | PROT_WRITE, 0);
	assert_pattern(mb, size, 910);
	pb_fill(mb, size, 911);
	assert_pattern(m, size, 911);

	pb_unmap(mb, size);
	pb_unmap(m, size);
	assert_int_equal(close(back), 0);
	gem_close(drm, handle);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(drm), 0);
	pb_assert_unchanged(&s);
}

static void test_importer_keeps_buffer(void **state)
{
	uint64_t size = 33 * pb_page;
	struct pb_snap s;
	uint32_t handle;
	int drm, fd;
	void *m;

	(void)state;
	pb_snap(&s);
	drm = vgem_or_skip();
	fd = pb_alloc_ok(size, 0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 920);
	handle = import_ok(drm, fd);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);

	/* Only the importer holds it now: still alive, data intact. */
	assert_counts(&s, 1, 1, 1);
	fd = export_ok(drm, handle);
	m = pb_map(fd, size, PROT_READ, 0);
	assert_pattern(m, size, 920);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	assert_counts(&s, 1, 1, 1);

	/* The handle was the last reference. */
	gem_close(drm, handle);
	pb_assert_delta(&s, 0, 0);
	assert_int_equal(close(drm), 0);
	pb_assert_unchanged(&s);
}

static void test_sync_with_importer(void **state)
{
	const struct pb_policy *p = *state;
	uint64_t size = 20 * pb_page;
	struct pb_snap s;
	int drm1, drm2, fd;
	void *m;

	pb_snap(&s);
	drm1 = vgem_or_skip();
	drm2 = dmabuf_lab_vgem_open();
	assert_true(drm2 >= 0);
	fd = pb_alloc_ok(size, p->flags, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	import_ok(drm1, fd);
	import_ok(drm2, fd);
	/* CPU access brackets with two mapped attachments. */
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	pb_fill(m, size, 930);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_pattern(m, size, 930);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);
	assert_counts(&s, 1, 2, 2);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(drm1), 0);
	assert_int_equal(close(drm2), 0);
	pb_assert_unchanged(&s);
}

/*
 * The demo buffer is not a live buffer, but an importer's attachment to it
 * is counted like any other, so that an importer's leak shows.
 */
static void test_demo_import_counts_attachment_not_buffer(void **state)
{
	struct pb_snap s;
	uint32_t handle;
	int drm, fd = -1, back;
	char *m;

	(void)state;
	pb_snap(&s);
	drm = vgem_or_skip();
	assert_succeeds(ioctl(pb_dev, PAGEBUF_IOC_CLASSIC_GET_FD, &fd));
	handle = import_ok(drm, fd);
	assert_counts(&s, 0, 1, 1);
	back = export_ok(drm, handle);
	m = pb_map(back, pb_page, PROT_READ, 0);
	pb_unmap(m, pb_page);
	assert_int_equal(close(back), 0);
	gem_close(drm, handle);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(drm), 0);
	pb_assert_unchanged(&s);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add_per_policy(&t, "import_attaches_and_maps_once", test_import_attaches_and_maps, NULL);
	pb_add(&t, "reimport_gives_same_handle_and_no_new_attachment", test_reimport_same_handle, NULL);
	pb_add(&t, "each_drm_file_has_its_own_attachment", test_second_drm_file_own_attachment, NULL);
	pb_add(&t, "handle_to_fd_gives_back_the_same_buffer", test_export_back_same_buffer, NULL);
	pb_add(&t, "importer_keeps_buffer_until_gem_close_then_freed", test_importer_keeps_buffer, NULL);
	pb_add_per_policy(&t, "cpu_sync_with_two_importers", test_sync_with_importer, NULL);
	pb_add(&t, "demo_buffer_import_counts_attachment_not_buffer",
	       test_demo_import_counts_attachment_not_buffer, NULL);
	return pb_run("import", &t);
}
