// SPDX-License-Identifier: GPL-2.0
/*
 * What an application pays to get memory: allocating and exporting
 * (P1 small, P2 large, and how P2 grows with size), mapping and first
 * writing (P3, and P3e from allocation to written), handing a frame to
 * another process (P5), and whether thousands of allocations leave
 * anything behind (P6). Every source is measured in turn in each
 * repetition, so that all of them see the same machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "bench.h"

int quick;
int round_no;

/*
 * The sources in this round's order: each round starts one further, so
 * that no source always follows the same one (whose frees shape the
 * memory the next one allocates from).
 */
static const struct source *nth_source(int i)
{
	return &sources[(i + round_no) % nr_sources];
}

static int alloc_or_die(const struct source *s, size_t size)
{
	int fd = -1, err = s->alloc(s, size, &fd);

	if (err)
		die("%s: allocating %zu bytes: %s", s->name, size, strerror(err));
	return fd;
}

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
	int fd = -1, err;
	char *p;

	if (!s) {
		p = mmap(NULL, SMALL, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return errno;
		p[0] = 1;	/* the page is allocated on first touch */
		munmap(p, SMALL);
		return 0;
	}
	err = s->alloc(s, SMALL, &fd);
	if (!err)
		close(fd);
	return err;
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

/* Small buffers per second (thousands) over @threads threads. */
static double small_rate(const struct source *s, int threads)
{
	struct rate_arg a[8];
	pthread_t t[8];
	double start = now_s(), secs = quick ? 0.1 : 0.4;
	unsigned long ops = 0;
	int i;

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

void measure_alloc_rate(void)
{
	int i;

	for (i = 0; i < nr_sources; i++) {
		const struct source *s = nth_source(i);

		if (s->why_not)
			record_missing(P1, s->name, "k/s", s->why_not);
		else
			record(P1, s->name, "k/s", HIGHER, "heap", small_rate(s, 1));
	}
	record(P1, "anon", "k/s", HIGHER, "heap", small_rate(NULL, 1));
}

void measure_alloc_threads(void)
{
	static const char *const names[] = { "pagebuf", "heap" };
	static const int counts[] = { 2, 4 };
	char measure[48];
	size_t i, j;

	for (j = 0; j < 2; j++) {
		snprintf(measure, sizeof(measure), "P1 4K, %d threads", counts[j]);
		for (i = 0; i < 2; i++) {
			const struct source *s = source_by_name(names[i]);

			if (s->why_not)
				record_missing(measure, s->name, "k/s", s->why_not);
			else
				record(measure, s->name, "k/s", HIGHER, "heap",
				       small_rate(s, counts[j]));
		}
	}
}

/* ---- P2: one large buffer ------------------------------------------------ */

#define LARGE		(64 * MIB)

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
			record(P2, s->name, "ms", LOWER, "heap", alloc_ms(s, size));
	}
	record(P2, "anon", "ms", LOWER, "heap", alloc_ms(NULL, size));
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
 * The mean of enough allocations of @size to make 1 MiB (at least one,
 * at most 64): one small allocation is too short to time alone.
 */
static double alloc_ms_avg(const struct source *s, size_t size)
{
	int n = size >= MIB ? 1 : (int)(MIB / size), i;
	double sum = 0;

	if (n > 64)
		n = 64;
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
		for (i = 0; i < 2; i++) {
			const struct source *s = source_by_name(names[i]);

			if (s->why_not)
				record_missing(measure, s->name, "ms/MiB", s->why_not);
			else
				record(measure, s->name, "ms/MiB", LOWER, "heap",
				       alloc_ms_avg(s, size) / ((double)size / MIB));
		}
	}
}

/* ---- P3: mapping and writing --------------------------------------------- */

/* Map @fd and write every byte once, inside a write bracket: seconds. */
static double map_and_write(int fd, size_t size)
{
	double t0 = now_s();
	char *p = map_fd(fd, size);

	sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(p, 0x5a, size);
	sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	munmap(p, size);
	return now_s() - t0;
}

#define P3 "P3 64M mmap+first write"
#define P3E "P3e 64M alloc+mmap+write"

