// SPDX-License-Identifier: GPL-2.0
/* Passing fds over a socketpair: one fd a message, anything else refused and closed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <dmabuf-lab.h>

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void pair(int type, int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
}

/* The received fd is a close-on-exec copy of the one sent, with the data. */
static void test_fd_and_word_arrive(void **state)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	uint64_t word = 0x1122334455667788ULL, got;
	int sv[2], p[2], fd;
	size_t i;
	char c;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		pair(types[i], sv);
		assert_int_equal(pipe(p), 0);
		assert_int_equal(dmabuf_lab_send_fd(sv[0], p[0], &word, sizeof(word)), 0);
		got = 0;
		assert_int_equal(dmabuf_lab_recv_fd(sv[1], &fd, &got, sizeof(got)), sizeof(got));
		assert_true(got == word);
		assert_true(fd >= 0);
		assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
		assert_int_equal(write(p[1], "y", 1), 1);
		assert_int_equal(read(fd, &c, 1), 1);
		assert_int_equal(c, 'y');
		close(fd);
		close(p[0]);
		close(p[1]);
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_message_without_fd(void **state)
{
	int sv[2], fd = 123;
	char buf[4];

	(void)state;
	pair(SOCK_SEQPACKET, sv);
	assert_int_equal(dmabuf_lab_send_fd(sv[0], -1, "abc", 3), 0);
	assert_int_equal(dmabuf_lab_recv_fd(sv[1], &fd, buf, sizeof(buf)), 3);
	assert_int_equal(fd, -1);
	assert_memory_equal(buf, "abc", 3);
	/* No data is refused before anything is sent. */
	assert_int_equal(dmabuf_lab_send_fd(sv[0], 0, "", 0), -EINVAL);
	assert_int_equal(dmabuf_lab_send_fd(sv[0], 0, NULL, 1), -EINVAL);
	/* The peer gone: 0 bytes, no fd; sending is EPIPE, not SIGPIPE. */
	close(sv[0]);
	assert_int_equal(dmabuf_lab_recv_fd(sv[1], &fd, buf, sizeof(buf)), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(dmabuf_lab_send_fd(sv[1], 0, "x", 1), -EPIPE);
	close(sv[1]);
	assert_int_equal(dmabuf_lab_send_fd(-1, 0, "x", 1), -EBADF);
	assert_int_equal(dmabuf_lab_recv_fd(-1, &fd, buf, sizeof(buf)), -EBADF);
}

/* Two fds in one message: refused, and neither is left open in the receiver. */
static void test_more_fds_are_closed(void **state)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char data = 'd', buf[1];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int sv[2], two[2] = { 0, 1 }, fd = 5, before;

	(void)state;
	pair(SOCK_SEQPACKET, sv);
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(two));
	memcpy(CMSG_DATA(c), two, sizeof(two));
	assert_int_equal(sendmsg(sv[0], &msg, 0), 1);
	before = count_fds();
	assert_int_equal(dmabuf_lab_recv_fd(sv[1], &fd, buf, sizeof(buf)), -EBADMSG);
	assert_int_equal(fd, -1);
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_and_word_arrive),
		cmocka_unit_test(test_message_without_fd),
		cmocka_unit_test(test_more_fds_are_closed),
	};

	return cmocka_run_group_tests_name("libdmabuf-lab fdpass", tests, NULL, NULL);
}
