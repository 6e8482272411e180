/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the guest test programs.
 *
 * Every area program (tests/<area>.c) builds a list of cmocka tests with
 * pb_add(), then calls pb_run(). pb_run() keeps only the tests whose
 * "<area>/<name>" matches the DL_FILTER glob (all when unset or empty),
 * opens the device once for the whole group (pb_dev) and restores the
 * module parameters a test changed, whatever the outcome.
 *
 * Diagnostics go to stdout as "# " lines (pb_diag), so that the suite can
 * pass them through next to the TAP result lines.
 */
#ifndef PB_TESTS_COMMON_H
#define PB_TESTS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <cmocka.h>

#include <uapi/pagebuf.h>

#define PB_DEVICE	"/dev/pagebuf"
#define V2D_DEVICE	"/dev/v2d_emu"
#define PB_PARAM_DIR	"/sys/module/pagebuf/parameters"
#define KIB		1024ULL
#define MIB		(1024ULL * 1024ULL)

/* The device, opened O_RDWR by the group setup of pb_run(). */
extern int pb_dev;
/* The page size. */
extern size_t pb_page;

/* Allocation policies, in the order default, ORDER0, CONTIG. */
struct pb_policy {
	const char *name;
	uint32_t flags;
};
#define PB_NR_POLICIES 3
extern const struct pb_policy pb_policies[PB_NR_POLICIES];

/* ---- output ---------------------------------------------------------- */

/* Print "# <message>" on stdout. */
void pb_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "# SKIP <reason>" and skip the running test. */
#define skip_because(...) do { pb_skip_reason(__VA_ARGS__); skip(); } while (0)
void pb_skip_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Is WORD on the kernel command line (e.g. "swiotlb=force")? */
int pb_cmdline_has(const char *word);
/* "EINVAL" for EINVAL, "0" for 0. */
const char *pb_errname(int err);

/* Fail the test unless the call returned -1 (or MAP_FAILED) with errno @err. */
#define assert_fails_with(call, err) do {					\
	long _pb_ret;								\
	int _pb_err;								\
	errno = 0;								\
	_pb_ret = (long)(call);							\
	_pb_err = errno;							\
	if (_pb_ret != -1 || _pb_err != (err)) {				\
		pb_diag("%s:%d: %s: expected -1 with %s, got %ld with %s",	\
			__FILE__, __LINE__, #call, pb_errname(err), _pb_ret,	\
			pb_errname(_pb_err));					\
		fail();								\
	}									\
} while (0)

/* Fail the test unless the call returned a value >= 0 (or not MAP_FAILED). */
#define assert_succeeds(call) do {						\
	long _pb_ret;								\
	errno = 0;								\
	_pb_ret = (long)(call);							\
	if (_pb_ret < 0) {							\
		pb_diag("%s:%d: %s failed: %s", __FILE__, __LINE__, #call,	\
			pb_errname(errno));					\
		fail();								\
	}									\
} while (0)

/* ---- the module -------------------------------------------------------- */

/* Raw PAGEBUF_IOC_ALLOC; returns 0 or the errno value. */
int pb_alloc_raw(struct pagebuf_alloc *arg);
/* The ioctl with an arbitrary encoded struct size; returns 0 or errno. */
int pb_alloc_sized(void *arg, size_t size);
/*
 * Allocate; returns 0 and fills *fd (and *nr_segments if not NULL), or the
 * errno value (and *fd = -1). @name may be NULL.
 */
int pb_alloc(uint64_t size, uint32_t flags, uint32_t fd_flags,
	     const char *name, int *fd, uint32_t *nr_segments);
/* Allocate an O_RDWR|O_CLOEXEC buffer or fail the test; returns the fd. */
#define pb_alloc_ok(size, flags, nr_segments) \
	pb_alloc_ok_at((size), (flags), (nr_segments), __FILE__, __LINE__)
int pb_alloc_ok_at(uint64_t size, uint32_t flags, uint32_t *nr_segments,
		   const char *file, int line);

/* Read the counters or fail the test. */
void pb_stats(struct pagebuf_stats *st);
/* The same without cmocka, for child processes: 0 or errno. */
int pb_stats_raw(int dev, struct pagebuf_stats *st);
/* PAGEBUF_IOC_MOVE: 0 and *@nr_segments (if not NULL), or the errno value. */
int pb_move_raw(int fd, uint32_t flags, uint32_t reserved, uint32_t *nr_segments);
/* PAGEBUF_IOC_REVOKE: 0 or the errno value. */
int pb_revoke_raw(int fd, uint32_t reserved);
/* Print the counters as a diagnostic. */
void pb_stats_diag(const char *what, const struct pagebuf_stats *st);
/* Fail the test unless all live counters are zero. */
void pb_assert_idle(void);

/*
 * A snapshot of the counters and of the number of open fds, to prove that
 * a failed call left nothing behind.
 */
struct pb_snap {
	struct pagebuf_stats st;
	int nr_fds;
};
void pb_snap(struct pb_snap *s);
#define pb_assert_unchanged(s) pb_assert_unchanged_at((s), __FILE__, __LINE__)
void pb_assert_unchanged_at(const struct pb_snap *s, const char *file, int line);
/* Fail unless the live counters moved by exactly these amounts. */
#define pb_assert_delta(s, bufs, bytes) \
	pb_assert_delta_at((s), (bufs), (bytes), __FILE__, __LINE__)
