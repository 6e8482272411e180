// SPDX-License-Identifier: GPL-2.0
/*
 * errors: every bad request to PAGEBUF_IOC_ALLOC fails with the errno the
 * uapi header gives and leaves nothing behind (counters and open fds are
 * unchanged); the struct is extensible in both directions; the fd flags
 * asked for are the ones the fd gets.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <linux/dma-buf.h>

/* Expect PAGEBUF_IOC_ALLOC of @a to fail with @err and change nothing. */
#define expect_alloc_error(a, err) do {						\
	struct pb_snap _s;							\
	int _e;									\
	pb_snap(&_s);								\
	(a)->fd = -1;								\
	_e = pb_alloc_raw(a);							\
	if (_e != (err)) {							\
		pb_diag("%s:%d: alloc size %llu flags %#x fd_flags %#x: expected %s, got %s", \
			__FILE__, __LINE__, (unsigned long long)(a)->size,	\
			(a)->flags, (a)->fd_flags, pb_errname(err), pb_errname(_e)); \
		if (!_e)							\
			close((a)->fd);						\
		fail();								\
	}									\
	pb_assert_unchanged(&_s);						\
} while (0)

static void init_req(struct pagebuf_alloc *a, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->size = size;
	a->fd_flags = O_RDWR | O_CLOEXEC;
	a->fd = -1;
}

static void test_size_zero(void **state)
{
	struct pagebuf_alloc a;
	size_t p;

	(void)state;
	for (p = 0; p < PB_NR_POLICIES; p++) {
		init_req(&a, 0);
		a.flags = pb_policies[p].flags;
		expect_alloc_error(&a, EINVAL);
	}
}

static void test_over_max_buffer_size(void **state)
{
	struct pagebuf_alloc a;
	uint64_t max = 16 * pb_page;
	int fd;

	(void)state;
	pb_param_set("max_buffer_size", max);
	/* Exactly the limit is allowed. */
	fd = pb_alloc_ok(max, 0, NULL);
	assert_int_equal(close(fd), 0);
	init_req(&a, max + 1);
	expect_alloc_error(&a, EFBIG);
	init_req(&a, max + pb_page);
	a.flags = PAGEBUF_ALLOC_ORDER0;
	expect_alloc_error(&a, EFBIG);
	init_req(&a, 64 * MIB);
	a.flags = PAGEBUF_ALLOC_CONTIG;
	expect_alloc_error(&a, EFBIG);
	/* Back to the old limit: the same size is fine again. */
	assert_int_equal(pb_params_restore(), 0);
	fd = pb_alloc_ok(max + pb_page, 0, NULL);
	assert_int_equal(close(fd), 0);
}

static void test_huge_sizes(void **state)
{
	static const uint64_t sizes[] = {
		UINT64_MAX,			/* rounding it up would wrap to 0 */
		UINT64_MAX - 4095,
		1ULL << 63,
		1ULL << 40,
	};
	struct pagebuf_alloc a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		init_req(&a, sizes[i]);
		expect_alloc_error(&a, EFBIG);
	}
}

static void test_over_quota(void **state)
{
	struct pagebuf_alloc a;
	struct pagebuf_stats st;
	int held, fd;

	(void)state;
	pb_stats(&st);
	pb_param_set("max_buffer_size", 4 * MIB);
	pb_param_set("quota", st.live_bytes + 1 * MIB);

	held = pb_alloc_ok(768 * KIB, 0, NULL);
	init_req(&a, 512 * KIB);
	expect_alloc_error(&a, ENOSPC);
	init_req(&a, 2 * MIB);		/* over the quota on its own */
	a.flags = PAGEBUF_ALLOC_CONTIG;
	expect_alloc_error(&a, ENOSPC);
	/* Up to the quota exactly. */
	fd = pb_alloc_ok(256 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	init_req(&a, pb_page);
	expect_alloc_error(&a, ENOSPC);
	/* Freeing gives the room back. */
	assert_int_equal(close(fd), 0);
	fd = pb_alloc_ok(256 * KIB, 0, NULL);
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(held), 0);
	fd = pb_alloc_ok(1 * MIB, 0, NULL);
	assert_int_equal(close(fd), 0);
}

