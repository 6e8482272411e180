// SPDX-License-Identifier: GPL-2.0
/*
 * A fake area program for the host check of tests/suite.sh's TAP
 * conversion (test-suite-tap.sh).
 * FAKE_MODE selects what it does:
 *   pass   three passing tests
 *   mixed  pass, assertion failure, skip with a reason, skip without one,
 *          failure with text on stderr, crash caught by cmocka
 *   exit   the second test exits the process with status 3
 *   abort  the second test aborts the process
 *   setup  the group setup fails (DL_DEVICE cannot be opened)
 *   noplan exits 4 before starting any test
 * It runs through pb_run() of common.c, so DL_FILTER applies; DL_DEVICE
 * should name a file that opens (/dev/null) except in setup mode.
 */
#define _GNU_SOURCE
#include "../../tests/common.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static const char *mode(void)
{
	const char *m = getenv("FAKE_MODE");

	return m ? m : "pass";
}

static void t_pass(void **state)
{
	(void)state;
	assert_int_equal(1, 1);
}

static void t_fail(void **state)
{
	(void)state;
	pb_diag("about to fail\nover two lines");
	assert_int_equal(1, 2);
}

static void t_skip(void **state)
{
	(void)state;
	skip_because("no %s device", "such");
}

static void t_skip_plain(void **state)
{
	(void)state;
	skip();
}

static void t_stderr(void **state)
{
	(void)state;
	fprintf(stderr, "a message on stderr\n");
	fail_msg("failed with %d", 42);
}

static void t_segv(void **state)
{
	(void)state;
	raise(SIGSEGV);
}

static void t_exit(void **state)
{
	(void)state;
	exit(3);
}

static void t_abort(void **state)
{
	(void)state;
	abort();
}

int main(void)
{
	struct pb_tests t = { 0 };
	const char *m = mode();

	if (!strcmp(m, "noplan"))
		return 4;
	pb_add(&t, "passes", t_pass, NULL);
	if (!strcmp(m, "mixed")) {
		pb_add(&t, "fails_assert", t_fail, NULL);
		pb_add(&t, "skips_with_reason", t_skip, NULL);
		pb_add(&t, "skips_plain", t_skip_plain, NULL);
		pb_add(&t, "fails_with_stderr", t_stderr, NULL);
		pb_add(&t, "crashes_caught", t_segv, NULL);
	} else if (!strcmp(m, "exit")) {
		pb_add(&t, "exits", t_exit, NULL);
	} else if (!strcmp(m, "abort")) {
		pb_add(&t, "aborts", t_abort, NULL);
	} else {
		pb_add(&t, "passes_too", t_pass, NULL);
	}
	pb_add(&t, "passes_last", t_pass, NULL);
	return pb_run("fake", &t);
}