void pb_assert_delta_at(const struct pb_snap *s, int64_t bufs, int64_t bytes,
			const char *file, int line);

/* Number of open fds of this process. */
int pb_count_fds(void);

/* Module parameters: read, or set after remembering the first value. */
int pb_param_get(const char *name, uint64_t *val);
void pb_param_set(const char *name, uint64_t val);
/* Put back every parameter pb_param_set changed. Returns 0 if all went. */
int pb_params_restore(void);
/* cmocka teardown that restores the parameters. */
int pb_restore_params_teardown(void **state);
/* Make sure max_buffer_size and quota allow a buffer of @size. */
void pb_params_allow(uint64_t size);

/* ---- /proc/self/fdinfo -------------------------------------------------- */

/*
 * Copy the value of "key:\t<value>" of the fdinfo of @fd in process @pid
 * (0 = self) to @buf. Returns 0, or ENOENT when the key is absent, or
 * another errno value.
 */
int pb_fdinfo(pid_t pid, int fd, const char *key, char *buf, size_t len);
/* The comm of this process, as the kernel keeps it. */
void pb_comm(char *buf, size_t len);

/* ---- memory -------------------------------------------------------------- */

/* mmap (MAP_SHARED) or munmap, or fail the test. */
#define pb_map(fd, len, prot, off) pb_map_at((fd), (len), (prot), (off), __FILE__, __LINE__)
#define pb_unmap(p, len) pb_unmap_at((p), (len), __FILE__, __LINE__)
void *pb_map_at(int fd, size_t len, int prot, off_t off, const char *file, int line);
void pb_unmap_at(void *p, size_t len, const char *file, int line);
/*
 * The CPU-access bracket (libdmabuf-lab's) for DMA_BUF_SYNC_START or
 * DMA_BUF_SYNC_END with READ, WRITE or both; returns 0 or errno.
 */
int pb_sync(int fd, uint64_t flags);
/* A pattern that is never zero, different for each seed and word. */
void pb_fill(void *p, size_t len, uint64_t seed);
/* Offset of the first word not matching the pattern, or -1. */
long pb_check(const void *p, size_t len, uint64_t seed);
/* Offset of the first byte not equal to @val, or -1. */
long pb_check_bytes(const void *p, size_t len, unsigned char val);
/* In a child: report and return 1 unless @cond holds. */
#define CHILD_CHECK(cond, ...) do {						\
	if (!(cond)) {								\
		pb_diag("child %d: %s:%d: %s", (int)getpid(), __FILE__,	\
			__LINE__, #cond);					\
		pb_diag(__VA_ARGS__);						\
		return 1;							\
	}									\
} while (0)

#define assert_pattern(p, len, seed) do {					\
	long _pb_off = pb_check((p), (len), (seed));				\
	if (_pb_off >= 0) {							\
		pb_diag("%s:%d: pattern %llu mismatch at offset %ld of %zu",	\
			__FILE__, __LINE__, (unsigned long long)(seed),		\
			_pb_off, (size_t)(len));				\
		fail();								\
	}									\
} while (0)
#define assert_bytes(p, len, val) do {						\
	long _pb_off = pb_check_bytes((p), (len), (val));			\
	if (_pb_off >= 0) {							\
		pb_diag("%s:%d: byte at offset %ld of %zu is 0x%02x, not 0x%02x", \
			__FILE__, __LINE__, _pb_off, (size_t)(len),		\
			((const unsigned char *)(p))[_pb_off], (unsigned)(val)); \
		fail();								\
	}									\
} while (0)

/* ---- processes ----------------------------------------------------------- */

/*
 * Run @fn in a forked child with default signal dispositions and return
 * its exit status (0 = success; 128+sig when killed). The child must not
 * use cmocka assertions: it returns non-zero after a pb_diag().
 */
int pb_in_child(int (*fn)(void *), void *arg);
/* Start @fn in a child as above (fails the test if fork fails). */
pid_t pb_spawn(int (*fn)(void *), void *arg);
/* Wait for a child and return its status as above. */
int pb_wait(pid_t pid);
/*
 * Send / receive one fd (and a 64-bit word) over a unix socket, with
 * libdmabuf-lab: 0 or errno (EIO for a message of another size, EBADMSG
 * for one without exactly one fd).
 */
int pb_send_fd(int sock, int fd, uint64_t word);
int pb_recv_fd(int sock, int *fd, uint64_t *word);

/* ---- test lists ---------------------------------------------------------- */

struct pb_tests {
	struct CMUnitTest *v;
	size_t n, cap;
};
void pb_add(struct pb_tests *t, const char *name, CMUnitTestFunction fn,
	    void *arg);
void pb_add_fixture(struct pb_tests *t, const char *name, CMUnitTestFunction fn,
		    void *arg, CMFixtureFunction setup, CMFixtureFunction teardown);
/*
 * Add @fn once per allocation policy, as POLICY_@suffix, with the policy's
 * &pb_policies entry as its argument (and @teardown, if any).
 */
void pb_add_per_policy(struct pb_tests *t, const char *suffix, CMUnitTestFunction fn,
		       CMFixtureFunction teardown);
/* Run the selected tests of @area; returns the number of failures. */
int pb_run(const char *area, struct pb_tests *t);

#endif /* PB_TESTS_COMMON_H */
