// SPDX-License-Identifier: GPL-2.0
/*
 * debug: the modules' own debug interfaces show what the test did.
 *
 * pagebuf's debugfs (buffers, sgt, size, peak) and sysfs attributes
 * (count, total, peak), v2d_emu's debugfs (imports, jobs), and the
 * tracepoints of both, read back after allocating, mapping, importing and
 * submitting with known parameters. The suite loads vgem and v2d_emu
 * before; the checks that need one of them skip, saying so, without it.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <dmabuf-lab.h>

#define PB_DEBUGFS	"/sys/kernel/debug/pagebuf"
#define PB_SYSFS	"/sys/class/misc/pagebuf"
#define V2D_DEBUGFS	"/sys/kernel/debug/v2d_emu"

/* One line of pagebuf's debugfs "buffers", split into its fields. */
struct dbg_buf {
	unsigned long ino;
	uint64_t size;
	char name[64], policy[16], comm[32], devices[256];
	unsigned int segments, vmaps;
	int mmaps, pid;
};

/* The line of buffer @ino in "buffers": 1 found, 0 not listed. */
static int dbg_buffer(unsigned long ino, struct dbg_buf *b)
{
	char *text = dl_read(PB_DEBUGFS "/buffers");
	char prefix[32], line[512];
	int found, n;

	if (!text) {
		pb_diag(PB_DEBUGFS "/buffers: %s", pb_errname(errno));
		fail();
	}
	snprintf(prefix, sizeof(prefix), "%lu ", ino);
	found = dl_line(text, prefix, NULL, line, sizeof(line));
	free(text);
	if (!found)
		return 0;
	memset(b, 0, sizeof(*b));
	n = sscanf(line, "%lu %" SCNu64 " %63s %15s %u %d %u %d %31s %255s",
		   &b->ino, &b->size, b->name, b->policy, &b->segments,
		   &b->mmaps, &b->vmaps, &b->pid, b->comm, b->devices);
	if (n != 10) {
		pb_diag("cannot parse \"%s\" (%d fields)", line, n);
		fail();
	}
	return 1;
}

static void require_debugfs(void)
{
	if (access(PB_DEBUGFS "/buffers", R_OK))
		skip_because("no " PB_DEBUGFS "/buffers: debugfs not mounted");
}

static int vgem_import(int drm, int fd, uint32_t *handle)
{
	return drmPrimeFDToHandle(drm, fd, handle) ? errno : 0;
}

/* ---- pagebuf debugfs ----------------------------------------------------- */

