// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer as a device sees it, with v2d_emu importing it: the import
 * (attach and map), the path the engine took (one segment: the DMA
 * address directly; several: its IOMMU), the segments against the
 * device's dma_max_mapping_size(), the CPU and the device seeing each
 * other's writes through the sync ioctl, and attachments that go away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include <uapi/pagebuf.h>
#include <uapi/v2d_emu.h>

#include <dmabuf-lab.h>

#include "conform.h"

#define FILL_VALUE	0xa5c3e17fU

/* A buffer of the source, imported: 0, or the check's result in *r. */
/* Import, check the path, and run a FILL through it. */
static enum result import_path(char *why, size_t len, uint32_t want)
{
	struct imported b;
	enum result r;
	int err;

	if (import_buffer(&b, 0, &r, why, len))
		return r;
	if (b.q.size != src.size)
		r = failed(why, len, "the importer sees %llu bytes, the buffer has %zu",
			   (unsigned long long)b.q.size, src.size);
	else if (b.q.path != want)
		r = skipped(why, len, "%u segment%s: the engine took its %s path", b.q.nr_segments,
			    b.q.nr_segments == 1 ? "" : "s",
			    b.q.path == V2D_PATH_DIRECT ? "direct" : "IOMMU");
	else if ((err = engine_fill(b.handle, src.size, FILL_VALUE, JOB_TIMEOUT_MS)))
		r = failed(why, len, "a FILL through the %s path: %s",
			   want == V2D_PATH_DIRECT ? "direct" : "IOMMU", engine_strerror(err));
	else
		r = pass(why, len, "%u segment%s", b.q.nr_segments,
			 b.q.nr_segments == 1 ? "" : "s");
	unimport(&b);
	return r;
}

static enum result import_direct(char *why, size_t len)
{
	return import_path(why, len, V2D_PATH_DIRECT);
}

static enum result import_iommu(char *why, size_t len)
{
	return import_path(why, len, V2D_PATH_IOMMU);
}

/*
 * v2d_emu shows how many segments it got, not their lengths: a table of
 * N segments for S bytes has one of S / N bytes at least, so the rule is
 * broken for sure when that exceeds the limit.
 */
static enum result segments_max(char *why, size_t len)
{
	uint64_t max, least;
	struct imported b;
	enum result r;

	if (import_buffer(&b, 0, &r, why, len))
		return r;
	max = engine_max_mapping_size();
	least = (src.size + b.q.nr_segments - 1) / b.q.nr_segments;
	if (!max)
		r = skipped(why, len, "the importer's limit is unknown (no /sys/kernel/debug/v2d_emu/dma)");
	else if (least > max)
		r = failed(why, len, "%u segments for %zu bytes: one is %llu bytes at least, the importer's dma_max_mapping_size is %llu",
			   b.q.nr_segments, src.size, (unsigned long long)least,
			   (unsigned long long)max);
	else if (max == UINT64_MAX)
		r = pass(why, len, "%u segment%s, and the importer has no limit",
			 b.q.nr_segments, b.q.nr_segments == 1 ? "" : "s");
	else
		r = pass(why, len, "%u segment%s for %zu bytes, limit %llu", b.q.nr_segments,
			 b.q.nr_segments == 1 ? "" : "s", src.size, (unsigned long long)max);
	unimport(&b);
	return r;
}

/* Count the bytes of @p that differ from the FILL value's pattern. */
static size_t count_bad(const unsigned char *p, size_t size, size_t *first)
{
	uint32_t v = FILL_VALUE;
	size_t i, bad = 0;

	for (i = 0; i < size; i++)
		if (p[i] != ((const unsigned char *)&v)[i % 4] && !bad++)
			*first = i;
	return bad;
}

static enum result device_to_cpu(char *why, size_t len)
{
	size_t bad, first = 0;
	struct imported b;
	unsigned char *p;
	enum result r;
	int err;

