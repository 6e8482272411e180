// SPDX-License-Identifier: GPL-2.0
/*
 * roundtrip: data written into a buffer is seen by every other view of it:
 * a second mapping, a forked child (through the inherited mapping and its
 * own), and a process that receives the fd over SCM_RIGHTS, for every
 * allocation policy and several sizes. The buffer reports the segment
 * count its policy implies, and is freed when the last view is gone.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/dma-buf.h>

struct rt_case {
	int policy;
	uint64_t size;
};

struct fork_arg {
	int fd;
	void *inherited;
	size_t size;
	uint64_t seed_in, seed_out;
};

/* A forked child: sees the parent's data, writes its own through a new map. */
static int forked_child(void *p)
{
	struct fork_arg *a = p;
	long off;
	void *own;

	off = pb_check(a->inherited, a->size, a->seed_in);
	CHILD_CHECK(off < 0, "inherited mapping differs at offset %ld", off);
	own = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	CHILD_CHECK(own != MAP_FAILED, "mmap of the inherited fd: %s", pb_errname(errno));
	off = pb_check(own, a->size, a->seed_in);
	CHILD_CHECK(off < 0, "own mapping differs at offset %ld", off);
	CHILD_CHECK(pb_sync(a->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0,
		    "sync start failed");
	pb_fill(own, a->size, a->seed_out);
	CHILD_CHECK(pb_sync(a->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0,
		    "sync end failed");
	CHILD_CHECK(munmap(own, a->size) == 0, "munmap: %s", pb_errname(errno));
	return 0;
}

/*
 * A process that never had the fd: receives it over a unix socket together
 * with the seed of the data it must find, then writes seed + 1.
 */
static int receiver(void *p)
{
	int sock = *(int *)p;
	uint64_t seed;
	off_t size;
	int fd, err;
	long off;
	void *map;
	char ack = 'k';

	err = pb_recv_fd(sock, &fd, &seed);
	CHILD_CHECK(err == 0, "receiving the fd: %s", pb_errname(err));
	size = lseek(fd, 0, SEEK_END);
	CHILD_CHECK(size > 0, "lseek(SEEK_END) of the received fd: %s", pb_errname(errno));
	map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHILD_CHECK(map != MAP_FAILED, "mmap of the received fd: %s", pb_errname(errno));
	CHILD_CHECK(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) == 0, "sync start");
	off = pb_check(map, (size_t)size, seed);
	CHILD_CHECK(off < 0, "received buffer differs at offset %ld", off);
	pb_fill(map, (size_t)size, seed + 1);
	CHILD_CHECK(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) == 0, "sync end");
	CHILD_CHECK(munmap(map, (size_t)size) == 0, "munmap: %s", pb_errname(errno));
	CHILD_CHECK(close(fd) == 0, "close: %s", pb_errname(errno));
	CHILD_CHECK(write(sock, &ack, 1) == 1, "ack: %s", pb_errname(errno));
	return 0;
}

static void check_segments(const struct rt_case *c, uint32_t nseg)
{
	uint64_t pages = c->size / pb_page;
	/* The default policy's largest chunk is order 8. */
	uint64_t min_default = (pages + 255) / 256;

	switch (pb_policies[c->policy].flags) {
	case PAGEBUF_ALLOC_CONTIG:
		assert_int_equal(nseg, 1);
		break;
	case PAGEBUF_ALLOC_ORDER0:
		assert_int_equal(nseg, pages);
		break;
	default:
		if (nseg < min_default || nseg > pages) {
			pb_diag("default policy: %u segments for %llu pages (expected %llu..%llu)",
				nseg, (unsigned long long)pages,
				(unsigned long long)min_default,
				(unsigned long long)pages);
			fail();
		}
	}
}