void measure_first_write(void)
{
	size_t size = quick ? 16 * MIB : LARGE;
	double gb = size / 1e9, t0, t;
	int i, fd;
	char *p;

	for (i = 0; i < nr_sources; i++) {
		const struct source *s = nth_source(i);

		if (s->why_not || !source_fits(s, size)) {
			const char *why = s->why_not ? s->why_not : "larger than its largest block";

			record_missing(P3, s->name, "GB/s", why);
			record_missing(P3E, s->name, "GB/s", why);
			continue;
		}
		fd = alloc_or_die(s, size);
		record(P3, s->name, "GB/s", HIGHER, "heap", gb / map_and_write(fd, size));
		close(fd);

		t0 = now_s();
		fd = alloc_or_die(s, size);
		map_and_write(fd, size);
		record(P3E, s->name, "GB/s", HIGHER, "heap", gb / (now_s() - t0));
		close(fd);
	}
	/* Anonymous memory: its first write is also its allocation. */
	t0 = now_s();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("anonymous mmap: %s", strerror(errno));
	memset(p, 0x5a, size);
	t = now_s() - t0;
	munmap(p, size);
	record(P3, "anon", "GB/s", HIGHER, "heap", gb / t);
	record(P3E, "anon", "GB/s", HIGHER, "heap", gb / t);
}

/* ---- P5: a frame handed to another process ------------------------------- */

/*
 * The receiver: for each message, either an fd (map it and touch every
 * page) or a byte count to read from the pipe; then one byte back.
 */
static void receiver(int sock, int pipe_rd)
{
	long page = sysconf(_SC_PAGESIZE);
	char *buf = NULL;
	size_t have = 0;

	for (;;) {
		char c[CMSG_SPACE(sizeof(int))];
		uint64_t size;
		struct iovec iov = { &size, sizeof(size) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = c, .msg_controllen = sizeof(c) };
		struct cmsghdr *cm;
		size_t off;
		int fd = -1;

		if (recvmsg(sock, &m, 0) != sizeof(size))
			_exit(0);
		cm = CMSG_FIRSTHDR(&m);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		if (fd >= 0) {
			char *p = map_fd(fd, size);

			sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
			/* Touch every page: a volatile read is never optimised out. */
			for (off = 0; off < size; off += page)
				(void)*(volatile char *)&p[off];
			sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
			munmap(p, size);
			close(fd);
		} else {
			if (have < size) {
				buf = realloc(buf, size);
				if (!buf)
					_exit(1);
				memset(buf, 0, size);
				have = size;
			}
			for (off = 0; off < size;) {
				ssize_t n = read(pipe_rd, buf + off, size - off);

				if (n <= 0)
					_exit(1);
				off += n;
			}
		}
		if (write(sock, "k", 1) != 1)
			_exit(1);
	}
}

static void send_frame(int sock, int fd, uint64_t size)
{
	char c[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &size, sizeof(size) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(c, 0, sizeof(c));
		m.msg_control = c;
		m.msg_controllen = sizeof(c);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	if (sendmsg(sock, &m, 0) != sizeof(size))
		die("sendmsg: %s", strerror(errno));
}

static void wait_ack(int sock)
{
	char k;

	if (read(sock, &k, 1) != 1)
		die("the receiving process went away");
}

#define P5 "P5 64M frame to a process"

void measure_handover(void)
{
	size_t size = quick ? 16 * MIB : LARGE;
	int sv[2], pp[2], i, fd;
	double t0;
	pid_t pid;
	char *src;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(pp, O_CLOEXEC))
		die("socketpair/pipe: %s", strerror(errno));
	fcntl(pp[1], F_SETPIPE_SZ, 1 << 20);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(sv[0]);
		close(pp[1]);
		receiver(sv[1], pp[0]);
	}
	close(sv[1]);
	close(pp[0]);

	for (i = 0; i < nr_sources; i++) {
		const struct source *s = nth_source(i);

		if (s->why_not || !source_fits(s, size)) {
			record_missing(P5, s->name, "ms",
				       s->why_not ? s->why_not : "larger than its largest block");
			continue;
		}
		fd = alloc_or_die(s, size);
		map_and_write(fd, size);
		t0 = now_s();
		send_frame(sv[0], fd, size);
		wait_ack(sv[0]);
		record(P5, s->name, "ms", LOWER, "heap", (now_s() - t0) * 1e3);
		close(fd);
	}

	/* The same bytes through a pipe: what dma-bufs save. */
	src = anon_alloc(size);
	memset(src, 0x5a, size);
	t0 = now_s();
	send_frame(sv[0], -1, size);
	for (size_t off = 0; off < size;) {
		ssize_t n = write(pp[1], src + off, size - off);

		if (n <= 0)
			die("pipe write: %s", strerror(errno));
		off += n;
	}
	wait_ack(sv[0]);
	record(P5, "pipe", "ms", LOWER, "heap", (now_s() - t0) * 1e3);
	munmap(src, size);

	close(sv[0]);
	close(pp[1]);
	waitpid(pid, NULL, 0);
}