static void test_unknown_flags(void **state)
{
	static const uint32_t flags[] = {
		1U << 3, 1U << 31, PAGEBUF_ALLOC_ORDER0 | (1U << 5),
		PAGEBUF_ALLOC_CONTIG | (1U << 16), ~PAGEBUF_ALLOC_VALID_FLAGS, ~0U,
	};
	struct pagebuf_alloc a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		init_req(&a, pb_page);
		a.flags = flags[i];
		expect_alloc_error(&a, EINVAL);
	}
}

static void test_both_policies(void **state)
{
	struct pagebuf_alloc a;

	(void)state;
	init_req(&a, pb_page);
	a.flags = PAGEBUF_ALLOC_ORDER0 | PAGEBUF_ALLOC_CONTIG;
	expect_alloc_error(&a, EINVAL);
}

static void test_reserved_nonzero(void **state)
{
	static const uint64_t vals[] = { 1, 1ULL << 32, 1ULL << 63, ~0ULL };
	struct pagebuf_alloc a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		init_req(&a, pb_page);
		a.reserved = vals[i];
		expect_alloc_error(&a, EINVAL);
	}
}

static void test_bad_fd_flags(void **state)
{
	static const uint32_t vals[] = {
		O_RDWR | O_NONBLOCK, O_ACCMODE, O_ACCMODE | O_CLOEXEC,
		O_RDWR | O_APPEND, O_RDWR | O_CREAT, O_RDWR | O_TRUNC,
		O_RDONLY | O_SYNC, O_RDWR | O_DIRECT, O_RDWR | O_PATH,
		O_RDWR | O_NOFOLLOW, 1U << 31, ~0U,
	};
	struct pagebuf_alloc a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		init_req(&a, pb_page);
		a.fd_flags = vals[i];
		expect_alloc_error(&a, EINVAL);
	}
}

static void test_unterminated_name(void **state)
{
	struct pagebuf_alloc a;

	(void)state;
	init_req(&a, pb_page);
	memset(a.name, 'x', sizeof(a.name));
	expect_alloc_error(&a, EINVAL);
	init_req(&a, pb_page);
	memset(a.name, 'y', sizeof(a.name));
	a.flags = PAGEBUF_ALLOC_CONTIG;
	expect_alloc_error(&a, EINVAL);
}

static void test_bad_pointer(void **state)
{
	struct pb_snap s;
	uint8_t *two;

	(void)state;
	pb_snap(&s);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_ALLOC, (void *)1), EFAULT);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_ALLOC, NULL), EFAULT);
	/* An unmapped page, and a struct that runs into one. */
	two = mmap(NULL, 2 * pb_page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(two != MAP_FAILED);
	pb_unmap(two + pb_page, pb_page);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_ALLOC, two + pb_page), EFAULT);
	struct pagebuf_alloc *edge = (void *)(two + pb_page - 16);
	memset(edge, 0, 16);
	edge->size = pb_page;
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_ALLOC, edge), EFAULT);
	pb_unmap(two, pb_page);
	pb_assert_unchanged(&s);
}

static void test_unwritable_struct(void **state)
{
	struct pagebuf_alloc *a;
	struct pb_snap s;

	(void)state;
	a = mmap(NULL, pb_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(a != MAP_FAILED);
	init_req(a, 2 * pb_page);
	assert_succeeds(mprotect(a, pb_page, PROT_READ));
	pb_snap(&s);
	/* The request reads fine but the fd cannot be returned. */
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_ALLOC, a), EFAULT);
	pb_assert_unchanged(&s);
	pb_unmap(a, pb_page);
}

static void test_stats_bad_pointer(void **state)
{
	struct pb_snap s;
	void *ro;

	(void)state;
	pb_snap(&s);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_GET_STATS, (void *)1), EFAULT);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_GET_STATS, NULL), EFAULT);
	ro = mmap(NULL, pb_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	assert_fails_with(ioctl(pb_dev, PAGEBUF_IOC_GET_STATS, ro), EFAULT);
	pb_unmap(ro, pb_page);
	pb_assert_unchanged(&s);
}

