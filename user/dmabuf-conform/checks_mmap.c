// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU's view through mmap: pages at the offset asked for, nothing
 * beyond the buffer (not at mmap time, not by mremap), no private copy
 * that writes into the device's memory, and zeroed fresh memory. Anything
 * that may fault is tried in a child process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include <dmabuf-lab.h>

#include "conform.h"

#define PAGE	4096UL

/* Run @fn(@p) in a child: its exit status, or 128 + the signal. */
static int in_child(int (*fn)(volatile unsigned char *p), volatile unsigned char *p)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(p));
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Each page starts with its number, written in a CPU access bracket. */
static int write_page_numbers(int fd, unsigned char *p, size_t size)
{
	size_t i;
	int err = -dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_WRITE);

	if (err)
		return err;
	for (i = 0; i < size / PAGE; i++)
		memcpy(p + i * PAGE, &i, sizeof(i));
	return -dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_WRITE);
}

static enum result mmap_offsets(char *why, size_t len)
{
	size_t pages = src.size / PAGE, offs[3], got, i;
	enum result r = RES_PASS;
	unsigned char *p, *q;
	int fd, err;

	if (pages < 3)
		return skipped(why, len, "needs a buffer of 3 pages at least");
	GET_OR_FAIL(fd);
	p = buf_map(fd, src.size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		r = failed(why, len, "mmap of the whole buffer: %s", strerror(errno));
		goto out;
	}
	err = write_page_numbers(fd, p, src.size);
	if (err) {
		r = failed(why, len, "DMA_BUF_IOCTL_SYNC: %s", strerror(err));
		goto unmap;
	}
	/* The second page, the middle one, the last one: one page each. */
	offs[0] = 1;
	offs[1] = pages / 2;
	offs[2] = pages - 1;
	for (i = 0; i < 3 && r == RES_PASS; i++) {
		q = buf_map(fd, PAGE, PROT_READ, MAP_SHARED, offs[i] * PAGE);
		if (q == MAP_FAILED) {
			r = failed(why, len, "mmap at page %zu: %s", offs[i], strerror(errno));
			break;
		}
		memcpy(&got, q, sizeof(got));
		if (got != offs[i])
			r = failed(why, len, "mmap at page %zu shows page %zu (vm_pgoff ignored)",
				   offs[i], got);
		munmap(q, PAGE);
	}
	if (r == RES_PASS)
		r = pass(why, len, "pages 1, %zu, %zu", pages / 2, pages - 1);
unmap:
	munmap(p, src.size);
out:
	close(fd);
	return r;
}

static enum result mmap_out_of_range(char *why, size_t len)
{
	enum result r;
	void *p;
	int fd;

	GET_OR_FAIL(fd);
	p = buf_map(fd, src.size + PAGE, PROT_READ, MAP_SHARED, 0);
	if (p != MAP_FAILED) {
		munmap(p, src.size + PAGE);
		r = failed(why, len, "a mapping one page longer than the buffer was accepted");
		goto out;
	}
	p = buf_map(fd, PAGE, PROT_READ, MAP_SHARED, src.size);
	if (p != MAP_FAILED) {
		munmap(p, PAGE);
		r = failed(why, len, "a mapping at the buffer's end was accepted");
		goto out;
	}
	p = buf_map(fd, 2 * PAGE, PROT_READ, MAP_SHARED, src.size - PAGE);
	if (p != MAP_FAILED) {
		munmap(p, 2 * PAGE);
		r = failed(why, len, "a mapping across the buffer's end was accepted");
		goto out;
	}
	r = pass(why, len, "refused");
out:
	close(fd);
	return r;
}

static int touch_first(volatile unsigned char *p)
{
	p[0] = 0x5a;
	return 0;
}

static int read_first(volatile unsigned char *p)
{
	return p[0] == 0x77 ? 1 : 0;
}

