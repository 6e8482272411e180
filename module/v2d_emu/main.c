// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_emu: an emulated 2D engine that imports dma-bufs, modelled on the
 * SpacemiT K1's V2D: one DMA segment is used directly, more go through
 * the engine's own translation units, and jobs complete with dma-fences
 * that take part in implicit sync.
 *
 * This file holds the misc device (/dev/v2d_emu, dynamic minor), the
 * ioctl dispatch with its argument checks, the platform device that does
 * the DMA, the module parameters and init/exit. The uapi is
 * include/uapi/v2d_emu.h.
 *
 * Module lifetime: an open file holds a module reference (fops owner),
 * and so does every live fence (fence.c). Jobs and imports belong to a
 * file, so rmmod is refused while any of them exists.
 */
#include <linux/capability.h>
#include <linux/dma-direct.h>
#include <linux/dma-fence.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "v2d_emu.h"

static unsigned int v2d_dma_bits = 64;
module_param_named(dma_bits, v2d_dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA mask width of the engine, 32 to 64 (default 64; 32 bounces high pages through swiotlb)");

unsigned int v2d_timeout_ms = 5000;
module_param_named(timeout_ms, v2d_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Watchdog: a job running longer fails with ETIMEDOUT (default 5000)");

unsigned int v2d_max_pending_jobs = 256;
module_param_named(max_pending_jobs, v2d_max_pending_jobs, uint, 0644);
MODULE_PARM_DESC(max_pending_jobs,
		 "Jobs one open file may have submitted and not yet retired; one more is EBUSY (default 256)");

unsigned int v2d_max_queued_jobs = 16;
module_param_named(max_queued_jobs, v2d_max_queued_jobs, uint, 0644);
MODULE_PARM_DESC(max_queued_jobs,
		 "Jobs one open file may have waiting for the engine to start on them; a SUBMIT beyond waits (default 16, at least 1)");

static char *v2d_coherency = "auto";
module_param_named(coherency, v2d_coherency, charp, 0444);
MODULE_PARM_DESC(coherency,
		 "The engine's DMA: auto (as the platform sets the device up: non-coherent on arm64), coherent, or non-coherent (where the architecture has such DMA); see README");

static unsigned long v2d_debug_dma_offset;
module_param_named(debug_dma_offset, v2d_debug_dma_offset, ulong, 0444);
MODULE_PARM_DESC(debug_dma_offset,
		 "Debugging aid: act as if the bus added this to DMA addresses, which the engine cannot work with (default 0)");

bool v2d_inject_fault;
module_param_named(inject_fault, v2d_inject_fault, bool, 0644);
MODULE_PARM_DESC(inject_fault,
		 "Debugging aid: leave the last page of new IOMMU mappings untranslated");

unsigned int v2d_debug_commit_delay_ms;
module_param_named(debug_commit_delay_ms, v2d_debug_commit_delay_ms, uint, 0644);
MODULE_PARM_DESC(debug_commit_delay_ms,
		 "Debugging aid: sleep this long in every SUBMIT after its fence is ordered, with the buffers locked, to widen races for tests (default 0)");

unsigned int v2d_debug_step_delay_us;
module_param_named(debug_step_delay_us, v2d_debug_step_delay_us, uint, 0644);
MODULE_PARM_DESC(debug_step_delay_us,
		 "Debugging aid: wait this long before every step of a job (64 KiB of a row, or of all the rows of a packed surface; a tile), a slow engine for tests that act while a job runs (default 0, at most 10000)");

struct v2d_counters v2d_counters;
struct device *v2d_dma_dev;
struct workqueue_struct *v2d_wq;
struct workqueue_struct *v2d_retire_wq;

static struct platform_device *v2d_pdev;
static struct miscdevice v2d_misc;

/* Bad input is the caller's mistake: say why, without flooding the log. */
#define v2d_reject(err, fmt, ...)					\
({									\
	dev_info_ratelimited(v2d_misc.this_device,			\
			     "%s[%d]: " fmt, current->comm,		\
			     task_pid_nr(current), ##__VA_ARGS__);	\
	(err);								\
})

/*
 * Copy in a size-extensible struct: at least @min bytes, zero-extended,
 * E2BIG for unknown non-zero bytes past the kernel's struct.
 */
static int v2d_copy_in(void *dst, size_t ksize, const void __user *src,
		       size_t usize, size_t min)
{
	if (usize < min)
		return v2d_reject(-EINVAL, "struct of %zu bytes, need %zu\n",
				  usize, min);
	return copy_struct_from_user(dst, ksize, src, usize);
}

static int v2d_copy_out(void __user *dst, const void *src, size_t ksize,
			size_t usize)
{
	return copy_to_user(dst, src, min(ksize, usize)) ? -EFAULT : 0;
}

/* ---- IMPORT, RELEASE, QUERY --------------------------------------------- */

static long v2d_ioctl_import(struct v2d_file *vfile, void __user *uarg,
			     size_t usize)
{
	struct v2d_buffer *buf;
	struct v2d_import req;
	int ret;

	ret = v2d_copy_in(&req, sizeof(req), uarg, usize,
			  V2D_IMPORT_SIZE_VER0);
	if (ret)
		return ret;
	if (req.flags & ~V2D_IMPORT_VALID_FLAGS)
		return v2d_reject(-EINVAL, "import: unknown flags %#x\n",
				  req.flags & ~V2D_IMPORT_VALID_FLAGS);
	if ((req.flags & V2D_IMPORT_PIN) && !(req.flags & V2D_IMPORT_DYNAMIC))
		return v2d_reject(-EINVAL, "import: PIN without DYNAMIC\n");
	if (req.pad || req.reserved)
		return v2d_reject(-EINVAL, "import: non-zero pad or reserved\n");

	buf = v2d_buffer_import(vfile, req.fd, req.flags);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	req.handle = buf->handle;
	ret = v2d_copy_out(uarg, &req, sizeof(req), usize);
	if (ret) {
		v2d_buffer_unreserve(vfile, buf);
		return ret;
	}
	v2d_buffer_publish(vfile, buf);
	return 0;
}

static long v2d_ioctl_release(struct v2d_file *vfile, void __user *uarg,
			      size_t usize)
{
	struct v2d_release req;
	int ret;

	ret = v2d_copy_in(&req, sizeof(req), uarg, usize, sizeof(req));
	if (ret)
		return ret;
	if (req.flags)
		return v2d_reject(-EINVAL, "release: non-zero flags\n");
	return v2d_buffer_release(vfile, req.handle);
}

static long v2d_ioctl_query(struct v2d_file *vfile, void __user *uarg,
			    size_t usize)
{
	struct v2d_buffer *buf;
	struct v2d_query req;
	int ret;

	ret = v2d_copy_in(&req, sizeof(req), uarg, usize, V2D_QUERY_SIZE_VER0);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return v2d_reject(-EINVAL, "query: non-zero flags or reserved\n");

	buf = v2d_buffer_lookup(vfile, req.handle);
	if (!buf)
		return -ENOENT;
	req.size = buf->size;
	ret = v2d_buffer_describe(buf, &req, NULL);
	v2d_buffer_put(buf);
	if (ret)
		return ret;

	return v2d_copy_out(uarg, &req, sizeof(req), usize);
}

/* ---- SUBMIT ------------------------------------------------------------- */

static bool v2d_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* The fields that do not depend on the buffers. */
static int v2d_check_submit(const struct v2d_submit *req)
{
	if (req->op < V2D_OP_FILL || req->op > V2D_OP_ROTATE)
		return v2d_reject(-EINVAL, "submit: unknown op %u\n", req->op);
	if (req->flags & ~V2D_SUBMIT_VALID_FLAGS)
		return v2d_reject(-EINVAL, "submit: unknown flags %#x\n",
				  req->flags & ~V2D_SUBMIT_VALID_FLAGS);
	if (req->pad || req->reserved)
		return v2d_reject(-EINVAL, "submit: non-zero reserved\n");
	if (req->cpp != 1 && req->cpp != 2 && req->cpp != 4)
		return v2d_reject(-EINVAL, "submit: %u bytes per pixel\n",
				  req->cpp);
	if (!(req->flags & V2D_SUBMIT_IN_FENCE) && req->in_fence_fd)
		return v2d_reject(-EINVAL, "submit: in_fence_fd without flag\n");
	/* A stalled engine holds every other file's jobs up. */
	if ((req->flags & V2D_SUBMIT_HANG) && !capable(CAP_SYS_ADMIN))
		return v2d_reject(-EPERM, "submit: HANG needs CAP_SYS_ADMIN\n");

	if (req->op == V2D_OP_ROTATE) {
		if (req->cpp != 4)
			return v2d_reject(-EINVAL, "rotate: cpp %u, not 4\n",
					  req->cpp);
		if (req->rotation != 90 && req->rotation != 180 &&
		    req->rotation != 270)
			return v2d_reject(-EINVAL, "rotate: %u degrees\n",
					  req->rotation);
	} else if (req->rotation) {
		return v2d_reject(-EINVAL, "submit: rotation without ROTATE\n");
	}

	if (req->op == V2D_OP_FILL) {
		if (!v2d_is_zero(&req->src, sizeof(req->src)))
			return v2d_reject(-EINVAL, "fill: source not zero\n");
	} else if (req->value) {
		return v2d_reject(-EINVAL, "submit: value without FILL\n");
	}
	return 0;
}

static long v2d_submit_locked(struct v2d_file *vfile, struct v2d_job *job,
			      void __user *uarg, size_t usize)
{
	int ret;

	ret = v2d_job_prepare(job);
	if (ret)
		return ret;

	/* Copy out before the job is published: nothing may fail after. */
	ret = v2d_copy_out(uarg, &job->req, sizeof(job->req), usize);
	if (ret) {
		v2d_job_abandon(job);
		return ret;
	}
	return v2d_job_commit(job);
}

static long v2d_ioctl_submit(struct v2d_file *vfile, void __user *uarg,
			     size_t usize, bool nonblock)
{
	struct v2d_submit req;
	struct v2d_job *job;
	int ret;

	ret = v2d_copy_in(&req, sizeof(req), uarg, usize,
			  V2D_SUBMIT_SIZE_VER0);
	if (ret)
		return ret;
	ret = v2d_check_submit(&req);
	if (ret)
		return ret;

	job = v2d_job_create(vfile, &req);
	if (IS_ERR(job))
		return v2d_reject(PTR_ERR(job),
				  "submit: op %u rejected: %pe\n", req.op, job);

	mutex_lock(&vfile->submit_lock);
	ret = v2d_job_wait_queue_room(vfile, nonblock);
	if (ret)
		v2d_job_discard(job);
	else
		ret = v2d_submit_locked(vfile, job, uarg, usize);
	mutex_unlock(&vfile->submit_lock);
	return ret;
}

static long v2d_ioctl_get_stats(void __user *uarg)
{
	struct v2d_stats st = {
		.live_imports = atomic64_read(&v2d_counters.live_imports),
		.live_jobs = atomic64_read(&v2d_counters.live_jobs),
		.live_fences = atomic64_read(&v2d_counters.live_fences),
		.mapped_pages = atomic64_read(&v2d_counters.mapped_pages),
		.jobs_done = atomic64_read(&v2d_counters.jobs_done),
		.jobs_failed = atomic64_read(&v2d_counters.jobs_failed),
		.faults = atomic64_read(&v2d_counters.faults),
		.timeouts = atomic64_read(&v2d_counters.timeouts),
	};

	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

/* ---- dispatch ----------------------------------------------------------- */

/* @cmd is @ref with any struct size encoded. */
static bool v2d_cmd_is(unsigned int cmd, unsigned int ref)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(ref) &&
	       _IOC_NR(cmd) == _IOC_NR(ref) &&
	       _IOC_DIR(cmd) == _IOC_DIR(ref);
}

static long v2d_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct v2d_file *vfile = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	if (v2d_cmd_is(cmd, V2D_IOC_IMPORT))
		return v2d_ioctl_import(vfile, uarg, usize);
	if (v2d_cmd_is(cmd, V2D_IOC_RELEASE))
		return v2d_ioctl_release(vfile, uarg, usize);
	if (v2d_cmd_is(cmd, V2D_IOC_QUERY))
		return v2d_ioctl_query(vfile, uarg, usize);
	if (v2d_cmd_is(cmd, V2D_IOC_SUBMIT))
		return v2d_ioctl_submit(vfile, uarg, usize,
					file->f_flags & O_NONBLOCK);
	if (cmd == V2D_IOC_GET_STATS)
		return v2d_ioctl_get_stats(uarg);
	return -ENOTTY;
}

static int v2d_open(struct inode *inode, struct file *file)
{
	struct v2d_file *vfile;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL);
	if (!vfile)
		return -ENOMEM;

	xa_init_flags(&vfile->imports, XA_FLAGS_ALLOC1);
	mutex_init(&vfile->submit_lock);
	vfile->context = dma_fence_context_alloc(1);
	spin_lock_init(&vfile->jobs_lock);
	INIT_LIST_HEAD(&vfile->jobs);
	init_waitqueue_head(&vfile->idle);
	init_waitqueue_head(&vfile->queue_room);

	file->private_data = vfile;
	v2d_debug_add_file(vfile);
	return 0;
}

/* Jobs first (they hold imports), then the handles. */
static int v2d_release(struct inode *inode, struct file *file)
{
	struct v2d_file *vfile = file->private_data;

	v2d_debug_del_file(vfile);
	v2d_file_cancel_jobs(vfile);
	v2d_buffer_release_all(vfile);
	mutex_destroy(&vfile->submit_lock);
	kfree(vfile);
	return 0;
}

static const struct file_operations v2d_fops = {
	.owner = THIS_MODULE,
	.open = v2d_open,
	.release = v2d_release,
	.unlocked_ioctl = v2d_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice v2d_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "v2d_emu",
	.fops = &v2d_fops,
	.mode = 0600,
};

/* ---- init/exit ---------------------------------------------------------- */

/*
 * The engine turns a DMA address into the page it reaches (v2d_emu.h),
 * which is right only where the device's DMA addresses are the physical
 * addresses of memory: not with a memory-encryption bit in them (AMD SME
 * and SEV, and confidential guests alike), not behind a bus that offsets
 * them (a dma-ranges translation). Look at what the DMA API would do to
 * a page's address for this device, and refuse to work where the two
 * differ rather than read and write the wrong memory.
 */
static int v2d_check_dma_is_phys(struct device *dev)
{
	struct page *page = alloc_page(GFP_KERNEL);
	phys_addr_t phys;
	dma_addr_t dma;

	if (!page)
		return -ENOMEM;
	phys = page_to_phys(page);
	dma = phys_to_dma(dev, phys) + v2d_debug_dma_offset;
	__free_page(page);
	if (dma != phys) {
		dev_err(dev, "DMA addresses are not physical addresses here (they differ by %#llx): the engine cannot reach memory through them\n",
			(unsigned long long)(dma - phys));
		return -ENODEV;
	}
	return 0;
}

/*
 * Which kind of hardware the engine is (README, "What boards get"): a
 * coherent engine snoops the CPU's caches, so the DMA API does no cache
 * maintenance for it and the engine reads and writes through cached
 * memory; a non-coherent one does not, the DMA API cleans and
 * invalidates around its mappings, and the engine goes to memory through
 * a non-cacheable mapping (import.c), as such hardware would.
 */
static int v2d_set_coherency(struct device *dev)
{
	bool want = true;

	if (sysfs_streq(v2d_coherency, "coherent")) {
		want = true;
	} else if (sysfs_streq(v2d_coherency, "non-coherent")) {
		want = false;
	} else if (!sysfs_streq(v2d_coherency, "auto")) {
		dev_err(dev, "coherency=%s: not auto, coherent or non-coherent\n",
			v2d_coherency);
		return -EINVAL;
	}
	if (!sysfs_streq(v2d_coherency, "auto") &&
	    !compat_dev_set_dma_coherent(dev, want)) {
		dev_err(dev, "coherency=%s: DMA on this architecture is always coherent\n",
			v2d_coherency);
		return -EINVAL;
	}
	dev_info(dev, "DMA is %s\n",
		 dev_is_dma_coherent(dev) ? "coherent" : "non-coherent");
	return 0;
}

/*
 * The engine's DMA device. No driver binds to it, so it gets no DMA ops
 * and maps through dma-direct (and swiotlb when a page is out of reach).
 */
static int v2d_pdev_create(void)
{
	int ret;

	if (v2d_dma_bits < 32 || v2d_dma_bits > 64) {
		pr_err("v2d_emu: dma_bits=%u is not within 32..64\n",
		       v2d_dma_bits);
		return -EINVAL;
	}

	v2d_pdev = platform_device_register_simple("v2d_emu",
						   PLATFORM_DEVID_NONE,
						   NULL, 0);
	if (IS_ERR(v2d_pdev))
		return PTR_ERR(v2d_pdev);

	/*
	 * Coherency before the mask, in the order arch_setup_dma_ops() and
	 * the bus code follow: since 6.11 dma_set_mask() decides once, from
	 * the coherency it finds, whether every later sync of the device can
	 * be skipped (dev->dma_skip_sync). Set the other way round, a device
	 * made non-coherent afterwards would skip all its cache maintenance.
	 */
	ret = v2d_check_dma_is_phys(&v2d_pdev->dev);
	if (!ret)
		ret = v2d_set_coherency(&v2d_pdev->dev);
	if (!ret)
		ret = dma_set_mask_and_coherent(&v2d_pdev->dev,
						DMA_BIT_MASK(v2d_dma_bits));
	if (ret) {
		platform_device_unregister(v2d_pdev);
		return ret;
	}
	/*
	 * The engine takes segments of any length (the default is 64 KiB):
	 * an exporter may then hand it one segment for a contiguous buffer.
	 * Platform devices always have dma_parms, so this cannot fail.
	 */
	dma_set_max_seg_size(&v2d_pdev->dev, UINT_MAX);
	v2d_dma_dev = &v2d_pdev->dev;
	return 0;
}

static int __init v2d_init(void)
{
	int ret;

	ret = v2d_iommu_init();
	if (ret)
		return ret;

	ret = v2d_pdev_create();
	if (ret)
		goto err_iommu;

	v2d_wq = alloc_ordered_workqueue("v2d_emu", 0);
	if (!v2d_wq) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	v2d_retire_wq = alloc_workqueue("v2d_emu_retire", WQ_UNBOUND, 0);
	if (!v2d_retire_wq) {
		ret = -ENOMEM;
		goto err_wq;
	}

	v2d_misc.parent = v2d_dma_dev;
	ret = misc_register(&v2d_misc);
	if (ret)
		goto err_retire_wq;
	v2d_debug_init();
	return 0;

err_retire_wq:
	destroy_workqueue(v2d_retire_wq);
err_wq:
	destroy_workqueue(v2d_wq);
err_pdev:
	platform_device_unregister(v2d_pdev);
err_iommu:
	v2d_iommu_exit();
	return ret;
}

/*
 * No file and no fence is left (each holds the module), so no job either;
 * but the last retirement and the last fence's RCU callback may still be
 * on their way out of the module's code: wait for both.
 */
static void __exit v2d_exit(void)
{
	v2d_debug_exit();
	misc_deregister(&v2d_misc);
	destroy_workqueue(v2d_retire_wq);
	destroy_workqueue(v2d_wq);
	v2d_fence_barrier();
	platform_device_unregister(v2d_pdev);
	v2d_iommu_exit();
}

module_init(v2d_init);
module_exit(v2d_exit);

MODULE_DESCRIPTION("v2d_emu: emulated 2D engine importing dma-bufs");
MODULE_LICENSE("GPL");
/* The namespace by its string: the one spelling every supported kernel takes. */
MODULE_INFO(import_ns, "DMA_BUF");
