// SPDX-License-Identifier: GPL-2.0
/*
 * The classic demo protocol: one page, owned by the module, that every
 * PAGEBUF_IOC_CLASSIC_GET_FD call exports as a new dma-buf, and that
 * read() on the device shows as text.
 *
 * The page lives exactly as long as the module. Each dma-buf over it holds
 * a reference on the module (the core takes one at export), so the page
 * cannot go away under an fd or a mapping; and the module itself holds no
 * dma-buf, so rmmod works as soon as userspace has let go of them.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "pagebuf.h"

static const char pagebuf_demo_text[] = "Data inited by kernel!";

static struct page *demo_page;
static void *demo_vaddr;	/* the kernel's own mapping of demo_page */

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

long pagebuf_classic_get_fd(int __user *ufd)
{
	struct dma_buf *dmabuf;
	int fd, ret;

	dmabuf = pagebuf_buffer_wrap_page(demo_page);
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
