// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf's debugfs directory, /sys/kernel/debug/pagebuf/:
 *
 *   buffers  one line per live buffer: inode, size, name, allocation
 *            policy, segments, live user mappings, vmap count, exporting
 *            process and the devices attached
 *   sgt      per DMA mapping: device, direction and every DMA segment
 *   size     total bytes of the live buffers
 *   peak     highest total since load or the last reset; writing 0
 *            resets it to the current total, anything else is EINVAL
 *
 * The demo buffers of the classic protocol are listed too, with policy
 * "demo": they are what a leak of user_prog shows. They are not counted in
 * size and peak, which are the counters of PAGEBUF_IOC_GET_STATS.
 *
 * The registry: every exported buffer is on a list, from the moment its
 * fd is about to reach userspace until its release. There is one list
 * per CPU, each under its own mutex, and a buffer stays on the list of
 * the CPU that listed it: allocations on different CPUs do not wait for
 * each other here. A reader walks the lists in turn. A buffer on a list
 * cannot be released under a reader (release takes that list's lock to
 * leave it), so its dma_buf is valid there too. Lock order: a list's
 * lock, then a buffer's lock; neither is ever taken with the other the
 * wrong way round, and no two lists' locks are ever held together.
 *
 * Nothing here prints a kernel pointer: buffers are named by the inode of
 * their dma-buf file, as in /proc/PID/fdinfo and dma_buf/bufinfo.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "buffer.h"
#include "pagebuf.h"

struct pagebuf_registry {
	struct mutex lock;		/* guards @buffers */
	struct list_head buffers;
};

static DEFINE_PER_CPU(struct pagebuf_registry, registry);
static struct dentry *debug_dir;

/*
 * Any CPU's list will do, so the task may move to another CPU right
 * after choosing one.
 */
void pagebuf_debug_list(struct pagebuf_buffer *buf)
{
	struct pagebuf_registry *r;

	buf->listed_on = raw_smp_processor_id();
	r = per_cpu_ptr(&registry, buf->listed_on);
	mutex_lock(&r->lock);
	list_add_tail(&buf->debug_node, &r->buffers);
	buf->listed = true;
	mutex_unlock(&r->lock);
}

void pagebuf_debug_unlist(struct pagebuf_buffer *buf)
{
	struct pagebuf_registry *r = per_cpu_ptr(&registry, buf->listed_on);

	mutex_lock(&r->lock);
	if (buf->listed)
		list_del(&buf->debug_node);
	buf->listed = false;
	mutex_unlock(&r->lock);
}

static const char *pagebuf_policy_name(const struct pagebuf_buffer *buf)
{
	if (!buf->owns_pages)
		return "demo";
	if (buf->flags & PAGEBUF_ALLOC_ORDER0)
		return "order0";
	if (buf->flags & PAGEBUF_ALLOC_CONTIG)
		return "contig";
	return "default";
}

static const char *pagebuf_dir_name(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return "bidirectional";
	case DMA_TO_DEVICE:
		return "to_device";
	case DMA_FROM_DEVICE:
		return "from_device";
	default:
		return "none";
	}
}

/* The dma-buf's name may change at any time (DMA_BUF_SET_NAME). */
static void pagebuf_show_name(struct seq_file *s, struct dma_buf *dmabuf)
{
	spin_lock(&dmabuf->name_lock);
	seq_printf(s, "%s", dmabuf->name ? dmabuf->name : "-");
	spin_unlock(&dmabuf->name_lock);
}

/* One line of "buffers", under the registry lock that lists @buf. */
static void pagebuf_show_buffer(struct seq_file *s, struct pagebuf_buffer *buf)
{
	struct pagebuf_attachment *a;

	seq_printf(s, "%lu %zu ", buf->ino, buf->size);
	pagebuf_show_name(s, buf->dmabuf);
	mutex_lock(&buf->lock);
	seq_printf(s, " %s %u %d %u %d %s ", pagebuf_policy_name(buf),
		   buf->table.orig_nents, atomic_read(&buf->mmaps),
		   buf->vmap_count, buf->pid, buf->comm);
	if (list_empty(&buf->attachments))
		seq_puts(s, "-");
	list_for_each_entry(a, &buf->attachments, node)
		seq_printf(s, "%s%s", dev_name(a->dev),
			   list_is_last(&a->node, &buf->attachments) ?
			   "" : ",");
	/* "-": not movable, so never moved. */
	if (!buf->movable)
		seq_puts(s, " -");
	else if (buf->revoked)
		seq_printf(s, " %u,revoked", buf->moves);
	else
		seq_printf(s, " %u", buf->moves);
	mutex_unlock(&buf->lock);
	seq_putc(s, '\n');
}

