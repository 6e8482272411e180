// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the guest test programs; see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include <dmabuf-lab.h>

int pb_dev = -1;
size_t pb_page = 4096;

const struct pb_policy pb_policies[PB_NR_POLICIES] = {
	{ "default", 0 },
	{ "order0", PAGEBUF_ALLOC_ORDER0 },
	{ "contig", PAGEBUF_ALLOC_CONTIG },
};

/* ---- output ---------------------------------------------------------- */

static void vdiag(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];
	char *line, *save = NULL;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One "# " per line, so that nothing else reaches the TAP stream. */
	for (line = strtok_r(msg, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", prefix, line);
	fflush(stdout);
}

void pb_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("# ", fmt, ap);
	va_end(ap);
}

void pb_skip_reason(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("# SKIP ", fmt, ap);
	va_end(ap);
}

const char *pb_errname(int err)
{
	static char buf[32];
	const char *name;

	if (err == 0)
		return "0";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* ---- the module -------------------------------------------------------- */

/*
 * Raw PAGEBUF_IOC_ALLOC, not the library's pagebuf source: pagebuf's
 * allocation, its flags, names and errors are what the areas test.
 */
int pb_alloc_raw(struct pagebuf_alloc *arg)
{
	return ioctl(pb_dev, PAGEBUF_IOC_ALLOC, arg) < 0 ? errno : 0;
}

int pb_alloc_sized(void *arg, size_t size)
{
	unsigned long nr = _IOC(_IOC_READ | _IOC_WRITE, PAGEBUF_IOC_MAGIC, 1, size);

	return ioctl(pb_dev, nr, arg) < 0 ? errno : 0;
}

int pb_alloc(uint64_t size, uint32_t flags, uint32_t fd_flags,
	     const char *name, int *fd, uint32_t *nr_segments)
{
	struct pagebuf_alloc a;
	int err;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.flags = flags;
	a.fd_flags = fd_flags;
	a.fd = -1;
	if (name)
		snprintf(a.name, sizeof(a.name), "%s", name);
	err = pb_alloc_raw(&a);
	*fd = err ? -1 : a.fd;
	if (nr_segments)
		*nr_segments = err ? 0 : a.nr_segments;
	return err;
}

int pb_alloc_ok_at(uint64_t size, uint32_t flags, uint32_t *nr_segments,
		   const char *file, int line)
{
	int fd = -1, err;

	err = pb_alloc(size, flags, O_RDWR | O_CLOEXEC, NULL, &fd, nr_segments);
	if (err) {
		pb_diag("%s:%d: PAGEBUF_IOC_ALLOC(size %llu, flags %#x) failed: %s",
			file, line, (unsigned long long)size, flags, pb_errname(err));
		fail();
	}
	if (fd < 0) {
		pb_diag("PAGEBUF_IOC_ALLOC returned fd %d", fd);
		fail();
	}
	return fd;
}

int pb_stats_raw(int dev, struct pagebuf_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(dev, PAGEBUF_IOC_GET_STATS, st) < 0 ? errno : 0;
}

int pb_move_raw(int fd, uint32_t flags, uint32_t reserved, uint32_t *nr_segments)
{
	struct pagebuf_move m = { .fd = fd, .flags = flags, .reserved = reserved };

	if (ioctl(pb_dev, PAGEBUF_IOC_MOVE, &m))
		return errno;
	if (nr_segments)
		*nr_segments = m.nr_segments;
	return 0;
}

int pb_revoke_raw(int fd, uint32_t reserved)
{
	struct pagebuf_revoke r = { .fd = fd, .reserved = reserved };

	return ioctl(pb_dev, PAGEBUF_IOC_REVOKE, &r) ? errno : 0;
}

void pb_stats(struct pagebuf_stats *st)
{
	int err = pb_stats_raw(pb_dev, st);

	if (err) {
		pb_diag("PAGEBUF_IOC_GET_STATS failed: %s", pb_errname(err));
		fail();
	}
}

void pb_stats_diag(const char *what, const struct pagebuf_stats *st)
{
	pb_diag("%s: buffers %llu bytes %llu peak %llu attachments %llu mappings %llu vmaps %llu",
		what, (unsigned long long)st->live_buffers,
		(unsigned long long)st->live_bytes,
		(unsigned long long)st->peak_bytes,
		(unsigned long long)st->live_attachments,
		(unsigned long long)st->live_mappings,
		(unsigned long long)st->live_vmaps);
}

void pb_assert_idle(void)
{
	struct pagebuf_stats st;

	pb_stats(&st);
	if (st.live_buffers || st.live_bytes || st.live_attachments ||
	    st.live_mappings || st.live_vmaps) {
		pb_stats_diag("expected no live buffer", &st);
		fail();
	}
}

int pb_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d) {
		pb_diag("opendir /proc/self/fd: %s", pb_errname(errno));
		fail();
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

void pb_snap(struct pb_snap *s)
{
	pb_stats(&s->st);
	s->nr_fds = pb_count_fds();
}

static int stats_differ(const struct pagebuf_stats *a, const struct pagebuf_stats *b,
			int64_t bufs, int64_t bytes)
{
	return b->live_buffers != a->live_buffers + (uint64_t)bufs ||
	       b->live_bytes != a->live_bytes + (uint64_t)bytes ||
	       b->live_attachments != a->live_attachments ||
	       b->live_mappings != a->live_mappings ||
	       b->live_vmaps != a->live_vmaps ||
	       b->peak_bytes < a->peak_bytes || b->peak_bytes < b->live_bytes;
}

void pb_assert_delta_at(const struct pb_snap *s, int64_t bufs, int64_t bytes,
			const char *file, int line)
{
	struct pagebuf_stats now;

	pb_stats(&now);
	if (stats_differ(&s->st, &now, bufs, bytes)) {
		pb_diag("%s:%d: counters moved wrongly (expected %+lld buffers, %+lld bytes)",
			file, line, (long long)bufs, (long long)bytes);
		pb_stats_diag("before", &s->st);
		pb_stats_diag("after", &now);
		fail();
	}
}

void pb_assert_unchanged_at(const struct pb_snap *s, const char *file, int line)
{
	int nr_fds;

	pb_assert_delta_at(s, 0, 0, file, line);
	nr_fds = pb_count_fds();
	if (nr_fds != s->nr_fds) {
		pb_diag("%s:%d: %d fds open, %d before: an fd leaked or vanished",
			file, line, nr_fds, s->nr_fds);
		fail();
	}
}

/* ---- parameters ------------------------------------------------------- */

struct saved_param {
	char name[64];
	uint64_t val;
	int used;
};
static struct saved_param saved_params[8];

int pb_param_get(const char *name, uint64_t *val)
{
	char path[256], buf[64];
	unsigned long long v;
	char *end;
	FILE *f;

	snprintf(path, sizeof(path), PB_PARAM_DIR "/%s", name);
	f = fopen(path, "re");
	if (!f)
		return errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return EIO;
	}
	fclose(f);
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return EINVAL;
	*val = v;
	return 0;
}

