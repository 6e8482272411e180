// SPDX-License-Identifier: GPL-2.0
/*
 * dynamic: v2d_emu's dynamic imports (V2D_IMPORT_DYNAMIC) of pagebuf's
 * movable buffers. The exporter moves a buffer under the engine, which
 * is told (the import's invalidation count), maps it again at its next
 * job (its remap count, its new path) and never loses a job's write,
 * also while jobs are queued and running and another thread moves the
 * buffers; a revoked buffer's next job fails with ENODEV on its fence,
 * and the revoke returns once the engine has unmapped it; a pinned
 * dynamic import is revocable on 7.1+ only; a static import beside a
 * dynamic one still pins. Kernels that pin
 * dynamic mappings (before 7.1 without CONFIG_DMABUF_MOVE_NOTIFY) must
 * refuse the move with EBUSY instead, and say so.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"
#include "v2d_lib.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <uapi/pagebuf.h>
#include <xf86drm.h>
#include <dmabuf-lab.h>

/* The surfaces: rows of 1 KiB (256 pixels of 4 bytes), 64 pages a buffer. */
#define ROW		1024u
#define ROWS		256u
#define SIZE		((uint64_t)ROW * ROWS)
#define V2D_IMPORTS	"/sys/kernel/debug/v2d_emu/imports"

static const uint32_t policies[] = { PAGEBUF_ALLOC_ORDER0, PAGEBUF_ALLOC_CONTIG, 0 };

static int import_dynamic_raw(int fd, uint32_t flags, uint32_t *handle)
{
	struct v2d_import req = { .fd = fd, .flags = flags };

	if (ioctl(vd, V2D_IOC_IMPORT, &req))
		return errno;
	*handle = req.handle;
	return 0;
}

static uint32_t import_dynamic_ok(int fd)
{
	uint32_t h = 0;
	int err = import_dynamic_raw(fd, V2D_IMPORT_DYNAMIC, &h);

	if (err) {
		pb_diag("V2D_IOC_IMPORT (dynamic): %s", pb_errname(err));
		fail();
	}
	return h;
}

static int movable_buf(unsigned char **map)
{
	int fd = alloc_buf(SIZE, PAGEBUF_ALLOC_MOVABLE | PAGEBUF_ALLOC_ORDER0, NULL);

	*map = map_buf(fd, SIZE, PROT_READ | PROT_WRITE, 0);
	return fd;
}

/* FILL row @row of @h with @value, 4 bytes a pixel; the job's fence. */
static int fill_row(uint32_t h, uint32_t row, uint32_t value, int out)
{
	struct v2d_submit req = {
		.op = V2D_OP_FILL, .cpp = 4, .value = value,
		.dst = surf(h, ROW, 0, 0, row, ROW / 4, 1),
	};

	if (out)
		return submit_ok(&req);
	if (submit_raw(&req)) {
		pb_diag("V2D_IOC_SUBMIT (fill row %u): %s", row, pb_errname(errno));
		fail();
	}
	return -1;
}

/* COPY row @row of @src to the same row of @dst, no out-fence. */
static void copy_row(uint32_t src, uint32_t dst, uint32_t row)
{
	struct v2d_submit req = {
		.op = V2D_OP_COPY, .cpp = 4,
		.src = surf(src, ROW, 0, 0, row, ROW / 4, 1),
		.dst = surf(dst, ROW, 0, 0, row, ROW / 4, 1),
	};
	int err = submit_raw(&req);

	if (err) {
		pb_diag("V2D_IOC_SUBMIT (copy row %u): %s", row, pb_errname(err));
		fail();
	}
}

static void model_row(unsigned char *m, uint32_t row, uint32_t value)
{
	for (uint32_t i = 0; i < ROW; i += 4)
		memcpy(m + (size_t)row * ROW + i, &value, 4);
}

/*
 * Whether this kernel lets dynamic mappings move: if not, check that a
 * move of @fd is refused while @h maps it, and say why nothing more is
 * tried.
 */
