#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The move area of the guest suite: movable buffers, PAGEBUF_IOC_MOVE and
# PAGEBUF_IOC_REVOKE (tests/move.c), and v2d_emu's dynamic imports of them
# (tests/dynamic.c). v2d_emu is also the static importer whose pin a move
# must respect. Sourced by suite.sh, which calls run_move in its turn;
# v2d_insmod is helpers.sh's.

run_move() {
	area_selected move || return 0
	ensure_pagebuf || return 0
	v2d_insmod >/dev/null 2>&1
	# vgem is optional: the dynamic tests use it as a static importer beside.
	vgem_load >/dev/null 2>&1
	run_program move "$DL_BIN/move"
	run_program move "$DL_BIN/dynamic"
}
