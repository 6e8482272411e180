// SPDX-License-Identifier: GPL-2.0
/*
 * --trace: the dma-buf lifecycle events as they happen, then the buffers
 * exported meanwhile that are still alive (the leak report; the events
 * and the report are tracer.c's).
 *
 * The events come from a tracefs instance of our own,
 * instances/dmabuf-inspect-PID, so that anyone else using ftrace keeps the
 * top-level buffer and its settings. It is removed on every way out we
 * can catch: the end of the window, SIGINT, SIGTERM, SIGHUP, errors, and
 * exit() (an allocation failure); only SIGKILL leaves it behind, and the
 * next run removes it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "inspect.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* How long the read loop waits at most before it looks at the clock and the signals. */
#define POLL_MS		200

/*
 * After a read, the loop lets events gather this long before it reads
 * again: trace_pipe wakes its reader at every event, and a reader woken
 * 100 000 times a second would cost the traced as much as the events.
 * The instance's buffer holds what a busy system traces meanwhile.
 */
#define BATCH_MS	100
#define BUFFER_KB	"2048"

/* What one read of trace_pipe takes at most, and reads between two looks. */
#define PUMP_CHUNK	65536
#define PUMP_READS	16

/* ---- tracefs -------------------------------------------------------------- */

struct tfs {
	char dir[PATH_MAX];	/* tracefs: .../tracing */
	char inst[PATH_MAX];	/* our instance */
	int made;
	int fd;			/* its trace_pipe, or -1 */
	int fallback;
	struct {
		const char *system, *name;
	} on[32];			/* the events enabled */
	size_t non;
};

/* What exit() must still undo (an allocation failure exits). */
static char exit_inst[PATH_MAX];
static int exit_fd = -1;

static void remove_at_exit(void)
{
	if (exit_fd >= 0)
		(void)close(exit_fd);	/* an open trace_pipe keeps it busy */
	if (*exit_inst)
		(void)rmdir(exit_inst);
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

struct sigsave {
	struct sigaction old[ARRAY_SIZE(stop_sigs) + 1];
};

/*
 * The signals that end the trace only set a flag, without SA_RESTART so
 * that poll() returns at once; the ones a caller ignores (nohup, a
 * background job) stay ignored. SIGPIPE is ignored: a closed output is a
 * write error, and the instance is still removed.
 */
static void signals_catch(struct sigsave *s)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++) {
		sigaction(stop_sigs[i], NULL, &s->old[i]);
		if (s->old[i].sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = on_stop;
		sigaction(stop_sigs[i], &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &s->old[i]);
}

static void signals_restore(const struct sigsave *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaction(stop_sigs[i], &s->old[i], NULL);
	sigaction(SIGPIPE, &s->old[i], NULL);
}

static int perm_error(int err)
{
	return err == EACCES || err == EPERM;
}

static void perm_message(FILE *err, const char *what, int e)
{
	fprintf(err, DI_NAME ": %s: %s; --trace needs root (CAP_SYS_ADMIN), "
		"run it with sudo\n", what, strerror(e));
}

/* @text into a tracefs file: 0, or -errno. */
static int write_file(const char *path, const char *text)
{
	size_t n = strlen(text);
	ssize_t w;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, text, n);
	if (w < 0)
		ret = -errno;
	else if ((size_t)w != n)
		ret = -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* 1 when @base/instances is a directory; *@denied when it could not be looked at. */
static int has_instances(const char *base, int *denied)
{
	char path[PATH_MAX];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s/instances", base) >= (int)sizeof(path))
		return 0;
	if (stat(path, &sb) == 0)
		return S_ISDIR(sb.st_mode);
	if (perm_error(errno))
		*denied = errno;
	return 0;
}

/* Where tracefs is; mounted at /sys/kernel/tracing when it is nowhere. */
static int find_tracefs(const char *root, struct tfs *tf, FILE *err)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	int denied = 0, tried = 0, merr = 0;
	size_t i;

again:
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (snprintf(tf->dir, sizeof(tf->dir), "%s%s", root, dirs[i]) >=
		    (int)sizeof(tf->dir))
			continue;
		if (has_instances(tf->dir, &denied))
			return 0;
	}
	if (denied) {
		perm_message(err, "cannot look into tracefs", denied);
		return -1;
	}
	if (!*root && !tried) {
		tried = 1;
		if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
			goto again;
		merr = errno;
		if (perm_error(merr)) {
			perm_message(err, "tracefs is not mounted and mounting it "
				     "at /sys/kernel/tracing failed", merr);
			return -1;
		}
	}
	fprintf(err, DI_NAME ": tracefs (with instances) is not mounted at "
		"%s/sys/kernel/tracing or %s/sys/kernel/debug/tracing%s%s\n",
		root, root, merr ? "; mounting it failed: " : "",
		merr ? strerror(merr) : "");
	return -1;
}

