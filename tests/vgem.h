/* SPDX-License-Identifier: GPL-2.0 */
/* The Debian kernel's vgem, the DRM importer the guest tests use. */
#ifndef DMABUF_LAB_TESTS_VGEM_H
#define DMABUF_LAB_TESTS_VGEM_H

/* An O_RDWR fd of the first DRM card driven by vgem, or -1 if none. */
int open_vgem(void);

#endif
