// SPDX-License-Identifier: GPL-2.0
/*
 * memcg: a buffer's pages are charged to the memory cgroup of the process
 * that allocated it, so that a container's memory.max holds for dma-bufs
 * too; the module's global quota stays on top of that.
 *
 * Each test runs its allocations in a child that moves itself into a
 * fresh cgroup v2 group, so the suite's own process is never limited.
 * The guest's init mounts no cgroup file system: the program mounts
 * cgroup2 where sysfs leaves room for it, and skips, saying why, where
 * the kernel has no memory controller.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CGROOT	"/sys/fs/cgroup"
#define GROUP	CGROOT "/dmabuf-lab-memcg"

/* ---- cgroup files, usable in the child ----------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : (n < 0 ? errno : EIO);
}

/* The first number after @key (empty: the first number) in @path, or -1. */
static int64_t read_key(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	unsigned long long v;
	char line[256];
	size_t kl = strlen(key);
	int64_t ret = -1;

	if (!f)
		return -1;
	while (ret < 0 && fgets(line, sizeof(line), f)) {
		if (kl && (strncmp(line, key, kl) || line[kl] != ' '))
			continue;
		if (sscanf(line + kl, " %llu", &v) == 1)
			ret = (int64_t)v;
	}
	fclose(f);
	return ret;
}

static int64_t group_current(void)
{
	return read_key(GROUP "/memory.current", "");
}

/* ---- the group ----------------------------------------------------------- */

static const char *why_no_memcg;

/* cgroup2 with the memory controller, mounted and enabled, or why not. */
static const char *memcg_available(void)
{
	char line[512] = "";
	FILE *f;

	if (access(CGROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
		return "cgroup v2 cannot be mounted on " CGROOT;
	f = fopen(CGROOT "/cgroup.controllers", "re");
	if (!f)
		return CGROOT " is not a cgroup v2 file system";
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	if (!strstr(line, "memory"))
		return "the kernel has no memory controller (CONFIG_MEMCG=n or cgroup_disable=memory)";
	if (write_file(CGROOT "/cgroup.subtree_control", "+memory"))
		return "the memory controller cannot be enabled for child groups";
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	if (why_no_memcg)
		return 0;
	rmdir(GROUP);
	if (mkdir(GROUP, 0755)) {
		fprintf(stderr, "# mkdir %s: %s\n", GROUP, strerror(errno));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!why_no_memcg && rmdir(GROUP)) {
		fprintf(stderr, "# rmdir %s: %s\n", GROUP, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the tests ----------------------------------------------------------- */

struct charge_case {
	uint64_t size;
	uint32_t flags;
	int expect_err;		/* 0: the allocation succeeds */
};

/* Slack for what the child itself charges meanwhile (stack, page tables). */
#define SLACK	(1 * MIB)

/*
 * memory.current is no exact meter: the memory cgroup charges its counter
 * a batch at a time (MEMCG_CHARGE_BATCH, 64 pages) and keeps what a
 * charge did not use in a per-CPU stock, which later charges take without
 * moving the counter. So a buffer can show as up to one batch per CPU
 * less than its size (seen: 8159232 for 8388608 bytes, 56 pages short).
 */
static int64_t memcg_stock_bytes(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);

	return 64 * (int64_t)sysconf(_SC_PAGESIZE) * (cpus > 0 ? cpus : 1);
}

static int child_allocates(void *arg)
{
	const struct charge_case *c = arg;
	int64_t before, during, after;
	int fd, err;

	CHILD_CHECK(!write_file(GROUP "/cgroup.procs", "0"),
		    "cannot join %s: %s", GROUP, strerror(errno));
	before = group_current();
	CHILD_CHECK(before >= 0, "no %s/memory.current", GROUP);
	err = pb_alloc(c->size, c->flags, O_RDWR | O_CLOEXEC, NULL, &fd, NULL);
	during = group_current();
	pb_diag("memory.current %" PRId64 " -> %" PRId64 " around a %" PRIu64
		"-byte allocation (flags %#" PRIx32 "): %s",
		before, during, c->size, c->flags, err ? pb_errname(err) : "allocated");
	CHILD_CHECK(err == c->expect_err, "the allocation gave %s, expected %s",
		    pb_errname(err), pb_errname(c->expect_err));
	if (!err) {
		CHILD_CHECK(during - before >= (int64_t)c->size - memcg_stock_bytes() &&
			    during - before < (int64_t)(c->size + SLACK),
			    "memory.current grew by %" PRId64 ", not by the buffer's %" PRIu64,
			    during - before, c->size);
		CHILD_CHECK(!close(fd), "close: %s", strerror(errno));
	}
	after = group_current();
	CHILD_CHECK(after < before + (int64_t)SLACK,
		    "memory.current %" PRId64 " after the buffer went, %" PRId64 " before",
		    after, before);
	return 0;
}

static void charge(const struct charge_case *c)
{
	struct pb_snap snap;

	if (why_no_memcg)
		skip_because("%s", why_no_memcg);
	pb_snap(&snap);
	assert_int_equal(pb_in_child(child_allocates, (void *)c), 0);
	/* Nothing left charged to the group, nothing live in the module. */
	assert_true(group_current() < (int64_t)SLACK);
	pb_assert_unchanged(&snap);
}

static void test_charged_default(void **state)
{
	static const struct charge_case c = { 16 * MIB, 0, 0 };

	(void)state;
	charge(&c);
}

static void test_charged_order0(void **state)
{
	static const struct charge_case c = { 8 * MIB, PAGEBUF_ALLOC_ORDER0, 0 };

	(void)state;
	charge(&c);
}

static void test_charged_contig(void **state)
{
	static const struct charge_case c = { 2 * MIB, PAGEBUF_ALLOC_CONTIG, 0 };

	(void)state;
	charge(&c);
}

/*
 * Over memory.max the allocation fails with ENOMEM in the allocating
 * process: neither the memcg OOM killer (the child would die) nor a
 * buffer beyond the limit.
 */
static void over_max(uint32_t flags)
{
	static struct charge_case c;
	int64_t kills;

	if (why_no_memcg)
		skip_because("%s", why_no_memcg);
	assert_int_equal(write_file(GROUP "/memory.max", "32M"), 0);
	c.size = 64 * MIB;
	c.flags = flags;
	c.expect_err = ENOMEM;
	charge(&c);
	kills = read_key(GROUP "/memory.events", "oom_kill");
	if (kills != 0) {
		pb_diag("memory.events oom_kill %" PRId64 ": the OOM killer ran", kills);
		fail();
	}
}

static void test_over_max_default(void **state)
{
	(void)state;
	over_max(0);
}

static void test_over_max_order0(void **state)
{
	(void)state;
	over_max(PAGEBUF_ALLOC_ORDER0);
}

int main(void)
{
	struct pb_tests t = { 0 };

	why_no_memcg = memcg_available();
#define ADD(name) pb_add_fixture(&t, #name, test_##name, NULL, setup, teardown)
	ADD(charged_default);
	ADD(charged_order0);
	ADD(charged_contig);
	ADD(over_max_default);
	ADD(over_max_order0);
#undef ADD
	return pb_run("memcg", &t);
}