/*
 * Remove the instances of runs killed by SIGKILL: ours by name whose
 * process is gone. One still in use (another PID namespace) refuses.
 */
static void sweep_instances(const struct tfs *tf)
{
	static const char prefix[] = DI_NAME "-";
	char path[PATH_MAX * 2];
	struct dirent *de;
	uint64_t pid;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/instances", tf->dir) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, sizeof(prefix) - 1) ||
		    dmabuf_lab_parse_u64(de->d_name + sizeof(prefix) - 1, 1,
					 INT_MAX, &pid) ||
		    (pid_t)pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (snprintf(path, sizeof(path), "%s/instances/%s", tf->dir,
			     de->d_name) < (int)sizeof(path))
			(void)rmdir(path);
	}
	(void)closedir(d);
}

static int make_instance(struct tfs *tf, FILE *err)
{
	static int registered;
	char path[PATH_MAX * 2];
	int ret, e;

	if (snprintf(tf->inst, sizeof(tf->inst), "%s/instances/" DI_NAME "-%d",
		     tf->dir, (int)getpid()) >= (int)sizeof(tf->inst)) {
		fprintf(err, DI_NAME ": %s: path too long\n", tf->dir);
		return -1;
	}
	if (!registered && atexit(remove_at_exit) == 0)
		registered = 1;
	ret = mkdir(tf->inst, 0700);
	/* Ours by name: left by a killed run that had our PID. */
	if (ret < 0 && errno == EEXIST) {
		if (rmdir(tf->inst) < 0) {
			fprintf(err, DI_NAME ": cannot remove the stale tracefs "
				"instance %s: %s\n", tf->inst, strerror(errno));
			return -1;
		}
		ret = mkdir(tf->inst, 0700);
	}
	if (ret < 0) {
		e = errno;
		if (perm_error(e))
			perm_message(err, "cannot create a tracefs instance", e);
		else
			fprintf(err, DI_NAME ": cannot create the tracefs "
				"instance %s: %s\n", tf->inst, strerror(e));
		return -1;
	}
	tf->made = 1;
	snprintf(exit_inst, sizeof(exit_inst), "%s", tf->inst);
	if (snprintf(path, sizeof(path), "%s/buffer_size_kb", tf->inst) <
	    (int)sizeof(path))
		(void)write_file(path, BUFFER_KB);	/* the default serves too */
	return 0;
}

static int event_path(const struct tfs *tf, const char *system,
		      const char *name, char *path, size_t len)
{
	return snprintf(path, len, "%s/events/%s/%s/enable", tf->inst,
			system, name) >= (int)len ? -1 : 0;
}

static int event_exists(const struct tfs *tf, const char *system,
			const char *name)
{
	char path[PATH_MAX * 2];

	return snprintf(path, sizeof(path), "%s/events/%s/%s/enable", tf->inst,
			system, name) < (int)sizeof(path) &&
	       access(path, F_OK) == 0;
}