static enum result mmap_private(char *why, size_t len)
{
	unsigned char *shared;
	unsigned char *priv;
	enum result r;
	int fd, rc;

	GET_OR_FAIL(fd);
	shared = buf_map(fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (shared == MAP_FAILED) {
		r = failed(why, len, "MAP_SHARED: %s", strerror(errno));
		goto out;
	}
	dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_WRITE);
	shared[0] = 0xa5;
	dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_WRITE);
	priv = buf_map(fd, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	if (priv == MAP_FAILED) {
		r = pass(why, len, "MAP_PRIVATE refused: %s", strerror(errno));
		goto unmap;
	}
	rc = in_child(touch_first, priv);
	munmap(priv, PAGE);
	dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ);
	if (rc >= 128)
		r = failed(why, len, "MAP_PRIVATE accepted, but a write to it raised signal %d",
			   rc - 128);
	else if (shared[0] != 0xa5)
		r = failed(why, len, "a write through MAP_PRIVATE reached the buffer");
	else
		r = pass(why, len, "MAP_PRIVATE accepted as a private copy");
	dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ);
unmap:
	munmap(shared, PAGE);
out:
	close(fd);
	return r;
}

static enum result mmap_mremap_grow(char *why, size_t len)
{
	unsigned char *p, *q;
	enum result r;
	int fd, rc;

	GET_OR_FAIL(fd);
	p = buf_map(fd, src.size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		r = failed(why, len, "mmap: %s", strerror(errno));
		goto out;
	}
	q = mremap(p, src.size, src.size + PAGE, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		r = pass(why, len, "mremap refused: %s", strerror(errno));
		munmap(p, src.size);
		goto out;
	}
	/* Grown: the page past the end must not be memory of anything. */
	rc = in_child(read_first, q + src.size);
	if (rc >= 128)
		r = pass(why, len, "mremap grew the mapping, but the page past the end faults (signal %d)",
			 rc - 128);
	else
		r = failed(why, len, "mremap grew the mapping and the page past the buffer's end is readable");
	munmap(q, src.size + PAGE);
out:
	close(fd);
	return r;
}

static enum result zero_filled(char *why, size_t len)
{
	size_t i, nonzero = 0, first = 0;
	enum result r;
	unsigned char *p;
	int fd, err;

	if (!source_allocates(&src))
		return skipped(why, len, "needs a fresh allocation; %s is a buffer already in use",
			       src.desc);
	GET_OR_FAIL(fd);
	p = buf_map(fd, src.size, PROT_READ, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		r = failed(why, len, "mmap: %s", strerror(errno));
		goto out;
	}
	err = -dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ);
	for (i = 0; i < src.size && !err; i++)
		if (p[i] && !nonzero++)
			first = i;
	if (!err)
		err = -dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ);
	if (err)
		r = failed(why, len, "DMA_BUF_IOCTL_SYNC: %s", strerror(err));
	else if (nonzero)
		r = failed(why, len, "%zu of %zu bytes not zero, the first at %zu (memory of someone else)",
			   nonzero, src.size, first);
	else
		r = pass(why, len, "%zu bytes", src.size);
	munmap(p, src.size);
out:
	close(fd);
	return r;
}

const struct check mmap_checks[] = {
	{ "mmap.offsets", "mmap honours the offset: page N of the mapping is page vm_pgoff + N", mmap_offsets },
	{ "mmap.out_of_range", "a mapping past the buffer's end is refused", mmap_out_of_range },
	{ "mmap.private_refused_or_cow", "MAP_PRIVATE is refused (the core does not check it) or never writes the buffer", mmap_private },
	{ "mmap.mremap_grow", "a mapping cannot grow past the buffer (VM_DONTEXPAND, or a fault)", mmap_mremap_grow },
	{ "alloc.zero_filled", "a fresh buffer holds no previous user's data", zero_filled },
};
const int nr_mmap_checks = sizeof(mmap_checks) / sizeof(mmap_checks[0]);
