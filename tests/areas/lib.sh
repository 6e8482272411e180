#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The lib area of the guest suite: libdmabuf-lab on the running kernel
# (tests/lib.c). Sourced by suite.sh, which calls run_lib in its turn;
# the helpers are helpers.sh's.

# The library's calls against pagebuf, the kernel's exporters where this
# kernel has them, and the engine: loaded for the area when it was not,
# and unloaded after (its tests skip when it cannot be loaded).
run_lib() {
	area_selected lib || return 0
	ensure_pagebuf || return 0
	vgem_load >/dev/null 2>&1
	_lib_v2d=
	if [ ! -d /sys/module/v2d_emu ] && v2d_insmod >"$SUITE_TMP/lib-v2d.log" 2>&1; then
		_lib_v2d=1
	fi
	run_program lib "$DL_BIN/lib"
	if [ -n "$_lib_v2d" ] && ! v2d_unload; then
		tap_fail "lib/rmmod_v2d_emu_after"
		diag "v2d_emu stayed in use after the lib area"
	fi
}