	if (import_buffer(&b, 0, &r, why, len))
		return r;
	p = buf_map(b.fd, src.size, PROT_READ, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		r = failed(why, len, "mmap: %s", strerror(errno));
		goto out;
	}
	err = engine_fill(b.handle, src.size, FILL_VALUE, JOB_TIMEOUT_MS);
	if (err) {
		r = failed(why, len, "FILL: %s", engine_strerror(err));
		goto unmap;
	}
	err = -dmabuf_lab_begin_cpu(b.fd, DMABUF_LAB_CPU_READ);
	if (err) {
		r = failed(why, len, "SYNC_START READ: %s", strerror(err));
		goto unmap;
	}
	bad = count_bad(p, src.size, &first);
	dmabuf_lab_end_cpu(b.fd, DMABUF_LAB_CPU_READ);
	if (bad)
		r = failed(why, len, "%zu of %zu bytes the engine wrote not seen by the CPU, the first at %zu",
			   bad, src.size, first);
	else
		r = pass(why, len, "%zu bytes", src.size);
unmap:
	munmap(p, src.size);
out:
	unimport(&b);
	return r;
}

/*
 * The CPU writes the source while the engine has it mapped, then the
 * engine copies it into a pagebuf buffer (the known-good exporter):
 * only the source's end_cpu_access can carry the CPU's bytes to the
 * device (a flush, or a bounce buffer's copy).
 */
static enum result cpu_to_device(char *why, size_t len)
{
	size_t i, bad = 0, first = 0;
	unsigned char *p, *q = MAP_FAILED;
	uint32_t dh = 0, *w;
	struct imported b;
	int dfd = -1, err;
	enum result r;

