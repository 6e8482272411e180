// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf: a reference dma-buf exporter of page-backed buffers.
 *
 * This file holds the misc device (/dev/pagebuf, dynamic minor, so that
 * /proc/misc gives the minor for mknod where there is no udev), the ioctl
 * dispatch with its argument checks, the module parameters and init/exit.
 * The uapi is include/uapi/pagebuf.h.
 */
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "pagebuf.h"

unsigned long pagebuf_max_buffer_size = SZ_512M;
module_param_named(max_buffer_size, pagebuf_max_buffer_size, ulong, 0644);
MODULE_PARM_DESC(max_buffer_size,
		 "Largest buffer in bytes; larger requests fail with EFBIG (default 512 MiB)");

unsigned long pagebuf_quota = SZ_1G;
module_param_named(quota, pagebuf_quota, ulong, 0644);
MODULE_PARM_DESC(quota,
		 "Total bytes of all live buffers; going over fails with ENOSPC (default 1 GiB)");

static struct miscdevice pagebuf_misc;

/* Bad input is the caller's mistake: say why, without flooding the log. */
#define pagebuf_reject(err, fmt, ...)					\
({									\
	dev_info_ratelimited(pagebuf_misc.this_device,			\
			     "%s[%d]: " fmt, current->comm,		\
			     task_pid_nr(current), ##__VA_ARGS__);	\
	(err);								\
})

#define PAGEBUF_FD_FLAGS (O_CLOEXEC | O_ACCMODE)

/* Check every field of @req; on success *@size is the rounded size. */
static int pagebuf_check_alloc(const struct pagebuf_alloc *req, size_t *size)
{
	unsigned long max = round_down(READ_ONCE(pagebuf_max_buffer_size),
				       PAGE_SIZE);

	if (req->flags & ~PAGEBUF_ALLOC_VALID_FLAGS)
		return pagebuf_reject(-EINVAL, "unknown alloc flags %#x\n",
				      req->flags & ~PAGEBUF_ALLOC_VALID_FLAGS);
	if ((req->flags & PAGEBUF_ALLOC_POLICY_MASK) ==
	    PAGEBUF_ALLOC_POLICY_MASK)
		return pagebuf_reject(-EINVAL, "ORDER0 and CONTIG together\n");
	if ((req->fd_flags & ~PAGEBUF_FD_FLAGS) ||
	    (req->fd_flags & O_ACCMODE) == O_ACCMODE)
		return pagebuf_reject(-EINVAL, "bad fd_flags %#x\n",
				      req->fd_flags);
	if (req->reserved)
		return pagebuf_reject(-EINVAL, "reserved field is not zero\n");
	if (!memchr(req->name, '\0', sizeof(req->name)))
		return pagebuf_reject(-EINVAL, "name is not NUL-terminated\n");
	if (!req->size)
		return pagebuf_reject(-EINVAL, "size 0\n");
	if (req->size > max)
		return pagebuf_reject(-EFBIG,
				      "size %llu over max_buffer_size %lu\n",
				      req->size, max);

	*size = PAGE_ALIGN(req->size);
	return 0;
}

static long pagebuf_ioctl_alloc(struct pagebuf_alloc __user *uarg,
				size_t usize)
{
	struct pagebuf_alloc req;
	struct dma_buf *dmabuf;
	size_t size;
	int fd, ret;

	if (usize < PAGEBUF_ALLOC_SIZE_VER0)
		return pagebuf_reject(-EINVAL, "alloc struct of %zu bytes\n",
				      usize);
	/* Zero-extends an older struct; E2BIG for unknown non-zero bytes. */
	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;

	ret = pagebuf_check_alloc(&req, &size);
	if (ret)
		return ret;

	dmabuf = pagebuf_buffer_create(size, req.flags,
				       req.fd_flags & O_ACCMODE, req.name);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	/*
	 * Install the fd last: once installed, userspace may close it, so
	 * nothing after that may fail.
	 */
	fd = get_unused_fd_flags(req.fd_flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_buf;
	}
	req.fd = fd;
	req.nr_segments = pagebuf_buffer_segments(dmabuf);
	/* The output fields only: they are next to each other. */
	BUILD_BUG_ON(offsetof(struct pagebuf_alloc, nr_segments) !=
		     offsetof(struct pagebuf_alloc, fd) + sizeof(req.fd));
	if (copy_to_user(&uarg->fd, &req.fd,
			 sizeof(req.fd) + sizeof(req.nr_segments))) {
		ret = -EFAULT;
		goto err_put_fd;
	}
	pagebuf_buffer_commit(dmabuf);
	fd_install(fd, dmabuf->file);
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_put_buf:
	dma_buf_put(dmabuf);
	return ret;
}

/* The movable pagebuf buffer of @fd, referenced, or an ERR_PTR (said why). */
static struct dma_buf *pagebuf_get_movable(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (IS_ERR(dmabuf))
		return ERR_PTR(pagebuf_reject(PTR_ERR(dmabuf),
					      "fd %d is not a dma-buf\n", fd));
	if (!pagebuf_buffer_is_movable(dmabuf)) {
		dma_buf_put(dmabuf);
		return ERR_PTR(pagebuf_reject(-EINVAL,
					      "fd %d is not a movable pagebuf buffer\n",
					      fd));
	}
	return dmabuf;
}

static long pagebuf_ioctl_move(struct pagebuf_move __user *uarg)
{
	struct pagebuf_move req;
	struct dma_buf *dmabuf;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return pagebuf_reject(-EPERM, "MOVE needs CAP_SYS_ADMIN\n");
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~PAGEBUF_ALLOC_POLICY_MASK)
		return pagebuf_reject(-EINVAL, "unknown move flags %#x\n",
				      req.flags & ~PAGEBUF_ALLOC_POLICY_MASK);
	if (req.flags == PAGEBUF_ALLOC_POLICY_MASK)
		return pagebuf_reject(-EINVAL, "ORDER0 and CONTIG together\n");
	if (req.reserved)
		return pagebuf_reject(-EINVAL, "reserved field is not zero\n");

	dmabuf = pagebuf_get_movable(req.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = pagebuf_buffer_move(dmabuf, req.flags, &req.nr_segments);
	if (!ret && copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
	dma_buf_put(dmabuf);
	return ret;
}

static long pagebuf_ioctl_revoke(struct pagebuf_revoke __user *uarg)
{
	struct pagebuf_revoke req;
	struct dma_buf *dmabuf;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return pagebuf_reject(-EPERM, "REVOKE needs CAP_SYS_ADMIN\n");
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return pagebuf_reject(-EINVAL, "reserved field is not zero\n");

	dmabuf = pagebuf_get_movable(req.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = pagebuf_buffer_revoke(dmabuf);
	dma_buf_put(dmabuf);
	return ret;
}

static long pagebuf_ioctl_get_stats(struct pagebuf_stats __user *uarg)
{
	struct pagebuf_stats stats;

	pagebuf_stats_read(&stats);
	return copy_to_user(uarg, &stats, sizeof(stats)) ? -EFAULT : 0;
}

/* PAGEBUF_IOC_ALLOC with any struct size: the number without its size. */
static bool pagebuf_is_alloc_cmd(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(PAGEBUF_IOC_ALLOC) &&
	       _IOC_NR(cmd) == _IOC_NR(PAGEBUF_IOC_ALLOC) &&
	       _IOC_DIR(cmd) == _IOC_DIR(PAGEBUF_IOC_ALLOC);
}

static long pagebuf_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (pagebuf_is_alloc_cmd(cmd))
		return pagebuf_ioctl_alloc(uarg, _IOC_SIZE(cmd));

	switch (cmd) {
	case PAGEBUF_IOC_GET_STATS:
		return pagebuf_ioctl_get_stats(uarg);
	case PAGEBUF_IOC_MOVE:
		return pagebuf_ioctl_move(uarg);
	case PAGEBUF_IOC_REVOKE:
		return pagebuf_ioctl_revoke(uarg);
	case PAGEBUF_IOC_CLASSIC_GET_FD:
		return pagebuf_classic_get_fd(uarg);
	default:
		return -ENOTTY;
	}
}

static ssize_t pagebuf_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	return pagebuf_classic_read(ubuf, count, ppos);
}

static const struct file_operations pagebuf_fops = {
	.owner = THIS_MODULE,
	.read = pagebuf_read,
	.unlocked_ioctl = pagebuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = default_llseek,
};

static struct miscdevice pagebuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pagebuf",
	.fops = &pagebuf_fops,
	.mode = 0600,
	.groups = pagebuf_attr_groups,
};

