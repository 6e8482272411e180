#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The import area of the guest suite: vgem imports pagebuf's buffers
# (tests/import.c). Sourced by suite.sh, which calls run_import in its
# turn; vgem_load is helpers.sh's.

run_import() {
	area_selected import || return 0
	run_shell_step import/vgem_modules_load vgem_load
	ensure_pagebuf && run_program import "$DL_BIN/import"
}
