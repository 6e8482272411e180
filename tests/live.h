/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tests that look at the modules from outside, through
 * debugfs, sysfs, tracefs and dmabuf-inspect (debug.c, inspect_live.c):
 * reading and writing small files, running a tool and picking values out
 * of its CSV, and the v2d_emu calls they need.
 */
#ifndef DMABUF_LAB_TESTS_LIVE_H
#define DMABUF_LAB_TESTS_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include <uapi/v2d_emu.h>


/* A whole file as a NUL-terminated string (free it), or NULL with errno. */
char *dl_read(const char *path);
/* Write @text to @path in one write(); 0 or the errno value. */
int dl_write(const char *path, const char *text);
/* A file holding one unsigned number; fails the test otherwise. */
uint64_t dl_read_u64(const char *path);

/*
 * The first line of @text starting with @prefix (the whole line when
 * @prefix is empty) and containing @needle (when not NULL), copied into
 * @buf. Returns 1 if found, 0 if not.
 */
int dl_line(const char *text, const char *prefix, const char *needle,
	    char *buf, size_t len);

/* The inode number of an fd, as fdinfo, debugfs and the tracepoints show. */
unsigned long dl_ino(int fd);

/*
 * The tracefs directory (the one holding "trace"), mounting tracefs at
 * /sys/kernel/tracing if nothing is mounted yet; NULL if there is none.
 */
const char *dl_tracefs(void);
/* Enable or disable an event system ("pagebuf") and clear the buffer. */
int dl_trace_start(const char *system);
/* Stop and return the trace text (free it), or NULL. */
char *dl_trace_stop(const char *system);

/*
 * Run a shell command and return its standard output (free it), or NULL
 * when it could not run; *status gets the exit status (-1 if killed).
 */
char *dl_run(int *status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * In CSV output of several tables (each a header line, rows, then a blank
 * line; lines starting with '#' are comments), the table whose header starts with @header, the first row whose
 * field @keycol is @key: copy its field @col to @buf. Returns 1 if found.
 */
int dl_csv(const char *out, const char *header, int keycol, const char *key,
	   int col, char *buf, size_t len);

/*
 * dmabuf-inspect's JSON, which writes each flat object on one line: the
 * first object of @out with the number member "@key": @val, copied (free
 * it), or NULL.
 */
char *dl_json_object(const char *out, const char *key, uint64_t val);
/* The string member @key of @obj (\" and \\ unescaped): 1, or 0 if none. */
int dl_json_str(const char *obj, const char *key, char *buf, size_t len);
/* The number member @key of @obj: 1, or 0 if none. */
int dl_json_u64(const char *obj, const char *key, uint64_t *val);

/* v2d_emu: open the device, import, query, release, or fail the test. */
int v2d_open_dev(void);
uint32_t v2d_import_ok(int dev, int fd);
void v2d_query_ok(int dev, uint32_t handle, struct v2d_query *q);
void v2d_release_ok(int dev, uint32_t handle);
/* Submit a FILL of a 16x1 rectangle, hanging if asked; the out-fence. */
int v2d_fill(int dev, uint32_t handle, int hang, uint64_t *seqno);
/* Write a v2d_emu parameter, e.g. timeout_ms. */
void v2d_param_set(const char *name, const char *val);
/* Wait up to @ms for a sync_file; its status (1, or <0 the error), 0 if not. */
int dl_fence_wait(int fd, int ms);

#endif