/* ---- P6: nothing left behind --------------------------------------------- */

/* Free memory as the kernel counts it, in KiB. */
struct free_mem {
	long buddy;	/* MemFree: pages in the buddy allocator */
	long pcp;	/* pages on the per-CPU free lists, not in MemFree */
	long slab;	/* Slab: freed objects may keep their pages */
};

static long meminfo_kib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t n = strlen(key);
	char line[128];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/*
 * Pages freed to the per-CPU lists are free but not in MemFree; how
 * many a CPU keeps grows and shrinks with the load (auto-tuned since
 * 6.7), by tens of MiB on a small guest. /proc/zoneinfo counts them.
 */
static long pcp_kib(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[128];
	long sum = 0, v;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			sum += v;
	fclose(f);
	return sum * (sysconf(_SC_PAGESIZE) / 1024);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "3", 1) != 1)
		fprintf(stderr, "dmabuf-bench: drop_caches: %s\n", strerror(errno));
	close(fd);
}

/*
 * Free memory once what the kernel frees late has been freed: dma-buf
 * files, dentries and inodes go after an RCU grace period, and their
 * slab caches keep freed objects until reclaim. Dropping the caches
 * (as root) takes those back; a settled reading is two equal ones.
 */
static struct free_mem settled_free(void)
{
	struct free_mem m = { -1, 0, 0 };
	long prev = -2;
	int i;

	for (i = 0; i < 20 && m.buddy + m.pcp != prev; i++) {
		prev = m.buddy + m.pcp;
		drop_caches();
		usleep(100000);
		m.buddy = meminfo_kib("MemFree");
		m.pcp = pcp_kib();
		m.slab = meminfo_kib("Slab");
	}
	return m;
}

static void alloc_cycles(const struct source *s, int cycles)
{
	static const size_t sizes[] = { 4 * KIB, 12 * KIB, 64 * KIB, 100 * KIB,
					1 * MIB, 3 * MIB + 4 * KIB };
	int i;

	for (i = 0; i < cycles; i++) {
		struct source v = *s;

		v.flags = sources[i % 3].flags;
		close(alloc_or_die(&v, sizes[i % 6]));
	}
}

/*
 * With the per-CPU lists counted, two readings around 10 000 cycles
 * differ by under 100 KiB (slab pages); MemFree alone swings by 20 MiB.
 * A leak of one page per cycle would be 40 MiB; pagebuf's own counters
 * catch a single buffer.
 */
#define SLACK_KIB	(8 * 1024)

/*
 * 10 000 allocations of mixed sizes and policies, each freed at once:
 * pagebuf's counters must be back where they were, and free memory
 * (the buddy allocator's and the per-CPU lists') within a few MiB of
 * it. A first thousand cycles before the baseline warm the caches
 * every allocation uses.
 */
enum p6_result check_alloc_cycles(char *summary, size_t len)
{
	const struct source *s = source_by_name("pagebuf");
	int cycles = quick ? 1000 : 10000;
	uint64_t b0, y0, b1, y1;
	struct free_mem m0, m1;
	long lost;

	if (s->why_not) {
		snprintf(summary, len, "not run: %s", s->why_not);
		return P6_NOT_RUN;
	}
	alloc_cycles(s, 1000);
	if (pagebuf_live(&b0, &y0))
		die("PAGEBUF_IOC_GET_STATS: %s", strerror(errno));
	m0 = settled_free();
	alloc_cycles(s, cycles);
	m1 = settled_free();
	if (pagebuf_live(&b1, &y1))
		die("PAGEBUF_IOC_GET_STATS: %s", strerror(errno));
	lost = (m0.buddy + m0.pcp) - (m1.buddy + m1.pcp);
	snprintf(summary, len,
		 "%d cycles: live buffers %llu -> %llu, bytes %llu -> %llu, free memory %+ld KiB (MemFree %+ld, per-CPU lists %+ld; Slab %+ld; at most -%d allowed)",
		 cycles, (unsigned long long)b0, (unsigned long long)b1,
		 (unsigned long long)y0, (unsigned long long)y1, -lost,
		 m1.buddy - m0.buddy, m1.pcp - m0.pcp, m1.slab - m0.slab,
		 SLACK_KIB);
	return b1 != b0 || y1 != y0 || lost > SLACK_KIB ? P6_LEAK : P6_OK;
}
