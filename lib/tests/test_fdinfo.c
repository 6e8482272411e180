// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * fdinfo parsing on fixture text as each kernel prints it, and as a
 * hostile buffer name can make it look: the kernel's lines come first,
 * and nothing after "name:" is taken for one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dmabuf-lab.h>

#define ALL (DMABUF_LAB_FDINFO_SIZE | DMABUF_LAB_FDINFO_INO | DMABUF_LAB_FDINFO_COUNT | \
	     DMABUF_LAB_FDINFO_EXP_NAME | DMABUF_LAB_FDINFO_NAME)

static void test_linux_6_1(void **state)
{
	struct dmabuf_lab_fdinfo fi;

	(void)state;
	dmabuf_lab_fdinfo_parse("pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t4242\n"
				"size:\t8192\ncount:\t3\nexp_name:\tv2d-emu\nname:\tmy buf\n", &fi);
	assert_int_equal(fi.has, ALL);
	assert_int_equal(fi.size, 8192);
	assert_int_equal(fi.ino, 4242);
	assert_int_equal(fi.count, 3);
	assert_string_equal(fi.exp_name, "v2d-emu");
	assert_string_equal(fi.name, "my buf");
}

/* 5.10 prints no ino, and an unnamed buffer no name line. */
static void test_linux_5_10_unnamed(void **state)
{
	struct dmabuf_lab_fdinfo fi;

	(void)state;
	dmabuf_lab_fdinfo_parse("pos:\t0\nflags:\t02\nmnt_id:\t9\nsize:\t4096\ncount:\t1\n"
				"exp_name:\tpagebuf\n", &fi);
	assert_int_equal(fi.has, DMABUF_LAB_FDINFO_SIZE | DMABUF_LAB_FDINFO_COUNT |
			 DMABUF_LAB_FDINFO_EXP_NAME);
	assert_string_equal(fi.name, "");
	assert_int_equal(fi.ino, 0);
}

/* A name with newlines forging the kernel's lines changes nothing but the name. */
static void test_forged_lines_stay_in_the_name(void **state)
{
	static const char text[] =
		"pos:\t0\nflags:\t02\nmnt_id:\t9\nsize:\t4096\ncount:\t1\nexp_name:\tpagebuf\n"
		"name:\tevil\nino:\t1\nsize:\t99\nexp_name:\tsystem\n";
	struct dmabuf_lab_fdinfo fi;
	char v[64];

	(void)state;
	dmabuf_lab_fdinfo_parse(text, &fi);
	assert_false(fi.has & DMABUF_LAB_FDINFO_INO);
	assert_int_equal(fi.size, 4096);
	assert_string_equal(fi.exp_name, "pagebuf");
	assert_string_equal(fi.name, "evil\nino:\t1\nsize:\t99\nexp_name:\tsystem");
	assert_int_equal(dmabuf_lab_fdinfo_value(text, "ino", v, sizeof(v)), -ENOENT);
	assert_int_equal(dmabuf_lab_fdinfo_value(text, "size", v, sizeof(v)), 4);
	assert_string_equal(v, "4096");
	assert_int_equal(dmabuf_lab_fdinfo_value(text, "flags", v, sizeof(v)), 2);
	assert_string_equal(v, "02");
}

/* The first line of a key is the kernel's; numbers are digits or nothing. */
static void test_numbers_are_strict(void **state)
{
	struct dmabuf_lab_fdinfo fi;

	(void)state;
	dmabuf_lab_fdinfo_parse("size:\t-4096\ncount:\t 7 \nino:\t0x10\nexp_name:\tx\n", &fi);
	assert_int_equal(fi.has, DMABUF_LAB_FDINFO_COUNT | DMABUF_LAB_FDINFO_EXP_NAME);
	assert_int_equal(fi.count, 7);
	dmabuf_lab_fdinfo_parse("size:\t18446744073709551616\nsize:\t4096\n", &fi);
	assert_false(fi.has & DMABUF_LAB_FDINFO_SIZE);
	dmabuf_lab_fdinfo_parse("size:\t18446744073709551615\ncount:\t\n", &fi);
	assert_int_equal(fi.has, DMABUF_LAB_FDINFO_SIZE);
	assert_true(fi.size == UINT64_MAX);
	dmabuf_lab_fdinfo_parse("size:\t12x\nsize:\t4096\n", &fi);
	assert_int_equal(fi.has, 0);
}

static void test_odd_text(void **state)
{
	struct dmabuf_lab_fdinfo fi;
	char longexp[300], v[8];

	(void)state;
	dmabuf_lab_fdinfo_parse("", &fi);
	assert_int_equal(fi.has, 0);
	dmabuf_lab_fdinfo_parse("no colon\n\n:\nsize\n:size: 1\nexp_name:", &fi);
	assert_int_equal(fi.has, DMABUF_LAB_FDINFO_EXP_NAME);
	assert_string_equal(fi.exp_name, "");
	/* Values too long for the struct are cut, NUL-terminated. */
	memcpy(longexp, "exp_name:\t", 10);
	memset(longexp + 10, 'e', sizeof(longexp) - 11);
	longexp[sizeof(longexp) - 1] = '\0';
	dmabuf_lab_fdinfo_parse(longexp, &fi);
	assert_int_equal(strlen(fi.exp_name), sizeof(fi.exp_name) - 1);
	assert_int_equal(dmabuf_lab_fdinfo_value(longexp, "exp_name", v, sizeof(v)), 7);
	assert_string_equal(v, "eeeeeee");
	assert_int_equal(dmabuf_lab_fdinfo_value(longexp, "exp_name", v, 0), -EINVAL);
	/* A name without its final newline, and one that is only a newline. */
	dmabuf_lab_fdinfo_parse("exp_name:\tx\nname:\tlast", &fi);
	assert_string_equal(fi.name, "last");
	dmabuf_lab_fdinfo_parse("exp_name:\tx\nname:\t\n", &fi);
	assert_true(fi.has & DMABUF_LAB_FDINFO_NAME);
	assert_string_equal(fi.name, "");
}

/* The real file of an fd that is no dma-buf: read, and refused as one. */
static void test_read_of_other_files(void **state)
{
	struct dmabuf_lab_fdinfo fi;
	char v[64], name[16];
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(dmabuf_lab_fdinfo_read(0, fds[0], &fi), -ENOTTY);
	assert_true(dmabuf_lab_fdinfo_get(0, fds[0], "flags", v, sizeof(v)) > 0);
	assert_int_equal(dmabuf_lab_fdinfo_get(getpid(), fds[0], "exp_name", v, sizeof(v)),
			 -ENOENT);
	assert_int_equal(dmabuf_lab_get_name(fds[0], name, sizeof(name)), -ENOTTY);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(dmabuf_lab_fdinfo_read(0, fds[0], &fi), -ENOENT);
	assert_int_equal(dmabuf_lab_fdinfo_read(0, -1, &fi), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_6_1),
		cmocka_unit_test(test_linux_5_10_unnamed),
		cmocka_unit_test(test_forged_lines_stay_in_the_name),
		cmocka_unit_test(test_numbers_are_strict),
		cmocka_unit_test(test_odd_text),
		cmocka_unit_test(test_read_of_other_files),
	};

	return cmocka_run_group_tests_name("libdmabuf-lab fdinfo", tests, NULL, NULL);
}