static void test_buffers_show_allocation_mmaps_and_devices(void **state)
{
	uint32_t nseg_a, nseg_c, gem = 0;
	char comm[32], want[64];
	struct dbg_buf b;
	int a, c, con, drm;
	void *m1, *m2, *m3;
	pid_t child;
	int pipefd[2];
	char ch;

	(void)state;
	require_debugfs();
	pb_comm(comm, sizeof(comm));
	assert_int_equal(pb_alloc(64 * KIB, PAGEBUF_ALLOC_ORDER0, O_RDWR | O_CLOEXEC,
				  "dbg-order0", &a, &nseg_a), 0);
	assert_int_equal(pb_alloc(128 * KIB, PAGEBUF_ALLOC_CONTIG, O_RDWR | O_CLOEXEC,
				  "dbg-contig", &con, NULL), 0);
	assert_int_equal(pb_alloc(1 * MIB, 0, O_RDWR | O_CLOEXEC, NULL, &c,
				  &nseg_c), 0);
	m1 = pb_map(a, 64 * KIB, PROT_READ | PROT_WRITE, 0);
	m2 = pb_map(a, 8 * KIB, PROT_READ, 8 * KIB);
	m3 = pb_map(con, 128 * KIB, PROT_READ | PROT_WRITE, 0);

	assert_true(dbg_buffer(dl_ino(a), &b));
	assert_int_equal(b.size, 64 * KIB);
	assert_string_equal(b.name, "dbg-order0");
	assert_string_equal(b.policy, "order0");
	assert_int_equal(b.segments, nseg_a);
	assert_int_equal(b.segments, 16);
	assert_int_equal(b.mmaps, 2);
	assert_int_equal(b.vmaps, 0);
	assert_int_equal(b.pid, getpid());
	assert_string_equal(b.comm, comm);
	assert_string_equal(b.devices, "-");

	assert_true(dbg_buffer(dl_ino(con), &b));
	assert_string_equal(b.policy, "contig");
	assert_int_equal(b.segments, 1);
	assert_int_equal(b.mmaps, 1);

	assert_true(dbg_buffer(dl_ino(c), &b));
	assert_string_equal(b.policy, "default");
	assert_int_equal(b.segments, nseg_c);
	assert_int_equal(b.mmaps, 0);
	snprintf(want, sizeof(want), "%d-%s", (int)getpid(), comm);
	assert_string_equal(b.name, want);

	/* A forked child gets copies of the mappings: open counts them. */
	assert_succeeds(pipe2(pipefd, O_CLOEXEC));
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[1]);
		/* Hold the copies until the parent closes the pipe. */
		_exit(read(pipefd[0], &ch, 1) < 0);
	}
	close(pipefd[0]);
	assert_true(dbg_buffer(dl_ino(a), &b));
	assert_int_equal(b.mmaps, 4);
	close(pipefd[1]);
	assert_int_equal(pb_wait(child), 0);
	assert_true(dbg_buffer(dl_ino(a), &b));
	assert_int_equal(b.mmaps, 2);

	pb_unmap(m2, 8 * KIB);
	assert_true(dbg_buffer(dl_ino(a), &b));
	assert_int_equal(b.mmaps, 1);

	/* An importer's attachment shows with its device's name. */
	drm = dmabuf_lab_vgem_open();
	if (drm >= 0) {
		assert_int_equal(vgem_import(drm, a, &gem), 0);
		assert_true(dbg_buffer(dl_ino(a), &b));
		assert_non_null(strstr(b.devices, "vgem"));
		close(drm);
		assert_true(dbg_buffer(dl_ino(a), &b));
		assert_string_equal(b.devices, "-");
	} else {
		pb_diag("no vgem device: attached devices not checked");
	}

	pb_unmap(m1, 64 * KIB);
	pb_unmap(m3, 128 * KIB);
	{
		unsigned long ia = dl_ino(a), ic = dl_ino(c), icon = dl_ino(con);

		close(a);
		close(c);
		close(con);
		assert_false(dbg_buffer(ia, &b));
		assert_false(dbg_buffer(ic, &b));
		assert_false(dbg_buffer(icon, &b));
	}
}

static void test_demo_buffer_listed_as_demo_not_counted(void **state)
{
	struct pagebuf_stats before, during;
	struct dbg_buf b;
	unsigned long ino;
	int fd;

	(void)state;
	require_debugfs();
	pb_stats(&before);
	assert_succeeds(ioctl(pb_dev, PAGEBUF_IOC_CLASSIC_GET_FD, &fd));
	ino = dl_ino(fd);
	assert_true(dbg_buffer(ino, &b));
	assert_string_equal(b.policy, "demo");
	assert_int_equal(b.size, pb_page);
	assert_int_equal(b.segments, 1);
	pb_stats(&during);
	assert_int_equal(during.live_bytes, before.live_bytes);
	assert_int_equal(dl_read_u64(PB_DEBUGFS "/size"), during.live_bytes);
	close(fd);
	assert_false(dbg_buffer(ino, &b));
}

/*
 * The "sgt" section of buffer @ino: the mapping for @dev must have
 * @nsegs segments covering @size bytes, each of length @seglen (0: any).
 */
