// SPDX-License-Identifier: GPL-2.0
/*
 * dma32: the engine's DMA mask (v2d_emu's dma_bits), and everything that
 * depends on whether its mappings bounce.
 *
 * An engine with 32 address lines cannot reach a page above 4 GiB: the
 * DMA API must bounce such pages through swiotlb slots below 4 GiB, and
 * the engine's results still reach the buffer through the exporter's
 * syncs. With 64 bits the same pages are used in place. The engine
 * itself refuses any DMA address past its mask (bus error), so a mapping
 * that failed to bounce would fail the job.
 *
 * Bouncing has two limits that boards meet (32-bit engines, swiotlb=force
 * in confidential VMs): swiotlb cannot bounce one segment larger than
 * its slot run (256 KiB), so the exporter must split its tables for such
 * a device; and a bounced mapping holds a copy, so a sync in the wrong
 * direction overwrites what the device wrote. The large-buffer and
 * CPU-read tests check both on every mask and every lane: they bounce in
 * test.sh's dma32 pass (pages above 4 GiB, 32 bits) and its swiotlb pass
 * (swiotlb=force), and run unbounced elsewhere.
 *
 * The suite loads v2d_emu with dma_bits=32, runs this program, then
 * reloads it with dma_bits=64 and runs it again; the program names its
 * tests after the mask it finds. The engine's DMA addresses are read from
 * pagebuf's debugfs "sgt" file, which lists every DMA segment of every
 * mapping.
 */
#define _GNU_SOURCE
#include "v2d_lib.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>

#define DMA_BITS	V2D_PARAMS "/dma_bits"
#define V2D_DMA		"/sys/kernel/debug/v2d_emu/dma"
#define V2D_JOBS	"/sys/kernel/debug/v2d_emu/jobs"
#define TLB_USED	"/sys/kernel/debug/swiotlb/io_tlb_used"
#define SGT		"/sys/kernel/debug/pagebuf/sgt"

/* How long a job over megabytes may take (the debug kernel is slow). */
#define LARGE_JOB_MS	300000

static unsigned int dma_bits;

static int read_u64(const char *path, uint64_t *val)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return errno;
	ok = fscanf(f, "%" SCNu64, val) == 1;
	fclose(f);
	return ok ? 0 : EINVAL;
}

/* swiotlb slots in use, or fail the test. */
static uint64_t tlb_used(void)
{
	uint64_t v = 0;
	int err = read_u64(TLB_USED, &v);

	if (err) {
		pb_diag("%s: %s", TLB_USED, pb_errname(err));
		fail();
	}
	return v;
}

/* The largest mapping the engine's device takes, as the DMA API says. */
static uint64_t max_mapping_size(void)
{
	FILE *f = fopen(V2D_DMA, "re");
	unsigned long long v = 0;
	char line[128];
	int found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "max_mapping_size %llu", &v) == 1;
	fclose(f);
	if (!found) {
		pb_diag("no max_mapping_size in %s", V2D_DMA);
		fail();
	}
	return v;
}

/* Is there memory above 4 GiB? x86_64's Normal zone starts there. */
static int memory_above_4g(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[256];
	int in_normal = 0;
	unsigned long present = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node ", 5))
			in_normal = strstr(line, "zone   Normal") != NULL;
		else if (in_normal && sscanf(line, " present %lu", &present) == 1)
			break;
	}
	fclose(f);
	return present > 0;
}

struct dma_range {
	uint64_t lo, hi;	/* lowest and highest DMA address */
	uint64_t longest;	/* longest DMA segment */
	int segments;
};

/*
 * The DMA segments of v2d_emu's mappings of the buffers with inodes @a
 * and @b, from pagebuf's debugfs "sgt" file.
 */
static void engine_dma_range(ino_t a, ino_t b, struct dma_range *r)
{
	FILE *f = fopen(SGT, "re");
	int ours = 0, engine = 0;
	unsigned long long s, e;
	unsigned long ino;
	unsigned int len;
	char line[256];

	memset(r, 0, sizeof(*r));
	r->lo = UINT64_MAX;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "inode %lu", &ino) == 1) {
			ours = ino == a || ino == b;
			engine = 0;
		} else if (!strncmp(line, "  device ", 9)) {
			engine = !strncmp(line + 9, "v2d_emu ", 8);
		} else if (ours && engine &&
			   sscanf(line, " %llx..%llx %u", &s, &e, &len) == 3) {
			if (s < r->lo)
				r->lo = s;
			if (e > r->hi)
				r->hi = e;
			if (len > r->longest)
				r->longest = len;
			r->segments++;
		}
	}
	fclose(f);
}