static int param_write(const char *name, uint64_t val)
{
	char path[256];
	int fd, len, err = 0;
	char buf[32];

	snprintf(path, sizeof(path), PB_PARAM_DIR "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	len = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)val);
	if (write(fd, buf, len) != len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

void pb_param_set(const char *name, uint64_t val)
{
	uint64_t old, now;
	size_t i, slot = sizeof(saved_params) / sizeof(saved_params[0]);
	int err;

	for (i = 0; i < sizeof(saved_params) / sizeof(saved_params[0]); i++) {
		if (saved_params[i].used && !strcmp(saved_params[i].name, name))
			break;
		if (!saved_params[i].used && slot == sizeof(saved_params) / sizeof(saved_params[0]))
			slot = i;
	}
	if (i == sizeof(saved_params) / sizeof(saved_params[0])) {
		err = pb_param_get(name, &old);
		if (err) {
			pb_diag("reading parameter %s: %s", name, pb_errname(err));
			fail();
		}
		assert_true(slot < sizeof(saved_params) / sizeof(saved_params[0]));
		snprintf(saved_params[slot].name, sizeof(saved_params[slot].name), "%s", name);
		saved_params[slot].val = old;
		saved_params[slot].used = 1;
	}
	err = param_write(name, val);
	if (err) {
		pb_diag("setting parameter %s to %llu: %s", name,
			(unsigned long long)val, pb_errname(err));
		fail();
	}
	err = pb_param_get(name, &now);
	if (err || now != val) {
		pb_diag("parameter %s reads %llu (%s) after writing %llu", name,
			(unsigned long long)now, pb_errname(err),
			(unsigned long long)val);
		fail();
	}
}

int pb_params_restore(void)
{
	size_t i;
	int ret = 0, err;

	for (i = 0; i < sizeof(saved_params) / sizeof(saved_params[0]); i++) {
		if (!saved_params[i].used)
			continue;
		err = param_write(saved_params[i].name, saved_params[i].val);
		if (err) {
			pb_diag("restoring parameter %s to %llu: %s",
				saved_params[i].name,
				(unsigned long long)saved_params[i].val,
				pb_errname(err));
			ret = -1;
		}
		saved_params[i].used = 0;
	}
	return ret;
}

int pb_restore_params_teardown(void **state)
{
	(void)state;
	return pb_params_restore();
}

void pb_params_allow(uint64_t size)
{
	struct pagebuf_stats st;
	uint64_t v;
	int err;

	err = pb_param_get("max_buffer_size", &v);
	if (err) {
		pb_diag("reading max_buffer_size: %s", pb_errname(err));
		fail();
	}
	if (v < size)
		pb_param_set("max_buffer_size", size);
	err = pb_param_get("quota", &v);
	if (err) {
		pb_diag("reading quota: %s", pb_errname(err));
		fail();
	}
	pb_stats(&st);
	if (v < st.live_bytes + size)
		pb_param_set("quota", st.live_bytes + size);
}

/* ---- fdinfo ------------------------------------------------------------ */

/* The library's fdinfo reader (the kernel's lines first), as 0 or an errno value. */
int pb_fdinfo(pid_t pid, int fd, const char *key, char *buf, size_t len)
{
	int ret = dmabuf_lab_fdinfo_get(pid, fd, key, buf, len);

	return ret < 0 ? -ret : 0;
}

void pb_comm(char *buf, size_t len)
{
	char comm[17] = "";

	if (prctl(PR_GET_NAME, comm) < 0) {
		pb_diag("prctl(PR_GET_NAME): %s", pb_errname(errno));
		fail();
	}
	snprintf(buf, len, "%s", comm);
}

/* ---- memory ------------------------------------------------------------ */

void *pb_map_at(int fd, size_t len, int prot, off_t off, const char *file, int line)
{
	void *p = NULL;
	int ret = dmabuf_lab_map(fd, (uint64_t)off, len, prot, &p);

	if (ret < 0) {
		pb_diag("%s:%d: mmap(len %zu, prot %#x, MAP_SHARED, offset %lld) failed: %s",
			file, line, len, prot, (long long)off, pb_errname(-ret));
		fail();
	}
	return p;
}

void pb_unmap_at(void *p, size_t len, const char *file, int line)
{
	int ret = dmabuf_lab_unmap(p, len);

	if (ret < 0) {
		pb_diag("%s:%d: munmap(%p, %zu) failed: %s", file, line, p, len,
			pb_errname(-ret));
		fail();
	}
}

/* The library's CPU-access bracket, in the tests' convention (0 or errno). */
int pb_sync(int fd, uint64_t flags)
{
	unsigned int dir = flags & DMA_BUF_SYNC_RW;

	if (flags & ~(uint64_t)(DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		return EINVAL;
	return -(flags & DMA_BUF_SYNC_END ? dmabuf_lab_end_cpu(fd, dir) :
		 dmabuf_lab_begin_cpu(fd, dir));
}

static inline uint64_t pattern_word(size_t i, uint64_t seed)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ULL ^ (seed * 0xD1B54A32D192ED03ULL);

	x ^= x >> 29;
	return x | 1;	/* never zero */
}

void pb_fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern_word(i, seed);
}

long pb_check(const void *p, size_t len, uint64_t seed)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(i, seed))
			return (long)(i * 8);
	return -1;
}

long pb_check_bytes(const void *p, size_t len, unsigned char val)
{
	const unsigned char *b = p;
	const uint64_t *w = p;
	uint64_t word;
	size_t i;

	memset(&word, val, sizeof(word));
	for (i = 0; i < len / 8; i++)
		if (w[i] != word)
			break;
	for (i *= 8; i < len; i++)
		if (b[i] != val)
			return (long)i;
	return -1;
}

/* ---- processes ----------------------------------------------------------- */

int pb_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			pb_diag("waitpid(%d): %s", (int)pid, pb_errname(errno));
			return 255;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

pid_t pb_spawn(int (*fn)(void *), void *arg)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS };
	pid_t pid;
	size_t i;
	int rc;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		pb_diag("fork: %s", pb_errname(errno));
		fail();
	}
	if (pid == 0) {
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		rc = fn(arg);
		fflush(stdout);
		_exit(rc);
	}
	return pid;
}

