// SPDX-License-Identifier: GPL-2.0
/* Utilities: allocation that never returns NULL, file reading. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "inspect.h"

void *di_xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size) {
		fprintf(stderr, DI_NAME ": out of memory\n");
		exit(1);
	}
	q = realloc(p, n * size != 0 ? n * size : 1);
	if (!q) {
		fprintf(stderr, DI_NAME ": out of memory\n");
		exit(1);
	}
	return q;
}

void *di_grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return v;
	*cap = *cap ? *cap : 8;
	while (*cap < n)
		*cap *= 2;
	return di_xrealloc(v, *cap, size);
}

char *di_strndup(const char *s, size_t n)
{
	char *d = di_xrealloc(NULL, n + 1, 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *di_strdup(const char *s)
{
	return di_strndup(s, strlen(s));
}

/* Open @path for reading a regular file: 0 or -1 with errno. */
static int open_regular(const char *path, int flags, size_t max)
{
	struct stat sb;
	int fd, saved;

	/*
	 * O_NONBLOCK: opening a FIFO must not wait for a writer. Refused
	 * then by fstat, with anything else that is not a regular file
	 * (procfs, sysfs and debugfs files are regular).
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0)
		saved = errno;
	else if (!S_ISREG(sb.st_mode))
		saved = DI_ENOTREG;
	else if ((uint64_t)sb.st_size > max)
		saved = EFBIG;
	else
		return fd;
	(void)close(fd);	/* the reason is reported instead */
	errno = saved;
	return -1;
}

char *di_read_file(const char *path, size_t max, int flags, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	int fd, saved;

	fd = open_regular(path, flags, max);
	if (fd < 0)
		return NULL;
	buf = di_xrealloc(NULL, cap, 1);
	for (;;) {
		ssize_t r;

		if (cap - n < 2) {
			cap *= 2;
			buf = di_xrealloc(buf, cap, 1);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			break;
		/* Bounded: procfs says 0 for its size, so count what comes. */
		if (r > 0 && n + (size_t)r > max) {
			r = -1;
			errno = EFBIG;
		}
		if (r < 0) {
			saved = errno;
			free(buf);
			(void)close(fd);	/* read error reported instead */
			errno = saved;
			return NULL;
		}
		n += (size_t)r;
	}
	if (close(fd) < 0) {
		saved = errno;
		free(buf);
		errno = saved;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

const char *di_read_error(int err, size_t max)
{
	static char msg[64];

	if (err == DI_ENOTREG)
		return "not a regular file";
	if (err == ELOOP)
		return "a symbolic link";
	if (err != EFBIG)
		return strerror(err);
	if (max >= 1024 * 1024)
		snprintf(msg, sizeof(msg), "larger than %zu MiB", max >> 20);
	else
		snprintf(msg, sizeof(msg), "larger than %zu KiB", max >> 10);
	return msg;
}

int di_warn_file(const struct di_state *st, const char *path, int err,
		 size_t max)
{
	if (err != DI_ENOTREG && err != ELOOP && err != EFBIG)
		return 0;
	if (st->warn)
		fprintf(st->warn, DI_NAME ": warning: %s: %s, skipped\n", path,
			di_read_error(err, max));
	return 1;
}

size_t di_split_tabs(char *s, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

void di_rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

int di_parse_u64(const char *s, uint64_t *out)
{
	char digits[32];
	size_t n;

	s += strspn(s, " \t");
	n = strcspn(s, " \t\n");
	if (n >= sizeof(digits) || s[n + strspn(s + n, " \t\n")])
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	return dmabuf_lab_parse_u64(digits, 0, UINT64_MAX, out);
}