/*
 * Nothing reachable from userspace before init can no longer fail for a
 * reason known in advance: a process that opened /dev/pagebuf of a load
 * that then failed would hold a file of a freed module. So parameters
 * are checked first, and the device is registered after everything
 * that can be undone; the heaps, which cannot be removed, come last.
 */
static int __init pagebuf_init(void)
{
	int ret;

	ret = pagebuf_heap_check();
	if (ret)
		return ret;

	ret = pagebuf_classic_init();
	if (ret)
		return ret;

	pagebuf_debug_init();

	ret = misc_register(&pagebuf_misc);
	if (ret)
		goto err_debug;

	ret = pagebuf_heap_init();
	if (ret)
		goto err_misc;
	return 0;

err_misc:
	misc_deregister(&pagebuf_misc);
err_debug:
	pagebuf_debug_exit();
	pagebuf_classic_exit();
	return ret;
}

static void __exit pagebuf_exit(void)
{
	misc_deregister(&pagebuf_misc);
	pagebuf_debug_exit();
	pagebuf_classic_exit();
}

module_init(pagebuf_init);
module_exit(pagebuf_exit);

MODULE_DESCRIPTION("pagebuf: reference dma-buf exporter of page-backed buffers");
MODULE_LICENSE("GPL");
/* The namespace by its string: the one spelling every supported kernel takes. */
MODULE_INFO(import_ns, "DMA_BUF");
