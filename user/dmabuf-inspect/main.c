// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-inspect: per-process, per-buffer and per-exporter accounting of
 * dma-bufs from /proc, debugfs and sysfs. See man/dmabuf-inspect.1.
 */
#include <stdio.h>

#include "inspect.h"

int main(int argc, char **argv)
{
	int ret = di_main(argc, argv, stdout, stderr);

	if (fclose(stdout) != 0 && ret == 0) {
		perror(DI_NAME ": stdout");
		ret = 1;
	}
	return ret;
}
