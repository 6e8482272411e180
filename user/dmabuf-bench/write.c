// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping a buffer and writing it for the first time (P3), and the
 * whole way from allocation to written (P3e), against anonymous memory,
 * whose first write is also its allocation.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "bench.h"

double map_and_write(int fd, size_t size)
{
	double t0 = now_s();
	char *p = map_fd(fd, size);

	cpu_access(fd, 1, DMABUF_LAB_CPU_WRITE);
	memset(p, 0x5a, size);
	cpu_access(fd, 0, DMABUF_LAB_CPU_WRITE);
	dmabuf_lab_unmap(p, size);
	return now_s() - t0;
}

#define P3 "P3 64M mmap+first write"
#define P3E "P3e 64M alloc+mmap+write"

void measure_first_write(void)
{
	size_t size = quick ? 16 * MIB : LARGE;
	double gb = size / 1e9, t0, t;
	int i, fd;
	char *p;

	for (i = 0; i < nr_sources; i++) {
		const struct source *s = nth_source(i);

		if (s->why_not || !source_fits(s, size)) {
			const char *why = s->why_not ? s->why_not : "larger than its largest block";

			record_missing(P3, s->name, "GB/s", why);
			record_missing(P3E, s->name, "GB/s", why);
			continue;
		}
		fd = alloc_or_die(s, size);
		record(P3, s->name, "GB/s", HIGHER, "heap", gb / map_and_write(fd, size));
		close(fd);

		t0 = now_s();
		fd = alloc_or_die(s, size);
		map_and_write(fd, size);
		record(P3E, s->name, "GB/s", HIGHER, "heap", gb / (now_s() - t0));
		close(fd);
	}
	/* Anonymous memory: its first write is also its allocation. */
	t0 = now_s();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("anonymous mmap: %s", strerror(errno));
	memset(p, 0x5a, size);
	t = now_s() - t0;
	munmap(p, size);
	record(P3, "anon", "GB/s", HIGHER, "heap", gb / t);
	record(P3E, "anon", "GB/s", HIGHER, "heap", gb / t);
}