int pb_in_child(int (*fn)(void *), void *arg)
{
	int rc = pb_wait(pb_spawn(fn, arg));

	if (rc > 128 && rc < 128 + 65)
		pb_diag("child killed by signal %d", rc - 128);
	else if (rc)
		pb_diag("child exited %d", rc);
	return rc;
}

int pb_send_fd(int sock, int fd, uint64_t word)
{
	return -dmabuf_lab_send_fd(sock, fd, &word, sizeof(word));
}

int pb_recv_fd(int sock, int *fd, uint64_t *word)
{
	ssize_t n = dmabuf_lab_recv_fd(sock, fd, word, sizeof(*word));

	if (n < 0)
		return (int)-n;
	if (n != (ssize_t)sizeof(*word) || *fd < 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return n != (ssize_t)sizeof(*word) ? EIO : EBADMSG;
	}
	return 0;
}

/* ---- test lists ---------------------------------------------------------- */

/*
 * Each test runs through these wrappers: the setup first prints a
 * "# @test NAME" marker, so that the suite can tell the diagnostics of a
 * test (printed before cmocka's result line) from those cmocka prints
 * after the result of the previous one, and put them after the result.
 */
struct pb_wrap {
	const char *name;
	CMUnitTestFunction fn;
	CMFixtureFunction setup, teardown;
	void *arg;
};