static ino_t inode_of(int fd)
{
	struct stat st;

	assert_succeeds(fstat(fd, &st));
	return st.st_ino;
}

/*
 * Two buffers of @flags, copied one into the other by the engine: the
 * result is checked, and swiotlb's slot count tells whether the engine's
 * mappings bounced (32 bits) or not (64 bits).
 */
static void dma_case(uint32_t flags, size_t len)
{
	unsigned char *s, *d;
	int src = buf_with_pattern(len, flags, 32, &s);
	int dst = buf_with_pattern(len, flags, 33, &d);
	uint64_t before, during, after;
	struct v2d_submit req;
	struct dma_range r;
	uint32_t hs, hd;
	int n;

	if (!memory_above_4g())
		skip_because("the guest has no memory above 4 GiB (test.sh's dma32 pass boots with 4 GiB)");

	before = tlb_used();
	hs = import_ok(src);
	hd = import_ok(dst);
	during = tlb_used();
	engine_dma_range(inode_of(src), inode_of(dst), &r);
	pb_diag("dma_bits=%u: swiotlb slots in use %" PRIu64 " -> %" PRIu64
		", %d engine DMA segments in %#" PRIx64 "..%#" PRIx64,
		dma_bits, before, during, r.segments, r.lo, r.hi);
	if (r.segments <= 0) {
		pb_diag("no DMA segment of the engine's mappings in %s", SGT);
		fail();
	}
	if (dma_bits == 32) {
		/* Every address below 4 GiB, and some pages had to bounce. */
		assert_true(r.hi <= UINT32_MAX);
		assert_true(during > before);
	} else if (dma_bits == 64) {
		/* The pages are high: used in place, nothing bounced. */
		assert_true(r.hi > UINT32_MAX);
		assert_int_equal(during, before);
	}

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.src = surf(hs, 1024, 0, 0, 0, 256, len / 1024);
	req.dst = surf(hd, 1024, 0, 0, 0, 256, len / 1024);
	fence_done_within(untrack(submit_ok(&req)), LARGE_JOB_MS);
	assert_int_equal(pb_sync(dst, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_pattern(d, len, 32);
	assert_int_equal(pb_sync(dst, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);

	release_ok(hs);
	release_ok(hd);
	/*
	 * The last reference to an import may be the finished job's, which
	 * the engine's worker drops after signalling: give the unmap time.
	 */
	for (n = 0; n < 200 && (after = tlb_used()) != before; n++)
		usleep(10000);
	assert_int_equal(after, before);
}

/* A scattered buffer: the IOMMU path, one bounce per page. */
static void test_order0(void **state)
{
	(void)state;
	dma_case(PAGEBUF_ALLOC_ORDER0, 256 * KIB);
}

/* A contiguous one: the direct path (swiotlb bounces up to 256 KiB whole). */
static void test_contig(void **state)
{
	(void)state;
	dma_case(PAGEBUF_ALLOC_CONTIG, 128 * KIB);
}

/* ---- buffers larger than one bounce ------------------------------------- */

/* Import @fd, failing with the errno and the device's limit if refused. */
static uint32_t import_large(int fd, size_t size)
{
	uint32_t h;
	int err = import_raw(vd, fd, &h);

	if (err) {
		pb_diag("import of a %zu-byte buffer: %s (the engine maps at most %" PRIu64 " bytes at once)",
			size, pb_errname(err), max_mapping_size());
		fail();
	}
	return h;
}

/*
 * Every DMA segment of the engine's mapping of @fd within what the device
 * takes, and the path the engine chose: direct only for one segment.
 */
static void check_segments(int fd, uint32_t h, uint32_t want_path)
{
	uint64_t max = max_mapping_size();
	struct v2d_query q;
	struct dma_range r;

	engine_dma_range(inode_of(fd), inode_of(fd), &r);
	query_ok(h, &q);
	pb_diag("%d DMA segments, the longest %" PRIu64 " bytes (device limit %" PRIu64 "), path %s",
		r.segments, r.longest, max,
		q.path == V2D_PATH_DIRECT ? "direct" : "iommu");
	assert_true(r.segments > 0);
	assert_true(r.longest <= max);
	assert_int_equal(q.path, want_path);
}

/* Two square buffers of 4-byte pixels imported into the engine. */
struct pair {
	uint64_t size;
	uint32_t side;			/* pixels per row and per column */
	int sfd, dfd;
	unsigned char *sm, *dm;		/* their mappings */
	uint32_t hs, hd;		/* their handles */
	unsigned char *src, *want;	/* the source's bytes, the model */
};

/*
 * Source and destination of @size and @flags, imported on path @path
 * with every segment within the device's limit; the source written
 * while mapped for the engine (it gets there by SYNC END), the
 * destination holding other bytes, and both snapshot.
 */
static void pair_setup(struct pair *p, uint64_t size, uint32_t flags,
		       uint32_t path)
{
	uint32_t segs;

	memset(p, 0, sizeof(*p));
	p->size = size;
	for (p->side = 1; (uint64_t)p->side * p->side * 4 < size; p->side *= 2)
		;
	assert_int_equal((uint64_t)p->side * p->side * 4, size);
	pb_params_allow(2 * size);
	/*
	 * Jobs over megabytes take seconds under emulation, a minute under
	 * KASAN: the watchdog and the waits allow for that.
	 */
	v2d_param("timeout_ms", "300000");

	p->sfd = alloc_buf(size, flags, &segs);
	pb_diag("source: %" PRIu32 " chunks of %" PRIu64 " bytes on average",
		segs, size / segs);
	p->sm = map_buf(p->sfd, size, PROT_READ | PROT_WRITE, 0);
	p->dfd = buf_with_pattern(size, flags, 41, &p->dm);
	p->hs = import_large(p->sfd, size);
	p->hd = import_large(p->dfd, size);
	check_segments(p->sfd, p->hs, path);
	check_segments(p->dfd, p->hd, path);
	write_pattern(p->sfd, p->sm, size, 42);
	p->src = snapshot(p->sfd, p->sm, size);
	p->want = snapshot(p->dfd, p->dm, size);
}

static void pair_teardown(struct pair *p)
{
	release_ok(p->hs);
	release_ok(p->hd);
	free(p->src);
	free(p->want);
}

/* A job on the whole of the pair: @op from source to destination. */
static struct v2d_submit pair_job(const struct pair *p, uint32_t op)
{
	struct v2d_submit req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.cpp = 4;
	if (op != V2D_OP_FILL)
		req.src = surf(p->hs, p->side * 4, 0, 0, 0, p->side, p->side);
	req.dst = surf(p->hd, p->side * 4, 0, 0, 0, p->side, p->side);
	if (op == V2D_OP_ROTATE)
		req.rotation = 90;
	return req;
}

/*
 * FILL, COPY and ROTATE over the whole of a pair, every byte checked
 * against the model.
 */
static void large_case(uint64_t size, uint32_t flags, uint32_t path)
{
	struct v2d_submit req;
	struct pair p;

	pair_setup(&p, size, flags, path);

	req = pair_job(&p, V2D_OP_FILL);
	req.value = 0xa5c3e1f7;
	fence_done_within(untrack(submit_ok(&req)), LARGE_JOB_MS);
	model_fill(p.want, &req.dst, 4, req.value);
	check_buf(p.dfd, p.dm, p.want, size);

	req = pair_job(&p, V2D_OP_COPY);
	fence_done_within(untrack(submit_ok(&req)), LARGE_JOB_MS);
	check_buf(p.dfd, p.dm, p.src, size);

	req = pair_job(&p, V2D_OP_ROTATE);
	fence_done_within(untrack(submit_ok(&req)), LARGE_JOB_MS);
	model_rotate(p.want, p.src, &req.src, &req.dst, 90);
	check_buf(p.dfd, p.dm, p.want, size);

	pair_teardown(&p);
}

/* 1 MiB chunks, the default policy: always the engine's IOMMU. */
static void test_default_16m(void **state)
{
	(void)state;
	large_case(16 * MIB, 0, V2D_PATH_IOMMU);
}

/* One contiguous chunk: direct, unless the device cannot map it whole. */
static void test_contig_4m(void **state)
{
	(void)state;
	large_case(4 * MIB, PAGEBUF_ALLOC_CONTIG,
		   max_mapping_size() >= 4 * MIB ? V2D_PATH_DIRECT : V2D_PATH_IOMMU);
}

/* ---- a CPU read while the engine writes --------------------------------- */

/* Is a job of the engine running right now? */
static int job_running(void)
{
	return file_has_line(V2D_JOBS, " running ") == 1;
}

/*
 * The CPU reads a buffer (SYNC START|READ ... END|READ) whose END comes
 * while an engine job writes it: a read leaves nothing to hand back, so
 * the END must not push the CPU's (stale) view over the device's writes.
 * With bouncing, a sync towards the device in the mapping's direction
 * copies the pages over the bounce buffer the engine is writing.
 */
static void cpu_read_during_job(uint64_t size, uint32_t flags, uint32_t path)
{
	struct v2d_submit req;
	int fence, i, attempt;
	struct pair p;

	pair_setup(&p, size, flags, path);
	/*
	 * A slow engine (a millisecond a tile), so that the END comes while
	 * the job writes however fast the engine is on this CPU.
	 */
	v2d_param("debug_step_delay_us", "1000");
	for (attempt = 1;; attempt++) {
		assert_int_equal(pb_sync(p.dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
		req = pair_job(&p, V2D_OP_ROTATE);
		fence = submit_ok(&req);
		for (i = 0; i < 20000 && !job_running() && !fence_status(fence); i++)
			usleep(100);
		assert_int_equal(pb_sync(p.dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
		if (!fence_status(fence))
			break;
		/* A short job may end first: that tested nothing, go again. */
		fence_done_within(untrack(fence), LARGE_JOB_MS);
		if (attempt == 5) {
			pb_diag("the job ended before SYNC END in %d attempts: nothing was tested",
				attempt);
			fail();
		}
		write_pattern(p.dfd, p.dm, size, 41);
	}
	if (attempt > 1)
		pb_diag("SYNC END came while the job ran at attempt %d", attempt);
	fence_done_within(untrack(fence), LARGE_JOB_MS);
	model_rotate(p.want, p.src, &req.src, &req.dst, 90);
	check_buf(p.dfd, p.dm, p.want, size);
	pair_teardown(&p);
}

/* Scattered pages: the IOMMU path, a job of a few hundred milliseconds. */
static void test_cpu_read_iommu(void **state)
{
	(void)state;
	cpu_read_during_job(4 * MIB, PAGEBUF_ALLOC_ORDER0, V2D_PATH_IOMMU);
}

/* One segment the device maps whole: the direct path, a short job. */
static void test_cpu_read_direct(void **state)
{
	uint64_t size = max_mapping_size() >= 4 * MIB ? 4 * MIB : 256 * KIB;

	(void)state;
	cpu_read_during_job(size, PAGEBUF_ALLOC_CONTIG, V2D_PATH_DIRECT);
}

static int teardown(void **state)
{
	int ret = v2d_teardown(state);

	return pb_restore_params_teardown(state) ? -1 : ret;
}

int main(void)
{
	struct pb_tests t = { 0 };
	static char names[6][64];
	static const struct {
		const char *name;
		CMUnitTestFunction fn;
	} tests[] = {
		{ "order0_copy", test_order0 },
		{ "contig_copy", test_contig },
		{ "default_16m_fill_copy_rotate_every_byte", test_default_16m },
		{ "contig_4m_fill_copy_rotate_every_byte", test_contig_4m },
		{ "cpu_read_end_during_job_keeps_its_writes_iommu", test_cpu_read_iommu },
		{ "cpu_read_end_during_job_keeps_its_writes_direct", test_cpu_read_direct },
	};
	uint64_t bits = 0;
	size_t i;

	if (read_u64(DMA_BITS, &bits))
		fprintf(stderr, "# %s: %s\n", DMA_BITS, strerror(errno));
	dma_bits = bits;
	v2d_open_for_tests();

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "dma_bits_%u_%s", dma_bits,
			 tests[i].name);
		pb_add_fixture(&t, names[i], tests[i].fn, NULL, NULL, teardown);
	}
	return pb_run("dma32", &t);
}