static void test_unknown_ioctl(void **state)
{
	struct pagebuf_alloc a;
	struct pb_snap s;
	unsigned long cmds[] = {
		_IO(PAGEBUF_IOC_MAGIC, 99),
		_IOWR(PAGEBUF_IOC_MAGIC, 99, struct pagebuf_alloc),
		_IO(PAGEBUF_IOC_MAGIC, 0),
		_IOWR(PAGEBUF_IOC_MAGIC, 3, struct pagebuf_alloc),
		_IOR('a', 2, int),
		_IOWR('Q', 1, struct pagebuf_alloc),
	};
	size_t i;

	(void)state;
	init_req(&a, pb_page);
	pb_snap(&s);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		if (ioctl(pb_dev, cmds[i], &a) != -1 || errno != ENOTTY) {
			pb_diag("ioctl %#lx: expected ENOTTY, got %s", cmds[i], pb_errname(errno));
			fail();
		}
	}
	pb_assert_unchanged(&s);
}

static void test_contig_too_big(void **state)
{
	struct pagebuf_alloc a;

	(void)state;
	pb_params_allow(64 * MIB);
	init_req(&a, 64 * MIB);
	a.flags = PAGEBUF_ALLOC_CONTIG;
	expect_alloc_error(&a, ENOMEM);
	/* One page over the largest order. */
	init_req(&a, 4 * MIB + pb_page);
	a.flags = PAGEBUF_ALLOC_CONTIG;
	expect_alloc_error(&a, ENOMEM);
}

static void test_contig_largest_order(void **state)
{
	struct pb_snap s;
	uint32_t nseg;
	int fd;

	(void)state;
	pb_params_allow(4 * MIB);
	pb_snap(&s);
	fd = pb_alloc_ok(4 * MIB, PAGEBUF_ALLOC_CONTIG, &nseg);
	assert_int_equal(nseg, 1);
	pb_assert_delta(&s, 1, (int64_t)(4 * MIB));
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

/* ---- struct sizes ---- */

union raw {
	struct pagebuf_alloc a;
	uint8_t b[256];
};

static void raw_init(union raw *r, uint64_t size)
{
	memset(r, 0, sizeof(*r));
	r->a.size = size;
	r->a.fd_flags = O_RDWR | O_CLOEXEC;
	r->a.fd = -1;
}

static void assert_default_name(int fd)
{
	char want[64], got[64], comm[32];

	pb_comm(comm, sizeof(comm));
	snprintf(want, sizeof(want), "%d-%s", (int)getpid(), comm);
	assert_int_equal(pb_fdinfo(0, fd, "name", got, sizeof(got)), 0);
	assert_string_equal(got, want);
}

static void test_ver0_struct(void **state)
{
	struct pb_snap s;
	union raw r;
	size_t i;

	(void)state;
	pb_snap(&s);
	raw_init(&r, 3 * pb_page);
	r.a.flags = PAGEBUF_ALLOC_ORDER0;
	/* What follows a version-0 struct is not the driver's to read or write. */
	memset(r.b + PAGEBUF_ALLOC_SIZE_VER0, 0xee, sizeof(r.b) - PAGEBUF_ALLOC_SIZE_VER0);
	assert_int_equal(pb_alloc_sized(&r, PAGEBUF_ALLOC_SIZE_VER0), 0);
	assert_true(r.a.fd >= 0);
	assert_int_equal(r.a.nr_segments, 3);
	for (i = PAGEBUF_ALLOC_SIZE_VER0; i < sizeof(r.b); i++) {
		if (r.b[i] != 0xee) {
			pb_diag("byte %zu after a %d-byte struct was written", i,
				PAGEBUF_ALLOC_SIZE_VER0);
			fail();
		}
	}
	pb_assert_delta(&s, 1, (int64_t)(3 * pb_page));
	assert_default_name(r.a.fd);
	assert_int_equal(close(r.a.fd), 0);
	pb_assert_unchanged(&s);
}

static void test_partial_name_zero_extended(void **state)
{
	struct pb_snap s;
	char got[64];
	union raw r;

	(void)state;
	pb_snap(&s);
	raw_init(&r, pb_page);
	/* 8 bytes of name and no NUL in the struct: the rest reads as zero. */
	memcpy(r.a.name, "abcdefgh", 8);
	memset(r.b + PAGEBUF_ALLOC_SIZE_VER0 + 8, 'z', sizeof(r.b) - PAGEBUF_ALLOC_SIZE_VER0 - 8);
	assert_int_equal(pb_alloc_sized(&r, PAGEBUF_ALLOC_SIZE_VER0 + 8), 0);
	assert_int_equal(pb_fdinfo(0, r.a.fd, "name", got, sizeof(got)), 0);
	assert_string_equal(got, "abcdefgh");
	assert_int_equal(close(r.a.fd), 0);
	pb_assert_unchanged(&s);
}

static void test_longer_struct_zero_tail(void **state)
{
	struct pb_snap s;
	char got[64];
	union raw r;
	size_t i;

	(void)state;
	pb_snap(&s);
	raw_init(&r, 2 * pb_page);
	strcpy(r.a.name, "long-struct");
	memset(r.b + 72, 0xee, sizeof(r.b) - 72);
	assert_int_equal(pb_alloc_sized(&r, 72), 0);
	assert_true(r.a.fd >= 0);
	assert_int_equal(pb_fdinfo(0, r.a.fd, "name", got, sizeof(got)), 0);
	assert_string_equal(got, "long-struct");
	for (i = 64; i < sizeof(r.b); i++) {
		if (r.b[i] != (i < 72 ? 0 : 0xee)) {
			pb_diag("byte %zu of a 72-byte request changed to %#x", i, r.b[i]);
			fail();
		}
	}
	assert_int_equal(close(r.a.fd), 0);
	/* A much larger one, still zero beyond the struct. */
	raw_init(&r, pb_page);
	assert_int_equal(pb_alloc_sized(&r, sizeof(r.b)), 0);
	assert_int_equal(close(r.a.fd), 0);
	pb_assert_unchanged(&s);
}

static void test_longer_struct_nonzero_tail(void **state)
{
	static const size_t where[] = { 64, 67, 71 };
	struct pb_snap s;
	union raw r;
	size_t i;
	int err;

	(void)state;
	pb_snap(&s);
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		raw_init(&r, pb_page);
		r.b[where[i]] = 1;
		err = pb_alloc_sized(&r, 72);
		if (err != E2BIG) {
			pb_diag("non-zero byte %zu of a 72-byte request: expected E2BIG, got %s",
				where[i], pb_errname(err));
			if (!err)
				close(r.a.fd);
			fail();
		}
		pb_assert_unchanged(&s);
	}
	raw_init(&r, pb_page);
	r.b[sizeof(r.b) - 1] = 0x80;
	assert_int_equal(pb_alloc_sized(&r, sizeof(r.b)), E2BIG);
	pb_assert_unchanged(&s);
}