static int wrap_setup(void **state)
{
	struct pb_wrap *w = *state;
	void *s = w->arg;
	int ret = 0;

	printf("# @test %s\n", w->name);
	fflush(stdout);
	if (w->setup) {
		ret = w->setup(&s);
		w->arg = s;
	}
	return ret;
}

static void wrap_test(void **state)
{
	struct pb_wrap *w = *state;
	void *s = w->arg;

	w->fn(&s);
}

static int wrap_teardown(void **state)
{
	struct pb_wrap *w = *state;
	void *s = w->arg;

	return w->teardown ? w->teardown(&s) : 0;
}

static void *xalloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p) {
		perror("calloc");
		exit(1);
	}
	return p;
}

void pb_add_fixture(struct pb_tests *t, const char *name, CMUnitTestFunction fn,
		    void *arg, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	struct pb_wrap *w = xalloc(sizeof(*w));

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (!t->v) {
			perror("realloc");
			exit(1);
		}
	}
	w->name = strdup(name);
	if (!w->name) {
		perror("strdup");
		exit(1);
	}
	w->fn = fn;
	w->setup = setup;
	w->teardown = teardown;
	w->arg = arg;
	t->v[t->n].name = w->name;
	t->v[t->n].test_func = wrap_test;
	t->v[t->n].setup_func = wrap_setup;
	t->v[t->n].teardown_func = wrap_teardown;
	t->v[t->n].initial_state = w;
	t->n++;
}

void pb_add(struct pb_tests *t, const char *name, CMUnitTestFunction fn, void *arg)
{
	pb_add_fixture(t, name, fn, arg, NULL, NULL);
}

void pb_add_per_policy(struct pb_tests *t, const char *suffix, CMUnitTestFunction fn,
		       CMFixtureFunction teardown)
{
	char name[128];
	size_t p;

	for (p = 0; p < PB_NR_POLICIES; p++) {
		snprintf(name, sizeof(name), "%s_%s", pb_policies[p].name, suffix);
		pb_add_fixture(t, name, fn, (void *)&pb_policies[p], NULL, teardown);
	}
}

static int group_setup(void **state)
{
	const char *dev = getenv("DL_DEVICE");

	(void)state;
	if (!dev || !*dev)
		dev = PB_DEVICE;
	pb_dev = open(dev, O_RDWR | O_CLOEXEC);
	if (pb_dev < 0) {
		pb_diag("open %s: %s", dev, pb_errname(errno));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	int ret = pb_params_restore();

	(void)state;
	if (pb_dev >= 0)
		close(pb_dev);
	pb_dev = -1;
	return ret;
}

static void restore_at_exit(void)
{
	pb_params_restore();
}

int pb_run(const char *area, struct pb_tests *t)
{
	const char *filter = getenv("DL_FILTER");
	struct pb_tests sel = { 0 };
	char full[256];
	long ps;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ps = sysconf(_SC_PAGESIZE);
	if (ps > 0)
		pb_page = (size_t)ps;
	atexit(restore_at_exit);

	for (i = 0; i < t->n; i++) {
		snprintf(full, sizeof(full), "%s/%s", area, t->v[i].name);
		if (filter && *filter && fnmatch(filter, full, 0) != 0)
			continue;
		if (sel.n == sel.cap) {
			sel.cap = sel.cap ? 2 * sel.cap : 32;
			sel.v = realloc(sel.v, sel.cap * sizeof(*sel.v));
			if (!sel.v) {
				perror("realloc");
				exit(1);
			}
		}
		sel.v[sel.n++] = t->v[i];
	}
	if (!sel.n) {
		/* An empty plan: nothing of this area was selected. */
		printf("1..0\n");
		return 0;
	}
	return _cmocka_run_group_tests(area, sel.v, sel.n, group_setup, group_teardown);
}

int pb_cmdline_has(const char *word)
{
	char line[1024] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, word) != NULL;
}