/* The events of this kernel and of the modules loaded, enabled. */
static int enable_events(struct tfs *tf, FILE *err)
{
	const char *system, *name;
	char path[PATH_MAX * 2];
	int core, ret, use;
	size_t i;

	core = event_exists(tf, "dma_buf", "dma_buf_export");
	if (!core && !event_exists(tf, "pagebuf", "pagebuf_alloc") &&
	    !event_exists(tf, "v2d_emu", "v2d_import")) {
		fprintf(err, DI_NAME ": nothing to trace: this kernel has no "
			"dma_buf trace events (Linux 7.x has them) and neither "
			"pagebuf nor v2d_emu is loaded\n");
		return -1;
	}
	tf->fallback = !core;
	for (i = 0; (use = di_trace_event(i, core, &system, &name)) >= 0; i++) {
		if (!use || event_path(tf, system, name, path, sizeof(path)) ||
		    access(path, F_OK) < 0)
			continue;
		ret = write_file(path, "1");
		if (ret && perm_error(-ret)) {
			perm_message(err, "cannot enable trace events", -ret);
			return -1;
		}
		if (ret) {
			fprintf(err, DI_NAME ": cannot enable %s/%s: %s\n",
				system, name, strerror(-ret));
			return -1;
		}
		if (tf->non < ARRAY_SIZE(tf->on)) {
			tf->on[tf->non].system = system;
			tf->on[tf->non++].name = name;
		}
	}
	return 0;
}

/*
 * A new instance takes the top-level trace options: those that change
 * how a line looks are set to what the parser reads (where this kernel
 * has them). record-tgid and irq-info may be either way.
 */