static int moves_under_dynamic(uint32_t h, int fd)
{
	struct v2d_query q;

	query_ok(h, &q);
	assert_true(q.state & V2D_QUERY_DYNAMIC);
	if (!(q.state & V2D_QUERY_PINNED))
		return 1;
	assert_int_equal(pb_move_raw(fd, 0, 0, NULL), EBUSY);
	pb_diag("this kernel pins dynamic mappings (before 7.1 without CONFIG_DMABUF_MOVE_NOTIFY): the move is refused with EBUSY, as it must be");
	return 0;
}

/* pagebuf's live DMA mappings, of every buffer. */
static uint64_t live_mappings(void)
{
	struct pagebuf_stats st;

	pb_stats(&st);
	return st.live_mappings;
}

/* ---- imports -------------------------------------------------------------- */

/* Unknown import flags are EINVAL; a static exporter's buffer imports dynamically. */
static void test_import_flags(void **state)
{
	unsigned char *map, *want;
	struct v2d_query q;
	uint32_t h = 0;
	int fd;

	(void)state;
	fd = alloc_buf(SIZE, PAGEBUF_ALLOC_ORDER0, NULL);
	map = map_buf(fd, SIZE, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(import_dynamic_raw(fd, V2D_IMPORT_PIN, &h), EINVAL);
	assert_int_equal(import_dynamic_raw(fd, 1u << 2, &h), EINVAL);
	assert_int_equal(import_dynamic_raw(fd, 1u << 31, &h), EINVAL);

	h = import_dynamic_ok(fd);
	query_ok(h, &q);
	assert_true(q.state & V2D_QUERY_DYNAMIC);
	assert_false(q.state & V2D_QUERY_INVALID);
	assert_int_equal(q.path, V2D_PATH_IOMMU);
	assert_int_equal(q.nr_segments, SIZE / pb_page);
	assert_int_equal(q.invalidations, 0);
	assert_int_equal(q.remaps, 0);

	want = calloc(1, SIZE);
	assert_non_null(want);
	fence_done_ok(fill_row(h, 7, 0x01020304, 1));
	model_row(want, 7, 0x01020304);
	check_buf(fd, map, want, SIZE);
	release_ok(h);
	free(want);
}

/*
 * Every move is told to the engine before the old pages go, the next job
 * maps the new ones (with the path the new policy gives), and every row
 * a job wrote, before or after any move, is in the buffer.
 */
static void test_follows_moves(void **state)
{
	unsigned char *map, *want;
	struct v2d_query q;
	uint32_t h, i, nseg;
	int fd;

	(void)state;
	fd = movable_buf(&map);
	h = import_dynamic_ok(fd);
	want = calloc(1, SIZE);
	assert_non_null(want);
	fence_done_ok(fill_row(h, 0, 0xa0a0a0a0, 1));
	model_row(want, 0, 0xa0a0a0a0);
	if (!moves_under_dynamic(h, fd))
		goto out;

	for (i = 1; i <= 9; i++) {
		uint32_t policy = policies[i % 3];

		assert_int_equal(pb_move_raw(fd, policy, 0, &nseg), 0);
		query_ok(h, &q);
		assert_true(q.state & V2D_QUERY_INVALID);
		assert_int_equal(q.invalidations, i);
		assert_int_equal(q.remaps, i - 1);
		assert_int_equal(q.nr_segments, 0);

		fence_done_ok(fill_row(h, i, 0xb0000000 | i, 1));
		model_row(want, i, 0xb0000000 | i);
		query_ok(h, &q);
		assert_false(q.state & V2D_QUERY_INVALID);
		assert_int_equal(q.remaps, i);
		assert_int_equal(q.nr_segments, nseg);
		assert_int_equal(q.path, nseg == 1 ? V2D_PATH_DIRECT : V2D_PATH_IOMMU);
		check_buf(fd, map, want, SIZE);
	}
out:
	release_ok(h);
	free(want);
}

struct mover {
	int fds[2];
	atomic_int stop;
	unsigned long moves[2];
	int err;
	/* The CPU reader: the source's mapping, and what it must hold. */
	const uint32_t *smap;
	const unsigned char *swant;
	unsigned long reads;
	long bad_at;
};

/*
 * Reads the source through its CPU mapping while it moves: a fault
 * after each move maps the new pages, which must hold the same bytes.
 */
static void *reader_main(void *arg)
{
	struct mover *m = arg;

	while (!atomic_load(&m->stop)) {
		if (memcmp(m->smap, m->swant, SIZE)) {
			for (size_t i = 0; i < SIZE; i++)
				if (((const unsigned char *)m->smap)[i] != m->swant[i]) {
					m->bad_at = (long)i;
					break;
				}
			return NULL;
		}
		m->reads++;
	}
	return NULL;
}

/* A static importer of another buffer, vgem, while the test runs (-1: none). */
static int vgem_import_other(uint32_t *handle)
{
	int drm = dmabuf_lab_vgem_open(), other;

	if (drm < 0) {
		pb_diag("no vgem (%s): no static importer beside", pb_errname(-drm));
		return -1;
	}
	track(drm);
	other = alloc_buf(SIZE, 0, NULL);
	if (drmPrimeFDToHandle(drm, other, handle)) {
		pb_diag("drmPrimeFDToHandle: %s", pb_errname(errno));
		fail();
	}
	return drm;
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	unsigned long n = 0;

	while (!atomic_load(&m->stop)) {
		int which = n % 2;
		int err = pb_move_raw(m->fds[which], policies[n % 3], 0, NULL);

		if (err) {
			m->err = err;
			break;
		}
		m->moves[which]++;
		n++;
	}
	return NULL;
}

/*
 * Two movable buffers, both imported dynamically, moved over and over by
 * another thread while this one queues FILLs into one and COPYs from one
 * to the other, a third reads the source through its CPU mapping all
 * along, and vgem holds a static attachment of another buffer: every
 * job's rows are right, the source never changes, and each buffer's
 * invalidation count is its number of moves.
 */
static void test_jobs_queued_across_moves(void **state)
{
	unsigned char *smap, *dmap, *want, *swant;
	struct mover m = { 0 };
	uint32_t hs, hd, i, vgem_handle = 0;
	struct v2d_query q;
	pthread_t t, r;
	int last;

	(void)state;
	m.fds[0] = movable_buf(&smap);
	m.fds[1] = movable_buf(&dmap);
	hs = import_dynamic_ok(m.fds[0]);
	hd = import_dynamic_ok(m.fds[1]);
	if (!moves_under_dynamic(hd, m.fds[1])) {
		release_ok(hs);
		release_ok(hd);
		return;
	}
	want = calloc(1, SIZE);
	swant = calloc(1, SIZE);
	assert_non_null(want);
	assert_non_null(swant);
	for (i = 0; i < ROWS; i++)
		model_row(swant, i, 0x5a000000 | i);
	assert_int_equal(pb_sync(m.fds[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	memcpy(smap, swant, SIZE);
	assert_int_equal(pb_sync(m.fds[0], DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	/* 601 jobs in flight at most: more than the default cap. */
	v2d_param("max_pending_jobs", "1024");

	vgem_import_other(&vgem_handle);
	m.smap = (const uint32_t *)smap;
	m.swant = swant;
	m.bad_at = -1;
	assert_int_equal(pthread_create(&t, NULL, mover_main, &m), 0);
	assert_int_equal(pthread_create(&r, NULL, reader_main, &m), 0);
	for (i = 0; i < 600; i++) {
		uint32_t row = (i * 37) % ROWS;

		if (i % 3 == 2) {
			copy_row(hs, hd, row);
			model_row(want, row, 0x5a000000 | row);
		} else {
			fill_row(hd, row, 0xc0000000 | i, 0);
			model_row(want, row, 0xc0000000 | i);
		}
	}
	/* One engine, jobs in order: the last job's fence ends them all. */
	last = fill_row(hd, ROWS - 1, 0xdddddddd, 1);
	model_row(want, ROWS - 1, 0xdddddddd);
	fence_done_ok(last);
	atomic_store(&m.stop, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pthread_join(r, NULL), 0);
	if (m.err) {
		pb_diag("a move failed: %s", pb_errname(m.err));
		fail();
	}
	pb_diag("%lu + %lu moves during 601 jobs, %lu CPU reads of the source",
		m.moves[0], m.moves[1], m.reads);
	if (m.bad_at >= 0) {
		pb_diag("the CPU read a wrong byte of the source at %ld", m.bad_at);
		fail();
	}

	check_buf(m.fds[1], dmap, want, SIZE);
	check_buf(m.fds[0], smap, swant, SIZE);
	query_ok(hs, &q);
	assert_int_equal(q.invalidations, m.moves[0]);
	query_ok(hd, &q);
	assert_int_equal(q.invalidations, m.moves[1]);
	assert_true(q.remaps <= q.invalidations);
	release_ok(hs);
	release_ok(hd);
	free(swant);
	free(want);
}

/* ---- revoke and pins ----------------------------------------------------- */

/*
 * A revoke waits for the jobs already submitted (they complete: the
 * exporter's wait is what lets them finish on the old pages); the next
 * job's fence carries ENODEV and the engine never touched the buffer.
 */
static void test_revoke_fails_later_jobs(void **state)
{
	struct v2d_stats before, after;
	unsigned char *map;
	int fd, f[4], k;
	struct v2d_query q;
	uint32_t h;

	(void)state;
	fd = movable_buf(&map);
	h = import_dynamic_ok(fd);
	if (!moves_under_dynamic(h, fd)) {
		assert_int_equal(pb_revoke_raw(fd, 0), EBUSY);
		release_ok(h);
		return;
	}
	for (k = 0; k < 3; k++)
		f[k] = fill_row(h, k, 0x11111111 * (k + 1), 1);
	assert_int_equal(pb_revoke_raw(fd, 0), 0);
	for (k = 0; k < 3; k++)
		assert_int_equal(fence_status(f[k]), 1);
	/* Returned once the engine let go of every mapping, the old ones too. */
	assert_int_equal(live_mappings(), 0);

	stats_ok(&before);
	f[3] = fill_row(h, 3, 0x44444444, 1);
	assert_int_equal(fence_wait(f[3]), -ENODEV);
	stats_ok(&after);
	assert_int_equal(after.jobs_failed, before.jobs_failed + 1);
	query_ok(h, &q);
	assert_true(q.state & V2D_QUERY_INVALID);
	assert_int_equal(q.invalidations, 1);
	assert_int_equal(q.remaps, 0);
	/* A new import cannot map it either. */
	assert_int_equal(import_dynamic_raw(fd, V2D_IMPORT_DYNAMIC, &h), ENODEV);
	release_ok(h);
	unmap_buf(map, SIZE);
}

/*
 * A dynamic import that pins, as iommufd does: never moved, but on 7.1+
 * revocable (dma_buf_attach_revocable()), and then every later job fails
 * with ENODEV; before 7.1 no pinned importer can be revoked: EBUSY, and
 * the buffer is whole.
 */
static void test_pinned_import_revocable_on_7_1(void **state)
{
	unsigned char *map, *want;
	struct v2d_query q;
	uint32_t h = 0;
	int fd, f;

	(void)state;
	fd = movable_buf(&map);
	assert_int_equal(import_dynamic_raw(fd, V2D_IMPORT_DYNAMIC | V2D_IMPORT_PIN, &h), 0);
	query_ok(h, &q);
	assert_true(q.state & V2D_QUERY_DYNAMIC);
	assert_true(q.state & V2D_QUERY_PINNED);
	assert_int_equal(pb_move_raw(fd, 0, 0, NULL), EBUSY);
	f = fill_row(h, 2, 0x22222222, 1);
	if (!(q.state & V2D_QUERY_REVOCABLE)) {
		pb_diag("no revocable attachments before 7.1: the revoke is refused");
		assert_int_equal(pb_revoke_raw(fd, 0), EBUSY);
		fence_done_ok(f);
		want = calloc(1, SIZE);
		assert_non_null(want);
		model_row(want, 2, 0x22222222);
		check_buf(fd, map, want, SIZE);
		free(want);
		release_ok(h);
		return;
	}
	assert_int_equal(pb_revoke_raw(fd, 0), 0);
	assert_int_equal(fence_status(f), 1);
	assert_int_equal(live_mappings(), 0);
	query_ok(h, &q);
	assert_true(q.state & V2D_QUERY_INVALID);
	assert_int_equal(q.invalidations, 1);
	assert_int_equal(fence_wait(fill_row(h, 3, 1, 1)), -ENODEV);
	assert_int_equal(import_dynamic_raw(fd, V2D_IMPORT_DYNAMIC | V2D_IMPORT_PIN, &h), ENODEV);
	release_ok(h);
}

/* A static import of the same buffer beside a dynamic one still pins it. */
static void test_static_beside_dynamic_pins(void **state)
{
	unsigned char *map;
	uint32_t hd, hs;
	int fd;

	(void)state;
	fd = movable_buf(&map);
	hd = import_dynamic_ok(fd);
	if (!moves_under_dynamic(hd, fd)) {
		release_ok(hd);
		return;
	}
	hs = import_ok(fd);
	assert_int_equal(pb_move_raw(fd, 0, 0, NULL), EBUSY);
	assert_int_equal(pb_revoke_raw(fd, 0), EBUSY);
	release_ok(hs);
	assert_int_equal(pb_move_raw(fd, PAGEBUF_ALLOC_CONTIG, 0, NULL), 0);
	fence_done_ok(fill_row(hd, 1, 0x12345678, 1));
	release_ok(hd);
}

/* ---- debugfs ---------------------------------------------------------------- */

/* The mapping column of @h's line in the imports file. */
static void mapping_column(uint32_t h, char *out, size_t len)
{
	char *text = dl_read(V2D_IMPORTS), *line, *save = NULL;
	char prefix[16];

	assert_non_null(text);
	snprintf(prefix, sizeof(prefix), "%u ", h);
	out[0] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[12] = { 0 }, *fsave = NULL, *tok;
		int i = 0;

		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		for (tok = strtok_r(line, " ", &fsave); tok && i < 12; tok = strtok_r(NULL, " ", &fsave))
			f[i++] = tok;
		assert_non_null(f[10]);
		snprintf(out, len, "%s", f[10]);
	}
	free(text);
	assert_true(out[0]);
}

static void test_debugfs_shows_invalidations(void **state)
{
	unsigned char *map;
	char col[64];
	uint32_t h, hs;
	int fd;

	(void)state;
	if (access(V2D_IMPORTS, R_OK))
		skip_because("no " V2D_IMPORTS ": debugfs not mounted");
	fd = movable_buf(&map);
	hs = import_ok(fd);
	mapping_column(hs, col, sizeof(col));
	assert_string_equal(col, "static");
	release_ok(hs);
	h = import_dynamic_ok(fd);
	mapping_column(h, col, sizeof(col));
	if (!moves_under_dynamic(h, fd)) {
		assert_string_equal(col, "dynamic,pinned,0,0");
		release_ok(h);
		return;
	}
	assert_string_equal(col, "dynamic,0,0");
	assert_int_equal(pb_move_raw(fd, PAGEBUF_ALLOC_CONTIG, 0, NULL), 0);
	mapping_column(h, col, sizeof(col));
	assert_string_equal(col, "dynamic,invalid,1,0");
	fence_done_ok(fill_row(h, 0, 1, 1));
	mapping_column(h, col, sizeof(col));
	assert_string_equal(col, "dynamic,1,1");
	release_ok(h);
}

/* Every test's fds, mappings and imports are gone: so is all they held. */
static void test_leaves_nothing(void **state)
{
	(void)state;
	v2d_assert_idle();
}

int main(void)
{
	struct pb_tests t = { 0 };

	v2d_open_for_tests();
#define ADD(name) pb_add_fixture(&t, "dynamic_" #name, test_##name, NULL, NULL, v2d_teardown)
	ADD(import_flags);
	ADD(follows_moves);
	ADD(jobs_queued_across_moves);
	ADD(revoke_fails_later_jobs);
	ADD(pinned_import_revocable_on_7_1);
	ADD(static_beside_dynamic_pins);
	ADD(debugfs_shows_invalidations);
	ADD(leaves_nothing);
#undef ADD
	return pb_run("move", &t);
}
