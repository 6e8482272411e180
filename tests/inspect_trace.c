// SPDX-License-Identifier: GPL-2.0
/*
 * inspect_trace: dmabuf-inspect --trace against what the test does.
 *
 * A scripted sequence in two processes (this one: export, mmap, import
 * into v2d_emu, release the import, unmap, close; a child: export, mmap,
 * unmap, close) must give exactly these events, in this order, for each
 * buffer:
 *
 *   kernel with the dma_buf events (7.x)   export mmap get attach map
 *                                          unmap detach put put release
 *   without (pagebuf's and v2d_emu's)      export mmap attach map unmap
 *                                          detach release
 *
 * (a child's buffer: the same without get, attach, map and their undoing;
 * pagebuf installs its fds itself, without dma_buf_fd(), so no "fd";
 * v2d_emu keeps a reference of its own beside dma_buf_get()'s while an
 * import is mapped, so two puts).
 * A deliberate leak (a process that exits while v2d_emu still holds its
 * import; a child that keeps its buffer) must be in the leak report with
 * the right pid, exporter and size, and a buffer released within the
 * window must not. SIGINT and SIGTERM both end the trace cleanly, and no
 * tracefs instance is left behind.
 *
 * Usage: inspect_trace DIR, where DIR holds dmabuf-inspect.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dmabuf-lab.h>

static const char *tool_dir = "/dmabuf-lab";
static char inspect[256];

/* ---- the tracer, run beside the test ------------------------------------- */

struct tracer {
	pid_t pid;
	int out;		/* its standard output */
	FILE *err;		/* and error */
	char inst[512];		/* its tracefs instance */
};

static void tracer_start(struct tracer *t)
{
	const char *tfs = dl_tracefs();
	char line[1024] = "";
	int o[2], e[2];
	FILE *f;

	if (!tfs)
		skip_because("no tracefs in this kernel");
	assert_succeeds(pipe2(o, O_CLOEXEC));
	assert_succeeds(pipe2(e, O_CLOEXEC));
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execl(inspect, "dmabuf-inspect", "--trace", "0", "--json", (char *)NULL);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	t->out = o[0];
	snprintf(t->inst, sizeof(t->inst), "%s/instances/dmabuf-inspect-%d", tfs,
		 (int)t->pid);
	/* Ready once it says so on stderr: every event is on by then. */
	f = fdopen(e[0], "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ": tracing in "))
			break;
	if (!strstr(line, ": tracing in ")) {
		kill(t->pid, SIGKILL);
		pb_wait(t->pid);
		pb_diag("dmabuf-inspect --trace did not start: %s", line);
		fclose(f);
		fail();
	}
	t->err = f;
}

/* End it with @sig: everything it printed (free it); it must exit 0. */
static char *tracer_stop(struct tracer *t, int sig)
{
	size_t len = 0, cap = 65536;
	char *s = malloc(cap);
	ssize_t n;
	int st;

	assert_non_null(s);
	/* What the last steps traced reaches the reader first. */
	usleep(300000);
	assert_succeeds(kill(t->pid, sig));
	while ((n = read(t->out, s + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
		if (cap - 1 - len < 4096) {
			s = realloc(s, cap *= 2);
			assert_non_null(s);
		}
	}
	s[len] = '\0';
	close(t->out);
	fclose(t->err);
	st = pb_wait(t->pid);
	if (st != 0) {
		pb_diag("dmabuf-inspect --trace exited with %d after signal %d:", st, sig);
		pb_diag("%s", s);
		fail();
	}
	/* Its instance is gone with it. */
	if (access(t->inst, F_OK) == 0) {
		pb_diag("%s is left behind", t->inst);
		fail();
	}
	return s;
}

/* No instance of any dmabuf-inspect is left in tracefs. */
static void assert_no_instances(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", dl_tracefs());
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "dmabuf-inspect-", 15)) {
			pb_diag("tracefs instance %s is left behind", de->d_name);
			closedir(d);
			fail();
		}
	closedir(d);
}

/* Whether the kernel has the dma-buf core's trace events (7.x). */
static int core_events(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/dma_buf/dma_buf_export", dl_tracefs());
	return access(path, F_OK) == 0;
}

/*
 * The events of inode @ino in @out, in order, as "export fd mmap ...";
 * each must come from @pid (0: any) and name @exporter.
 */
static void events_of(const char *out, unsigned long ino, pid_t pid,
		      char *list, size_t len)
{
	const char *line = out;
	char key[48], ev[32], exp[64];
	size_t n = 0;

	snprintf(key, sizeof(key), "\"inode\": %lu,", ino);
	list[0] = '\0';
	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *end = strchr(line, '\n');
		char *obj;
		uint64_t p;

		if (strncmp(line, "{\"event\": ", 10))
			continue;
		obj = strndup(line, end ? (size_t)(end - line) : strlen(line));
		assert_non_null(obj);
		if (!strstr(obj, key)) {
			free(obj);
			continue;
		}
		assert_true(dl_json_str(obj, "event", ev, sizeof(ev)));
		assert_true(dl_json_str(obj, "exporter", exp, sizeof(exp)));
		assert_true(dl_json_u64(obj, "pid", &p));
		if (strcmp(exp, "pagebuf") || (pid && (pid_t)p != pid)) {
			pb_diag("event %s of inode %lu: exporter \"%s\", pid %llu (expected pagebuf, %d)",
				ev, ino, exp, (unsigned long long)p, (int)pid);
			free(obj);
			fail();
		}
		n += (size_t)snprintf(list + n, len - n, "%s%s", n ? " " : "", ev);
		free(obj);
		assert_true(n < len);
	}
}

