// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf counters: live buffers and bytes, their peak, and the quota.
 *
 * None of them takes a lock, so that allocations on different CPUs do
 * not wait for each other here.
 *
 * An allocation first reserves its bytes against the quota: one
 * compare-and-exchange on used_bytes (the bytes reserved or live), so
 * that two racing allocations cannot both squeeze under it, and one that
 * fits is never refused because of one that does not. Only when the fd
 * is about to reach userspace is the reservation committed to live_bytes:
 * until then a failure cancels it and leaves every other counter, the
 * peak included, as it was. The peak is raised at commit, to the live
 * total that commit made.
 *
 * The buffer, attachment, mapping and vmap counts have no limit to keep:
 * they are per-CPU and summed when read. A read is therefore not one
 * snapshot: a buffer allocated or freed meanwhile may show in one counter
 * and not yet in another, and a sum taken while a count goes up on one
 * CPU and down on another may be off by those, even below 0, which is
 * read as 0.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/percpu.h>

#include "pagebuf.h"

static atomic64_t used_bytes = ATOMIC64_INIT(0);
static atomic64_t live_bytes = ATOMIC64_INIT(0);
static atomic64_t peak_bytes = ATOMIC64_INIT(0);

struct pagebuf_counts {
	long buffers;
	long attachments;
	long mappings;
	long vmaps;
};

static DEFINE_PER_CPU(struct pagebuf_counts, counts);

/* Returns 0, or -ENOSPC when @bytes do not fit in what @quota has left. */
int pagebuf_stats_reserve(u64 bytes, u64 quota)
{
	s64 used = atomic64_read(&used_bytes);

	do {
		if (bytes > quota || (u64)used > quota - bytes)
			return -ENOSPC;
	} while (!atomic64_try_cmpxchg(&used_bytes, &used,
				       (s64)((u64)used + bytes)));
	return 0;
}

void pagebuf_stats_cancel(u64 bytes)
{
	atomic64_sub(bytes, &used_bytes);
}

/* Raise the peak to @live, unless a racing commit raised it further. */
static void pagebuf_stats_raise_peak(u64 live)
{
	s64 peak = atomic64_read(&peak_bytes);

	while ((u64)peak < live &&
	       !atomic64_try_cmpxchg(&peak_bytes, &peak, live))
		;
}

void pagebuf_stats_commit(u64 bytes)
{
	this_cpu_inc(counts.buffers);
	pagebuf_stats_raise_peak(atomic64_add_return(bytes, &live_bytes));
}

void pagebuf_stats_release(u64 bytes)
{
	atomic64_sub(bytes, &live_bytes);
	atomic64_sub(bytes, &used_bytes);
	this_cpu_dec(counts.buffers);
}

void pagebuf_stats_attach(int delta)
{
	this_cpu_add(counts.attachments, delta);
}

void pagebuf_stats_map(int delta)
{
	this_cpu_add(counts.mappings, delta);
}

void pagebuf_stats_vmap(int delta)
{
	this_cpu_add(counts.vmaps, delta);
}

/* Start a new peak measurement from what is live now. */
void pagebuf_stats_reset_peak(void)
{
	atomic64_set(&peak_bytes, atomic64_read(&live_bytes));
}

void pagebuf_stats_read(struct pagebuf_stats *out)
{
	struct pagebuf_counts sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct pagebuf_counts *c = per_cpu_ptr(&counts, cpu);

		sum.buffers += READ_ONCE(c->buffers);
		sum.attachments += READ_ONCE(c->attachments);
		sum.mappings += READ_ONCE(c->mappings);
		sum.vmaps += READ_ONCE(c->vmaps);
	}
	out->live_buffers = max(sum.buffers, 0L);
	out->live_bytes = atomic64_read(&live_bytes);
	out->peak_bytes = atomic64_read(&peak_bytes);
	out->live_attachments = max(sum.attachments, 0L);
	out->live_mappings = max(sum.mappings, 0L);
	out->live_vmaps = max(sum.vmaps, 0L);
}
