// SPDX-License-Identifier: GPL-2.0
/* Utilities: allocation that never returns NULL, file reading. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

char *di_read_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
		if (r < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(buf);
			(void)close(fd);	/* read error reported instead */
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
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

void di_rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

int di_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}
