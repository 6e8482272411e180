// SPDX-License-Identifier: GPL-2.0
/*
 * Steps the checks share: results with a reason, DMA_BUF_IOCTL_SYNC,
 * mmap, and what /proc/self/fdinfo and debugfs bufinfo say about a buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "conform.h"

#define RESULT_FN(fn, res)						\
enum result fn(char *why, size_t len, const char *fmt, ...)		\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vsnprintf(why, len, fmt, ap);					\
	va_end(ap);							\
	return res;							\
}

RESULT_FN(pass, RES_PASS)
RESULT_FN(failed, RES_FAIL)
RESULT_FN(skipped, RES_SKIP)

int buf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
		if (errno != EINTR && errno != EAGAIN)
			return errno;
	return 0;
}

void *buf_map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

int fdinfo_get(int fd, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int found = ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, len, "%s", v);
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

unsigned long fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

/*
 * Every kernel from 5.10 prints a buffer's line as size, flags, mode,
 * count, exporter, inode, name (tab-separated), then its fences and
 * "Attached Devices:", one device a line, ended by "Total N devices
 * attached".
 */
int bufinfo_attached(unsigned long ino, int *listed)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	char line[512];
	int in = 0, n = -1;

	*listed = 0;
	if (!f)
		return -1;
	n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long size, i;
		unsigned int fl, mode;
		long count;
		char exp[64];

		if (line[0] != '\t' &&
		    sscanf(line, "%lu %x %x %ld %63s %lu", &size, &fl, &mode, &count,
			   exp, &i) == 6) {
			in = i == ino;
			if (in)
				*listed = 1;
			continue;
		}
		if (in && sscanf(line, "Total %d devices attached", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}
