#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The dma32 area of the guest suite: the engine's DMA mask
# (tests/dma32.c, once per mask width). Sourced by suite.sh, which
# calls run_dma32 in its turn; the helpers are helpers.sh's.

# The program runs once per mask width, v2d_emu reloaded for each.
run_dma32() {
	area_selected dma32 || return 0
	ensure_pagebuf || return 0
	if ! v2d_present; then
		selected dma32/all && tap_skip dma32/all "$(mod_where v2d_emu "$V2D_KO") was not built"
		return 0
	fi
	for _bits in 32 64; do
		v2d_unload 2>/dev/null
		if ! v2d_load dma_bits=$_bits >"$SUITE_TMP/v2d.log" 2>&1 ||
			! wait_for 5 -c /dev/v2d_emu; then
			tap_fail "dma32/insmod_dma_bits_$_bits"
			diag_file "$SUITE_TMP/v2d.log"
			continue
		fi
		run_program dma32 "$DL_BIN/dma32"
	done
	v2d_unload 2>/dev/null
}