	if (import_buffer(&b, 0, &r, why, len))
		return r;
	err = pagebuf_alloc(src.size, &dfd);
	if (err) {
		r = skipped(why, len, "no destination from pagebuf, the known-good exporter: %s",
			    strerror(err));
		goto out;
	}
	err = engine_import(dfd, &dh);
	p = buf_map(b.fd, src.size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	q = buf_map(dfd, src.size, PROT_READ, MAP_SHARED, 0);
	if (err || p == MAP_FAILED || q == MAP_FAILED) {
		r = failed(why, len, "setting up: %s", strerror(err ? err : errno));
		goto unmap;
	}
	err = -dmabuf_lab_begin_cpu(b.fd, DMABUF_LAB_CPU_WRITE);
	for (w = (uint32_t *)p, i = 0; i < src.size / 4 && !err; i++)
		w[i] = (uint32_t)i * 2654435761U;
	if (!err)
		err = -dmabuf_lab_end_cpu(b.fd, DMABUF_LAB_CPU_WRITE);
	if (err) {
		r = failed(why, len, "DMA_BUF_IOCTL_SYNC: %s", strerror(err));
		goto unmap;
	}
	err = engine_copy(b.handle, dh, src.size, JOB_TIMEOUT_MS);
	if (err) {
		r = failed(why, len, "COPY: %s", engine_strerror(err));
		goto unmap;
	}
	dmabuf_lab_begin_cpu(dfd, DMABUF_LAB_CPU_READ);
	for (i = 0; i < src.size; i++)
		if (p[i] != q[i] && !bad++)
			first = i;
	dmabuf_lab_end_cpu(dfd, DMABUF_LAB_CPU_READ);
	if (bad)
		r = failed(why, len, "%zu of %zu bytes the CPU wrote did not reach the device, the first at %zu",
			   bad, src.size, first);
	else
		r = pass(why, len, "%zu bytes", src.size);
unmap:
	if (p != MAP_FAILED)
		munmap(p, src.size);
	if (q != MAP_FAILED)
		munmap(q, src.size);
	if (dh)
		engine_release(dh);
	close(dfd);
out:
	unimport(&b);
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait up to 2 s for the device count of @ino in bufinfo to be @want. */
static int wait_attached(unsigned long ino, int want, int *listed)
{
	int n = -1, i;

	for (i = 0; i < 20; i++) {
		n = bufinfo_attached(ino, listed);
		if (n == want || n < 0)
			break;
		sleep_ms(100);
	}
	return n;
}

/*
 * pagebuf's counts are back to @before's: the attachment, the mapping and
 * any vmap exactly, the buffers at most where bufinfo has proven the
 * buffer under test gone (@exact_buffers false). An earlier check's
 * buffer may still be on its way out when @before is read: a dma-buf
 * whose last reference an importer's kernel thread dropped (v2d_emu
 * retiring a job) is released a tick later, by the kernel's delayed fput.
 */
static int same_pagebuf_live(const struct pagebuf_stats *before,
			     const struct pagebuf_stats *after, int exact_buffers)
{
	return (exact_buffers ? after->live_buffers == before->live_buffers :
				after->live_buffers <= before->live_buffers) &&
	       after->live_attachments == before->live_attachments &&
	       after->live_mappings == before->live_mappings &&
	       after->live_vmaps == before->live_vmaps;
}

static enum result attach_balanced(char *why, size_t len)
{
	struct pagebuf_stats before, after;
	int use_stats, listed, n, i, bufinfo;
	struct imported b;
	unsigned long ino;
	enum result r;

	use_stats = src.kind == SRC_PAGEBUF && !pagebuf_stats(&before);
	if (import_buffer(&b, 0, &r, why, len))
		return r;
	ino = fd_ino(b.fd);
	n = bufinfo_attached(ino, &listed);
	bufinfo = n >= 0;
	if (n < 0 && !use_stats) {
		unimport(&b);
		return skipped(why, len, "cannot read /sys/kernel/debug/dma_buf/bufinfo (debugfs, root)");
	}
	if (n >= 0 && (!listed || n < 1)) {
		unimport(&b);
		return failed(why, len, "bufinfo does not show the importer's attachment");
	}
	engine_release(b.handle);
	n = wait_attached(ino, 0, &listed);
	if (n > 0) {
		close(b.fd);
		return failed(why, len, "%d device(s) still attached after the importer let go", n);
	}
	close(b.fd);
	if (!source_allocates(&src))
		return pass(why, len, "detached (the buffer stays: another process holds it)");
	for (i = 0; i < 20; i++) {
		n = bufinfo_attached(ino, &listed);
		if (n < 0 || !listed)
			break;
		sleep_ms(100);
	}
	if (n >= 0 && listed)
		return failed(why, len, "bufinfo still lists inode %lu after its last fd was closed", ino);
	if (use_stats) {
		for (i = 0; i < 20; i++) {
			if (!pagebuf_stats(&after) && same_pagebuf_live(&before, &after, !bufinfo))
				break;
			sleep_ms(100);
		}
		if (!same_pagebuf_live(&before, &after, !bufinfo))
			return failed(why, len, "pagebuf's live attachments/mappings/buffers did not return to %llu/%llu/%llu: %llu/%llu/%llu",
				      (unsigned long long)before.live_attachments,
				      (unsigned long long)before.live_mappings,
				      (unsigned long long)before.live_buffers,
				      (unsigned long long)after.live_attachments,
				      (unsigned long long)after.live_mappings,
				      (unsigned long long)after.live_buffers);
	}
	return pass(why, len, "detached and released");
}

const struct check device_checks[] = {
	{ "import.v2d_direct", "a device attaches and maps it (map_dma_buf); one segment is used directly", import_direct },
	{ "import.v2d_iommu", "a device attaches and maps it (map_dma_buf); several segments go through its IOMMU", import_iommu },
	{ "segments.max_mapping_size", "no segment of the importer's table exceeds its dma_max_mapping_size()", segments_max },
	{ "coherency.device_to_cpu", "after the device's fence, SYNC_START READ shows the CPU every byte it wrote", device_to_cpu },
	{ "coherency.cpu_to_device", "what the CPU wrote inside SYNC_START/END WRITE reaches a device that has it mapped", cpu_to_device },
	{ "attach.balanced", "detach and unmap undo attach and map; no attachment outlives the importer", attach_balanced },
};
const int nr_device_checks = sizeof(device_checks) / sizeof(device_checks[0]);
