// SPDX-License-Identifier: GPL-2.0
/*
 * Whether thousands of allocations leave anything behind (P6): a check,
 * not a speed. pagebuf's own counters must come back where they were,
 * and free memory as the kernel counts it within a few MiB.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* Free memory as the kernel counts it, in KiB. */
struct free_mem {
	long buddy;	/* MemFree: pages in the buddy allocator */
	long pcp;	/* pages on the per-CPU free lists, not in MemFree */
	long slab;	/* Slab: freed objects may keep their pages */
};

static long meminfo_kib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t n = strlen(key);
	char line[128];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/*
 * Pages freed to the per-CPU lists are free but not in MemFree; how
 * many a CPU keeps grows and shrinks with the load (auto-tuned since
 * 6.7), by tens of MiB on a small guest. /proc/zoneinfo counts them.
 */
static long pcp_kib(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[128];
	long sum = 0, v;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			sum += v;
	fclose(f);
	return sum * (sysconf(_SC_PAGESIZE) / 1024);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "3", 1) != 1)
		fprintf(stderr, "dmabuf-bench: drop_caches: %s\n", strerror(errno));
	close(fd);
}

/*
 * Free memory once what the kernel frees late has been freed: dma-buf
 * files, dentries and inodes go after an RCU grace period, and their
 * slab caches keep freed objects until reclaim. Dropping the caches
 * (as root) takes those back; a settled reading is two equal ones.
 */
static struct free_mem settled_free(void)
{
	struct free_mem m = { -1, 0, 0 };
	long prev = -2;
	int i;

	for (i = 0; i < 20 && m.buddy + m.pcp != prev; i++) {
		prev = m.buddy + m.pcp;
		drop_caches();
		usleep(100000);
		m.buddy = meminfo_kib("MemFree");
		m.pcp = pcp_kib();
		m.slab = meminfo_kib("Slab");
	}
	return m;
}

/* Allocate and free at once, going through pagebuf's policies and sizes in turn. */
static void alloc_cycles(int cycles)
{
	static const char *const policies[] = { "pagebuf", "pagebuf-order0", "pagebuf-contig" };
	static const size_t sizes[] = { 4 * KIB, 12 * KIB, 64 * KIB, 100 * KIB,
					1 * MIB, 3 * MIB + 4 * KIB };
	const struct source *s[3];
	int i;

	for (i = 0; i < 3; i++)
		s[i] = source_by_name(policies[i]);
	for (i = 0; i < cycles; i++)
		close(alloc_or_die(s[i % 3], sizes[i % 6]));
}

/*
 * With the per-CPU lists counted, two readings around 10 000 cycles
 * differ by under 100 KiB (slab pages); MemFree alone swings by 20 MiB.
 * A leak of one page per cycle would be 40 MiB; pagebuf's own counters
 * catch a single buffer.
 */
#define SLACK_KIB	(8 * 1024)

/*
 * 10 000 allocations of mixed sizes and policies, each freed at once:
 * pagebuf's counters must be back where they were, and free memory
 * (the buddy allocator's and the per-CPU lists') within a few MiB of
 * it. A first thousand cycles before the baseline warm the caches
 * every allocation uses.
 */
enum p6_result check_alloc_cycles(char *summary, size_t len)
{
	const struct source *s = source_by_name("pagebuf");
	int cycles = quick ? 1000 : 10000;
	uint64_t b0, y0, b1, y1;
	struct free_mem m0, m1;
	long lost;

	if (s->why_not) {
		snprintf(summary, len, "not run: %s", s->why_not);
		return P6_NOT_RUN;
	}
	alloc_cycles(1000);
	if (pagebuf_live(&b0, &y0))
		die("PAGEBUF_IOC_GET_STATS: %s", strerror(errno));
	m0 = settled_free();
	alloc_cycles(cycles);
	m1 = settled_free();
	if (pagebuf_live(&b1, &y1))
		die("PAGEBUF_IOC_GET_STATS: %s", strerror(errno));
	lost = (m0.buddy + m0.pcp) - (m1.buddy + m1.pcp);
	snprintf(summary, len,
		 "%d cycles: live buffers %llu -> %llu, bytes %llu -> %llu, free memory %+ld KiB (MemFree %+ld, per-CPU lists %+ld; Slab %+ld; at most -%d allowed)",
		 cycles, (unsigned long long)b0, (unsigned long long)b1,
		 (unsigned long long)y0, (unsigned long long)y1, -lost,
		 m1.buddy - m0.buddy, m1.pcp - m0.pcp, m1.slab - m0.slab,
		 SLACK_KIB);
	return b1 != b0 || y1 != y0 || lost > SLACK_KIB ? P6_LEAK : P6_OK;
}
