// SPDX-License-Identifier: GPL-2.0
/*
 * dma32: the engine's DMA mask (v2d_emu's dma_bits). An engine with 32
 * address lines cannot reach a page above 4 GiB: the DMA API must bounce
 * such pages through swiotlb slots below 4 GiB, and the engine's results
 * still reach the buffer through the exporter's syncs. With 64 bits the
 * same pages are used in place. The engine itself refuses any DMA address
 * past its mask (bus error), so a mapping that failed to bounce would
 * fail the job.
 *
 * The suite loads v2d_emu with dma_bits=32, runs this program, then
 * reloads it with dma_bits=64 and runs it again; the program names its
 * test after the mask it finds. Pages above 4 GiB exist only when the
 * guest has memory there (test.sh's dma32 pass boots with 4 GiB); the
 * tests skip otherwise. The engine's DMA addresses are read from
 * pagebuf's debugfs "sgt" file, which lists every DMA segment of every
 * mapping.
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include <uapi/v2d_emu.h>

#define V2D_DEVICE	"/dev/v2d_emu"
#define DMA_BITS	"/sys/module/v2d_emu/parameters/dma_bits"
#define TLB_USED	"/sys/kernel/debug/swiotlb/io_tlb_used"
#define SGT		"/sys/kernel/debug/pagebuf/sgt"

static unsigned int dma_bits;
static int vd = -1;
static int fds[8];
static int nr_fds;
static void *maps[8];
static size_t map_lens[8];
static int nr_maps;

static int teardown(void **state)
{
	(void)state;
	while (nr_maps) {
		nr_maps--;
		munmap(maps[nr_maps], map_lens[nr_maps]);
	}
	while (nr_fds)
		close(fds[--nr_fds]);
	return 0;
}

static int track(int fd)
{
	if (fd >= 0 && nr_fds < (int)(sizeof(fds) / sizeof(fds[0])))
		fds[nr_fds++] = fd;
	return fd;
}

static void *map_rw(int fd, size_t len)
{
	void *p = pb_map(fd, len, PROT_READ | PROT_WRITE, 0);

	maps[nr_maps] = p;
	map_lens[nr_maps++] = len;
	return p;
}

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

/*
 * The lowest and highest DMA address of v2d_emu's mappings of the two
 * buffers with inodes @a and @b, from pagebuf's debugfs "sgt" file. Returns
 * the number of segments found.
 */
static int engine_dma_range(ino_t a, ino_t b, uint64_t *lo, uint64_t *hi)
{
	FILE *f = fopen(SGT, "re");
	int ours = 0, engine = 0, n = 0;
	unsigned long long s, e;
	unsigned long ino;
	char line[256];

	*lo = UINT64_MAX;
	*hi = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "inode %lu", &ino) == 1) {
			ours = ino == a || ino == b;
			engine = 0;
		} else if (!strncmp(line, "  device ", 9)) {
			engine = !strncmp(line + 9, "v2d_emu ", 8);
		} else if (ours && engine &&
			   sscanf(line, " %llx..%llx", &s, &e) == 2) {
			if (s < *lo)
				*lo = s;
			if (e > *hi)
				*hi = e;
			n++;
		}
	}
	fclose(f);
	return n;
}

static uint32_t import_ok(int fd)
{
	struct v2d_import req = { .fd = fd };

	assert_succeeds(ioctl(vd, V2D_IOC_IMPORT, &req));
	return req.handle;
}

static void release_ok(uint32_t handle)
{
	struct v2d_release req = { .handle = handle };

	assert_succeeds(ioctl(vd, V2D_IOC_RELEASE, &req));
}

/* Copy the whole of @src to @dst (1 KiB rows) and wait for the job. */
static void copy_ok(uint32_t src, uint32_t dst, size_t len)
{
	struct v2d_submit req = {
		.op = V2D_OP_COPY,
		.flags = V2D_SUBMIT_OUT_FENCE,
		.cpp = 4,
		.src = { .handle = src, .stride = 1024, .width = 256,
			 .height = len / 1024 },
		.dst = { .handle = dst, .stride = 1024, .width = 256,
			 .height = len / 1024 },
	};
	struct sync_file_info info = { 0 };
	struct pollfd p = { .events = POLLIN };

	assert_succeeds(ioctl(vd, V2D_IOC_SUBMIT, &req));
	p.fd = track(req.out_fence_fd);
	assert_int_equal(poll(&p, 1, 20000), 1);
	assert_succeeds(ioctl(p.fd, SYNC_IOC_FILE_INFO, &info));
	if (info.status != 1) {
		pb_diag("copy job fence status %d (%s)", info.status,
			pb_errname(-info.status));
		fail();
	}
}

/*
 * Two buffers of @flags, copied one into the other by the engine: the
 * result is checked, and swiotlb's slot count tells whether the engine's
 * mappings bounced (32 bits) or not (64 bits).
 */
static void dma_case(uint32_t flags, size_t len)
{
	int src = track(pb_alloc_ok(len, flags, NULL));
	int dst = track(pb_alloc_ok(len, flags, NULL));
	unsigned char *s = map_rw(src, len), *d = map_rw(dst, len);
	uint64_t before, during, after, lo, hi;
	struct stat sa, sb;
	uint32_t hs, hd;
	int n;

	if (!memory_above_4g())
		skip_because("the guest has no memory above 4 GiB (test.sh's dma32 pass boots with 4 GiB)");
	assert_int_equal(pb_sync(src, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	pb_fill(s, len, 32);
	assert_int_equal(pb_sync(src, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	assert_succeeds(fstat(src, &sa));
	assert_succeeds(fstat(dst, &sb));

	before = tlb_used();
	hs = import_ok(src);
	hd = import_ok(dst);
	during = tlb_used();
	n = engine_dma_range(sa.st_ino, sb.st_ino, &lo, &hi);
	pb_diag("dma_bits=%u: swiotlb slots in use %" PRIu64 " -> %" PRIu64
		", %d engine DMA segments in %#" PRIx64 "..%#" PRIx64,
		dma_bits, before, during, n, lo, hi);
	if (n <= 0) {
		pb_diag("no DMA segment of the engine's mappings in %s", SGT);
		fail();
	}
	if (dma_bits == 32) {
		/* Every address below 4 GiB, and some pages had to bounce. */
		assert_true(hi <= UINT32_MAX);
		assert_true(during > before);
	} else if (dma_bits == 64) {
		/* The pages are high: used in place, nothing bounced. */
		assert_true(hi > UINT32_MAX);
		assert_int_equal(during, before);
	}

	copy_ok(hs, hd, len);
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

int main(void)
{
	struct pb_tests t = { 0 };
	static char n1[64], n2[64];
	uint64_t bits = 0;

	if (read_u64(DMA_BITS, &bits))
		fprintf(stderr, "# %s: %s\n", DMA_BITS, strerror(errno));
	dma_bits = bits;
	vd = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	if (vd < 0)
		fprintf(stderr, "# open %s: %s\n", V2D_DEVICE, strerror(errno));

	snprintf(n1, sizeof(n1), "dma_bits_%u_order0_copy", dma_bits);
	snprintf(n2, sizeof(n2), "dma_bits_%u_contig_copy", dma_bits);
	pb_add_fixture(&t, n1, test_order0, NULL, NULL, teardown);
	pb_add_fixture(&t, n2, test_contig, NULL, NULL, teardown);
	return pb_run("dma32", &t);
}
