// SPDX-License-Identifier: GPL-2.0
/*
 * lifetime: a buffer lives exactly as long as something refers to it (an
 * fd in any process, a mapping, an fd in flight in a socket) and is freed
 * the moment the last reference goes; the counters add up to the rounded
 * sizes and peak_bytes keeps the high-water mark.
 *
 * The module-unload side (rmmod refused while a buffer is alive) is tested
 * by the suite with tools/hold.c.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>

static void test_mapping_keeps_buffer(void **state)
{
	const struct pb_policy *p = *state;
	uint64_t size = 10 * pb_page;
	struct pb_snap s;
	void *m;
	int fd;

	pb_snap(&s);
	fd = pb_alloc_ok(size, p->flags, NULL);
	m = pb_map(fd, size, PROT_READ | PROT_WRITE, 0);
	pb_fill(m, size, 1000);
	assert_int_equal(close(fd), 0);
	/* The mapping alone keeps it. */
	pb_assert_delta(&s, 1, (int64_t)size);
	assert_pattern(m, size, 1000);
	pb_fill(m, size, 1001);
	assert_pattern(m, size, 1001);
	pb_unmap(m, size);
	pb_assert_delta(&s, 0, 0);
}

static void test_dup_keeps_buffer(void **state)
{
	struct pb_snap s;
	int fd, fd2, fd3;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(3 * pb_page, 0, NULL);
	fd2 = dup(fd);
	assert_true(fd2 >= 0);
	fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	assert_true(fd3 >= 100);
	assert_int_equal(close(fd), 0);
	pb_assert_delta(&s, 1, (int64_t)(3 * pb_page));
	assert_int_equal(close(fd3), 0);
	pb_assert_delta(&s, 1, (int64_t)(3 * pb_page));
	assert_int_equal(close(fd2), 0);
	pb_assert_unchanged(&s);
}

