// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_dma: how the engine's work meets the DMA API and its callers'
 * rights: the direction and the cache maintenance of its mappings, the
 * access an fd grants, the bound on the syncs after a stopped job, the
 * moment a job's fence becomes visible, and what the watchdog reports.
 * Run by the suite's v2d area (and, for need_sync, by the coherency area
 * with a non-coherent engine).
 */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include <uapi/v2d_emu.h>

#include <dmabuf-lab.h>

#include "v2d_lib.h"

#define V2D_DMA_INFO	"/sys/kernel/debug/v2d_emu/dma"
#define V2D_IMPORTS	"/sys/kernel/debug/v2d_emu/imports"

/* ---- debugfs -------------------------------------------------------------- */

/* The value of "KEY VALUE" in the engine's dma file, or skip the test. */
static void dma_info(const char *key, char *val, size_t len)
{
	char line[256], k[64], v[128];
	FILE *f = fopen(V2D_DMA_INFO, "re");

	if (!f)
		skip_because("no %s: debugfs not mounted", V2D_DMA_INFO);
	val[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %127s", k, v) == 2 && !strcmp(k, key))
			snprintf(val, len, "%s", v);
	fclose(f);
	assert_true(val[0] != '\0');
}

/*
 * Column @col of this process's import @handle in debugfs's imports
 * file, found by the header's names; fails the test when it is missing.
 */
static void import_info(uint32_t handle, const char *col, char *val, size_t len)
{
	char line[512], *tok, *save, hdr[512];
	int want = -1, i, pid_col = -1, handle_col = -1;
	FILE *f = fopen(V2D_IMPORTS, "re");

	if (!f)
		skip_because("no %s: debugfs not mounted", V2D_IMPORTS);
	assert_non_null(fgets(hdr, sizeof(hdr), f));
	for (i = 0, tok = strtok_r(hdr, " \n", &save); tok;
	     i++, tok = strtok_r(NULL, " \n", &save)) {
		if (!strcmp(tok, col))
			want = i;
		if (!strcmp(tok, "pid"))
			pid_col = i;
		if (!strcmp(tok, "handle"))
			handle_col = i;
	}
	if (want < 0) {
		pb_diag("%s has no column \"%s\"", V2D_IMPORTS, col);
		fclose(f);
		fail();
	}
	val[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *fields[16] = { 0 };

		for (i = 0, tok = strtok_r(line, " \n", &save); tok && i < 16;
		     i++, tok = strtok_r(NULL, " \n", &save))
			fields[i] = tok;
		if (!fields[want] || !fields[pid_col] || !fields[handle_col])
			continue;
		if (strtoul(fields[handle_col], NULL, 10) == handle &&
		    atoi(fields[pid_col]) == getpid())
			snprintf(val, len, "%s", fields[want]);
	}
	fclose(f);
	if (!val[0]) {
		pb_diag("import %u of pid %d is not in %s", handle, getpid(),
			V2D_IMPORTS);
		fail();
	}
}

/* ---- the mappings ------------------------------------------------------------ */

/*
 * A non-coherent engine's mappings need cache maintenance on every sync:
 * dma_need_sync() must say so. (Since 6.11 the DMA API decides it once,
 * when the mask is set: a device made non-coherent after its mask would
 * skip every sync, and under QEMU, which has no caches, nothing else
 * would show it.) A bouncing mapping needs syncs whatever the coherency.
 */
static void test_mappings_need_sync_unless_coherent(void **state)
{
	char coherent[128], need[128];
	int fd = alloc_buf(64 * KIB, 0, NULL);
	uint32_t h;

	(void)state;
	dma_info("coherent", coherent, sizeof(coherent));
	h = import_ok(fd);
	import_info(h, "need_sync", need, sizeof(need));
	pb_diag("engine coherent %s, mapping need_sync %s", coherent, need);
	if (!strcmp(coherent, "no"))
		assert_string_equal(need, "yes");
	if (pb_cmdline_has("swiotlb=force"))
		assert_string_equal(need, "yes");
	release_ok(h);
}

/*
 * A dma-buf whose file is read-only is a source only, so the engine maps
 * it DMA_TO_DEVICE: a bidirectional mapping would hand the device's view
 * (a stale bounce slot under swiotlb) back to the CPU's pages.
 */
static void test_read_only_dma_buf_is_mapped_to_device(void **state)
{
	char dir[128];
	uint32_t hro, hrw;
	int ro;

	(void)state;
	assert_int_equal(pb_alloc(64 * KIB, 0, O_RDONLY | O_CLOEXEC, NULL, &ro, NULL), 0);
	track(ro);
	hro = import_ok(ro);
	hrw = import_ok(alloc_buf(64 * KIB, 0, NULL));
	import_info(hro, "dir", dir, sizeof(dir));
	assert_string_equal(dir, "to_device");
	import_info(hrw, "dir", dir, sizeof(dir));
	assert_string_equal(dir, "bidirectional");
	release_ok(hro);
	release_ok(hrw);
}

/*
 * The fd's mode is what the engine may do with the buffer, both ways: a
 * buffer whose dma-buf is write-only is a destination only; reading it
 * as a COPY source is EACCES, like writing a read-only one.
 */
static void test_write_only_dma_buf_is_no_source(void **state)
{
	const size_t size = 64 * KIB;
	struct v2d_submit req;
	uint32_t hwo, hrw;
	unsigned char *map;
	int wo, rw;

	(void)state;
	assert_int_equal(pb_alloc(size, 0, O_WRONLY | O_CLOEXEC, NULL, &wo, NULL), 0);
	track(wo);
	rw = buf_with_pattern(size, 0, 3, &map);
	hwo = import_ok(wo);
	hrw = import_ok(rw);

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_COPY;
	req.cpp = 4;
	req.src = surf(hwo, 4096, 0, 0, 0, 1024, 16);
	req.dst = surf(hrw, 4096, 0, 0, 0, 1024, 16);
	assert_int_equal(submit_raw(&req), EACCES);
	req.op = V2D_OP_ROTATE;
	req.rotation = 180;
	assert_int_equal(submit_raw(&req), EACCES);
	/* The destination was not touched. */
	assert_int_equal(pb_sync(rw, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_pattern(map, size, 3);
	assert_int_equal(pb_sync(rw, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);

	/* Writing it is what it is for. */
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x01020304;
	req.dst = surf(hwo, 4096, 0, 0, 0, 1024, 16);
	fence_done_ok(submit_ok(&req));
	release_ok(hwo);
	release_ok(hrw);
}

/* ---- stopping --------------------------------------------------------------- */

/*
 * After the watchdog stops a job, the syncs that hand its writes to the
 * CPU cover only what it reached, merged by page: a FILL of millions of
 * one-byte rows a byte apart, stopped after a jiffy, must not sync each
 * of its rows (8 Mi syncs took seconds, minutes under DMA-API debug,
 * inside the fence-signalling section).
 */
static void test_flush_after_watchdog_is_bounded(void **state)
{
	const uint64_t size = 16 * MIB;
	const uint32_t rows = size / 2;
	struct v2d_submit req;
	int64_t t0, dt;
	uint32_t h;
	int out;

	(void)state;
	h = import_ok(alloc_buf(size, 0, NULL));
	v2d_param("timeout_ms", "1");
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 1;
	req.value = 0x5a;
	req.dst = surf(h, 2, 0, 0, 0, 1, rows);
	t0 = now_ms();
	out = submit_ok(&req);
	assert_int_equal(fence_wait_ms(out, 120000), -ETIMEDOUT);
	dt = now_ms() - t0;
	pb_diag("FILL of %u one-byte rows, stopped after 1 ms: fence after %lld ms",
		rows, (long long)dt);
	assert_true(dt < 500);
	close(out);
	release_ok(h);
}

/* ---- when a fence becomes visible ------------------------------------------ */

struct slow_submit {
	struct v2d_submit req;
	int err;
};

static void *slow_submit_run(void *arg)
{
	struct slow_submit *s = arg;

	s->err = submit_raw(&s->req);
	return NULL;
}

/*
 * A job's fence reaches the buffer's reservation object only once the job
 * is on the engine's queue. Before that, a lockless reader
 * (DMA_BUF_IOCTL_EXPORT_SYNC_FILE) could hand it as an in-fence to a job
 * of another file, which the queue would then run first: that job would
 * wait for a fence queued behind it, and time out. debug_commit_delay_ms
 * holds the first submit inside that window.
 */
static void test_fence_is_visible_only_once_its_job_is_queued(void **state)
{
	struct slow_submit slow;
	struct v2d_submit req;
	uint32_t hx, hy = 0;
	int x, y, vd2, out, sf;
	pthread_t t;

	(void)state;
	if (access(V2D_PARAMS "/debug_commit_delay_ms", F_OK))
		skip_because("v2d_emu has no debug_commit_delay_ms");
	x = alloc_buf(64 * KIB, 0, NULL);
	y = alloc_buf(64 * KIB, 0, NULL);
	sf = dmabuf_lab_export_sync_file(x, DMABUF_LAB_CPU_WRITE);
	if (sf < 0) {
		assert_int_equal(sf, -ENOTTY);
		skip_because("no DMA_BUF_IOCTL_EXPORT_SYNC_FILE before Linux 6.0");
	}
	close(sf);
	vd2 = track(v2d_open_ok());
	hx = import_ok(x);
	assert_int_equal(import_raw(vd2, y, &hy), 0);
	v2d_param("timeout_ms", "2000");
	v2d_param("debug_commit_delay_ms", "600");

	memset(&slow, 0, sizeof(slow));
	slow.req.op = V2D_OP_FILL;
	slow.req.cpp = 4;
	slow.req.value = 0x11111111;
	slow.req.flags = V2D_SUBMIT_OUT_FENCE;
	slow.req.dst = surf(hx, 4096, 0, 0, 0, 1024, 16);
	assert_int_equal(pthread_create(&t, NULL, slow_submit_run, &slow), 0);
	usleep(200 * 1000);
	v2d_param("debug_commit_delay_ms", "0");

	/* Inside the window: whatever the buffer's fences are now. */
	sf = dmabuf_lab_export_sync_file(x, DMABUF_LAB_CPU_WRITE);
	assert_true(sf >= 0);
	track(sf);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x22222222;
	req.flags = V2D_SUBMIT_IN_FENCE | V2D_SUBMIT_OUT_FENCE;
	req.in_fence_fd = sf;
	req.dst = surf(hy, 4096, 0, 0, 0, 1024, 16);
	assert_succeeds(ioctl(vd2, V2D_IOC_SUBMIT, &req));
	out = track(req.out_fence_fd);

	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(slow.err, 0);
	track(slow.req.out_fence_fd);
	assert_int_equal(fence_wait(out), 1);
	assert_int_equal(fence_wait(slow.req.out_fence_fd), 1);
}

/* ---- what the watchdog reports ------------------------------------------------ */

/* Lines of the kernel log from @fd (positioned by the caller) with @what. */
static int kmsg_count(int fd, const char *what)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[len] = '\0';
		if (strstr(rec, what))
			n++;
	}
	return n;
}

/*
 * The time from submit to fence of a FILL of @rows rows of 4 KiB of the
 * buffer @fd, imported for the job alone and released while it is
 * pending: its retirement then tears the mapping down.
 */
static int fill_job(int fd, uint32_t rows, int64_t *ms)
{
	struct v2d_submit req;
	int64_t t0 = now_ms();
	uint32_t h = import_ok(fd);
	int out, st;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = rows;
	req.dst = surf(h, 4096, 0, 0, 0, 1024, rows);
	out = submit_ok(&req);
	release_ok(h);
	st = fence_wait(out);
	*ms = now_ms() - t0;
	close(untrack(out));
	return st;
}

/* Imports and releases of a large buffer, on a file of their own. */
struct churn {
	volatile int stop;
	int fd, dev, rounds;
};

static void *churn_run(void *arg)
{
	struct churn *c = arg;
	struct v2d_release rel = { 0 };

	while (!c->stop) {
		if (import_raw(c->dev, c->fd, &rel.handle))
			break;
		if (ioctl(c->dev, V2D_IOC_RELEASE, &rel))
			break;
		c->rounds++;
	}
	return NULL;
}

/*
 * The watchdog's report ("timed out") names exactly the jobs it stopped,
 * whose fences carry ETIMEDOUT. Jobs that end around the limit, some
 * just before and some just after it, must not be reported once they
 * have completed. Their retirement, which tears their mappings down, is
 * held up by another file making and tearing down mappings meanwhile:
 * a watchdog cancelled only at retirement fires after the fence.
 */
static void test_watchdog_reports_only_the_jobs_it_stopped(void **state)
{
	const uint64_t size = 8 * MIB;
	const uint32_t max_rows = size / 4096;
	int timed_out = 0, done = 0, reported, kmsg, i, st, fd;
	struct v2d_stats before, after;
	uint32_t rows = 8;
	int64_t ms, limit = 8;
	struct churn c = { 0 };
	pthread_t t;

	(void)state;
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		skip_because("cannot read /dev/kmsg: %s", strerror(errno));
	fd = alloc_buf(size, 0, NULL);
	/* Rows that take about the limit on this machine. */
	while (rows < max_rows && (fill_job(fd, rows, &ms), ms < limit))
		rows *= 2;
	pb_diag("%u rows of 4 KiB take about %lld ms", rows, (long long)ms);

	c.fd = alloc_buf(32 * MIB, PAGEBUF_ALLOC_ORDER0, NULL);
	c.dev = track(v2d_open_ok());
	assert_int_equal(pthread_create(&t, NULL, churn_run, &c), 0);
	lseek(kmsg, 0, SEEK_END);
	stats_ok(&before);
	v2d_param("timeout_ms", "8");
	srand(getpid());
	for (i = 0; i < 200; i++) {
		uint32_t r = rows / 2 + (uint32_t)rand() % rows;

		st = fill_job(fd, r < max_rows ? r : max_rows, &ms);
		if (st == -ETIMEDOUT)
			timed_out++;
		else if (st == 1)
			done++;
		else
			assert_int_equal(st, 1);
	}
	c.stop = 1;
	assert_int_equal(pthread_join(t, NULL), 0);
	v2d_param("timeout_ms", "5000");
	/* Every job is retired once its file is idle again. */
	close(untrack(vd));
	vd = v2d_open_ok();
	stats_ok(&after);
	reported = kmsg_count(kmsg, "timed out");
	close(kmsg);
	pb_diag("200 jobs around the limit, %d imports beside: %d done, %d timed out, %d reported, counter +%lld",
		c.rounds, done, timed_out, reported,
		(long long)(after.timeouts - before.timeouts));
	assert_int_equal(after.timeouts - before.timeouts, timed_out);
	assert_int_equal(reported, timed_out);
}

int main(void)
{
	struct pb_tests t = { 0 };

	v2d_open_for_tests();
#define ADD(name) pb_add_fixture(&t, #name, test_##name, NULL, NULL, v2d_teardown)
	ADD(mappings_need_sync_unless_coherent);
	ADD(read_only_dma_buf_is_mapped_to_device);
	ADD(write_only_dma_buf_is_no_source);
	ADD(flush_after_watchdog_is_bounded);
	ADD(fence_is_visible_only_once_its_job_is_queued);
	ADD(watchdog_reports_only_the_jobs_it_stopped);
#undef ADD
	return pb_run("v2d", &t);
}
