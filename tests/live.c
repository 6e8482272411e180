// SPDX-License-Identifier: GPL-2.0
/* See live.h. */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/sync_file.h>

char *dl_read(const char *path)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);
	ssize_t n;
	int fd;

	if (!s)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(s);
		return NULL;
	}
	for (;;) {
		if (cap - len < 2048) {
			char *t = realloc(s, cap * 2);

			if (!t)
				break;
			s = t;
			cap *= 2;
		}
		n = read(fd, s + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	s[len] = '\0';
	return s;
}

int dl_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	err = n < 0 ? errno : n == (ssize_t)strlen(text) ? 0 : EIO;
	close(fd);
	return err;
}

uint64_t dl_read_u64(const char *path)
{
	char *s = dl_read(path), *end;
	uint64_t v;

	if (!s) {
		pb_diag("%s: %s", path, pb_errname(errno));
		fail();
	}
	v = strtoull(s, &end, 10);
	if (end == s || *end != '\n') {
		pb_diag("%s: not a number: \"%s\"", path, s);
		free(s);
		fail();
	}
	free(s);
	return v;
}

int dl_line(const char *text, const char *prefix, const char *needle,
	    char *buf, size_t len)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n < len && !strncmp(p, prefix, strlen(prefix)) &&
		    strlen(prefix) <= n) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			if (!needle || strstr(buf, needle))
				return 1;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

unsigned long dl_ino(int fd)
{
	struct stat st;

	assert_succeeds(fstat(fd, &st));
	return (unsigned long)st.st_ino;
}

const char *dl_tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	/* Not mounted yet: the guest's init mounts debugfs only. */
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0)
		return dirs[0];
	return NULL;
}

static int trace_enable(const char *system, const char *val)
{
	const char *dir = dl_tracefs();
	char path[256];

	if (!dir)
		return ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/enable", dir, system);
	return dl_write(path, val);
}

int dl_trace_start(const char *system)
{
	char path[256];
	int fd, err;

	err = trace_enable(system, "1");
	if (err)
		return err;
	/* Opening "trace" for writing with O_TRUNC clears the buffer. */
	snprintf(path, sizeof(path), "%s/trace", dl_tracefs());
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

char *dl_trace_stop(const char *system)
{
	char path[256];

	if (trace_enable(system, "0"))
		return NULL;
	snprintf(path, sizeof(path), "%s/trace", dl_tracefs());
	return dl_read(path);
}

char *dl_run(int *status, const char *fmt, ...)
{
	size_t len = 0, cap = 8192;
	char cmd[1024], *s;
	va_list ap;
	FILE *p;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	s = malloc(cap);
	if (!s)
		return NULL;
	p = popen(cmd, "re");
	if (!p) {
		free(s);
		return NULL;
	}
	while ((n = fread(s + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 1024) {
			char *t = realloc(s, cap * 2);

			if (!t)
				break;
			s = t;
			cap *= 2;
		}
	}
	s[len] = '\0';
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return s;
}

/* Field @col of the CSV line @line (no quoting: our values need none). */
static int csv_field(const char *line, int col, char *buf, size_t len)
{
	const char *p = line, *e;
	int i;

	for (i = 0; i < col; i++) {
		p = strchr(p, ',');
		if (!p)
			return 0;
		p++;
	}
	e = strchr(p, ',');
	if (!e)
		e = p + strlen(p);
	if ((size_t)(e - p) >= len)
		return 0;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	return 1;
}

int dl_csv(const char *out, const char *header, int keycol, const char *key,
	   int col, char *buf, size_t len)
{
	const char *p = out;
	int in_table = 0;
	char line[1024], f[256];

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : NULL;
		if (!n) {
			in_table = 0;
			continue;
		}
		/* dmabuf-inspect's "# source: ..." line, a comment. */
		if (line[0] == '#')
			continue;
		if (!in_table) {
			in_table = !strncmp(line, header, strlen(header)) ? 1 : -1;
			continue;
		}
		if (in_table == 1 && csv_field(line, keycol, f, sizeof(f)) &&
		    !strcmp(f, key) && csv_field(line, col, buf, len))
			return 1;
	}
	return 0;
}

int v2d_open_dev(void)
{
	int fd = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		skip_because("%s: %s (v2d_emu not loaded)", V2D_DEVICE,
			     pb_errname(errno));
	return fd;
}

uint32_t v2d_import_ok(int dev, int fd)
{
	struct v2d_import req;

	memset(&req, 0, sizeof(req));
	req.fd = fd;
	assert_succeeds(ioctl(dev, V2D_IOC_IMPORT, &req));
	return req.handle;
}

void v2d_query_ok(int dev, uint32_t handle, struct v2d_query *q)
{
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	assert_succeeds(ioctl(dev, V2D_IOC_QUERY, q));
}

void v2d_release_ok(int dev, uint32_t handle)
{
	struct v2d_release req;

	memset(&req, 0, sizeof(req));
	req.handle = handle;
	assert_succeeds(ioctl(dev, V2D_IOC_RELEASE, &req));
}

int v2d_fill(int dev, uint32_t handle, int hang, uint64_t *seqno)
{
	struct v2d_submit req;

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x11223344;
	req.flags = V2D_SUBMIT_OUT_FENCE | (hang ? V2D_SUBMIT_HANG : 0);
	req.dst.handle = handle;
	req.dst.stride = 4096;
	req.dst.width = 16;
	req.dst.height = 1;
	assert_succeeds(ioctl(dev, V2D_IOC_SUBMIT, &req));
	if (seqno)
		*seqno = req.seqno;
	return req.out_fence_fd;
}

void v2d_param_set(const char *name, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/v2d_emu/parameters/%s", name);
	assert_int_equal(dl_write(path, val), 0);
}

int dl_fence_wait(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sync_file_info info;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	return info.status;
}

char *dl_json_object(const char *out, const char *key, uint64_t val)
{
	const char *p = out, *start, *end;
	char k[80];
	size_t n;

	n = (size_t)snprintf(k, sizeof(k), "\"%s\": %llu", key,
			     (unsigned long long)val);
	while ((p = strstr(p, k))) {
		if (p[n] == ',' || p[n] == '}') {
			for (start = p; start > out && *start != '{'; start--)
				;
			end = strchr(p, '}');
			if (*start == '{' && end)
				return strndup(start, (size_t)(end - start + 1));
		}
		p += n;
	}
	return NULL;
}

int dl_json_str(const char *obj, const char *key, char *buf, size_t len)
{
	char k[80];
	const char *p;
	size_t n = 0;

	snprintf(k, sizeof(k), "\"%s\": \"", key);
	p = strstr(obj, k);
	if (!p)
		return 0;
	for (p += strlen(k); *p && *p != '"' && n + 1 < len; p++) {
		if (*p == '\\' && p[1])
			p++;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return 1;
}

int dl_json_u64(const char *obj, const char *key, uint64_t *val)
{
	char k[80];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(obj, k);
	if (!p || p[strlen(k)] < '0' || p[strlen(k)] > '9')
		return 0;
	*val = strtoull(p + strlen(k), NULL, 10);
	return 1;
}
