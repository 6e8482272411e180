#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The pipeline area of the guest suite: camera -> 2D engine -> GPU
# (vivid, v2d_emu, vgem; tests/pipeline.c). Sourced by suite.sh, which
# calls run_pipeline in its turn; loading vivid is helpers.sh's.

run_pipeline() {
	area_selected pipeline || return 0
	ensure_pagebuf || return 0
	if ! v2d_present; then
		selected pipeline/all && tap_skip pipeline/all "$(mod_where v2d_emu "$V2D_KO") was not built"
		return 0
	fi
	run_shell_step pipeline/vivid_loads vivid_load
	[ -d /sys/module/vivid ] || return 0
	vgem_load >/dev/null 2>&1
	if ! v2d_insmod >"$SUITE_TMP/v2d.log" 2>&1; then
		tap_fail pipeline/insmod_v2d_emu
		diag_file "$SUITE_TMP/v2d.log"
		return 0
	fi
	run_program pipeline "$DL_BIN/pipeline"
	rmmod vivid 2>/dev/null
	v2d_unload 2>/dev/null
}
