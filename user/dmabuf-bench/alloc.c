// SPDX-License-Identifier: GPL-2.0
/*
 * What an application pays to get memory: allocating and exporting
 * small buffers (P1, also over several threads) and large ones (P2, and
 * how P2 grows with size). Every source is measured in turn in each
 * repetition, so that all of them see the same machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

/* ---- P1: small buffers per second --------------------------------------- */

#define SMALL		(4 * KIB)

struct rate_arg {
	const struct source *s;		/* NULL: anonymous memory */
	double until;
	unsigned long ops;
	int err;
};

/* One small buffer: allocate (and export) it, then let it go. */
static int small_cycle(const struct source *s)
{
	char *p;
	int fd;

	if (!s) {
		p = mmap(NULL, SMALL, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return errno;
		p[0] = 1;	/* the page is allocated on first touch */
		munmap(p, SMALL);
		return 0;
	}
	fd = source_alloc(s, SMALL);
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

static void *rate_loop(void *arg)
{
	struct rate_arg *a = arg;

	while (now_s() < a->until) {
		int i;

		for (i = 0; i < 64; i++) {
			a->err = small_cycle(a->s);
			if (a->err)
				return NULL;
		}
		a->ops += 64;
	}
	return NULL;
}

/*
 * Untimed cycles before a timed loop, so that what the measure before
 * left behind (deferred frees, a cold allocator) is not charged to
 * whichever source comes first.
 */
#define WARM_CYCLES	256

static void small_warm(const struct source *s)
{
	int i, err;

	for (i = 0; i < WARM_CYCLES; i++) {
		err = small_cycle(s);
		if (err)
			die("%s: small allocation: %s", s ? s->name : "anon", strerror(err));
	}
}

/* Small buffers per second (thousands) over @threads threads. */
double small_rate(const struct source *s, int threads)
{
	struct rate_arg a[8];
	pthread_t t[8];
	double start, secs = quick ? 0.1 : 0.4;
	unsigned long ops = 0;
	int i;

	small_warm(s);
	start = now_s();

	for (i = 0; i < threads; i++) {
		a[i] = (struct rate_arg){ .s = s, .until = start + secs };
		if (pthread_create(&t[i], NULL, rate_loop, &a[i]))
			die("pthread_create failed");
	}
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		if (a[i].err)
			die("%s: small allocation: %s", s ? s->name : "anon",
			    strerror(a[i].err));
		ops += a[i].ops;
	}
	return ops / (now_s() - start) / 1000;
}

#define P1 "P1 4K alloc+export+close"

static void record_rate(const char *measure, const struct source *s, int threads)
{
	if (s->why_not)
		record_missing(measure, s->name, "k/s", s->why_not);
	else
		record(measure, s->name, "k/s", HIGHER, "heap", small_rate(s, threads));
}

void measure_alloc_rate(void)
{
	int i;

	for (i = 0; i < nr_sources; i++)
		record_rate(P1, nth_source(i), 1);
	record(P1, "anon", "k/s", HIGHER, "heap", small_rate(NULL, 1));
	/* The ceiling: the same ioctl and close with no exporter work. */
	record_rate(P1, &null_source, 1);
	set_limit(P1, "null");
}

/*
 * Where a small buffer's time goes, from userspace: the ioctl that
 * allocates and exports it, and the close that releases it, each timed
 * around the call over SPLIT_CYCLES buffers (microseconds per call).
 */
#define SPLIT_CYCLES	2000

static void split_cycles(const struct source *s, double *alloc_us, double *close_us)
{
	double a = 0, c = 0, t0, t1;
	int i, fd;

	small_warm(s);
	for (i = 0; i < SPLIT_CYCLES; i++) {
		t0 = now_s();
		fd = source_alloc(s, SMALL);
		t1 = now_s();
		if (fd < 0)
			die("%s: small allocation: %s", s->name, strerror(-fd));
		close(fd);
		a += t1 - t0;
		c += now_s() - t1;
	}
	*alloc_us = a / SPLIT_CYCLES * 1e6;
	*close_us = c / SPLIT_CYCLES * 1e6;
}

void measure_alloc_split(void)
{
	static const char *const measures[] = { "P1 split: alloc ioctl", "P1 split: close" };
	const struct source *list[] = {
		source_by_name("pagebuf"), source_by_name("heap"), &null_source,
	};
	double us[2];
	size_t i, j;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (list[i]->why_not) {
			for (j = 0; j < 2; j++)
				record_missing(measures[j], list[i]->name, "us", list[i]->why_not);
			continue;
		}
		split_cycles(list[i], &us[0], &us[1]);
		for (j = 0; j < 2; j++)
			record(measures[j], list[i]->name, "us", LOWER, "heap", us[j]);
	}
	for (j = 0; j < 2; j++)
		set_limit(measures[j], "null");
}

