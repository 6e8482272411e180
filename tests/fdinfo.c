// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo: /proc/PID/fdinfo of a buffer names its exporter and its size;
 * its name is "<tgid>-<comm>" by default, the name given at allocation
 * otherwise, and DMA_BUF_SET_NAME replaces either. lseek finds the size.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <linux/dma-buf.h>

static void assert_info(int fd, const char *key, const char *want)
{
	char got[128];
	int err = pb_fdinfo(0, fd, key, got, sizeof(got));

	if (err) {
		pb_diag("fdinfo of fd %d has no \"%s:\" line (%s)", fd, key, pb_errname(err));
		fail();
	}
	if (strcmp(got, want)) {
		pb_diag("fdinfo %s: \"%s\", expected \"%s\"", key, got, want);
		fail();
	}
}

static void default_name(char *buf, size_t len)
{
	char comm[32];

	pb_comm(comm, sizeof(comm));
	snprintf(buf, len, "%d-%s", (int)getpid(), comm);
}

static void test_exp_name_and_size(void **state)
{
	struct pb_snap s;
	char want[32];
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(6 * pb_page, PAGEBUF_ALLOC_ORDER0, NULL);
	assert_info(fd, "exp_name", "pagebuf");
	snprintf(want, sizeof(want), "%zu", 6 * pb_page);
	assert_info(fd, "size", want);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_size_rounded_up_to_pages(void **state)
{
	struct pb_snap s;
	char want[32];
	void *m;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(pb_page + 1, 0, NULL);
	snprintf(want, sizeof(want), "%zu", 2 * pb_page);
	assert_info(fd, "size", want);
	assert_int_equal(lseek(fd, 0, SEEK_END), 2 * pb_page);
	pb_assert_delta(&s, 1, (int64_t)(2 * pb_page));
	/* The whole second page is part of the buffer. */
	m = pb_map(fd, 2 * pb_page, PROT_READ | PROT_WRITE, 0);
	pb_unmap(m, 2 * pb_page);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_default_name_is_tgid_comm(void **state)
{
	struct pb_snap s;
	char want[64];
	int fd = -1;

	(void)state;
	default_name(want, sizeof(want));
	pb_snap(&s);
	/* No name at all, and an explicitly empty one. */
	fd = pb_alloc_ok(pb_page, 0, NULL);
	assert_info(fd, "name", want);
	assert_int_equal(close(fd), 0);
	assert_int_equal(pb_alloc(pb_page, 0, O_RDWR, "", &fd, NULL), 0);
	assert_info(fd, "name", want);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

/* In a child with a comm longer than the kernel keeps. */
static int long_comm_child(void *arg)
{
	const char *long_comm = arg;
	char want[64], got[64];
	int fd = -1, err;

	CHILD_CHECK(prctl(PR_SET_NAME, long_comm) == 0, "PR_SET_NAME: %s", pb_errname(errno));
	/* The kernel keeps TASK_COMM_LEN - 1 = 15 characters. */
	snprintf(want, sizeof(want), "%d-%.15s", (int)getpid(), long_comm);
	err = pb_alloc(pb_page, 0, O_RDWR, NULL, &fd, NULL);
	CHILD_CHECK(err == 0, "alloc: %s", pb_errname(err));
	err = pb_fdinfo(0, fd, "name", got, sizeof(got));
	CHILD_CHECK(err == 0, "fdinfo name: %s", pb_errname(err));
	CHILD_CHECK(!strcmp(got, want), "name \"%s\", expected \"%s\"", got, want);
	return 0;
}

static void test_default_name_truncates_comm(void **state)
{
	struct pb_snap s;

	(void)state;
	pb_snap(&s);
	assert_int_equal(pb_in_child(long_comm_child, "comm-longer-than-fifteen"), 0);
	pb_assert_unchanged(&s);
}

static void test_alloc_name_is_shown(void **state)
{
	char longest[PAGEBUF_NAME_LEN];
	struct pb_snap s;
	int fd = -1;

	(void)state;
	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	pb_snap(&s);
	assert_int_equal(pb_alloc(pb_page, 0, O_RDWR, "camera-frame-7", &fd, NULL), 0);
	assert_info(fd, "name", "camera-frame-7");
	assert_int_equal(close(fd), 0);
	/* 31 characters and the NUL fill the field exactly. */
	assert_int_equal(pb_alloc(pb_page, 0, O_RDWR, longest, &fd, NULL), 0);
	assert_info(fd, "name", longest);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_set_name_overrides(void **state)
{
	char too_long[DMA_BUF_NAME_LEN + 8];
	struct pb_snap s;
	char want[64];
	int fd = -1;

	(void)state;
	pb_snap(&s);
	/* Over the default name. */
	fd = pb_alloc_ok(pb_page, 0, NULL);
	assert_succeeds(ioctl(fd, DMA_BUF_SET_NAME_B, "renamed-once"));
	assert_info(fd, "name", "renamed-once");
	assert_succeeds(ioctl(fd, DMA_BUF_SET_NAME_B, "renamed-twice"));
	assert_info(fd, "name", "renamed-twice");
	assert_int_equal(close(fd), 0);

	/* Over a name given at allocation, on a mapped buffer. */
	assert_int_equal(pb_alloc(pb_page, 0, O_RDWR, "given", &fd, NULL), 0);
	void *m = pb_map(fd, pb_page, PROT_READ, 0);
	assert_succeeds(ioctl(fd, DMA_BUF_SET_NAME_B, "set-later"));
	assert_info(fd, "name", "set-later");

	/* A name longer than the core takes is refused and changes nothing. */
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_fails_with(ioctl(fd, DMA_BUF_SET_NAME_B, too_long), EINVAL);
	assert_fails_with(ioctl(fd, DMA_BUF_SET_NAME_B, (void *)1), EFAULT);
	assert_info(fd, "name", "set-later");
	pb_unmap(m, pb_page);
	assert_int_equal(close(fd), 0);

	/* The default name comes back for a new buffer. */
	default_name(want, sizeof(want));
	fd = pb_alloc_ok(pb_page, 0, NULL);
	assert_info(fd, "name", want);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

static void test_lseek(void **state)
{
	uint64_t size = 7 * pb_page;
	struct pb_snap s;
	int fd;

	(void)state;
	pb_snap(&s);
	fd = pb_alloc_ok(size, PAGEBUF_ALLOC_CONTIG, NULL);
	assert_int_equal(lseek(fd, 0, SEEK_END), size);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), size);
	/* The core supports only those two forms. */
	assert_fails_with(lseek(fd, 0, SEEK_CUR), EINVAL);
	assert_fails_with(lseek(fd, 1, SEEK_SET), EINVAL);
	assert_fails_with(lseek(fd, -1, SEEK_END), EINVAL);
	assert_int_equal(close(fd), 0);
	pb_assert_unchanged(&s);
}

int main(void)
{
	struct pb_tests t = { 0 };

	pb_add(&t, "exp_name_is_pagebuf_and_size_shown", test_exp_name_and_size, NULL);
	pb_add(&t, "size_rounded_up_to_whole_pages", test_size_rounded_up_to_pages, NULL);
	pb_add(&t, "default_name_is_tgid_comm", test_default_name_is_tgid_comm, NULL);
	pb_add(&t, "default_name_uses_comm_truncated_to_15", test_default_name_truncates_comm, NULL);
	pb_add(&t, "alloc_name_is_shown", test_alloc_name_is_shown, NULL);
	pb_add(&t, "set_name_overrides_default_and_alloc_name", test_set_name_overrides, NULL);
	pb_add(&t, "lseek_end_is_size_and_set_is_zero", test_lseek, NULL);
	return pb_run("fdinfo", &t);
}
