// SPDX-License-Identifier: GPL-2.0
/*
 * The counters as attributes of the misc device, for systems without
 * debugfs (/sys/class/misc/pagebuf/):
 *
 *   count  live buffers
 *   total  their total size in bytes
 *   peak   the highest total since load or the last reset; writing 0
 *          resets it to the current total, anything else is EINVAL
 *
 * The demo buffers of the classic protocol are not counted, as in
 * PAGEBUF_IOC_GET_STATS.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "pagebuf.h"

static ssize_t count_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct pagebuf_stats st;

	pagebuf_stats_read(&st);
	return sysfs_emit(buf, "%llu\n", st.live_buffers);
}
static DEVICE_ATTR_RO(count);

static ssize_t total_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct pagebuf_stats st;

	pagebuf_stats_read(&st);
	return sysfs_emit(buf, "%llu\n", st.live_bytes);
}
static DEVICE_ATTR_RO(total);

static ssize_t peak_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct pagebuf_stats st;

	pagebuf_stats_read(&st);
	return sysfs_emit(buf, "%llu\n", st.peak_bytes);
}

static ssize_t peak_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	u64 val;
	int ret;

	ret = kstrtou64(buf, 0, &val);
	if (ret)
		return ret;
	if (val)
		return -EINVAL;
	pagebuf_stats_reset_peak();
	return count;
}
static DEVICE_ATTR_RW(peak);

static struct attribute *pagebuf_attrs[] = {
	&dev_attr_count.attr,
	&dev_attr_total.attr,
	&dev_attr_peak.attr,
	NULL
};

static const struct attribute_group pagebuf_attr_group = {
	.attrs = pagebuf_attrs,
};

const struct attribute_group *pagebuf_attr_groups[] = {
	&pagebuf_attr_group,
	NULL
};
