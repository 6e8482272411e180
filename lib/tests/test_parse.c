// SPDX-License-Identifier: GPL-2.0
/* The strict number parser: digits only, ranges checked, -errno on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include <dmabuf-lab.h>

static void test_u64(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(dmabuf_lab_parse_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dmabuf_lab_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(dmabuf_lab_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(dmabuf_lab_parse_u64("11", 0, 10, &v), -ERANGE);
	assert_int_equal(dmabuf_lab_parse_u64("", 0, 10, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_u64(" 1", 0, 10, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_u64("-1", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_u64("+1", 0, 10, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_u64("1 ", 0, 10, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_u64("0x1", 0, 10, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_size(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(dmabuf_lab_parse_size("4k", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(dmabuf_lab_parse_size("2M", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(dmabuf_lab_parse_size("17592186044416M", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(dmabuf_lab_parse_size("4KB", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_size("K", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_size("1M", 0, 4096, &v), -ERANGE);
}

static void test_double(void **state)
{
	double d = 0;

	(void)state;
	assert_int_equal(dmabuf_lab_parse_double("1.5", 0, 2, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(dmabuf_lab_parse_double(".5", 0, 2, &d), 0);
	assert_int_equal(dmabuf_lab_parse_double("nan", 0, 2, &d), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_double("inf", 0, 2, &d), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_double("0x1p1", 0, 2, &d), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_double(" 1", 0, 2, &d), -EINVAL);
	assert_int_equal(dmabuf_lab_parse_double("1e999", 0, 2, &d), -ERANGE);
	assert_int_equal(dmabuf_lab_parse_double("3", 0, 2, &d), -ERANGE);
	assert_int_equal(dmabuf_lab_parse_double("1.", 0, 2, &d), 0);
	assert_int_equal(dmabuf_lab_parse_double("1.5x", 0, 2, &d), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_double),
	};

	return cmocka_run_group_tests_name("libdmabuf-lab parse", tests, NULL, NULL);
}
