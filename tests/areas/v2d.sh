#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SKIP_REASON is read by suite.sh (run_shell_step).
# shellcheck disable=SC2034
#
# The v2d area of the guest suite: the emulated 2D engine, v2d_emu.ko
# (tests/v2d.c, tests/v2d_dma.c, tests/v2d_sync.c, v2d_demo, loading and
# unloading).
# Sourced by suite.sh, which calls run_v2d in its turn; loading the
# engine is helpers.sh's.

v2d_rmmod_once_idle() {
	v2d_unload || fail "rmmod v2d_emu failed with nothing left" || return 1
	wait_for 5 ! -e /dev/v2d_emu || fail "/dev/v2d_emu still there after rmmod"
}

v2d_demo_rotates_quadrants() {
	_demo=$DL_USER/v2d_demo
	[ -x "$_demo" ] || { SKIP_REASON="$_demo is not in the image"; return 77; }
	"$_demo" --rotation 90 >"$SUITE_TMP/v2d_demo.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/v2d_demo.out"
	[ "$_rc" = 0 ] || fail "v2d_demo exited $_rc" || return 1
	# The 8x4 quadrants aa/bb over cc/dd, turned clockwise: 4x8.
	[ "$(grep -c '^  ccaa$' "$SUITE_TMP/v2d_demo.out")" = 4 ] &&
		[ "$(grep -c '^  ddbb$' "$SUITE_TMP/v2d_demo.out")" = 4 ] ||
		fail "the rotated image is not the expected one" || return 1
	"$_demo" --rotation 45 >/dev/null 2>&1
	[ $? = 2 ] || fail "a bad --rotation did not exit 2"
}

# The engine reads the page behind a DMA address: on a platform whose DMA
# addresses are not physical ones (faked by debug_dma_offset) it refuses
# to load, and says why.
v2d_refuses_dma_not_phys() {
	[ -d /sys/module/v2d_emu ] && { v2d_unload || return 1; }
	if v2d_load debug_dma_offset=0x100000 2>"$SUITE_TMP/insmod.err"; then
		v2d_unload
		fail "v2d_emu loaded although its DMA addresses were not physical"
		return 1
	fi
	cat "$SUITE_TMP/insmod.err"
	dmesg | grep -q 'DMA addresses are not physical addresses here (they differ by 0x100000)' ||
		fail "no message in the kernel log saying why" || return 1
	[ ! -d /sys/module/v2d_emu ] || fail "the module stayed loaded" || return 1
}

run_v2d() {
	area_selected v2d || return 0
	ensure_pagebuf || return 0
	run_shell_test v2d/refuses_dma_addresses_that_are_not_physical v2d_refuses_dma_not_phys
	run_shell_step v2d/insmod_creates_device v2d_insmod
	[ -c /dev/v2d_emu ] || return 0
	# vgem is optional here: its test skips without it.
	vgem_load >/dev/null 2>&1
	run_program v2d "$DL_BIN/v2d"
	run_program v2d "$DL_BIN/v2d_dma"
	run_program v2d "$DL_BIN/v2d_sync"
	run_shell_test v2d/demo_rotates_quadrants v2d_demo_rotates_quadrants
	run_shell_test v2d/rmmod_once_idle v2d_rmmod_once_idle
}
