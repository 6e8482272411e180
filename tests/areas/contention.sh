#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The contention area of the guest suite: threads and files fighting
# over v2d_emu's buffers (tests/contention.c). Sourced by suite.sh,
# which calls run_contention in its turn; the helpers are helpers.sh's.

run_contention() {
	area_selected contention || return 0
	ensure_pagebuf || return 0
	if ! v2d_insmod >"$SUITE_TMP/v2d.log" 2>&1; then
		tap_fail contention/insmod_v2d_emu
		diag_file "$SUITE_TMP/v2d.log"
		return 0
	fi
	# The module's file (or modprobe) and arguments, for the test that
	# unloads it.
	DL_V2D_KO=$V2D_KO
	DL_V2D_ARGS=$(cmdline_modargs v2d_emu | tr '\n' ' ')
	export DL_V2D_KO DL_V2D_ARGS DL_MODPROBE
	run_program contention "$DL_BIN/contention"
	v2d_unload 2>/dev/null
}
