/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-bench: pagebuf against the kernel's own dma-buf exporters (the
 * system heap, udmabuf), anonymous memory and the CPU, measured side by
 * side in one run. Every figure is recorded as a row (a measure and a
 * source) with one value per repetition; the table shows each row's
 * median, its range and its ratio to the row it is compared with.
 */
#ifndef DMABUF_BENCH_H
#define DMABUF_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KIB		1024UL
#define MIB		(1024UL * 1024UL)
#define MAX_REPS	64
/* The large buffer of P2, P3 and P5 (16 MiB with --quick). */
#define LARGE		(64 * MIB)

/* ---- rows ------------------------------------------------------------------ */

enum better { HIGHER, LOWER };

struct row {
	char measure[48];
	char source[24];
	const char *unit;
	enum better better;
	const char *baseline;	/* source of the row it is compared with */
	const char *limit;	/* source of the row that is its limit, or NULL */
	double v[MAX_REPS];
	int n;
	const char *missing;	/* why there is no figure, or NULL */
};

/* Record one value of (@measure, @source); the first call makes the row. */
void record(const char *measure, const char *source, const char *unit,
	    enum better better, const char *baseline, double value);
/* Compare every row of @measure with its @limit row too. */
void set_limit(const char *measure, const char *limit);
/* Record that (@measure, @source) cannot be measured here, and why. */
void record_missing(const char *measure, const char *source, const char *unit,
		    const char *why);
/* Forget every figure (after the warm-up round), keeping the rows' order. */
void rows_reset(void);
void print_table(FILE *out, int reps);
/* qsort()'s comparison of two doubles, ascending. */
int cmp_double(const void *a, const void *b);
/* The rows as a JSON member: "rows": [...] */
void print_json(FILE *out);

/* ---- buffer sources ------------------------------------------------------ */

/* An exporter, named in the table and opened through libdmabuf-lab. */
struct dmabuf_lab_source;
struct source {
	const char *name;		/* the table's name: "pagebuf-order0" */
	const char *spec;		/* the library's: "pagebuf:order0" */
	size_t max_size;		/* the largest it can allocate, 0: no limit */
	const char *absent;		/* what it means when it cannot be opened */
	const char *dev;		/* its device, when not the spec's own */
	struct dmabuf_lab_source *lib;
	const char *why_not;		/* NULL when it is available */
};

extern struct source sources[];
extern const int nr_sources;
/*
 * The roofline of small buffers: module/dmabuf_null's exporter, which
 * takes pagebuf's ioctl and exports buffers without pages. Not among
 * sources[]: it has nothing to map or write.
 */
extern struct source null_source;
void sources_open(void);
struct source *source_by_name(const char *name);
int source_fits(const struct source *s, size_t size);
/* A buffer of @size: its fd, or -errno. */
int source_alloc(const struct source *s, size_t size);
/* A buffer of @size, dying on failure. */
int alloc_or_die(const struct source *s, size_t size);
/*
 * The sources in this round's order: each round starts one further, so
 * that no source always follows the same one (whose frees shape the
 * memory the next one allocates from).
 */
const struct source *nth_source(int i);

/* pagebuf's counters (PAGEBUF_IOC_GET_STATS): live buffers and bytes. */
int pagebuf_live(uint64_t *buffers, uint64_t *bytes);

/* ---- helpers ------------------------------------------------------------- */

double now_s(void);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* The CPU-access bracket's @begin or end in directions @dir, dying on failure. */
void cpu_access(int fd, int begin, unsigned int dir);
/* A MAP_SHARED read-write mapping of @fd, dying on failure. */
void *map_fd(int fd, size_t size);
/* Anonymous memory, every page faulted in. */
void *anon_alloc(size_t size);
/* Map @fd and write every byte once, inside a write bracket: seconds. */
double map_and_write(int fd, size_t size);

/* ---- measures ------------------------------------------------------------ */

extern int quick;		/* --quick: fewer and smaller iterations */
extern int round_no;		/* 0 for the warm-up, then 1, 2, ... */

void measure_alloc_rate(void);		/* P1 */
void measure_alloc_split(void);		/* P1's ioctl and close apart */
void measure_alloc_threads(void);	/* P1 with 2 threads, and its speed-up */
void measure_alloc_large(void);		/* P2 */
void measure_alloc_scaling(void);	/* P2 from 4 KiB to 256 MiB */
void measure_first_write(void);		/* P3, P3e */
void measure_handover(void);		/* P5 */
/* P6: a check, not a speed. */
enum p6_result { P6_OK, P6_LEAK, P6_NOT_RUN, P6_NOT_SELECTED };
enum p6_result check_alloc_cycles(char *summary, size_t len);

void measure_engine(void);		/* V2D jobs, import, latency */
void measure_inspect(void);		/* dmabuf-inspect's snapshot at scale */
void measure_trace_overhead(void);	/* P1 under dmabuf-inspect --trace */
/* P1's rate of @s (thousands of small buffers a second) over @threads. */
double small_rate(const struct source *s, int threads);

#endif /* DMABUF_BENCH_H */
