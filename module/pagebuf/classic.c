// SPDX-License-Identifier: GPL-2.0
/*
 * The classic demo protocol: one page, owned by the module, that
 * PAGEBUF_IOC_CLASSIC_GET_FD hands out as a dma-buf, and that read() on
 * the device shows as text.
 *
 * Every call gives a new fd on the same dma-buf while any is open, so
 * that all users of the page share one reservation object (implicit
 * sync) and importers see one buffer (their overlap checks). The module
 * keeps only a pointer to it, cleared by its release, and takes a new
 * reference through that pointer only while its file is still open
 * (compat_dma_buf_get_if_open(); where the kernel cannot do that, every
 * call exports a new dma-buf over the page).
 *
 * The page lives exactly as long as the module. Each dma-buf over it holds
 * a reference on the module (the core takes one at export), so the page
 * cannot go away under an fd or a mapping; and the module itself holds no
 * reference on a dma-buf, so rmmod works as soon as userspace has let go.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "pagebuf.h"

static const char pagebuf_demo_text[] = "Data inited by kernel!";

static struct page *demo_page;
static void *demo_vaddr;	/* the kernel's own mapping of demo_page */

static DEFINE_MUTEX(demo_lock);	/* protects demo_dmabuf */
static struct dma_buf *demo_dmabuf;	/* no reference: see the top */

int pagebuf_classic_init(void)
{
	demo_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!demo_page)
		return -ENOMEM;

	demo_vaddr = vmap(&demo_page, 1, VM_MAP, PAGE_KERNEL);
	if (!demo_vaddr) {
		__free_page(demo_page);
		return -ENOMEM;
	}

	memcpy(demo_vaddr, pagebuf_demo_text, sizeof(pagebuf_demo_text));
	flush_kernel_vmap_range(demo_vaddr, PAGE_SIZE);
	return 0;
}

void pagebuf_classic_exit(void)
{
	vunmap(demo_vaddr);
	__free_page(demo_page);
}

/* The demo dma-buf with a new reference, or NULL if it is not open. */
static struct dma_buf *pagebuf_classic_get_open(void)
{
	struct dma_buf *dmabuf = NULL;

	mutex_lock(&demo_lock);
	if (demo_dmabuf)
		dmabuf = compat_dma_buf_get_if_open(demo_dmabuf);
	mutex_unlock(&demo_lock);
	return dmabuf;
}

/* The release hook of the demo dma-buf kept in demo_dmabuf. */
static void pagebuf_classic_forget(struct dma_buf *dmabuf)
{
	mutex_lock(&demo_lock);
	if (demo_dmabuf == dmabuf)
		demo_dmabuf = NULL;
	mutex_unlock(&demo_lock);
}

/*
 * The demo dma-buf: the open one, or a new one. Two callers racing to
 * make it agree on the first one published.
 */
static struct dma_buf *pagebuf_classic_get(void)
{
	struct dma_buf *dmabuf, *open;

	dmabuf = pagebuf_classic_get_open();
	if (dmabuf)
		return dmabuf;

	dmabuf = pagebuf_buffer_wrap_page(demo_page);
	if (IS_ERR(dmabuf))
		return dmabuf;

	mutex_lock(&demo_lock);
	open = demo_dmabuf ? compat_dma_buf_get_if_open(demo_dmabuf) : NULL;
	if (!open) {
		/* Kept without a reference: its release clears the pointer. */
		pagebuf_buffer_set_release_hook(dmabuf, pagebuf_classic_forget);
		demo_dmabuf = dmabuf;
	}
	mutex_unlock(&demo_lock);
	if (!open)
		return dmabuf;
	dma_buf_put(dmabuf);
	return open;
}

long pagebuf_classic_get_fd(int __user *ufd)
{
	struct dma_buf *dmabuf;
	int fd, ret;

	dmabuf = pagebuf_classic_get();
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	/* Install the fd only once userspace can be told its number. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_buf;
	}
	if (put_user(fd, ufd)) {
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

/* The demo text up to its first NUL, and a newline, as `cat` expects. */
ssize_t pagebuf_classic_read(char __user *ubuf, size_t count, loff_t *ppos)
{
	ssize_t ret;
	size_t len;
	char *text;

	text = kmalloc(PAGE_SIZE + 1, GFP_KERNEL);
	if (!text)
		return -ENOMEM;

	/* Userspace wrote through its own mapping of the page. */
	invalidate_kernel_vmap_range(demo_vaddr, PAGE_SIZE);
	memcpy(text, demo_vaddr, PAGE_SIZE);
	len = strnlen(text, PAGE_SIZE);
	text[len++] = '\n';

	ret = simple_read_from_buffer(ubuf, count, ppos, text, len);
	kfree(text);
	return ret;
}