static void test_shared_views(void **state)
{
	const struct rt_case *c = *state;
	uint32_t flags = pb_policies[c->policy].flags;
	uint64_t seed = 0x5eed0000 + c->size + c->policy;
	struct fork_arg fa;
	struct pb_snap s;
	uint32_t nseg;
	int sv[2], fd, rc;
	void *m1, *m2;
	pid_t rx;
	char info[64], ack;

	pb_params_allow(c->size);
	pb_snap(&s);

	/* The receiver exists before the buffer, so it cannot inherit it. */
	assert_succeeds(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	rx = pb_spawn(receiver, &sv[1]);
	close(sv[1]);

	fd = pb_alloc_ok(c->size, flags, &nseg);
	check_segments(c, nseg);
	pb_assert_delta(&s, 1, (int64_t)c->size);
	assert_int_equal(pb_fdinfo(0, fd, "size", info, sizeof(info)), 0);
	assert_int_equal(strtoull(info, NULL, 10), c->size);
	assert_int_equal(lseek(fd, 0, SEEK_END), c->size);

	m1 = pb_map(fd, c->size, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	assert_bytes(m1, c->size, 0);
	pb_fill(m1, c->size, seed);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);

	/* A second mapping of the same fd. */
	m2 = pb_map(fd, c->size, PROT_READ | PROT_WRITE, 0);
	assert_pattern(m2, c->size, seed);

	/* A forked child: inherited mapping, then its own. */
	fa.fd = fd;
	fa.inherited = m1;
	fa.size = c->size;
	fa.seed_in = seed;
	fa.seed_out = seed + 100;
	rc = pb_in_child(forked_child, &fa);
	assert_int_equal(rc, 0);
	assert_pattern(m2, c->size, seed + 100);
	assert_pattern(m1, c->size, seed + 100);

	/* A process that gets the fd over SCM_RIGHTS. */
	assert_int_equal(pb_send_fd(sv[0], fd, seed + 100), 0);
	assert_int_equal(read(sv[0], &ack, 1), 1);
	assert_int_equal(pb_wait(rx), 0);
	assert_pattern(m1, c->size, seed + 101);
	close(sv[0]);

	/* Still one buffer: every view shared it. */
	pb_assert_delta(&s, 1, (int64_t)c->size);

	pb_unmap(m1, c->size);
	pb_unmap(m2, c->size);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_contig_too_big(void **state)
{
	const struct rt_case *c = *state;
	struct pb_snap s;
	int fd = -1;

	pb_params_allow(c->size);
	pb_snap(&s);
	assert_int_equal(pb_alloc(c->size, PAGEBUF_ALLOC_CONTIG, O_RDWR | O_CLOEXEC,
				  NULL, &fd, NULL), ENOMEM);
	assert_int_equal(fd, -1);
	pb_assert_unchanged(&s);
}

int main(void)
{
	static const struct {
		const char *label;
		uint64_t pages, extra;
	} sizes[] = {
		{ "1page", 1, 0 },
		{ "3pages", 3, 0 },
		{ "1mib_plus_1page", 1, MIB },
		{ "64mib", 0, 64 * MIB },
	};
	static struct rt_case cases[PB_NR_POLICIES * 4];
	struct pb_tests t = { 0 };
	char name[128];
	size_t p, i, n = 0;
	long ps = sysconf(_SC_PAGESIZE);

	for (p = 0; p < PB_NR_POLICIES; p++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++, n++) {
			cases[n].policy = (int)p;
			cases[n].size = sizes[i].pages * (uint64_t)ps + sizes[i].extra;
			if (pb_policies[p].flags == PAGEBUF_ALLOC_CONTIG &&
			    cases[n].size > 4 * MIB) {
				snprintf(name, sizeof(name), "%s_%s_is_enomem_counters_unchanged",
					 pb_policies[p].name, sizes[i].label);
				pb_add_fixture(&t, name, test_contig_too_big, &cases[n],
					       NULL, pb_restore_params_teardown);
			} else {
				snprintf(name, sizeof(name), "%s_%s_shared_by_mmaps_fork_and_scm",
					 pb_policies[p].name, sizes[i].label);
				pb_add_fixture(&t, name, test_shared_views, &cases[n],
					       NULL, pb_restore_params_teardown);
			}
		}
	}
	return pb_run("roundtrip", &t);
}
