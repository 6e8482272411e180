// SPDX-License-Identifier: GPL-2.0
/*
 * Steps the checks share: results with a reason, mmap with any flags
 * (the checks try MAP_PRIVATE too), a file's inode, and what debugfs
 * bufinfo says about a buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

void *buf_map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
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