static int alloc_and_exit_child(void *arg)
{
	int i, fd, err;
	void *m;

	(void)arg;
	for (i = 0; i < 3; i++) {
		err = pb_alloc(pb_page * (i + 1), pb_policies[i].flags, O_RDWR, NULL, &fd, NULL);
		CHILD_CHECK(err == 0, "alloc %d: %s", i, pb_errname(err));
	}
	/* One more, held only by a mapping. */
	err = pb_alloc(pb_page, 0, O_RDWR, NULL, &fd, NULL);
	CHILD_CHECK(err == 0, "alloc: %s", pb_errname(err));
	m = mmap(NULL, pb_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHILD_CHECK(m != MAP_FAILED, "mmap: %s", pb_errname(errno));
	close(fd);
	return 0;	/* exits without closing or unmapping anything else */
}

static void test_exit_releases(void **state)
{
	struct pb_snap s;

	(void)state;
	pb_snap(&s);
	assert_int_equal(pb_in_child(alloc_and_exit_child, NULL), 0);
	pb_assert_unchanged(&s);
}

static int killed_child(void *arg)
{
	int *pipefd = arg, fd, err;
	char c = 'r';

	err = pb_alloc(4 * pb_page, PAGEBUF_ALLOC_ORDER0, O_RDWR, NULL, &fd, NULL);
	CHILD_CHECK(err == 0, "alloc: %s", pb_errname(err));
	CHILD_CHECK(write(pipefd[1], &c, 1) == 1, "write");
	for (;;)
		pause();
	return 1;
}

static void test_sigkill_releases(void **state)
{
	struct pb_snap s;
	int pipefd[2];
	pid_t pid;
	char c;

	(void)state;
	assert_succeeds(pipe2(pipefd, O_CLOEXEC));
	pb_snap(&s);
	pid = pb_spawn(killed_child, pipefd);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	pb_assert_delta(&s, 1, (int64_t)(4 * pb_page));
	assert_succeeds(kill(pid, SIGKILL));
	assert_int_equal(pb_wait(pid), 128 + SIGKILL);
	pb_assert_delta(&s, 0, 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

static int close_and_exit_child(void *arg)
{
	int fd = *(int *)arg;
	void *m = mmap(NULL, pb_page, PROT_READ, MAP_SHARED, fd, 0);

	CHILD_CHECK(m != MAP_FAILED, "mmap: %s", pb_errname(errno));
	CHILD_CHECK(close(fd) == 0, "close");
	return 0;
}

static void test_inherited_fd(void **state)
{
	struct pb_snap s;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(pb_page, 0, NULL);
	/* The child's copy goes; ours keeps the buffer. */
	assert_int_equal(pb_in_child(close_and_exit_child, &fd), 0);
	pb_assert_delta(&s, 1, (int64_t)pb_page);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_fd_in_flight(void **state)
{
	struct pb_snap s;
	int sv[2], fd;

	(void)state;
	pb_snap(&s);
	assert_succeeds(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fd = pb_alloc_ok(5 * pb_page, 0, NULL);
	assert_int_equal(pb_send_fd(sv[0], fd, 1), 0);
	assert_int_equal(close(fd), 0);
	/* Only the message in the socket refers to it. */
	pb_assert_delta(&s, 1, (int64_t)(5 * pb_page));
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
	pb_assert_unchanged(&s);
}

static void test_counters_add_up(void **state)
{
	static const uint64_t sizes[] = { 1, 4096, 4097, 10000, 65536, 1048577 };
	int fds[sizeof(sizes) / sizeof(sizes[0])];
	struct pagebuf_stats st, after;
	struct pb_snap s;
	uint64_t total = 0, len;
	size_t i;

	(void)state;
	pb_snap(&s);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		len = (sizes[i] + pb_page - 1) / pb_page * pb_page;
		fds[i] = pb_alloc_ok(sizes[i], pb_policies[i % PB_NR_POLICIES].flags, NULL);
		total += len;
		pb_assert_delta(&s, (int64_t)(i + 1), (int64_t)total);
	}
	pb_stats(&st);
	assert_true(st.peak_bytes >= st.live_bytes);
	assert_true(st.peak_bytes >= s.st.live_bytes + total);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		assert_int_equal(close(fds[i]), 0);
	pb_stats(&after);
	/* The peak stays where it was. */
	assert_int_equal(after.peak_bytes, st.peak_bytes);
	pb_assert_unchanged(&s);
}

static void test_many_buffers(void **state)
{
	enum { N = 512 };
	static int fds[N];
	struct pb_snap s;
	size_t i;

	(void)state;
	pb_params_allow(N * pb_page);
	pb_snap(&s);
	for (i = 0; i < N; i++)
		fds[i] = pb_alloc_ok(pb_page, pb_policies[i % PB_NR_POLICIES].flags, NULL);
	pb_assert_delta(&s, N, (int64_t)(N * pb_page));
	/* Free in an order unlike the allocation's. */
	for (i = 0; i < N; i += 2)
		assert_int_equal(close(fds[i]), 0);
	pb_assert_delta(&s, N / 2, (int64_t)(N / 2 * pb_page));
	for (i = 1; i < N; i += 2)
		assert_int_equal(close(fds[N - i]), 0);
	pb_assert_unchanged(&s);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add_per_policy(&t, "mapping_keeps_buffer_after_fd_close", test_mapping_keeps_buffer,
			  NULL);
	pb_add(&t, "dup_keeps_buffer_until_last_fd_closed", test_dup_keeps_buffer, NULL);
	pb_add(&t, "process_exit_releases_fds_and_mappings", test_exit_releases, NULL);
	pb_add(&t, "sigkill_releases_buffers", test_sigkill_releases, NULL);
	pb_add(&t, "inherited_fd_released_when_both_close", test_inherited_fd, NULL);
	pb_add(&t, "fd_in_flight_released_with_the_socket", test_fd_in_flight, NULL);
	pb_add(&t, "counters_add_up_and_peak_is_kept", test_counters_add_up, NULL);
	pb_add_fixture(&t, "many_buffers_all_released", test_many_buffers, NULL, NULL,
		       pb_restore_params_teardown);
	return pb_run("lifetime", &t);
}
