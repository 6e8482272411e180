/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-conform: checks a dma-buf exporter against the rules the kernel
 * documents for exporters (Documentation/driver-api/dma-buf.rst and the
 * kernel-doc of struct dma_buf_ops), from userspace, with v2d_emu as the
 * importing device.
 *
 * Each check runs in a child process of its own, so that a check that
 * hangs (a fence that never signals) is killed after a timeout and one
 * that faults (SIGBUS past the end of a mapping) is a failure, not the
 * end of the run; the child's exit closes whatever it had open.
 */
#ifndef DMABUF_CONFORM_H
#define DMABUF_CONFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/v2d_emu.h>

#define KIB		1024UL
#define MIB		(1024UL * 1024UL)

/* ---- sources: where the buffer under test comes from --------------------- */

struct dmabuf_lab_source;

enum source_kind { SRC_NONE, SRC_HEAP, SRC_UDMABUF, SRC_VGEM, SRC_PAGEBUF,
		   SRC_PIDFD, SRC_RECV };

struct source {
	enum source_kind kind;
	const char *arg;	/* heap name, socket path, "PID:FD" */
	uint32_t policy;	/* pagebuf's allocation flags */
	struct dmabuf_lab_source *lib;	/* what it allocates from, or NULL */
	int given;		/* the one buffer of --pidfd/--recv, or -1 */
	size_t size;		/* bytes of every buffer */
	char desc[128];		/* "pagebuf (order0)", "heap system", ... */
};

extern struct source src;

/* Open the source (exit status 3 on failure, with a message); 0 or 3. */
int source_open(struct source *s);
void source_close(struct source *s);
/* Does the source allocate (so that checks may take fresh buffers)? */
int source_allocates(const struct source *s);
/*
 * A buffer of the source: a fresh one, or a new fd on the given one.
 * 0 or an errno value.
 */
int source_get(const struct source *s, int *fd);

/* A fresh buffer of pagebuf, the known-good exporter: 0 or errno. */
int pagebuf_alloc(size_t size, int *fd);
/* pagebuf's live counters: 0 or errno. */
struct pagebuf_stats;
int pagebuf_stats(struct pagebuf_stats *st);
/* PAGEBUF_IOC_MOVE of a movable buffer to @policy: 0 or errno. */
int pagebuf_move(int fd, uint32_t policy);
/* Can the checks make the buffers of the source move (pagebuf's movable ones)? */
int source_moves(const struct source *s);

/* ---- checks ---------------------------------------------------------------- */

enum result { RES_PASS, RES_FAIL, RES_SKIP };

struct check {
	const char *name;
	const char *rule;	/* what the kernel documents, in a few words */
	/* Fill @why (a reason for FAIL/SKIP, or a note for PASS). */
	enum result (*run)(char *why, size_t len);
};

extern const struct check file_checks[], mmap_checks[], device_checks[],
	dynamic_checks[];
extern const int nr_file_checks, nr_mmap_checks, nr_device_checks,
	nr_dynamic_checks;

/* Shorthands for a check's result with a formatted reason. */
enum result pass(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum result failed(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum result skipped(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* In a check: a buffer of the source into @fd, or return a failure. */
#define GET_OR_FAIL(fd)							\
	do {								\
		int _e = source_get(&src, &(fd));			\
		if (_e)							\
			return failed(why, len, "%s gave no buffer: %s", \
				      src.desc, strerror(_e));		\
	} while (0)

/* Common steps of checks: mmap(2) as it is, MAP_FAILED and errno on failure. */
void *buf_map(int fd, size_t len, int prot, int flags, off_t off);
/* The inode number of @fd's file. */
unsigned long fd_ino(int fd);
/* Is the buffer of inode @ino listed in debugfs bufinfo, and how many devices are attached? -1: cannot tell. */
int bufinfo_attached(unsigned long ino, int *listed);

/* ---- the importing device: v2d_emu ---------------------------------------- */

/* Opened lazily by the checks that need it; NULL and @why when absent. */
int engine_open(char *why, size_t len);
int engine_import(int fd, uint32_t *handle);
/* V2D_IOC_IMPORT with V2D_IMPORT_* @flags (a dynamic import): 0 or errno. */
int engine_import_flags(int fd, uint32_t flags, uint32_t *handle);
int engine_release(uint32_t handle);
/* V2D_IOC_QUERY: size, segments, path. */
int engine_query(uint32_t handle, struct v2d_query *q);

/* A buffer of the source, imported with V2D_IMPORT_* @flags and queried. */
struct imported {
	int fd;
	uint32_t handle;
	struct v2d_query q;
};

/*
 * Take a buffer of the source and import it: 0, or -1 with the check's
 * result in *@r (a skip without the engine, a failure otherwise) and
 * nothing left open.
 */
int import_buffer(struct imported *b, uint32_t flags, enum result *r, char *why, size_t len);
/* Release the import and close the buffer. */
void unimport(struct imported *b);
/* FILL all of @handle (@size bytes) with the 32-bit @value and wait. */
int engine_fill(uint32_t handle, size_t size, uint32_t value, int timeout_ms);
/* Submit a FILL of all of @handle, not waited for: its out-fence, or -errno. */
int engine_fill_async(uint32_t handle, size_t size, uint32_t value);
/* Wait for a job's out-fence and close it: 0, its error, or ETIMEDOUT. */
int engine_wait(int fence_fd, int timeout_ms);
/* COPY @size bytes from @src to @dst and wait. */
int engine_copy(uint32_t src, uint32_t dst, size_t size, int timeout_ms);
/* An engine job's error, saying what a timeout means. */
const char *engine_strerror(int err);
/* dma_max_mapping_size() of the engine's device (debugfs); 0: unknown. */
uint64_t engine_max_mapping_size(void);

/* ---- report ------------------------------------------------------------------ */

enum format { FMT_TEXT, FMT_JSON };

/* @verbose: PASS lines carry the check's note (what it saw). */
void report_begin(enum format fmt, int verbose);
void report_result(const struct check *c, enum result r, const char *why);
/* The summary line or the JSON document's end; the counts. */
void report_end(int *passed, int *failed, int *skipped);
void report_list(void);

#define JOB_TIMEOUT_MS	10000	/* an engine job: much more than it takes */

#endif /* DMABUF_CONFORM_H */