/* @show every listed buffer, a CPU's list at a time, under its lock. */
static void pagebuf_registry_show(struct seq_file *s,
				  void (*show)(struct seq_file *s,
					       struct pagebuf_buffer *buf))
{
	struct pagebuf_buffer *buf;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct pagebuf_registry *r = per_cpu_ptr(&registry, cpu);

		mutex_lock(&r->lock);
		list_for_each_entry(buf, &r->buffers, debug_node)
			show(s, buf);
		mutex_unlock(&r->lock);
	}
}

static int pagebuf_buffers_show(struct seq_file *s, void *unused)
{
	seq_puts(s, "inode size name policy segments mmaps vmaps pid comm devices moves\n");
	pagebuf_registry_show(s, pagebuf_show_buffer);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pagebuf_buffers);

static void pagebuf_show_mapping(struct seq_file *s, struct device *dev,
				 struct pagebuf_mapping *m)
{
	struct scatterlist *sg;
	unsigned int i;

	seq_printf(s, "  device %s %s, %u segments\n", dev_name(dev),
		   pagebuf_dir_name(m->dir), m->table.nents);
	for_each_sgtable_dma_sg(&m->table, sg, i) {
		dma_addr_t start = sg_dma_address(sg);
		dma_addr_t end = start + sg_dma_len(sg) - 1;

		seq_printf(s, "    %pad..%pad %u\n", &start, &end,
			   sg_dma_len(sg));
	}
}

/* @buf's DMA mappings, under the registry lock that lists @buf. */
static void pagebuf_show_buffer_sgt(struct seq_file *s,
				    struct pagebuf_buffer *buf)
{
	struct pagebuf_attachment *a;
	struct pagebuf_mapping *m;

	seq_printf(s, "inode %lu size %zu\n", buf->ino, buf->size);
	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node) {
		if (list_empty(&a->mappings))
			seq_printf(s, "  device %s not mapped\n",
				   dev_name(a->dev));
		list_for_each_entry(m, &a->mappings, node)
			pagebuf_show_mapping(s, a->dev, m);
	}
	mutex_unlock(&buf->lock);
}

static int pagebuf_sgt_show(struct seq_file *s, void *unused)
{
	pagebuf_registry_show(s, pagebuf_show_buffer_sgt);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pagebuf_sgt);

static int pagebuf_size_show(struct seq_file *s, void *unused)
{
	struct pagebuf_stats st;

	pagebuf_stats_read(&st);
	seq_printf(s, "%llu\n", st.live_bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pagebuf_size);

static int pagebuf_peak_show(struct seq_file *s, void *unused)
{
	struct pagebuf_stats st;

	pagebuf_stats_read(&st);
	seq_printf(s, "%llu\n", st.peak_bytes);
	return 0;
}

static int pagebuf_peak_open(struct inode *inode, struct file *file)
{
	return single_open(file, pagebuf_peak_show, inode->i_private);
}

/* Only 0 is accepted: the peak restarts from what is live now. */
static ssize_t pagebuf_peak_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	u64 val;
	int ret;

	ret = kstrtou64_from_user(ubuf, count, 0, &val);
	if (ret)
		return ret;
	if (val)
		return -EINVAL;
	pagebuf_stats_reset_peak();
	return count;
}

static const struct file_operations pagebuf_peak_fops = {
	.owner = THIS_MODULE,
	.open = pagebuf_peak_open,
	.read = seq_read,
	.write = pagebuf_peak_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * debugfs is a debugging aid: the module works without it (or with
 * debugfs disabled), so a failure here is not an error.
 */
void pagebuf_debug_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct pagebuf_registry *r = per_cpu_ptr(&registry, cpu);

		mutex_init(&r->lock);
		INIT_LIST_HEAD(&r->buffers);
	}
	debug_dir = debugfs_create_dir("pagebuf", NULL);
	debugfs_create_file("buffers", 0400, debug_dir, NULL,
			    &pagebuf_buffers_fops);
	debugfs_create_file("sgt", 0400, debug_dir, NULL, &pagebuf_sgt_fops);
	debugfs_create_file("size", 0400, debug_dir, NULL, &pagebuf_size_fops);
	debugfs_create_file("peak", 0600, debug_dir, NULL, &pagebuf_peak_fops);
}

void pagebuf_debug_exit(void)
{
	debugfs_remove_recursive(debug_dir);
}
