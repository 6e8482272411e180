// SPDX-License-Identifier: GPL-2.0
/*
 * Build a --root tree for dmabuf-inspect of a given size, to measure how
 * its cost grows: NPROCS processes and NBUFS buffers, buffer k held by
 * process k % NPROCS through an fd (link and fdinfo) and a mapping, and
 * listed in debugfs bufinfo with one attached device.
 *
 *   gen_root DIR NPROCS NBUFS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PID0 1000
#define INO0 5000

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen_root: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void mkdirs(const char *path)
{
	char tmp[4096], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			die("mkdir", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		die("mkdir", tmp);
}

static FILE *create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("create", path);
	return f;
}

static void done(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die("write", path);
}

static unsigned long buf_size(unsigned long k)
{
	return 4096UL * (1 + k % 4);
}

int main(int argc, char **argv)
{
	char path[4096], target[64];
	unsigned long np, nb, p, k;
	FILE *f;

	if (argc != 4 || !(np = strtoul(argv[2], NULL, 10)) ||
	    !(nb = strtoul(argv[3], NULL, 10))) {
		fprintf(stderr, "usage: gen_root DIR NPROCS NBUFS\n");
		return 2;
	}
	for (p = 0; p < np; p++) {
		snprintf(path, sizeof(path), "%s/proc/%lu/fd", argv[1], PID0 + p);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/proc/%lu/fdinfo", argv[1], PID0 + p);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/proc/%lu/comm", argv[1], PID0 + p);
		f = create(path);
		fprintf(f, "app%lu\n", p);
		done(f, path);
	}
	for (k = 0; k < nb; k++) {
		unsigned long pid = PID0 + k % np, fd = 3 + k / np;

		snprintf(path, sizeof(path), "%s/proc/%lu/fd/%lu", argv[1], pid, fd);
		snprintf(target, sizeof(target), "/dmabuf:buf%lu", k);
		if (symlink(target, path))
			die("symlink", path);
		snprintf(path, sizeof(path), "%s/proc/%lu/fdinfo/%lu", argv[1], pid, fd);
		f = create(path);
		fprintf(f, "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t%lu\nsize:\t%lu\n"
			"count:\t1\nexp_name:\t%s\nname:\tbuf%lu\n", INO0 + k,
			buf_size(k), k % 2 ? "system" : "pagebuf", k);
		done(f, path);
	}
	for (p = 0; p < np; p++) {
		snprintf(path, sizeof(path), "%s/proc/%lu/maps", argv[1], PID0 + p);
		f = create(path);
		for (k = p; k < nb; k += np)
			fprintf(f, "7f%010lx-7f%010lx rw-s 00000000 00:0d %lu"
				"                       /dmabuf:buf%lu\n", k << 24,
				(k << 24) + buf_size(k), INO0 + k, k);
		done(f, path);
	}
	snprintf(path, sizeof(path), "%s/sys/kernel/debug/dma_buf", argv[1]);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/sys/kernel/debug/dma_buf/bufinfo", argv[1]);
	f = create(path);
	fprintf(f, "\nDma-buf Objects:\nsize    \tflags   \tmode    \tcount   \t"
		"exp_name\tino     \tname\n");
	for (k = 0; k < nb; k++)
		fprintf(f, "%08lu\t00000002\t00080007\t00000002\t%s\t%08lu\tbuf%lu\n"
			"\tAttached Devices:\n\tvgem\nTotal 1 devices attached\n\n",
			buf_size(k), k % 2 ? "system" : "pagebuf", INO0 + k, k);
	fprintf(f, "\nTotal %lu objects\n", nb);
	done(f, path);
	return 0;
}
