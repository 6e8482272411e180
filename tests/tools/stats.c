// SPDX-License-Identifier: GPL-2.0
/*
 * stats - print pagebuf's counters as "name=value" words on one line.
 *
 *   stats [DEVICE]
 *
 * Exits 1 (with a message on stderr) when the device cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/pagebuf.h>

int main(int argc, char **argv)
{
	const char *device = argc > 1 ? argv[1] : "/dev/pagebuf";
	struct pagebuf_stats st;
	int dev;

	dev = open(device, O_RDONLY | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "stats: open %s: %s\n", device, strerror(errno));
		return 1;
	}
	memset(&st, 0, sizeof(st));
	if (ioctl(dev, PAGEBUF_IOC_GET_STATS, &st) < 0) {
		fprintf(stderr, "stats: PAGEBUF_IOC_GET_STATS: %s\n", strerror(errno));
		close(dev);
		return 1;
	}
	close(dev);
	printf("live_buffers=%llu live_bytes=%llu peak_bytes=%llu "
	       "live_attachments=%llu live_mappings=%llu live_vmaps=%llu\n",
	       (unsigned long long)st.live_buffers, (unsigned long long)st.live_bytes,
	       (unsigned long long)st.peak_bytes, (unsigned long long)st.live_attachments,
	       (unsigned long long)st.live_mappings, (unsigned long long)st.live_vmaps);
	return 0;
}