/*
 * Scaling: 2 threads against 1, back to back, for pagebuf, the heap and
 * the roofline. Under QEMU this means something only when each vCPU has
 * a host thread of its own (multi-threaded TCG, as the benchmark's guest
 * runs); the speed-up row says how much of a second CPU each one uses.
 */
void measure_alloc_threads(void)
{
	const struct source *list[] = {
		source_by_name("pagebuf"), source_by_name("heap"), &null_source,
	};
	static const char two[] = "P1 4K, 2 threads";
	static const char gain[] = "P1 2-thread speed-up";
	double one, both;
	size_t i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		const struct source *s = list[i];

		if (s->why_not) {
			record_missing(two, s->name, "k/s", s->why_not);
			record_missing(gain, s->name, "x", s->why_not);
			continue;
		}
		one = small_rate(s, 1);
		both = small_rate(s, 2);
		record(two, s->name, "k/s", HIGHER, "heap", both);
		record(gain, s->name, "x", HIGHER, "heap", both / one);
	}
}

/* ---- P2: one large buffer ------------------------------------------------ */

/* Milliseconds to allocate and export @size bytes of @s (NULL: anonymous, populated). */
static double alloc_ms(const struct source *s, size_t size)
{
	double t0 = now_s(), t;
	int fd;

	if (!s) {
		void *p = anon_alloc(size);

		t = now_s() - t0;
		munmap(p, size);
		return t * 1e3;
	}
	fd = alloc_or_die(s, size);
	t = now_s() - t0;
	close(fd);
	return t * 1e3;
}

#define P2 "P2 64M alloc+export"

/*
 * The median of P2_SAMPLES allocations of @size: one large allocation
 * under emulation varies by a tenth from one to the next, more than the
 * differences between the exporters.
 */
#define P2_SAMPLES	3

static double alloc_ms_median(const struct source *s, size_t size)
{
	double ms[P2_SAMPLES];
	int i;

	for (i = 0; i < P2_SAMPLES; i++)
		ms[i] = alloc_ms(s, size);
	qsort(ms, P2_SAMPLES, sizeof(ms[0]), cmp_double);
	return ms[P2_SAMPLES / 2];
}

void measure_alloc_large(void)
{
	size_t size = quick ? 16 * MIB : LARGE;
	int i;

	for (i = 0; i < nr_sources; i++) {
		const struct source *s = nth_source(i);

		if (s->why_not)
			record_missing(P2, s->name, "ms", s->why_not);
		else if (!source_fits(s, size))
			record_missing(P2, s->name, "ms", "larger than its largest block (4 MiB)");
		else
			record(P2, s->name, "ms", LOWER, "heap",
			       alloc_ms_median(s, size));
	}
	record(P2, "anon", "ms", LOWER, "heap", alloc_ms_median(NULL, size));
	/* The limit: zeroing the same bytes at memset speed. */
	{
		char *p = anon_alloc(size);
		double t0 = now_s();

		memset(p, 0, size);
		record(P2, "memset", "ms", LOWER, "heap", (now_s() - t0) * 1e3);
		munmap(p, size);
	}
	set_limit(P2, "memset");
}

/*
 * The mean of enough allocations of @size to make 4 MiB (at least
 * P2_SAMPLES, at most 256): one small allocation is too short to time
 * alone, and one large one too noisy.
 */
static double alloc_ms_avg(const struct source *s, size_t size)
{
	int n = size >= 4 * MIB ? P2_SAMPLES : (int)(4 * MIB / size), i;
	double sum = 0;

	if (n > 256)
		n = 256;
	if (n < P2_SAMPLES)
		n = P2_SAMPLES;
	for (i = 0; i < n; i++)
		sum += alloc_ms(s, size);
	return sum / n;
}

/* How the cost grows: time per MiB from 4 KiB to 256 MiB. */
void measure_alloc_scaling(void)
{
	static const char *const names[] = { "pagebuf", "heap" };
	size_t size, top = quick ? 16 * MIB : 256 * MIB;
	char measure[48];
	size_t i;

	for (size = 4 * KIB; size <= top; size *= 2) {
		if (size < MIB)
			snprintf(measure, sizeof(measure), "P2 scaling %zuK", size / KIB);
		else
			snprintf(measure, sizeof(measure), "P2 scaling %zuM", size / MIB);
		/* Each round in the other order, as nth_source() does. */
		for (i = 0; i < 2; i++) {
			const struct source *s = source_by_name(names[(i + round_no) % 2]);

			if (s->why_not)
				record_missing(measure, s->name, "ms/MiB", s->why_not);
			else
				record(measure, s->name, "ms/MiB", LOWER, "heap",
				       alloc_ms_avg(s, size) / ((double)size / MIB));
		}
	}
}
