// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf counters: live buffers and bytes, their peak, and the quota.
 *
 * An allocation first reserves its bytes against the quota, so that two
 * racing allocations cannot both squeeze under it. Only when the fd is
 * about to reach userspace is the reservation committed: until then a
 * failure cancels it and leaves every counter, the peak included, as it
 * was. Everything here is under one spinlock; the attachment, mapping and
 * vmap counts are independent and atomic.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>

#include "pagebuf.h"

static DEFINE_SPINLOCK(stats_lock);
static u64 live_buffers;
static u64 live_bytes;
static u64 reserved_bytes;
static u64 peak_bytes;

static atomic64_t live_attachments = ATOMIC64_INIT(0);
static atomic64_t live_mappings = ATOMIC64_INIT(0);
static atomic64_t live_vmaps = ATOMIC64_INIT(0);

/* Returns 0, or -ENOSPC when @bytes do not fit in what @quota has left. */
int pagebuf_stats_reserve(u64 bytes, u64 quota)
{
	int ret = 0;

	spin_lock(&stats_lock);
	if (bytes > quota || live_bytes + reserved_bytes > quota - bytes)
		ret = -ENOSPC;
	else
		reserved_bytes += bytes;
	spin_unlock(&stats_lock);

	return ret;
}

void pagebuf_stats_cancel(u64 bytes)
{
	spin_lock(&stats_lock);
	reserved_bytes -= bytes;
	spin_unlock(&stats_lock);
}

void pagebuf_stats_commit(u64 bytes)
{
	spin_lock(&stats_lock);
	reserved_bytes -= bytes;
	live_bytes += bytes;
	live_buffers++;
	peak_bytes = max(peak_bytes, live_bytes);
	spin_unlock(&stats_lock);
}

void pagebuf_stats_release(u64 bytes)
{
	spin_lock(&stats_lock);
	live_bytes -= bytes;
	live_buffers--;
	spin_unlock(&stats_lock);
}

void pagebuf_stats_attach(int delta)
{
	atomic64_add(delta, &live_attachments);
}

void pagebuf_stats_map(int delta)
{
	atomic64_add(delta, &live_mappings);
}

void pagebuf_stats_vmap(int delta)
{
	atomic64_add(delta, &live_vmaps);
}

/* Start a new peak measurement from what is live now. */
void pagebuf_stats_reset_peak(void)
{
	spin_lock(&stats_lock);
	peak_bytes = live_bytes;
	spin_unlock(&stats_lock);
}

void pagebuf_stats_read(struct pagebuf_stats *out)
{
	spin_lock(&stats_lock);
	out->live_buffers = live_buffers;
	out->live_bytes = live_bytes;
	out->peak_bytes = peak_bytes;
	spin_unlock(&stats_lock);

	out->live_attachments = atomic64_read(&live_attachments);
	out->live_mappings = atomic64_read(&live_mappings);
	out->live_vmaps = atomic64_read(&live_vmaps);
}