static void check_sgt(unsigned long ino, uint64_t size, const char *dev,
		      unsigned int nsegs, uint64_t seglen)
{
	char *text = dl_read(PB_DEBUGFS "/sgt"), *p, *line, want[128];
	unsigned int n = 0, hdr_segs = 0;
	uint64_t total = 0;
	int in_buf = 0, in_map = 0;

	assert_non_null(text);
	snprintf(want, sizeof(want), "inode %lu size %" PRIu64, ino, size);
	for (line = strtok_r(text, "\n", &p); line; line = strtok_r(NULL, "\n", &p)) {
		unsigned long long start, end, len;
		char d[64], dir[32];

		if (!strncmp(line, "inode ", 6)) {
			in_buf = !strcmp(line, want);
			in_map = 0;
			continue;
		}
		if (!in_buf)
			continue;
		if (sscanf(line, "  device %63s %31[^,], %u segments", d, dir,
			   &hdr_segs) == 3) {
			in_map = !strcmp(d, dev);
			if (in_map)
				assert_string_equal(dir, "bidirectional");
			continue;
		}
		if (!in_map)
			continue;
		if (sscanf(line, "    0x%llx..0x%llx %llu", &start, &end, &len) != 3) {
			pb_diag("bad sgt line \"%s\"", line);
			fail();
		}
		assert_int_equal(end - start + 1, len);
		if (seglen)
			assert_int_equal(len, seglen);
		assert_int_equal(start % pb_page, 0);
		total += len;
		n++;
	}
	free(text);
	if (n != nsegs || hdr_segs != nsegs) {
		pb_diag("inode %lu on %s: %u segment lines, header says %u, expected %u",
			ino, dev, n, hdr_segs, nsegs);
		fail();
	}
	assert_int_equal(total, size);
}

static void test_sgt_shows_segments_per_policy(void **state)
{
	int dev, o0, ct;
	uint32_t h0, hc;

	(void)state;
	require_debugfs();
	dev = v2d_open_dev();
	o0 = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	ct = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_CONTIG, NULL);
	h0 = v2d_import_ok(dev, o0);
	hc = v2d_import_ok(dev, ct);

	/* dma-direct maps page by page: one segment per order-0 page. */
	check_sgt(dl_ino(o0), 64 * KIB, "v2d_emu", 16, pb_page);
	check_sgt(dl_ino(ct), 64 * KIB, "v2d_emu", 1, 64 * KIB);

	v2d_release_ok(dev, h0);
	v2d_release_ok(dev, hc);
	close(o0);
	close(ct);
	close(dev);
}

/*
 * The nodes that print DMA addresses (pagebuf's sgt) or IOVAs and
 * importing processes (v2d_emu's imports) are for root only: mode 0400,
 * and an unprivileged process cannot open them.
 */
static int open_as_nobody(void *arg)
{
	const char *path = arg;
	int fd;

	CHILD_CHECK(setresgid(65534, 65534, 65534) == 0, "setresgid: %s",
		    strerror(errno));
	CHILD_CHECK(setresuid(65534, 65534, 65534) == 0, "setresuid: %s",
		    strerror(errno));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(fd < 0 && errno == EACCES, "uid 65534 opened %s (%s)",
		    path, fd < 0 ? strerror(errno) : "no error");
	return 0;
}

static void test_address_nodes_root_only(void **state)
{
	static const char *const nodes[] = {
		PB_DEBUGFS "/sgt",
		"/sys/kernel/debug/v2d_emu/imports",
		"/sys/kernel/debug/v2d_emu/jobs",
	};
	struct stat st;
	size_t i;

	(void)state;
	require_debugfs();
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (stat(nodes[i], &st)) {
			pb_diag("%s: %s", nodes[i], strerror(errno));
			fail();
		}
		if ((st.st_mode & 07777) != 0400 || st.st_uid != 0) {
			pb_diag("%s: mode %04o uid %u, want 0400 root", nodes[i],
				st.st_mode & 07777, st.st_uid);
			fail();
		}
		assert_int_equal(pb_in_child(open_as_nobody, (void *)nodes[i]), 0);
	}
}

/* ---- size and peak, debugfs and sysfs -------------------------------------- */

