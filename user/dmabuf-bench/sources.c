// SPDX-License-Identifier: GPL-2.0
/*
 * The exporters compared: pagebuf with each of its allocation policies,
 * the kernel's system heap (/dev/dma_heap/system) and udmabuf (a sealed
 * memfd turned into a dma-buf). A source the kernel does not offer is
 * kept, with the reason, so that its rows say why they are empty.
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

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include <uapi/pagebuf.h>

#include "bench.h"

static int pagebuf_fd = -1, heap_fd = -1, udmabuf_fd = -1;

static int alloc_pagebuf(const struct source *s, size_t size, int *fd)
{
	struct pagebuf_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.flags = s->flags;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(pagebuf_fd, PAGEBUF_IOC_ALLOC, &a))
		return errno;
	*fd = a.fd;
	return 0;
}

static int alloc_heap(const struct source *s, size_t size, int *fd)
{
	struct dma_heap_allocation_data a;

	(void)s;
	memset(&a, 0, sizeof(a));
	a.len = size;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &a))
		return errno;
	*fd = a.fd;
	return 0;
}

/* udmabuf wants a memfd that cannot shrink; the dma-buf keeps its pages. */
static int alloc_udmabuf(const struct source *s, size_t size, int *fd)
{
	struct udmabuf_create c;
	int memfd, ret, err = 0;

	(void)s;
	memfd = memfd_create("dmabuf-bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return errno;
	if (ftruncate(memfd, size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		err = errno;
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.memfd = memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = size;
	ret = ioctl(udmabuf_fd, UDMABUF_CREATE, &c);
	if (ret < 0)
		err = errno;
	else
		*fd = ret;
out:
	close(memfd);
	return err;
}

/* The largest contiguous block of the page allocator (4 KiB pages). */
#define CONTIG_MAX	(4 * MIB)

struct source sources[] = {
	{ "pagebuf", alloc_pagebuf, 0, 0, NULL },
	{ "pagebuf-order0", alloc_pagebuf, PAGEBUF_ALLOC_ORDER0, 0, NULL },
	{ "pagebuf-contig", alloc_pagebuf, PAGEBUF_ALLOC_CONTIG, CONTIG_MAX, NULL },
	{ "heap", alloc_heap, 0, 0, NULL },
	{ "udmabuf", alloc_udmabuf, 0, 0, NULL },
};
const int nr_sources = sizeof(sources) / sizeof(sources[0]);

void sources_open(void)
{
	int i;

	pagebuf_fd = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	udmabuf_fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	for (i = 0; i < nr_sources; i++) {
		struct source *s = &sources[i];

		if (s->alloc == alloc_pagebuf && pagebuf_fd < 0)
			s->why_not = "no /dev/pagebuf (pagebuf.ko not loaded)";
		else if (s->alloc == alloc_heap && heap_fd < 0)
			s->why_not = "no /dev/dma_heap/system in this kernel";
		else if (s->alloc == alloc_udmabuf && udmabuf_fd < 0)
			s->why_not = "no /dev/udmabuf in this kernel";
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

void sync_buf(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
		if (errno != EINTR && errno != EAGAIN)
			die("DMA_BUF_IOCTL_SYNC: %s", strerror(errno));
}

void *map_fd(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap of %zu bytes: %s", size, strerror(errno));
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
