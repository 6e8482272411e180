// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_null: the benchmark's rooflines, never part of a release
 * (module/Kbuild builds it only with DL_BENCH=1, and neither dkms.conf
 * nor the packages ship it). The one for small buffers is here; the
 * engine's ROTATE has its own (rotate.c, DMABUF_NULL_IOC_ROTATE).
 *
 * /dev/dmabuf_null takes pagebuf's PAGEBUF_IOC_ALLOC, through the same
 * steps as pagebuf's ioctl (the extensible struct, its checks, the fd
 * installed last), and exports a dma-buf that has no pages and no
 * private state at all. What it costs per buffer is therefore what the
 * dma-buf core and the ioctl path cost any exporter: its file, inode,
 * dentry, reservation object and fd. pagebuf's own work per buffer (its
 * pages, table, name, statistics, listing and tracepoint) is the
 * difference between the two.
 */
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/dmabuf_null.h>
#include <uapi/pagebuf.h>

#include "null.h"

/* Nothing to map: an importer that tries gets an error. */
static struct sg_table *null_map_dma_buf(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void null_unmap_dma_buf(struct dma_buf_attachment *attach,
			       struct sg_table *table,
			       enum dma_data_direction dir)
{
}

static void null_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops null_dma_buf_ops = {
	.map_dma_buf = null_map_dma_buf,
	.unmap_dma_buf = null_unmap_dma_buf,
	.release = null_release,
};

static struct miscdevice null_misc;

static long null_ioctl_alloc(struct pagebuf_alloc __user *uarg, size_t usize)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct pagebuf_alloc req;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (usize < PAGEBUF_ALLOC_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.reserved || !req.size ||
	    (req.fd_flags & ~(O_CLOEXEC | O_ACCMODE)) ||
	    (req.fd_flags & O_ACCMODE) == O_ACCMODE ||
	    !memchr(req.name, '\0', sizeof(req.name)))
		return -EINVAL;

	exp_info.ops = &null_dma_buf_ops;
	/* The core wants a priv; the device stands in for per-buffer state. */
	exp_info.priv = &null_misc;
	exp_info.size = PAGE_ALIGN(req.size);
	exp_info.flags = req.fd_flags & O_ACCMODE;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = get_unused_fd_flags(req.fd_flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_buf;
	}
	req.fd = fd;
	req.nr_segments = 0;
	if (copy_to_user(uarg, &req, min(usize, sizeof(req)))) {
		ret = -EFAULT;
		goto err_put_fd;
	}
	fd_install(fd, dmabuf->file);
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_put_buf:
	dma_buf_put(dmabuf);
	return ret;
}

static long null_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd == DMABUF_NULL_IOC_ROTATE)
		return null_ioctl_rotate((void __user *)arg);
	if (_IOC_TYPE(cmd) != _IOC_TYPE(PAGEBUF_IOC_ALLOC) ||
	    _IOC_NR(cmd) != _IOC_NR(PAGEBUF_IOC_ALLOC) ||
	    _IOC_DIR(cmd) != _IOC_DIR(PAGEBUF_IOC_ALLOC))
		return -ENOTTY;
	return null_ioctl_alloc((void __user *)arg, _IOC_SIZE(cmd));
}

static const struct file_operations null_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = null_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice null_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dmabuf_null",
	.fops = &null_fops,
	.mode = 0600,
};

module_misc_device(null_misc);

MODULE_DESCRIPTION("The benchmark's rooflines: an exporter of buffers without pages, and its CPU rotate in the kernel");
MODULE_LICENSE("GPL");
/* The namespace by its string: the one spelling every supported kernel takes. */
MODULE_INFO(import_ns, "DMA_BUF");
