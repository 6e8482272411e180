// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/dmabuf/buffers/<inode>/{exporter_name,size}
 * (CONFIG_DMABUF_SYSFS_STATS, 5.13 to 6.x): every buffer, including those
 * that no process holds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

static char *read_attr(const struct di_state *st, const char *dir,
		       const char *name, const char *attr)
{
	char path[4096];
	char *v;

	if (snprintf(path, sizeof(path), "%s/%s/%s", dir, name, attr) >=
	    (int)sizeof(path))
		return NULL;
	v = di_read_file(path, DI_MAX_SMALL, O_NOFOLLOW, NULL);
	if (v)
		di_rstrip(v);
	else
		(void)di_warn_file(st, path, errno, DI_MAX_SMALL);
	return v;
}

int di_scan_sysfs(struct di_state *st, const char *root)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/sys/kernel/dmabuf/buffers", root) >=
	    (int)sizeof(dir))
		return -1;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 1 : -1;
	while ((de = readdir(d))) {
		uint64_t ino, size;
		char *exp, *sz;
		struct di_buf *b;
		size_t bi;

		if (di_parse_u64(de->d_name, &ino) || ino == 0)
			continue;
		bi = di_state_buf(st, ino);
		b = &st->bufs[bi];
		exp = read_attr(st, dir, de->d_name, "exporter_name");
		sz = read_attr(st, dir, de->d_name, "size");
		if (exp)
			di_buf_set_strings(b, exp, NULL);
		if (sz && !di_parse_u64(sz, &size))
			b->size = size;
		free(exp);
		free(sz);
	}
	if (closedir(d) < 0)
		return -1;
	return 0;
}