static void test_size_count_total_follow_allocations(void **state)
{
	struct pagebuf_stats st;
	int fd;

	(void)state;
	fd = pb_alloc_ok(1 * MIB, 0, NULL);
	pb_stats(&st);
	assert_int_equal(dl_read_u64(PB_SYSFS "/total"), st.live_bytes);
	assert_int_equal(dl_read_u64(PB_SYSFS "/count"), st.live_buffers);
	assert_true(st.live_bytes >= 1 * MIB);
	if (!access(PB_DEBUGFS "/size", R_OK))
		assert_int_equal(dl_read_u64(PB_DEBUGFS "/size"), st.live_bytes);
	close(fd);
	pb_stats(&st);
	assert_int_equal(dl_read_u64(PB_SYSFS "/total"), st.live_bytes);
	assert_int_equal(dl_read_u64(PB_SYSFS "/count"), st.live_buffers);

	/* Read-only attributes refuse writers, root included. */
	assert_fails_with(open(PB_SYSFS "/total", O_WRONLY | O_CLOEXEC), EACCES);
	assert_fails_with(open(PB_SYSFS "/count", O_WRONLY | O_CLOEXEC), EACCES);
}

/* Reset @path to the current total, run a workload, read the peak. */
static void peak_case(const char *path)
{
	struct pagebuf_stats st;
	uint64_t base;
	int fds[3], i;

	assert_int_equal(dl_write(path, "0"), 0);
	pb_stats(&st);
	base = st.live_bytes;
	assert_int_equal(dl_read_u64(path), base);
	assert_int_equal(st.peak_bytes, base);

	for (i = 0; i < 3; i++)
		fds[i] = pb_alloc_ok(1 * MIB, 0, NULL);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	assert_int_equal(dl_read_u64(path), base + 3 * MIB);

	assert_int_equal(dl_write(path, "7"), EINVAL);
	assert_int_equal(dl_write(path, "zero"), EINVAL);
	assert_int_equal(dl_read_u64(path), base + 3 * MIB);
	assert_int_equal(dl_write(path, "0\n"), 0);
	assert_int_equal(dl_read_u64(path), base);
}

static void test_peak_reset_sysfs(void **state)
{
	(void)state;
	peak_case(PB_SYSFS "/peak");
}

static void test_peak_reset_debugfs(void **state)
{
	(void)state;
	require_debugfs();
	peak_case(PB_DEBUGFS "/peak");
}

/* ---- v2d_emu debugfs --------------------------------------------------- */

/*
 * What imports must say of need_sync: the DMA API syncs the mappings of a
 * non-coherent engine, and every bounced one.
 */
static const char *v2d_need_sync_expected(void)
{
	char *dma = dl_read(V2D_DEBUGFS "/dma");
	bool coherent;

	assert_non_null(dma);
	coherent = strstr(dma, "coherent yes") != NULL;
	free(dma);
	return !coherent || pb_cmdline_has("swiotlb=force") ? "yes" : "no";
}

