#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The debug and inspect_* areas of the guest suite: debugfs, sysfs,
# tracepoints and dmabuf-inspect on live buffers (tests/debug.c,
# tests/inspect_live.c, inspect_sources.c, inspect_trace.c). Sourced
# by suite.sh, which calls run_debug in its turn; the helpers are
# helpers.sh's.

# Both need pagebuf; vgem and v2d_emu are loaded when present (the checks
# that need them skip without). The inspect areas get the directory
# holding dmabuf-inspect and user_prog.
run_debug() {
	for _area in debug inspect_live inspect_sources inspect_trace; do
		area_selected "$_area" || continue
		ensure_pagebuf || return 0
		vgem_load >/dev/null 2>&1
		v2d_insmod >/dev/null 2>&1
		run_program "$_area" "$DL_BIN/$_area" "$DL_USER"
	done
}