static void test_shorter_than_ver0(void **state)
{
	static const size_t sizes[] = { 0, 8, 16, PAGEBUF_ALLOC_SIZE_VER0 - 1 };
	struct pb_snap s;
	union raw r;
	size_t i;
	int err;

	(void)state;
	pb_snap(&s);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		raw_init(&r, pb_page);
		err = pb_alloc_sized(&r, sizes[i]);
		if (err != EINVAL) {
			pb_diag("%zu-byte request: expected EINVAL, got %s", sizes[i],
				pb_errname(err));
			if (!err)
				close(r.a.fd);
			fail();
		}
		pb_assert_unchanged(&s);
	}
}

/* ---- fds ---- */

static int emfile_child(void *arg)
{
	struct pagebuf_stats before, after;
	struct pagebuf_alloc a;
	struct rlimit rl = { 64, 64 };
	int err, fd;

	(void)arg;
	CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit: %s", pb_errname(errno));
	while (dup(pb_dev) >= 0)
		;
	CHILD_CHECK(errno == EMFILE, "dup stopped with %s", pb_errname(errno));
	CHILD_CHECK(pb_stats_raw(pb_dev, &before) == 0, "stats");
	memset(&a, 0, sizeof(a));
	a.size = pb_page;
	a.fd_flags = O_RDWR;
	a.fd = -1;
	err = pb_alloc_raw(&a);
	CHILD_CHECK(err == EMFILE, "alloc with no fd left: %s", pb_errname(err));
	err = ioctl(pb_dev, PAGEBUF_IOC_CLASSIC_GET_FD, &fd) < 0 ? errno : 0;
	CHILD_CHECK(err == EMFILE, "classic get fd with no fd left: %s", pb_errname(err));
	CHILD_CHECK(pb_stats_raw(pb_dev, &after) == 0, "stats");
	CHILD_CHECK(before.live_buffers == after.live_buffers &&
		    before.live_bytes == after.live_bytes &&
		    before.live_vmaps == after.live_vmaps,
		    "counters moved: %llu/%llu buffers, %llu/%llu bytes",
		    (unsigned long long)before.live_buffers,
		    (unsigned long long)after.live_buffers,
		    (unsigned long long)before.live_bytes,
		    (unsigned long long)after.live_bytes);
	return 0;
}

