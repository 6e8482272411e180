// SPDX-License-Identifier: GPL-2.0
/*
 * Checks with a dynamic importer and the sync_file bridges
 * (Documentation/driver-api/dma-buf.rst: "dynamic importer rules",
 * "implicit fence poll support"). v2d_emu imports with
 * V2D_IMPORT_DYNAMIC: it maps under the reservation lock and is told
 * through its invalidation callback when the exporter moves the buffer.
 *
 * Only pagebuf's movable buffers can be moved from here (PAGEBUF_IOC_MOVE);
 * other exporters' buffers move on their own or never, and the move
 * checks skip for them, saying so. An exporter with no pin/unpin ops
 * (the heaps, udmabuf, vgem) still takes dynamic importers: the core
 * maps for them as for static ones.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/pagebuf.h>
#include <uapi/v2d_emu.h>

#include <dmabuf-lab.h>

#include "conform.h"

#define BEFORE	0x3c3c3c3cU
#define AFTER	0x6b6b6b6bU

/* Bytes of the buffer that are not @value, read in a CPU bracket; -1: could not read. */
static long count_not(int fd, uint32_t value)
{
	uint32_t *p = buf_map(fd, src.size, PROT_READ, MAP_SHARED, 0);
	long bad = 0;
	size_t i;

	if (p == MAP_FAILED)
		return -1;
	if (dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ)) {
		munmap(p, src.size);
		return -1;
	}
	for (i = 0; i < src.size / 4; i++)
		bad += p[i] != value;
	dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ);
	munmap(p, src.size);
	return bad * 4;
}

/* The engine fills the buffer through a dynamic import; the CPU sees it all. */
static enum result dynamic_map(char *why, size_t len)
{
	enum result r;
	struct imported d;
	long bad;
	int err;

	if (import_buffer(&d, V2D_IMPORT_DYNAMIC, &r, why, len))
		return r;
	err = engine_fill(d.handle, src.size, BEFORE, JOB_TIMEOUT_MS);
	bad = err ? 0 : count_not(d.fd, BEFORE);
	if (err)
		r = failed(why, len, "FILL through the dynamic import: %s", engine_strerror(err));
	else if (bad)
		r = failed(why, len, "%ld of %zu bytes the engine wrote not seen by the CPU", bad,
			   src.size);
	else
		r = pass(why, len, "%zu bytes, %s", src.size,
			 d.q.state & V2D_QUERY_PINNED ? "pinned by this kernel" : "unpinned");
	unimport(&d);
	return r;
}

/* Why a move check cannot run: a reason in @why, or 0 when it can. */
static int cannot_move(struct imported *d, enum result *r, char *why, size_t len)
{
	if (!source_moves(&src)) {
		*r = skipped(why, len, "%s cannot be made to move from here (only pagebuf's movable buffers: --pagebuf --policy movable)",
			     src.desc);
		return 1;
	}
	if (d && (d->q.state & V2D_QUERY_PINNED)) {
		*r = skipped(why, len, "this kernel pins dynamic mappings (before 7.1 without CONFIG_DMABUF_MOVE_NOTIFY): nothing moves under a dynamic importer");
		return 1;
	}
	return 0;
}

/*
 * The exporter moves the buffer: the dynamic importer is told (its
 * invalidation count), the contents stay, and the importer's next job,
 * mapped again, reaches the new pages.
 */
static enum result dynamic_move_notifies(char *why, size_t len)
{
	struct v2d_query q;
	enum result r;
	struct imported d;
	long bad;
	int err;

	if (cannot_move(NULL, &r, why, len))
		return r;
	if (import_buffer(&d, V2D_IMPORT_DYNAMIC, &r, why, len))
		return r;
	if (cannot_move(&d, &r, why, len))
		goto out;
	err = engine_fill(d.handle, src.size, BEFORE, JOB_TIMEOUT_MS);
	if (err) {
		r = failed(why, len, "FILL before the move: %s", engine_strerror(err));
		goto out;
	}
	err = pagebuf_move(d.fd, PAGEBUF_ALLOC_ORDER0);
	if (err == EPERM) {
		r = skipped(why, len, "PAGEBUF_IOC_MOVE needs CAP_SYS_ADMIN");
		goto out;
	}
	if (err) {
		r = failed(why, len, "PAGEBUF_IOC_MOVE: %s", strerror(err));
		goto out;
	}
	err = engine_query(d.handle, &q);
	if (err || q.invalidations != d.q.invalidations + 1) {
		r = failed(why, len, "the exporter moved the buffer without telling the dynamic importer (invalidations %u, before %u)",
			   q.invalidations, d.q.invalidations);
		goto out;
	}
	bad = count_not(d.fd, BEFORE);
	if (bad) {
		r = failed(why, len, "%ld bytes changed in the move", bad);
		goto out;
	}
	err = engine_fill(d.handle, src.size, AFTER, JOB_TIMEOUT_MS);
	bad = err ? 0 : count_not(d.fd, AFTER);
	if (err)
		r = failed(why, len, "FILL after the move: %s", engine_strerror(err));
	else if (bad)
		r = failed(why, len, "%ld bytes the importer wrote after the move did not reach the new pages",
			   bad);
	else
		r = pass(why, len, "told once, mapped again, the new pages reached");
out:
	unimport(&d);
	return r;
}

