// SPDX-License-Identifier: GPL-2.0
/*
 * The exporters compared: pagebuf with each of its allocation policies,
 * the kernel's system heap (/dev/dma_heap/system) and udmabuf (a sealed
 * memfd turned into a dma-buf), each a libdmabuf-lab source opened once
 * for the whole run. A source the kernel does not offer is kept, with
 * the reason, so that its rows say why they are empty.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <dmabuf-lab.h>
#include <uapi/pagebuf.h>

#include "bench.h"

/* The largest contiguous block of the page allocator (4 KiB pages). */
#define CONTIG_MAX	(4 * MIB)

#define NO_PAGEBUF	"no /dev/pagebuf (pagebuf.ko not loaded)"

struct source sources[] = {
	{ "pagebuf", "pagebuf", 0, NO_PAGEBUF, NULL, NULL, NULL },
	{ "pagebuf-order0", "pagebuf:order0", 0, NO_PAGEBUF, NULL, NULL, NULL },
	{ "pagebuf-contig", "pagebuf:contig", CONTIG_MAX, NO_PAGEBUF, NULL, NULL, NULL },
	{ "heap", "heap:system", 0, "no /dev/dma_heap/system in this kernel", NULL, NULL,
	  NULL },
	{ "udmabuf", "udmabuf", 0, "no /dev/udmabuf in this kernel", NULL, NULL, NULL },
};
const int nr_sources = sizeof(sources) / sizeof(sources[0]);

struct source null_source = {
	"null", "pagebuf", 0,
	"no /dev/dmabuf_null (module/dmabuf_null, which only the benchmark's guest loads)",
	"/dev/dmabuf_null", NULL, NULL
};

/* pagebuf's device, for its counters only (the sources allocate). */
static int pagebuf_fd = -1;

void sources_open(void)
{
	int i;

	pagebuf_fd = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	for (i = 0; i <= nr_sources; i++) {
		struct source *s = i < nr_sources ? &sources[i] : &null_source;

		if (dmabuf_lab_source_open(&s->lib, s->spec, s->dev, NULL, 0) < 0)
			s->why_not = s->absent;
	}
}

struct source *source_by_name(const char *name)
{
	int i;

	for (i = 0; i < nr_sources; i++)
		if (!strcmp(sources[i].name, name))
			return &sources[i];
	die("no source %s", name);
}

int source_fits(const struct source *s, size_t size)
{
	return !s->max_size || size <= s->max_size;
}

int source_alloc(const struct source *s, size_t size)
{
	return dmabuf_lab_source_alloc(s->lib, size);
}

int alloc_or_die(const struct source *s, size_t size)
{
	int fd = source_alloc(s, size);

	if (fd < 0)
		die("%s: allocating %zu bytes: %s", s->name, size, strerror(-fd));
	return fd;
}

const struct source *nth_source(int i)
{
	return &sources[(i + round_no) % nr_sources];
}

int pagebuf_live(uint64_t *buffers, uint64_t *bytes)
{
	struct pagebuf_stats st;

	if (ioctl(pagebuf_fd, PAGEBUF_IOC_GET_STATS, &st))
		return errno;
	*buffers = st.live_buffers;
	*bytes = st.live_bytes;
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("dmabuf-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void cpu_access(int fd, int begin, unsigned int dir)
{
	int ret = begin ? dmabuf_lab_begin_cpu(fd, dir) : dmabuf_lab_end_cpu(fd, dir);

	if (ret < 0)
		die("DMA_BUF_IOCTL_SYNC: %s", strerror(-ret));
}

void *map_fd(int fd, size_t size)
{
	void *p;
	int ret = dmabuf_lab_map(fd, 0, size, PROT_READ | PROT_WRITE, &p);

	if (ret < 0)
		die("mmap of %zu bytes: %s", size, strerror(-ret));
	return p;
}

void *anon_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		die("anonymous mmap of %zu bytes: %s", size, strerror(errno));
	return p;
}
