// SPDX-License-Identifier: GPL-2.0
/*
 * move: buffers allocated with PAGEBUF_ALLOC_MOVABLE keep their contents
 * over PAGEBUF_IOC_MOVE, whatever the policy of the new pages; CPU
 * mappings made before a move see the new pages, writes racing with a
 * move are never lost; a static importer's pin (v2d_emu's) makes a move
 * fail with EBUSY until it lets go; every bad request fails with its errno and
 * leaves the buffer as it was; a revoked buffer refuses every access;
 * nothing leaks.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"
#include "v2d_lib.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <dmabuf-lab.h>

#define move_ok(fd, flags) move_ok_at((fd), (flags), __FILE__, __LINE__)
static uint32_t move_ok_at(int fd, uint32_t flags, const char *file, int line)
{
	uint32_t nseg = 0;
	int err = pb_move_raw(fd, flags, 0, &nseg);

	if (err) {
		pb_diag("%s:%d: move to policy %#x: %s", file, line, flags, pb_errname(err));
		fail();
	}
	return nseg;
}

#define move_fails(fd, flags, reserved, want) \
	move_fails_at((fd), (flags), (reserved), (want), __FILE__, __LINE__)
static void move_fails_at(int fd, uint32_t flags, uint32_t reserved, int want,
			  const char *file, int line)
{
	int err = pb_move_raw(fd, flags, reserved, NULL);

	if (err != want) {
		pb_diag("%s:%d: move (flags %#x, reserved %u): expected %s, got %s", file,
			line, flags, reserved, pb_errname(want), pb_errname(err));
		fail();
	}
}

static int movable_ok(uint64_t size, uint32_t policy, uint32_t *nr_segments)
{
	return pb_alloc_ok(size, PAGEBUF_ALLOC_MOVABLE | policy, nr_segments);
}

/* The segments a policy gives @size bytes: ORDER0 one a page, CONTIG one. */
static void assert_segments(uint32_t policy, uint64_t size, uint32_t nseg)
{
	if (policy == PAGEBUF_ALLOC_ORDER0)
		assert_int_equal(nseg, size / pb_page);
	else if (policy == PAGEBUF_ALLOC_CONTIG)
		assert_int_equal(nseg, 1);
	else
		assert_true(nseg >= 1 && nseg <= size / pb_page);
}

/*
 * Through every policy and back, a mapping made before the first move
 * and one made after the last see the same bytes, and what one writes
 * the other reads: both reach the buffer's current pages.
 */
static void test_contents_survive_every_policy(void **state)
{
	static const uint32_t order[] = {
		PAGEBUF_ALLOC_ORDER0, PAGEBUF_ALLOC_CONTIG, 0, PAGEBUF_ALLOC_CONTIG,
		PAGEBUF_ALLOC_ORDER0, 0,
	};
	uint64_t size = 2 * MIB;
	struct pb_snap s;
	uint32_t nseg;
	void *m, *m2;
	size_t i;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = movable_ok(size, 0, &nseg);
	assert_segments(0, size, nseg);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 7000);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		nseg = move_ok(fd, order[i]);
		assert_segments(order[i], size, nseg);
		assert_pattern(m, size, 7000 + i);
		pb_fill(m, size, 7001 + i);
	}
	m2 = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	assert_pattern(m2, size, 7000 + i);
	pb_fill(m2, size, 8000);
	assert_pattern(m, size, 8000);
	pb_unmap(m2, size);
	/* The counters see one buffer of the same size all along. */
	pb_assert_delta(&s, 1, (int64_t)size);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

/* A mapping from an offset, and a read-only one, follow the move too. */
static void test_offset_and_readonly_mappings_follow(void **state)
{
	uint64_t size = 64 * pb_page;
	unsigned char *m, *part, *ro;
	int fd;

	(void)state;
	fd = movable_ok(size, PAGEBUF_ALLOC_ORDER0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 42);
	part = pb_map(fd, 8 * pb_page, PROT_READ | PROT_WRITE, 5 * pb_page);
	ro = pb_map(fd, size, PROT_READ, 0);
	assert_memory_equal(part, m + 5 * pb_page, 8 * pb_page);
	move_ok(fd, PAGEBUF_ALLOC_CONTIG);
	assert_pattern(ro, size, 42);
	memset(part, 0x5a, 8 * pb_page);
	assert_bytes(m + 5 * pb_page, 8 * pb_page, 0x5a);
	assert_bytes(ro + 5 * pb_page, 8 * pb_page, 0x5a);
	assert_pattern(m, 5 * pb_page, 42);
	pb_unmap(part, 8 * pb_page);
	pb_unmap(ro, size);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
}