static void assert_events(const char *out, unsigned long ino, pid_t pid,
			  const char *want)
{
	char got[256];

	events_of(out, ino, pid, got, sizeof(got));
	if (strcmp(got, want)) {
		pb_diag("inode %lu: events \"%s\", expected \"%s\"; trace:", ino, got, want);
		pb_diag("%s", out);
		fail();
	}
}

/* ---- the tests ------------------------------------------------------------ */

/* A child's buffer: made, mapped, let go; its inode goes back on the pipe. */
static void child_cycle(int wfd)
{
	unsigned long ino;
	void *map;
	int fd;

	fd = pb_alloc_ok(16 * KIB, 0, NULL);
	ino = dl_ino(fd);
	map = pb_map(fd, 16 * KIB, PROT_READ, 0);
	pb_unmap(map, 16 * KIB);
	close(fd);
	_exit(write(wfd, &ino, sizeof(ino)) == sizeof(ino) ? 0 : 1);
}

static void test_sequence_in_order(void **state)
{
	unsigned long ino, child_ino;
	struct tracer t;
	int fd, dev, p[2];
	uint32_t h;
	pid_t pid;
	void *map;
	char *out;

	(void)state;
	dev = v2d_open_dev();
	tracer_start(&t);

	fd = pb_alloc_ok(64 * KIB, 0, NULL);
	ino = dl_ino(fd);
	map = pb_map(fd, 64 * KIB, PROT_READ, 0);
	h = v2d_import_ok(dev, fd);
	v2d_release_ok(dev, h);
	pb_unmap(map, 64 * KIB);
	close(fd);

	assert_succeeds(pipe2(p, O_CLOEXEC));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_cycle(p[1]);
	close(p[1]);
	assert_int_equal(read(p[0], &child_ino, sizeof(child_ino)), sizeof(child_ino));
	close(p[0]);
	assert_int_equal(pb_wait(pid), 0);

	out = tracer_stop(&t, SIGINT);
	if (core_events()) {
		assert_events(out, ino, getpid(),
			      "export mmap get attach map unmap detach put put release");
		assert_events(out, child_ino, pid, "export mmap release");
	} else {
		assert_events(out, ino, getpid(),
			      "export mmap attach map unmap detach release");
		assert_events(out, child_ino, pid, "export mmap release");
		assert_non_null(strstr(out, "{\"source\": \"pagebuf+v2d_emu\""));
	}
	/* Neither is alive: the report is empty. */
	assert_non_null(strstr(out, "{\"leaks\": [], \"source\": "));
	free(out);
	close(dev);
	assert_no_instances();
}

/* The leak that v2d_emu keeps: import through the shared file, exit. */
static void child_leaks_to_kernel(int dev, int wfd)
{
	uint32_t h;
	int fd;

	fd = pb_alloc_ok(32 * KIB, 0, NULL);
	h = v2d_import_ok(dev, fd);
	close(fd);
	_exit(write(wfd, &h, sizeof(h)) == sizeof(h) ? 0 : 1);
}

