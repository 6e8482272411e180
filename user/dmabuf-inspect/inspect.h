/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-inspect: who holds which dma-buf, for any exporter.
 *
 * The data model shared by the scanners (proc.c, bufinfo.c, sysfs.c), the
 * snapshot code (snapshot.c), the views (views.c) and the renderers
 * (output.c).
 */
#ifndef DMABUF_INSPECT_H
#define DMABUF_INSPECT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define DI_NAME "dmabuf-inspect"

/* A fence found on a buffer's reservation object (debugfs bufinfo). */
struct di_fence {
	char *usage;		/* kernel/write/read/bookkeep, exclusive/shared */
	char *driver;
	char *timeline;
	uint64_t context;	/* 0 when the kernel does not print it */
	uint64_t seqno;
	int has_seqno;
	int signalled;
};

struct di_buf {
	/*
	 * 0 when unknown (the kernel never hands out inode 0): such a buffer
	 * is told from others by @anon alone, and matches no other buffer,
	 * not even across snapshots. Every other inode is a real one.
	 */
	uint64_t ino;
	uint64_t anon;		/* 1, 2, ... for those of unknown inode */
	uint64_t size;
	char *exp_name;
	char *name;		/* "" when unnamed */
	/* From debugfs bufinfo. */
	int in_bufinfo;
	unsigned int flags, mode;
	long count;
	char **devices;
	size_t ndevices;
	struct di_fence *fences;
	size_t nfences;
	/* Filled by di_state_finish(): number of processes holding it. */
	unsigned int nholders;
	int hidden;		/* not held by the process of -p */
};

/* One buffer held by one process. */
struct di_hold {
	size_t buf;		/* index in state.bufs */
	unsigned int nfds;
	unsigned int nmaps;
	uint64_t mapped;	/* bytes mapped into the process */
};

struct di_proc {
	pid_t pid;
	char *comm;
	struct di_hold *holds;
	size_t nholds, holds_cap;
};

/* Key to position (index.c). */
struct di_index {
	uint64_t *keys;
	size_t *vals;		/* DI_NONE: empty slot */
	size_t cap, n;
};

struct di_state {
	struct di_buf *bufs;
	size_t nbufs;
	struct di_proc *procs;
	size_t nprocs;
	int have_bufinfo;
	int bufinfo_format;	/* 510, 601 or 700; 0 when unknown */
	/*
	 * The source the buffers were listed from ("bpf", "debugfs", "sysfs"
	 * or "proc") and what it cannot see (static strings; set by cli.c).
	 * All but "proc" list every buffer of the system, so a buffer no
	 * process holds is held by the kernel alone.
	 */
	const char *source;
	const char *blind;
	unsigned int unreadable;	/* processes that could not be read */
	uint64_t nanon;		/* buffers of unknown inode so far */
	FILE *warn;		/* where the scanners warn, or NULL */
	size_t bufs_cap, procs_cap;
	/* Lookups while scanning; rebuilt when the arrays were reordered. */
	struct di_index buf_ix;		/* inode -> bufs[] */
	struct di_index proc_ix;	/* PID -> procs[] */
	struct di_index hold_ix;	/* PID and buffer -> holds[] */
	int indexed;			/* proc_ix and hold_ix are current */
};

/* No such entry: an index's empty value, a lookup's failure. */
#define DI_NONE ((size_t)-1)

/* ---- index.c --------------------------------------------------------- */
size_t di_index_get(const struct di_index *ix, uint64_t key);
void di_index_put(struct di_index *ix, uint64_t key, size_t val);
void di_index_free(struct di_index *ix);

/* ---- util.c ---------------------------------------------------------- */
struct di_state;
void *di_xrealloc(void *p, size_t n, size_t size);
/* Room for @n elements of @size in @v of capacity *@cap (doubling it). */
void *di_grow(void *v, size_t *cap, size_t n, size_t size);
char *di_strdup(const char *s);
char *di_strndup(const char *s, size_t n);
/* Split @s at tabs in place into at most @max fields; their number. */
size_t di_split_tabs(char *s, char **f, size_t max);
/*
 * The most a file of each kind may hold, so that nothing is read without
 * limit (a link to /dev/zero, a huge file in a --root tree).
 */
#define DI_MAX_SMALL	(64UL << 10)	/* comm, fdinfo, sysfs attributes */
#define DI_MAX_MAPS	(64UL << 20)	/* /proc/PID/maps */
#define DI_MAX_BUFINFO	(256UL << 20)	/* debugfs bufinfo */
#define DI_MAX_SNAPSHOT	(256UL << 20)	/* --diff FILE */
/* errno of di_read_file() for what is not a regular file (a FIFO, a device). */
#define DI_ENOTREG	ENODEV
/*
 * Read a whole regular file of at most @max bytes into a NUL-terminated
 * buffer; @flags are added to open()'s (O_NOFOLLOW). NULL with errno:
 * DI_ENOTREG, ELOOP (a link, with O_NOFOLLOW), EFBIG (over @max), or
 * what open() or read() said.
 */
