/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the test programs that drive v2d_emu.ko (tests/v2d.c,
 * tests/contention.c): the engine's device, imports, jobs and their
 * fences, and the CPU model of FILL, COPY and ROTATE.
 *
 * The helpers work on the device opened in @vd and fail the running
 * cmocka test on any unexpected error. Fds and mappings made through
 * track(), alloc_buf() and map_buf() are closed by v2d_teardown() even
 * when a test fails, so that a failed test leaves no fence behind.
 */
#ifndef V2D_TESTS_LIB_H
#define V2D_TESTS_LIB_H

#include "common.h"

#include <uapi/v2d_emu.h>

#define V2D_PARAMS	"/sys/module/v2d_emu/parameters"
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"

/* The engine, opened O_RDWR; v2d_teardown() reopens it after each test. */
extern int vd;
/* Open @vd before the tests run (a failure shows in every test). */
void v2d_open_for_tests(void);
/* Fail unless every live counter of both modules is back at zero. */
void v2d_assert_idle(void);

/* Close @fd in the teardown too; returns @fd. */
int track(int fd);
/* Forget @fd (the caller closes it); returns @fd. */
int untrack(int fd);
/* A pagebuf buffer (tracked) or fail. */
int alloc_buf(uint64_t size, uint32_t flags, uint32_t *nr_segments);
/* A MAP_SHARED mapping (unmapped by the teardown) or fail. */
void *map_buf(int fd, size_t len, int prot, off_t off);
void unmap_buf(void *p, size_t len);

int v2d_open_ok(void);
/* V2D_IOC_IMPORT on @dev; 0 or errno. */
int import_raw(int dev, int fd, uint32_t *handle);
uint32_t import_ok(int fd);
void release_ok(uint32_t handle);
void query_ok(uint32_t handle, struct v2d_query *q);
void stats_ok(struct v2d_stats *st);
struct v2d_surface surf(uint32_t h, uint32_t stride, uint64_t off,
			uint32_t x, uint32_t y, uint32_t w, uint32_t hh);
/* SUBMIT on @vd; 0 or errno. */
int submit_raw(struct v2d_submit *req);
/* Submit with an out-fence or fail; returns the (tracked) fence fd. */
int submit_ok(struct v2d_submit *req);
/* A FILL that stalls the engine on @h until the watchdog or a close. */
int submit_hang(uint32_t h);

int64_t now_ms(void);
/* poll() one fd for POLLIN: 1 ready, 0 not within @ms. */
int ready_within(int fd, int ms);
/* Status of a sync_file: 1 signalled, 0 active, <0 the fence's error. */
int fence_status(int fd);
/* Wait (at most 20 s, or @ms) for a job's fence; its status. */
int fence_wait(int fd);
int fence_wait_ms(int fd, int ms);
/* Wait (at most 20 s, or @ms) for success, then close @fd. */
void fence_done_ok(int fd);
void fence_done_within(int fd, int ms);

/* Write a v2d_emu parameter (the teardown restores the defaults). */
void v2d_param(const char *name, const char *val);
int v2d_teardown(void **state);
/* 1 if a line of @path contains @needle, 0 if none, -1 if unreadable. */
int file_has_line(const char *path, const char *needle);
/* delete_module(2) with O_NONBLOCK: -1 with EWOULDBLOCK while in use. */
int delete_module(const char *name);

/* Write pattern @seed through the mapping, inside a write bracket. */
void write_pattern(int fd, unsigned char *map, size_t size, uint64_t seed);
/* A buffer of @size filled with pattern @seed, mapped; returns the fd. */
int buf_with_pattern(uint64_t size, uint32_t flags, uint64_t seed,
		     unsigned char **map);
/* Compare the buffer with @want, inside a read bracket. */
void check_buf(int fd, const unsigned char *map, const unsigned char *want,
	       size_t size);
/* A malloc'ed copy of the buffer, read inside a read bracket. */
unsigned char *snapshot(int fd, const unsigned char *map, size_t size);

/* Byte offset of pixel (@c, @r) of @s. */
size_t px(const struct v2d_surface *s, uint32_t cpp, uint32_t c, uint32_t r);
void model_fill(unsigned char *m, const struct v2d_surface *d, uint32_t cpp,
		uint32_t value);
void model_copy(unsigned char *m, const unsigned char *src,
		const struct v2d_surface *s, const struct v2d_surface *d,
		uint32_t cpp);
void model_rotate(unsigned char *m, const unsigned char *src,
		  const struct v2d_surface *s, const struct v2d_surface *d,
		  uint32_t deg);

#endif /* V2D_TESTS_LIB_H */