/* The leak a child keeps: it holds its buffer until the pipe closes. */
static void child_keeps(int wfd, int rfd)
{
	unsigned long ino;
	char c;
	int fd;

	fd = pb_alloc_ok(16 * KIB, 0, NULL);
	ino = dl_ino(fd);
	if (write(wfd, &ino, sizeof(ino)) != sizeof(ino))
		_exit(1);
	while (read(rfd, &c, 1) > 0)
		;
	close(fd);
	_exit(0);
}

/* The group of the leak report for @pid, as text up to its items' end. */
static char *leak_group(const char *out, pid_t pid)
{
	const char *p, *end;
	char key[48];

	snprintf(key, sizeof(key), "{\"pid\": %d, ", (int)pid);
	p = strstr(out, "{\"leaks\": [");
	p = p ? strstr(p, key) : NULL;
	if (!p)
		return NULL;
	end = strstr(p, "]}");
	return strndup(p, end ? (size_t)(end - p + 2) : strlen(p));
}

static void assert_leak(const char *out, pid_t pid, const char *bytes,
			const char *holders)
{
	char *g = leak_group(out, pid);

	if (!g || !strstr(g, "\"exporter\": \"pagebuf\"") || !strstr(g, bytes) ||
	    !strstr(g, holders)) {
		pb_diag("leak report: process %d should have pagebuf, %s, %s; got %s",
			(int)pid, bytes, holders, g ? g : "nothing");
		pb_diag("%s", out);
		free(g);
		fail();
	}
	free(g);
}

static void test_leaks_reported(void **state)
{
	int dev, p[2], q[2], fd;
	pid_t leaker, keeper;
	unsigned long kept_ino, freed_ino;
	char holders[48], freed[48];
	struct tracer t;
	uint32_t h;
	char *out;

	(void)state;
	dev = v2d_open_dev();
	tracer_start(&t);

	/* One that v2d_emu holds after its process is gone. */
	assert_succeeds(pipe2(p, O_CLOEXEC));
	leaker = fork();
	assert_true(leaker >= 0);
	if (leaker == 0)
		child_leaks_to_kernel(dev, p[1]);
	close(p[1]);
	assert_int_equal(read(p[0], &h, sizeof(h)), sizeof(h));
	close(p[0]);
	assert_int_equal(pb_wait(leaker), 0);

	/* One that a live child keeps. */
	assert_succeeds(pipe2(p, O_CLOEXEC));
	assert_succeeds(pipe2(q, O_CLOEXEC));
	keeper = fork();
	assert_true(keeper >= 0);
	if (keeper == 0) {
		close(q[1]);
		child_keeps(p[1], q[0]);
	}
	close(p[1]);
	close(q[0]);
	assert_int_equal(read(p[0], &kept_ino, sizeof(kept_ino)), sizeof(kept_ino));
	close(p[0]);

	/* And one released within the window: no leak. */
	fd = pb_alloc_ok(8 * KIB, 0, NULL);
	freed_ino = dl_ino(fd);
	close(fd);

	out = tracer_stop(&t, SIGTERM);
	assert_leak(out, leaker, "\"bytes\": 32768", "\"holders\": \"kernel\"");
	snprintf(holders, sizeof(holders), "\"holders\": \"%d(", (int)keeper);
	assert_leak(out, keeper, "\"bytes\": 16384", holders);
	snprintf(freed, sizeof(freed), "\"inode\": %lu, ", freed_ino);
	assert_null(strstr(strstr(out, "{\"leaks\": ["), freed));
	pb_diag("kept inode %lu by %d, leaked to v2d_emu by %d", kept_ino,
		(int)keeper, (int)leaker);
	free(out);

	close(q[1]);
	assert_int_equal(pb_wait(keeper), 0);
	v2d_release_ok(dev, h);
	close(dev);
	assert_no_instances();
}

int main(int argc, char **argv)
{
	struct pb_tests t = { 0 };

	if (argc > 1)
		tool_dir = argv[1];
	snprintf(inspect, sizeof(inspect), "%s/dmabuf-inspect", tool_dir);
#define ADD(fn) pb_add(&t, #fn, test_##fn, NULL)
	ADD(sequence_in_order);
	ADD(leaks_reported);
	return pb_run("inspect_trace", &t) ? 1 : 0;
}