/* ---- a writer racing with moves --------------------------------------- */

struct writer {
	uint64_t *map, *shadow;
	size_t words;
	atomic_int stop;
	unsigned long passes;
};

/*
 * Write every word of the buffer again and again, each time with a new
 * value, and keep what was written last in a private copy: a write that
 * reached old pages after the move copied them would be lost.
 */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t v = 1;
	size_t i;

	while (!atomic_load(&w->stop)) {
		/* A stride that crosses pages at every step. */
		for (i = 0; i < w->words; i++) {
			size_t k = (i * 515) % w->words;

			w->map[k] = v;
			w->shadow[k] = v++;
		}
		w->passes++;
	}
	return NULL;
}

static void test_writes_racing_moves_are_kept(void **state)
{
	static const uint32_t policies[] = { PAGEBUF_ALLOC_ORDER0, 0, PAGEBUF_ALLOC_CONTIG };
	uint64_t size = 1 * MIB;
	struct writer w = { 0 };
	pthread_t t;
	size_t i;
	int fd;

	(void)state;
	fd = movable_ok(size, 0, NULL);
	w.words = size / sizeof(uint64_t);
	w.map = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	w.shadow = calloc(w.words, sizeof(uint64_t));
	assert_non_null(w.shadow);
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	for (i = 0; i < 30; i++)
		move_ok(fd, policies[i % 3]);
	atomic_store(&w.stop, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	pb_diag("30 moves while the writer made %lu passes", w.passes);
	for (i = 0; i < w.words; i++) {
		if (w.map[i] != w.shadow[i]) {
			pb_diag("word %zu is %#llx, the writer last wrote %#llx", i,
				(unsigned long long)w.map[i], (unsigned long long)w.shadow[i]);
			fail();
		}
	}
	free(w.shadow);
	pb_unmap(w.map, size);
	assert_int_equal(close(fd), 0);
}

/* ---- pins -------------------------------------------------------------- */

/*
 * v2d_emu imports like most drivers, statically, and maps the buffer at
 * import: the core pins the buffer for it (at attach before 7.x, at map
 * since), so a move fails with EBUSY until the engine lets the buffer go,
 * and the buffer is still whole. Afterwards it moves again.
 */
static void test_static_importer_pins(void **state)
{
	uint64_t size = 16 * pb_page;
	uint32_t handle = 0;
	int v2d, fd, err;
	void *m;

	(void)state;
	v2d = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	if (v2d < 0)
		skip_because("cannot open %s: %s", V2D_DEVICE, pb_errname(errno));
	fd = movable_ok(size, 0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 99);
	err = -dmabuf_lab_v2d_import(v2d, fd, &handle);
	if (err) {
		pb_diag("V2D_IOC_IMPORT: %s", pb_errname(err));
		fail();
	}
	move_fails(fd, PAGEBUF_ALLOC_ORDER0, 0, EBUSY);
	move_fails(fd, 0, 0, EBUSY);
	assert_pattern(m, size, 99);
	assert_int_equal(dmabuf_lab_v2d_release(v2d, handle), 0);
	assert_int_equal(move_ok(fd, PAGEBUF_ALLOC_ORDER0), size / pb_page);
	assert_pattern(m, size, 99);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(v2d), 0);
}

/* ---- bad requests ------------------------------------------------------- */

static void test_bad_requests_leave_the_buffer(void **state)
{
	uint64_t size = 8 * pb_page;
	struct pb_snap s;
	int fd, fixed, nul;
	uint32_t nseg;
	void *m;

	(void)state;
	fd = movable_ok(size, PAGEBUF_ALLOC_ORDER0, &nseg);
	fixed = pb_alloc_ok(size, 0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 5);
	pb_snap(&s);

	move_fails(fd, 1U << 5, 0, EINVAL);
	move_fails(fd, PAGEBUF_ALLOC_MOVABLE, 0, EINVAL);
	move_fails(fd, PAGEBUF_ALLOC_ORDER0 | PAGEBUF_ALLOC_CONTIG, 0, EINVAL);
	move_fails(fd, 0, 1, EINVAL);
	/* Not movable: allocated without the flag. */
	move_fails(fixed, 0, 0, EINVAL);
	/* Not a dma-buf, and no fd at all. */
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(nul >= 0);
	move_fails(nul, 0, 0, EINVAL);
	assert_int_equal(close(nul), 0);
	move_fails(-1, 0, 0, EBADF);
	move_fails(nul, 0, 0, EBADF);

	pb_assert_unchanged(&s);
	assert_pattern(m, size, 5);
	pb_unmap(m, size);
	assert_int_equal(close(fixed), 0);
	assert_int_equal(close(fd), 0);
}

