// SPDX-License-Identifier: GPL-2.0
/* A build without libbpf (make BPF=0): the BPF source is never there. */
#include <stdio.h>

#include "inspect.h"

int di_scan_bpf(struct di_state *st, char *why, size_t len)
{
	(void)st;
	snprintf(why, len, "this dmabuf-inspect was built without BPF (make BPF=0)");
	return -1;
}