static void test_emfile(void **state)
{
	struct pb_snap s;

	(void)state;
	pb_snap(&s);
	assert_int_equal(pb_in_child(emfile_child, NULL), 0);
	pb_assert_unchanged(&s);
}

static void test_cloexec(void **state)
{
	struct pb_snap s;
	int fd = -1;

	(void)state;
	pb_snap(&s);
	assert_int_equal(pb_alloc(pb_page, 0, O_RDWR | O_CLOEXEC, NULL, &fd, NULL), 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(close(fd), 0);
	assert_int_equal(pb_alloc(pb_page, 0, O_RDWR, NULL, &fd, NULL), 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_access_modes(void **state)
{
	struct pb_snap s;
	int fd = -1;
	void *m;

	(void)state;
	pb_snap(&s);
	assert_int_equal(pb_alloc(2 * pb_page, 0, O_RDONLY | O_CLOEXEC, NULL, &fd, NULL), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_fails_with(mmap(NULL, 2 * pb_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
			  EACCES);
	assert_fails_with(mmap(NULL, pb_page, PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	m = pb_map(fd, 2 * pb_page, PROT_READ, 0);
	assert_bytes(m, 2 * pb_page, 0);
	assert_fails_with(mprotect(m, 2 * pb_page, PROT_READ | PROT_WRITE), EACCES);
	pb_unmap(m, 2 * pb_page);
	assert_int_equal(close(fd), 0);

	assert_int_equal(pb_alloc(pb_page, PAGEBUF_ALLOC_ORDER0, O_WRONLY, NULL, &fd, NULL), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	assert_fails_with(mmap(NULL, pb_page, PROT_READ, MAP_SHARED, fd, 0), EACCES);
	assert_int_equal(close(fd), 0);

	assert_int_equal(pb_alloc(pb_page, PAGEBUF_ALLOC_CONTIG, O_RDWR, NULL, &fd, NULL), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	m = pb_map(fd, pb_page, PROT_READ | PROT_WRITE, 0);
	pb_unmap(m, pb_page);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

int main(void)
{
	struct pb_tests t = { 0 };

#define ADD(name, fn) pb_add_fixture(&t, name, fn, NULL, NULL, pb_restore_params_teardown)
	ADD("size_zero_is_einval", test_size_zero);
	ADD("size_over_max_buffer_size_is_efbig", test_over_max_buffer_size);
	ADD("huge_size_is_efbig_without_wrapping", test_huge_sizes);
	ADD("over_quota_is_enospc", test_over_quota);
	ADD("unknown_flags_is_einval", test_unknown_flags);
	ADD("both_policies_is_einval", test_both_policies);
	ADD("reserved_nonzero_is_einval", test_reserved_nonzero);
	ADD("bad_fd_flags_is_einval", test_bad_fd_flags);
	ADD("unterminated_name_is_einval", test_unterminated_name);
	ADD("bad_user_pointer_is_efault", test_bad_pointer);
	ADD("unwritable_struct_is_efault_without_fd_leak", test_unwritable_struct);
	ADD("stats_bad_pointer_is_efault", test_stats_bad_pointer);
	ADD("unknown_ioctl_is_enotty", test_unknown_ioctl);
	ADD("contig_over_largest_order_is_enomem", test_contig_too_big);
	ADD("contig_at_largest_order_is_one_segment", test_contig_largest_order);
	ADD("ver0_struct_size_works_and_tail_untouched", test_ver0_struct);
	ADD("short_struct_is_zero_extended", test_partial_name_zero_extended);
	ADD("longer_struct_with_zero_tail_works", test_longer_struct_zero_tail);
	ADD("longer_struct_with_nonzero_tail_is_e2big", test_longer_struct_nonzero_tail);
	ADD("struct_shorter_than_ver0_is_einval", test_shorter_than_ver0);
	ADD("no_fd_left_is_emfile", test_emfile);
	ADD("cloexec_only_when_asked", test_cloexec);
	ADD("access_mode_of_fd_is_respected", test_access_modes);
#undef ADD
	return pb_run("errors", &t);
}