/* A policy that cannot hold the buffer: ENOMEM, and the buffer is whole. */
static void test_contig_too_big_keeps_the_buffer(void **state)
{
	uint64_t size = 16 * MIB;
	uint32_t nseg, after;
	struct pb_snap s;
	void *m;
	int fd;

	(void)state;
	pb_params_allow(size);
	fd = movable_ok(size, 0, &nseg);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 321);
	pb_snap(&s);
	move_fails(fd, PAGEBUF_ALLOC_CONTIG, 0, ENOMEM);
	pb_assert_unchanged(&s);
	assert_pattern(m, size, 321);
	after = move_ok(fd, 0);
	assert_segments(0, size, after);
	assert_pattern(m, size, 321);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
}

/* In a child: become nobody, then expect EPERM from @cmd on @arg. */
static int unprivileged_ioctl(unsigned long cmd, void *arg, const char *what)
{
	int ret;

	CHILD_CHECK(setresgid(65534, 65534, 65534) == 0, "setresgid: %s", pb_errname(errno));
	CHILD_CHECK(setresuid(65534, 65534, 65534) == 0, "setresuid: %s", pb_errname(errno));
	ret = ioctl(pb_dev, cmd, arg);
	CHILD_CHECK(ret == -1 && errno == EPERM, "an unprivileged %s returned %d (%s), not EPERM",
		    what, ret, pb_errname(errno));
	return 0;
}

static int unprivileged_move(void *arg)
{
	struct pagebuf_move mv = { .fd = *(int *)arg };

	return unprivileged_ioctl(PAGEBUF_IOC_MOVE, &mv, "MOVE");
}

static void test_unprivileged_is_eperm(void **state)
{
	uint32_t nseg;
	int fd;

	(void)state;
	fd = movable_ok(4 * pb_page, PAGEBUF_ALLOC_ORDER0, &nseg);
	assert_int_equal(pb_in_child(unprivileged_move, &fd), 0);
	/* Still the ORDER0 pages: a move to the default would make 1 segment. */
	assert_int_equal(move_ok(fd, PAGEBUF_ALLOC_ORDER0), nseg);
	assert_int_equal(close(fd), 0);
}