char *di_read_file(const char *path, size_t max, int flags, size_t *len);
/* What di_read_file()'s errno @err means, for messages. */
const char *di_read_error(int err, size_t max);
/*
 * Warn on st->warn about a file refused for its kind or size (not one
 * that is gone or unreadable: those are normal). 1 if it was such a one.
 */
int di_warn_file(const struct di_state *st, const char *path, int err,
		 size_t max);
/* Strip trailing whitespace in place. */
void di_rstrip(char *s);
/*
 * Parse an unsigned decimal number as the kernel prints one (blanks around
 * it allowed); -1 when it is not one.
 */
int di_parse_u64(const char *s, uint64_t *out);

/* ---- state.c --------------------------------------------------------- */
void di_state_init(struct di_state *st);
void di_state_free(struct di_state *st);
/* The index of the buffer with inode @ino, or DI_NONE. */
size_t di_state_find_buf(const struct di_state *st, uint64_t ino);
/* Find the buffer with this inode, or add one (0: a new one of unknown inode). */
size_t di_state_buf(struct di_state *st, uint64_t ino);
struct di_proc *di_state_proc(struct di_state *st, pid_t pid, const char *comm);
struct di_hold *di_proc_hold(struct di_state *st, struct di_proc *p, size_t buf);
void di_buf_set_strings(struct di_buf *b, const char *exp, const char *name);
void di_buf_add_device(struct di_buf *b, const char *dev);
/* A fence; @drv and @tl may be NULL (unknown), @has_seq says @seq is. */
void di_buf_add_fence(struct di_buf *b, const char *usage, const char *drv,
		      const char *tl, uint64_t ctx, uint64_t seq, int has_seq,
		      int signalled);
/*
 * Whether the source lists every buffer of the system (all but "proc"):
 * then a buffer that no process holds is the kernel's, if every process
 * could be read.
 */
int di_source_lists_all(const struct di_state *st);
/* Sort, count holders. */
void di_state_finish(struct di_state *st);
/* Keep only the process @pid (and the buffers it holds in the per-buffer view). */
void di_state_filter_pid(struct di_state *st, pid_t pid);

/* ---- proc.c ---------------------------------------------------------- */
/* Is this /proc/PID/fd link target or maps path a dma-buf? */
int di_is_dmabuf_path(const char *target);
/* Scan @root/proc. Returns 0, or -1 with errno (proc not readable). */
int di_scan_proc(struct di_state *st, const char *root);
/* Parse the text of one maps file (modified in place) of process @pid. */
void di_parse_maps(struct di_state *st, char *text, pid_t pid, const char *comm);

/* ---- bufinfo.c ------------------------------------------------------- */
/* Parse debugfs bufinfo text into @st. Returns 0 or -1 (not bufinfo). */
int di_parse_bufinfo(struct di_state *st, const char *text);
/* Read @root/sys/kernel/debug/dma_buf/bufinfo. 0, or -1 with errno. */
int di_scan_bufinfo(struct di_state *st, const char *root);

/* ---- bpf.c ----------------------------------------------------------- */
/*
 * Every dma-buf from the kernel's BPF iterator (6.16+, BTF): 0, or -1
 * with the reason in @why (no BTF, no iterator, not permitted...).
 */
int di_scan_bpf(struct di_state *st, char *why, size_t len);

/* ---- sysfs.c --------------------------------------------------------- */
/* Read @root/sys/kernel/dmabuf/buffers. 0 read, 1 absent, -1 error. */
int di_scan_sysfs(struct di_state *st, const char *root);

/* ---- snapshot.c ------------------------------------------------------ */
int di_snapshot_save(const struct di_state *st, const char *path);
/*
 * Read snapshot @path (a file) or @text (named @name in messages) into
 * @st. 0, or -1 with "FILE:LINE: what" (or "FILE: what") in @why.
 */
int di_snapshot_load(struct di_state *st, const char *path, char *why,
		     size_t len);
int di_snapshot_parse(struct di_state *st, char *text, const char *name,
		      char *why, size_t len);

/* ---- output.c -------------------------------------------------------- */
enum di_fmt { DI_TABLE, DI_CSV, DI_JSON };
enum di_ctype { DI_STR, DI_NUM, DI_SIZE };

struct di_cell {
	enum di_ctype type;
	char *s;
	uint64_t n;
	int neg;		/* signed number (deltas) */
};

