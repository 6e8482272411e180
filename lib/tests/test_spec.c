// SPDX-License-Identifier: GPL-2.0
/* Source specs: what is accepted, what each means, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <uapi/pagebuf.h>

#include "internal.h"

static void accepted(const char *spec, enum dl_kind kind, uint32_t flags, const char *heap)
{
	struct dl_spec s;
	char err[256] = "untouched";

	assert_int_equal(dl_spec_parse(spec, &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, kind);
	assert_int_equal(s.pagebuf_flags, flags);
	assert_string_equal(s.heap, heap);
	assert_string_equal(s.canon, spec);
	/* Success leaves the caller's buffer alone. */
	assert_string_equal(err, "untouched");
	assert_int_equal(dmabuf_lab_spec_check(spec, NULL, 0), 0);
}

static void test_every_documented_spec(void **state)
{
	(void)state;
	accepted("pagebuf", DL_PAGEBUF, 0, "");
	accepted("pagebuf:order0", DL_PAGEBUF, PAGEBUF_ALLOC_ORDER0, "");
	accepted("pagebuf:contig", DL_PAGEBUF, PAGEBUF_ALLOC_CONTIG, "");
	accepted("heap:system", DL_HEAP, 0, "system");
	accepted("heap:linux,cma", DL_HEAP, 0, "linux,cma");
	accepted("heap:system-uncached", DL_HEAP, 0, "system-uncached");
	accepted("udmabuf", DL_UDMABUF, 0, "");
	accepted("vgem", DL_VGEM, 0, "");
	accepted("pagebuf:movable", DL_PAGEBUF, PAGEBUF_ALLOC_MOVABLE, "");
}

/* @spec is refused with -EINVAL and a message containing @want. */
static void refused(const char *spec, const char *want)
{
	char err[256] = "";

	assert_int_equal(dmabuf_lab_spec_check(spec, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s': message \"%s\" lacks \"%s\"", spec ? spec : "(null)", err, want);
	/* A NULL buffer is allowed. */
	assert_int_equal(dmabuf_lab_spec_check(spec, NULL, 0), -EINVAL);
}

static void test_near_misses_are_refused(void **state)
{
	(void)state;
	refused(NULL, "no source given");
	refused("", "no source given");
	refused("Pagebuf", "unknown source 'Pagebuf'");
	refused(" pagebuf", "unknown source ' pagebuf'");
	refused("pagebuf ", "unknown source 'pagebuf '");
	refused("pagebuf:", "unknown pagebuf policy");
	refused("pagebuf:default", "unknown pagebuf policy in 'pagebuf:default' (order0, contig or movable)");
	refused("pagebuf:order0:contig", "unknown pagebuf policy");
	refused("pagebuf:ORDER0", "unknown pagebuf policy");
	refused("udmabuf:", "unknown source");
	refused("vgem0", "unknown source");
	refused("heap", "unknown source 'heap'");
	refused("system", "unknown source 'system' (pagebuf, pagebuf:order0, pagebuf:contig, pagebuf:movable, heap:NAME, udmabuf or vgem)");
}

static void test_heap_names_are_file_names(void **state)
{
	char name[80];

	(void)state;
	refused("heap:", "bad heap name in 'heap:'");
	refused("heap:.", "bad heap name");
	refused("heap:..", "bad heap name");
	refused("heap:../../pagebuf", "bad heap name");
	refused("heap:a/b", "bad heap name");
	refused("heap:sys tem", "bad heap name");
	refused("heap:sys\ttem", "bad heap name in 'heap:sys?tem'");
	refused("heap:\x7f", "bad heap name");
	memset(name, 'h', sizeof(name));
	memcpy(name, "heap:", 5);
	name[5 + DMABUF_LAB_HEAP_NAME_MAX] = '\0';
	accepted(name, DL_HEAP, 0, name + 5);
	name[5 + DMABUF_LAB_HEAP_NAME_MAX] = 'h';
	name[5 + DMABUF_LAB_HEAP_NAME_MAX + 1] = '\0';
	refused(name, "at most 63 characters");
}

/* A hostile spec is quoted with its control characters replaced, cut short. */
static void test_messages_quote_safely(void **state)
{
	char spec[300], err[512] = "";

	(void)state;
	refused("pa\ngebuf\033[2J", "unknown source 'pa?gebuf?[2J'");
	memset(spec, 'x', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	assert_int_equal(dmabuf_lab_spec_check(spec, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) < 200);
	/* A small buffer gets a message cut to fit, NUL-terminated. */
	memset(err, '#', sizeof(err));
	assert_int_equal(dmabuf_lab_spec_check("nope", err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_documented_spec),
		cmocka_unit_test(test_near_misses_are_refused),
		cmocka_unit_test(test_heap_names_are_file_names),
		cmocka_unit_test(test_messages_quote_safely),
	};

	return cmocka_run_group_tests_name("libdmabuf-lab spec", tests, NULL, NULL);
}