static void set_options(const struct tfs *tf)
{
	static const char *const opts[][2] = {
		{ "raw", "0" }, { "hex", "0" }, { "bin", "0" }, { "fields", "0" },
		{ "latency-format", "0" }, { "context-info", "1" },
	};
	char path[PATH_MAX * 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		if (snprintf(path, sizeof(path), "%s/options/%s", tf->inst,
			     opts[i][0]) < (int)sizeof(path))
			(void)write_file(path, opts[i][1]);
}

static int open_pipe(struct tfs *tf, FILE *err)
{
	char path[PATH_MAX * 2];

	set_options(tf);
	/* Wake a poll() on any data, not at half a page (our instance only). */
	snprintf(path, sizeof(path), "%s/buffer_percent", tf->inst);
	(void)write_file(path, "0");
	snprintf(path, sizeof(path), "%s/trace_pipe", tf->inst);
	tf->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (tf->fd < 0) {
		fprintf(err, DI_NAME ": cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	exit_fd = tf->fd;
	return 0;
}

/* Events off, the pipe closed, the instance removed: 0, or -1 after a message. */
static int teardown(struct tfs *tf, FILE *err)
{
	char path[PATH_MAX * 2];
	int tries;
	size_t i;

	for (i = 0; i < tf->non; i++)
		if (!event_path(tf, tf->on[i].system, tf->on[i].name, path,
				sizeof(path)))
			(void)write_file(path, "0");
	if (tf->fd >= 0) {
		(void)close(tf->fd);	/* nothing was written to it */
		tf->fd = -1;
		exit_fd = -1;
	}
	if (!tf->made)
		return 0;
	/* Busy while someone else has one of its files open: wait a little. */
	for (tries = 0; rmdir(tf->inst) < 0; tries++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (errno != EBUSY || tries == 10) {
			fprintf(err, DI_NAME ": cannot remove the tracefs instance "
				"%s: %s; remove it with rmdir\n", tf->inst,
				strerror(errno));
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	tf->made = 0;
	exit_inst[0] = '\0';
	return 0;
}

/* ---- reading ---------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * What trace_pipe has now, in at most @reads reads (so that a steady
 * flow of events still lets the loop look at the clock): the number of
 * bytes, or -1 after a message (a read or a write error).
 */
static ssize_t pump(struct tfs *tf, struct di_tracer *t, int reads, FILE *err)
{
	static char buf[PUMP_CHUNK];
	ssize_t total = 0, n;

	while (reads--) {
		n = read(tf->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0) {
			fprintf(err, DI_NAME ": cannot read %s/trace_pipe: %s\n",
				tf->inst, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		di_tracer_feed(t, buf, (size_t)n);
		total += n;
	}
	if (di_tracer_flush(t)) {
		fprintf(err, DI_NAME ": write error: %s\n", strerror(errno));
		return -1;
	}
	return total;
}

/* Until @seconds are over (0: for ever) or a signal came. 0, or -1. */
static int stream(struct tfs *tf, struct di_tracer *t, double seconds,
		  FILE *err)
{
	double end = now() + seconds;
	struct pollfd pfd;
	ssize_t n;
	int r, timeout;

	while (!stop_signal) {
		timeout = POLL_MS;
		if (seconds > 0) {
			double left = end - now();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		pfd.fd = tf->fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, timeout);
		if (r < 0 && errno != EINTR) {
			fprintf(err, DI_NAME ": poll: %s\n", strerror(errno));
			return -1;
		}
		/* Read even when poll() says nothing: it may wait for a watermark. */
		n = pump(tf, t, PUMP_READS, err);
		if (n < 0)
			return -1;
		/* Drained (not stopped by the count of reads): wait for more. */
		if ((n > 0 || r > 0) && n < PUMP_READS * PUMP_CHUNK) {
			/* Let the next events gather (a signal cuts it short). */
			struct timespec ts = { 0, BATCH_MS * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

/* Recording stopped, then what is left read: a bounded drain. */
static int drain(struct tfs *tf, struct di_tracer *t, FILE *err)
{
	char path[PATH_MAX * 2];
	ssize_t n;
	int i;

	snprintf(path, sizeof(path), "%s/tracing_on", tf->inst);
	(void)write_file(path, "0");
	for (i = 0; i < 1024; i++) {
		n = pump(tf, t, 64, err);
		if (n <= 0)
			return n < 0 ? -1 : 0;
	}
	return 0;
}

/* The window: instance, events, the stream. 0, or -1 after a message. */
static int trace_window(const struct di_trace_opts *o, struct tfs *tf,
			struct di_tracer **t, FILE *out, FILE *err)
{
	const char *root = o->root ? o->root : "";

	if (find_tracefs(root, tf, err))
		return -1;
	sweep_instances(tf);
	if (make_instance(tf, err) || enable_events(tf, err) ||
	    open_pipe(tf, err))
		return -1;
	*t = di_tracer_new(o, tf->fallback, out, err);
	if (fflush(out) != 0) {
		fprintf(err, DI_NAME ": write error: %s\n", strerror(errno));
		return -1;
	}
	/* Every event is on from here: what a script may wait for. */
	if (o->seconds > 0)
		fprintf(err, DI_NAME ": tracing in %s for %g s (SIGINT or SIGTERM ends it sooner)\n",
			tf->inst, o->seconds);
	else
		fprintf(err, DI_NAME ": tracing in %s until SIGINT or SIGTERM\n",
			tf->inst);
	fflush(err);
	if (stream(tf, *t, o->seconds > 0 ? o->seconds : 0, err))
		return -1;
	return drain(tf, *t, err);
}

int di_trace(const struct di_trace_opts *o, di_snapshot_fn snap, void *arg,
	     FILE *out, FILE *err)
{
	struct di_tracer *t = NULL;
	struct di_state st;
	struct sigsave ss;
	struct tfs tf;
	int ret;

	memset(&tf, 0, sizeof(tf));
	tf.fd = -1;
	/* Before the instance exists: a signal from now on cannot leave it behind. */
	signals_catch(&ss);
	ret = trace_window(o, &tf, &t, out, err);
	if (teardown(&tf, err))
		ret = -1;
	signals_restore(&ss);
	if (ret) {
		di_tracer_free(t);
		return 1;
	}
	di_tracer_notes(t);
	di_state_init(&st);
	if (!snap || snap(&st, arg)) {
		di_state_free(&st);
		di_tracer_free(t);
		return 1;
	}
	di_tracer_report(t, &st);
	di_state_free(&st);
	di_tracer_free(t);
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(err, DI_NAME ": write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