/* A static importer cannot follow a move: the buffer must not move under it. */
static enum result static_pins(char *why, size_t len)
{
	enum result r;
	struct imported d;
	int err;

	if (cannot_move(NULL, &r, why, len))
		return r;
	if (import_buffer(&d, 0, &r, why, len))
		return r;
	err = pagebuf_move(d.fd, PAGEBUF_ALLOC_ORDER0);
	if (err == EPERM)
		r = skipped(why, len, "PAGEBUF_IOC_MOVE needs CAP_SYS_ADMIN");
	else if (err == EBUSY)
		r = pass(why, len, "the move was refused with EBUSY");
	else if (!err)
		r = failed(why, len, "the buffer moved under a static importer");
	else
		r = failed(why, len, "PAGEBUF_IOC_MOVE: %s, not EBUSY", strerror(err));
	unimport(&d);
	return r;
}

/*
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE for a writer is not signalled before the
 * engine's write is done, and the job's fence imported back as a writer
 * (DMA_BUF_IOCTL_IMPORT_SYNC_FILE) is what a reader then waits for.
 */
static enum result sync_file_round_trip(char *why, size_t len)
{
	int job, sf = -1, out = -1, st = 0, err;
	enum result r;
	struct imported d;

	if (import_buffer(&d, 0, &r, why, len))
		return r;
	sf = dmabuf_lab_export_sync_file(d.fd, DMABUF_LAB_CPU_READ);
	if (sf == -ENOTTY) {
		r = skipped(why, len, "no DMA_BUF_IOCTL_EXPORT_SYNC_FILE before Linux 6.0");
		goto out;
	}
	if (sf < 0) {
		r = failed(why, len, "EXPORT_SYNC_FILE of an idle buffer: %s", strerror(-sf));
		goto out;
	}
	close(sf);
	sf = -1;
	job = engine_fill_async(d.handle, src.size, BEFORE);
	if (job < 0) {
		r = failed(why, len, "FILL: %s", strerror(-job));
		goto out;
	}
	sf = dmabuf_lab_export_sync_file(d.fd, DMABUF_LAB_CPU_WRITE);
	if (sf < 0) {
		r = failed(why, len, "EXPORT_SYNC_FILE (WRITE) after a job: %s", strerror(-sf));
		engine_wait(job, JOB_TIMEOUT_MS);
		goto out;
	}
	if (dmabuf_lab_fence_wait(sf, JOB_TIMEOUT_MS) != 1) {
		r = failed(why, len, "the exported sync_file did not signal");
		engine_wait(job, JOB_TIMEOUT_MS);
		goto out;
	}
	/* The sync_file has signalled: so must the job's fence have. */
	if (dmabuf_lab_fence_status(job, &st) < 0 || st != 1) {
		r = failed(why, len, "the exported sync_file signalled before the engine's write was done");
		engine_wait(job, JOB_TIMEOUT_MS);
		goto out;
	}
	err = -dmabuf_lab_import_sync_file(d.fd, DMABUF_LAB_CPU_WRITE, job);
	out = err ? -1 : dmabuf_lab_export_sync_file(d.fd, DMABUF_LAB_CPU_READ);
	engine_wait(job, JOB_TIMEOUT_MS);
	if (err)
		r = failed(why, len, "IMPORT_SYNC_FILE (WRITE) of the job's fence: %s", strerror(err));
	else if (out < 0)
		r = failed(why, len, "EXPORT_SYNC_FILE (READ) after the import: %s", strerror(-out));
	else if (dmabuf_lab_fence_wait(out, 0) != 1)
		r = failed(why, len, "a reader's sync_file is unsignalled although every fence has signalled");
	else
		r = pass(why, len, "export waits for the device's write; an imported fence is waited for");
	if (out >= 0)
		close(out);
out:
	if (sf >= 0)
		close(sf);
	unimport(&d);
	return r;
}

const struct check dynamic_checks[] = {
	{ "dynamic.map", "a dynamic importer attaches and maps it under the reservation lock (dma_buf_dynamic_attach)", dynamic_map },
	{ "dynamic.move_notifies", "a move tells every dynamic importer first (invalidate_mappings); its next mapping reaches the new pages", dynamic_move_notifies },
	{ "dynamic.static_pins", "a static importer pins the buffer: it is never moved under it", static_pins },
	{ "sync_file.round_trip", "EXPORT_SYNC_FILE waits for the device's write; IMPORT_SYNC_FILE adds a fence readers wait for", sync_file_round_trip },
};

const int nr_dynamic_checks = sizeof(dynamic_checks) / sizeof(dynamic_checks[0]);