static void test_v2d_imports_and_hung_job(void **state)
{
	char *text, line[512], prefix[32], want[128], comm[32];
	struct v2d_query q;
	int dev, o0, ct, out, i;
	uint32_t h0, hc;
	uint64_t seq;

	(void)state;
	if (access(V2D_DEBUGFS "/imports", R_OK))
		skip_because("no " V2D_DEBUGFS "/imports: debugfs or v2d_emu missing");
	dev = v2d_open_dev();
	pb_comm(comm, sizeof(comm));
	o0 = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	ct = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_CONTIG, NULL);
	h0 = v2d_import_ok(dev, o0);
	hc = v2d_import_ok(dev, ct);
	v2d_query_ok(dev, h0, &q);
	assert_int_equal(q.path, V2D_PATH_IOMMU);

	text = dl_read(V2D_DEBUGFS "/imports");
	assert_non_null(text);
	snprintf(prefix, sizeof(prefix), "%u ", h0);
	snprintf(want, sizeof(want), "%u %lu pagebuf 65536 iommu %u %#llx 16 bidirectional %s static %d %s",
		 h0, dl_ino(o0), q.unit, (unsigned long long)q.iova,
		 v2d_need_sync_expected(), (int)getpid(), comm);
	assert_true(dl_line(text, prefix, NULL, line, sizeof(line)));
	assert_string_equal(line, want);
	snprintf(prefix, sizeof(prefix), "%u ", hc);
	snprintf(want, sizeof(want), "%u %lu pagebuf 65536 direct - - 1 bidirectional %s static %d %s",
		 hc, dl_ino(ct), v2d_need_sync_expected(), (int)getpid(), comm);
	assert_true(dl_line(text, prefix, NULL, line, sizeof(line)));
	assert_string_equal(line, want);
	free(text);

	/* A hung job is listed, running, its fence unsignalled, until the watchdog. */
	v2d_param_set("timeout_ms", "1500");
	out = v2d_fill(dev, hc, 1, &seq);
	snprintf(want, sizeof(want), ":%" PRIu64 " fill 0 %u ", seq, hc);
	for (i = 0; i < 50; i++) {
		text = dl_read(V2D_DEBUGFS "/jobs");
		assert_non_null(text);
		if (dl_line(text, "", want, line, sizeof(line)) &&
		    strstr(line, " running(hang) "))
			break;
		free(text);
		text = NULL;
		usleep(20000);
	}
	assert_non_null(text);
	free(text);
	pb_diag("%s", line);
	assert_non_null(strstr(line, " unsignalled 0 "));
	assert_int_equal(dl_fence_wait(out, 10000), -ETIMEDOUT);
	close(out);
	/* The worker retires the job right after signalling its fence. */
	for (i = 0; i < 50; i++) {
		text = dl_read(V2D_DEBUGFS "/jobs");
		assert_non_null(text);
		if (!dl_line(text, "", want, line, sizeof(line)))
			break;
		free(text);
		text = NULL;
		usleep(20000);
	}
	assert_non_null(text);
	free(text);
	v2d_param_set("timeout_ms", "5000");

	v2d_release_ok(dev, h0);
	v2d_release_ok(dev, hc);
	text = dl_read(V2D_DEBUGFS "/imports");
	assert_non_null(text);
	snprintf(want, sizeof(want), " %lu pagebuf ", dl_ino(o0));
	assert_false(dl_line(text, "", want, line, sizeof(line)));
	free(text);
	close(o0);
	close(ct);
	close(dev);
}

/* ---- tracepoints ----------------------------------------------------------- */

static void require_trace(const char *system)
{
	int err = dl_trace_start(system);

	if (err)
		skip_because("cannot enable events/%s in tracefs: %s", system,
			     pb_errname(err));
}

/* Fail unless the trace holds an event with this text. */
static void assert_traced(const char *trace, const char *text)
{
	char line[512];

	if (!dl_line(trace, "", text, line, sizeof(line))) {
		pb_diag("no trace line with \"%s\"; trace was:", text);
		pb_diag("%s", trace);
		fail();
	}
}