/* The CPU-access brackets and a fresh buffer's zeroes, as for any buffer. */
static void test_movable_is_zeroed_and_syncs(void **state)
{
	uint64_t size = 32 * pb_page;
	unsigned char *m;
	int fd;

	(void)state;
	fd = movable_ok(size, PAGEBUF_ALLOC_CONTIG, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	assert_bytes(m, size, 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	memset(m, 0xc3, size);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);
	move_ok(fd, 0);
	assert_bytes(m, size, 0xc3);
	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
}

/* ---- revoke ------------------------------------------------------------- */

/* PAGEBUF_IOC_REVOKE: 0 or the errno value. */
static int touch_mapping(void *arg)
{
	volatile unsigned char *p = arg;

	return p[0] == 0x77 ? 3 : 4;	/* never: the read raises SIGBUS */
}

/*
 * A revoked buffer refuses every new access with ENODEV and its CPU
 * mappings raise SIGBUS; while v2d_emu maps it, revoking is EBUSY. The fd
 * stays valid and the buffer goes when it is closed.
 */
static void test_revoke_ends_access(void **state)
{
	uint64_t size = 16 * pb_page;
	uint32_t handle = 0;
	struct pb_snap s;
	int v2d, fd, err;
	unsigned char *m;
	void *m2;

	(void)state;
	pb_snap(&s);
	fd = movable_ok(size, 0, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	memset(m, 0x77, size);
	v2d = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	if (v2d >= 0) {
		err = -dmabuf_lab_v2d_import(v2d, fd, &handle);
		assert_int_equal(err, 0);
		assert_int_equal(pb_revoke_raw(fd, 0), EBUSY);
		assert_bytes(m, size, 0x77);
		assert_int_equal(dmabuf_lab_v2d_release(v2d, handle), 0);
	} else {
		pb_diag("no %s (%s): the pinned case is not tried", V2D_DEVICE,
			pb_errname(errno));
	}
	assert_int_equal(pb_revoke_raw(fd, 0), 0);

	assert_int_equal(pb_in_child(touch_mapping, m), 128 + SIGBUS);
	errno = 0;
	m2 = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(m2 == MAP_FAILED);
	assert_int_equal(errno, ENODEV);
	move_fails(fd, 0, 0, ENODEV);
	if (v2d >= 0) {
		assert_int_equal(dmabuf_lab_v2d_import(v2d, fd, &handle), -ENODEV);
		assert_int_equal(close(v2d), 0);
	}
	/* Again: nothing more to do. */
	assert_int_equal(pb_revoke_raw(fd, 0), 0);

	pb_unmap(m, size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static int unprivileged_revoke(void *arg)
{
	struct pagebuf_revoke r = { .fd = *(int *)arg };

	return unprivileged_ioctl(PAGEBUF_IOC_REVOKE, &r, "REVOKE");
}

static void test_revoke_bad_requests(void **state)
{
	uint64_t size = 4 * pb_page;
	int fd, fixed, nul;
	void *m;

	(void)state;
	fd = movable_ok(size, 0, NULL);
	fixed = pb_alloc_ok(size, 0, NULL);
	assert_int_equal(pb_revoke_raw(fd, 1), EINVAL);
	assert_int_equal(pb_revoke_raw(fixed, 0), EINVAL);
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(nul >= 0);
	assert_int_equal(pb_revoke_raw(nul, 0), EINVAL);
	assert_int_equal(close(nul), 0);
	assert_int_equal(pb_revoke_raw(-1, 0), EBADF);
	assert_int_equal(pb_in_child(unprivileged_revoke, &fd), 0);
	/* None of them revoked it. */
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 11);
	move_ok(fd, PAGEBUF_ALLOC_ORDER0);
	assert_pattern(m, size, 11);
	pb_unmap(m, size);
	assert_int_equal(close(fixed), 0);
	assert_int_equal(close(fd), 0);
}

/* The last field of the buffer's line in pagebuf's debugfs "buffers". */
static void debugfs_moves(int fd, char *moves, size_t len)
{
	char prefix[32], line[512], *text, *last;

	text = dl_read("/sys/kernel/debug/pagebuf/buffers");
	if (!text)
		skip_because("no /sys/kernel/debug/pagebuf/buffers: debugfs not mounted");
	snprintf(prefix, sizeof(prefix), "%lu ", dl_ino(fd));
	if (!dl_line(text, prefix, NULL, line, sizeof(line))) {
		free(text);
		pb_diag("buffer %s is not listed", prefix);
		fail();
	}
	free(text);
	last = strrchr(line, ' ');
	assert_non_null(last);
	snprintf(moves, len, "%s", last + 1);
}

/* debugfs counts a movable buffer's moves and says when it is revoked; a fixed buffer shows "-". */
static void test_debugfs_counts_moves(void **state)
{
	char moves[32];
	int fd, fixed;

	(void)state;
	fd = movable_ok(4 * pb_page, 0, NULL);
	fixed = pb_alloc_ok(4 * pb_page, 0, NULL);
	debugfs_moves(fd, moves, sizeof(moves));
	assert_string_equal(moves, "0");
	move_ok(fd, PAGEBUF_ALLOC_ORDER0);
	move_ok(fd, PAGEBUF_ALLOC_CONTIG);
	move_fails(fd, 0, 1, EINVAL);
	move_ok(fd, 0);
	debugfs_moves(fd, moves, sizeof(moves));
	assert_string_equal(moves, "3");
	debugfs_moves(fixed, moves, sizeof(moves));
	assert_string_equal(moves, "-");
	assert_int_equal(pb_revoke_raw(fd, 0), 0);
	debugfs_moves(fd, moves, sizeof(moves));
	assert_string_equal(moves, "3,revoked");
	assert_int_equal(close(fixed), 0);
	assert_int_equal(close(fd), 0);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add(&t, "contents_survive_every_policy", test_contents_survive_every_policy, NULL);
	pb_add(&t, "offset_and_readonly_mappings_follow", test_offset_and_readonly_mappings_follow,
	       NULL);
	pb_add(&t, "writes_racing_moves_are_kept", test_writes_racing_moves_are_kept, NULL);
	pb_add(&t, "static_importer_pins", test_static_importer_pins, NULL);
	pb_add(&t, "bad_requests_leave_the_buffer", test_bad_requests_leave_the_buffer, NULL);
	pb_add_fixture(&t, "contig_too_big_keeps_the_buffer", test_contig_too_big_keeps_the_buffer,
		       NULL, NULL, pb_restore_params_teardown);
	pb_add(&t, "unprivileged_is_eperm", test_unprivileged_is_eperm, NULL);
	pb_add(&t, "movable_is_zeroed_and_syncs", test_movable_is_zeroed_and_syncs, NULL);
	pb_add(&t, "revoke_ends_access", test_revoke_ends_access, NULL);
	pb_add(&t, "revoke_bad_requests", test_revoke_bad_requests, NULL);
	pb_add(&t, "debugfs_counts_moves_and_revoke", test_debugfs_counts_moves, NULL);
	return pb_run("move", &t);
}