struct di_table {
	const char *title;	/* JSON key and table caption */
	size_t ncols;
	const char **cols;
	struct di_cell *cells;	/* nrows * ncols */
	size_t nrows, cells_cap;
	int has_total;		/* the last row is a total */
	int own_cols;		/* cols and its strings are allocated */
};

void di_table_init(struct di_table *t, const char *title, size_t ncols,
		   const char **cols);
void di_table_free(struct di_table *t);
void di_row_add(struct di_table *t);
/* Set cell @col of the last row. */
void di_cell_str(struct di_table *t, size_t col, const char *s);
/* Set cell @col of row @row. */
void di_cell_str_at(struct di_table *t, size_t row, size_t col, const char *s);
void di_cell_num(struct di_table *t, size_t col, uint64_t n);
void di_cell_size(struct di_table *t, size_t col, uint64_t n);
void di_cell_delta(struct di_table *t, size_t col, int64_t d);
/* An inode, or "-" when unknown (0). */
void di_cell_ino(struct di_table *t, size_t col, uint64_t ino);
/* Render several tables as one document. */
void di_render(FILE *out, enum di_fmt fmt, struct di_table *tables, size_t n);
/*
 * The same, saying which source listed the buffers and what it cannot
 * see: JSON members "source" and "cannot_see", a CSV comment line first.
 */
void di_render_doc(FILE *out, enum di_fmt fmt, struct di_table *tables,
		   size_t n, const char *source, const char *blind);
void di_csv_string(FILE *out, const char *s);

/* ---- escape.c -------------------------------------------------------- */
/* The most characters a table cell shows; a longer one ends in "...". */
#define DI_CELL_MAX 1024
/*
 * @s with what is not printable escaped (\xNN, \\), allocated; cut to
 * @max characters ending in "..." unless @max is 0. Its width in *@width.
 */
char *di_text_escape(const char *s, size_t max, size_t *width);
/* @s as a JSON string: always valid UTF-8. */
void di_json_string(FILE *out, const char *s);

/* ---- views.c --------------------------------------------------------- */
/* Each fills @tables (up to 3) and returns how many it filled. */
size_t di_view_process(const struct di_state *st, struct di_table *tables);
size_t di_view_buffer(const struct di_state *st, struct di_table *tables);
size_t di_view_grid(const struct di_state *st, struct di_table *tables);
size_t di_view_exporter(const struct di_state *st, struct di_table *tables);
size_t di_view_fences(const struct di_state *st, struct di_table *tables);
size_t di_view_diff(const struct di_state *old, const struct di_state *cur,
		    struct di_table *tables);

/* ---- trace.c --------------------------------------------------------- */
/*
 * A snapshot of every buffer for the trace's leak report, by the best
 * source there is (cli.c): 0, or 1 after a message on the trace's err.
 */
typedef int (*di_snapshot_fn)(struct di_state *st, void *arg);

struct di_trace_opts {
	double seconds;		/* 0: until SIGINT or SIGTERM */
	enum di_fmt fmt;	/* DI_JSON: JSON Lines */
	const char *root;	/* prefix of /sys/kernel/tracing, "" (tests) */
};

/*
 * The tracer alone, for the unit tests: trace_pipe text in (@fallback:
 * the kernel has no dma_buf events, pagebuf's and v2d_emu's stand in),
 * one line per event out, then the leak report against snapshot @st.
 */
struct di_tracer;
struct di_tracer *di_tracer_new(const struct di_trace_opts *o, int fallback,
				FILE *out, FILE *err);
void di_tracer_feed(struct di_tracer *t, const char *data, size_t len);
int di_tracer_line(struct di_tracer *t, char *line);
void di_tracer_report(struct di_tracer *t, const struct di_state *st);
void di_tracer_free(struct di_tracer *t);
/* fflush() of its output: 0, or -1 (a write error). */
int di_tracer_flush(struct di_tracer *t);
/* What it skipped, as a note on its err. */
void di_tracer_notes(const struct di_tracer *t);
/*
 * The @i-th event the tracer reads (0, 1, ...): 1 with its system and
 * name when it is of the set for a kernel with (@core) or without the
 * dma-buf core's events, 0 when not, -1 past the last.
 */
int di_trace_event(size_t i, int core, const char **system, const char **name);

/*
 * --trace: stream the dma-buf lifecycle events of @o->seconds from a
 * tracefs instance of its own (removed on every exit), then the leak
 * report from @snap. 0, or 1 after a message on @err.
 */
int di_trace(const struct di_trace_opts *o, di_snapshot_fn snap, void *arg,
	     FILE *out, FILE *err);

/* ---- cli.c ----------------------------------------------------------- */
/* The whole program, with its streams as parameters (for the tests). */
int di_main(int argc, char **argv, FILE *out, FILE *err);

#endif
