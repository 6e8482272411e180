// SPDX-License-Identifier: GPL-2.0
/* Scan /proc: dma-buf fds (fd links + fdinfo) and mappings (maps). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "inspect.h"

int di_is_dmabuf_path(const char *t)
{
	return strncmp(t, "/dmabuf:", 8) == 0 ||
	       strncmp(t, "anon_inode:dmabuf", 17) == 0 ||
	       strncmp(t, "anon_inode:[dmabuf]", 19) == 0;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * A PID as the kernel names its directory: 1 to INT_MAX in decimal, no
 * leading zero. Anything else (reachable with --root) is no process: a
 * PID past INT_MAX would not fit pid_t, and "012" would alias "12".
 */
static int pid_dir(const char *name, pid_t *pid)
{
	uint64_t v;

	if (name[0] == '0' || dmabuf_lab_parse_u64(name, 1, INT_MAX, &v))
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static void scan_fds(struct di_state *st, const char *piddir, pid_t pid,
		     const char *comm)
{
	char path[4096], target[4096];
	struct dirent *de;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/fd", piddir) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			st->unreadable++;
		return;
	}
	while ((de = readdir(d))) {
		struct dmabuf_lab_fdinfo fi;
		struct di_proc *p;
		struct di_hold *h;
		struct di_buf *b;
		struct stat sb;
		char *text;
		ssize_t n;
		uint64_t ino = 0;
		size_t bi;

		if (!is_number(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/fd/%s", piddir,
			     de->d_name) >= (int)sizeof(path))
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!di_is_dmabuf_path(target))
			continue;
		/* Without "ino:" in fdinfo (before 6.1) the link's inode. */
		if (stat(path, &sb) == 0)
			ino = sb.st_ino;
		if (snprintf(path, sizeof(path), "%s/fdinfo/%s", piddir,
			     de->d_name) >= (int)sizeof(path))
			continue;
		text = di_read_file(path, DI_MAX_SMALL, O_NOFOLLOW, NULL);
		if (!text) {
			if (errno == EACCES || errno == EPERM)
				st->unreadable++;
			(void)di_warn_file(st, path, errno, DI_MAX_SMALL);
			continue;
		}
		/* The library's parser: the kernel's lines first, then the name. */
		dmabuf_lab_fdinfo_parse(text, &fi);
		free(text);
		if (fi.has & DMABUF_LAB_FDINFO_INO)
			ino = fi.ino;
		bi = di_state_buf(st, ino);
		b = &st->bufs[bi];
		if (fi.has & DMABUF_LAB_FDINFO_SIZE)
			b->size = fi.size;
		di_buf_set_strings(b, fi.exp_name, fi.name);
		p = di_state_proc(st, pid, comm);
		h = di_proc_hold(st, p, bi);
		h->nfds++;
	}
	if (closedir(d) < 0)
		return;
}

void di_parse_maps(struct di_state *st, char *text, pid_t pid, const char *comm)
{
	char *line, *nl;

	for (line = text; line && *line; line = nl) {
		unsigned long long start, end, off, ino;
		char perms[8], dev[32];
		int pos = 0;
		const char *pathname;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %31s %llu %n", &start, &end,
			   perms, &off, dev, &ino, &pos) < 6 || pos == 0)
			continue;
		pathname = line + pos;
		if (di_is_dmabuf_path(pathname) && end > start) {
			size_t bi = di_state_buf(st, ino);
			struct di_proc *p = di_state_proc(st, pid, comm);
			struct di_hold *h = di_proc_hold(st, p, bi);

			h->nmaps++;
			h->mapped += end - start;
			if (!strncmp(pathname, "/dmabuf:", 8))
				di_buf_set_strings(&st->bufs[bi], NULL,
						   pathname + 8);
		}
	}
}

static void scan_maps(struct di_state *st, const char *piddir, pid_t pid,
		      const char *comm)
{
	char path[4096];
	char *text;

	if (snprintf(path, sizeof(path), "%s/maps", piddir) >= (int)sizeof(path))
		return;
	text = di_read_file(path, DI_MAX_MAPS, O_NOFOLLOW, NULL);
	if (!text) {
		(void)di_warn_file(st, path, errno, DI_MAX_MAPS);
		return;
	}
	di_parse_maps(st, text, pid, comm);
	free(text);
}

int di_scan_proc(struct di_state *st, const char *root)
{
	char procdir[4096], piddir[4096 + 64], path[4096 + 128];
	struct dirent *de;
	DIR *d;

	if (snprintf(procdir, sizeof(procdir), "%s/proc", root) >=
	    (int)sizeof(procdir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	d = opendir(procdir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *comm;
		pid_t pid;

		if (pid_dir(de->d_name, &pid))
			continue;
		if (snprintf(piddir, sizeof(piddir), "%s/%s", procdir,
			     de->d_name) >= (int)sizeof(piddir))
			continue;
		if (snprintf(path, sizeof(path), "%s/comm", piddir) >=
		    (int)sizeof(path))
			continue;
		comm = di_read_file(path, DI_MAX_SMALL, O_NOFOLLOW, NULL);
		if (!comm) {
			(void)di_warn_file(st, path, errno, DI_MAX_SMALL);
			comm = di_strdup("?");
		}
		di_rstrip(comm);
		scan_fds(st, piddir, pid, comm);
		scan_maps(st, piddir, pid, comm);
		free(comm);
	}
	if (closedir(d) < 0)
		return -1;
	return 0;
}