static void test_pagebuf_tracepoints(void **state)
{
	char *trace, want[160];
	unsigned long ino;
	uint32_t h;
	int fd, dev;
	void *m;

	(void)state;
	require_trace("pagebuf");
	dev = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	fd = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	ino = dl_ino(fd);
	m = pb_map(fd, 2 * pb_page, PROT_READ | PROT_WRITE, pb_page);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	if (dev >= 0) {
		h = v2d_import_ok(dev, fd);
		v2d_release_ok(dev, h);
	}
	pb_unmap(m, 2 * pb_page);
	close(fd);
	trace = dl_trace_stop("pagebuf");
	assert_non_null(trace);

	snprintf(want, sizeof(want), "pagebuf_alloc: ino=%lu size=65536 segments=16 flags=0x1 pid=%d",
		 ino, (int)getpid());
	assert_traced(trace, want);
	snprintf(want, sizeof(want), "pagebuf_mmap: ino=%lu pgoff=1 len=%zu",
		 ino, 2 * pb_page);
	assert_traced(trace, want);
	/* The core turns SYNC_RW into DMA_BIDIRECTIONAL (0), READ into FROM_DEVICE (2). */
	snprintf(want, sizeof(want), "pagebuf_cpu_access: ino=%lu dir=0 begin", ino);
	assert_traced(trace, want);
	snprintf(want, sizeof(want), "pagebuf_cpu_access: ino=%lu dir=2 end", ino);
	assert_traced(trace, want);
	if (dev >= 0) {
		snprintf(want, sizeof(want), "pagebuf_attach: ino=%lu dev=v2d_emu", ino);
		assert_traced(trace, want);
		snprintf(want, sizeof(want), "pagebuf_map: ino=%lu dev=v2d_emu dir=0 nents=16", ino);
		assert_traced(trace, want);
		snprintf(want, sizeof(want), "pagebuf_unmap: ino=%lu dev=v2d_emu dir=0 nents=16", ino);
		assert_traced(trace, want);
		snprintf(want, sizeof(want), "pagebuf_detach: ino=%lu dev=v2d_emu", ino);
		assert_traced(trace, want);
		close(dev);
	} else {
		pb_diag("no %s: attach and map events not checked", V2D_DEVICE);
	}
	snprintf(want, sizeof(want), "pagebuf_release: ino=%lu size=65536 demo=0", ino);
	assert_traced(trace, want);
	free(trace);
}

static void test_v2d_tracepoints(void **state)
{
	uint64_t s1, s2;
	char *trace, want[160];
	unsigned long ino;
	int dev, fd, f1, f2;
	uint32_t h;

	(void)state;
	dev = v2d_open_dev();
	require_trace("v2d_emu");
	fd = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_CONTIG, NULL);
	ino = dl_ino(fd);
	h = v2d_import_ok(dev, fd);
	f1 = v2d_fill(dev, h, 0, &s1);
	assert_int_equal(dl_fence_wait(f1, 10000), 1);
	v2d_param_set("timeout_ms", "500");
	f2 = v2d_fill(dev, h, 1, &s2);
	assert_int_equal(dl_fence_wait(f2, 10000), -ETIMEDOUT);
	v2d_param_set("timeout_ms", "5000");
	v2d_release_ok(dev, h);
	close(f1);
	close(f2);
	close(fd);
	close(dev);
	/* The last reference of a handle goes with its last job: retire first. */
	usleep(100000);
	trace = dl_trace_stop("v2d_emu");
	assert_non_null(trace);

	snprintf(want, sizeof(want), "v2d_import: handle=%u ino=%lu exporter=pagebuf size=65536 path=direct segments=1",
		 h, ino);
	assert_traced(trace, want);
	snprintf(want, sizeof(want), ":%" PRIu64 " op=1 flags=0x2 dst=%u", s1, h);
	assert_traced(trace, want);
	snprintf(want, sizeof(want), ":%" PRIu64 " op=1 flags=0x6 dst=%u", s2, h);
	assert_traced(trace, want);
	snprintf(want, sizeof(want), ":%" PRIu64 " error=0", s1);
	assert_traced(trace, want);
	snprintf(want, sizeof(want), ":%" PRIu64 " error=-110", s2);
	assert_traced(trace, want);
	assert_traced(trace, "v2d_job_submit: ");
	assert_traced(trace, "v2d_job_start: ");
	snprintf(want, sizeof(want), "v2d_release: handle=%u ino=%lu", h, ino);
	assert_traced(trace, want);
	free(trace);
}

int main(void)
{
	struct pb_tests t = { 0 };

#define ADD(fn) pb_add(&t, #fn, test_##fn, NULL)
	ADD(buffers_show_allocation_mmaps_and_devices);
	ADD(demo_buffer_listed_as_demo_not_counted);
	ADD(sgt_shows_segments_per_policy);
	ADD(address_nodes_root_only);
	ADD(size_count_total_follow_allocations);
	ADD(peak_reset_sysfs);
	ADD(peak_reset_debugfs);
	ADD(v2d_imports_and_hung_job);
	ADD(pagebuf_tracepoints);
	ADD(v2d_tracepoints);
	return pb_run("debug", &t) ? 1 : 0;
}
