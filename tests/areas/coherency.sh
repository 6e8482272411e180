#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SKIP_REASON is read by suite.sh (run_shell_step).
# shellcheck disable=SC2034
#
# The coherency area of the guest suite: the engine as coherent and as
# non-coherent hardware (v2d_emu's coherency= parameter). Sourced by
# suite.sh, which calls run_coherency in its turn; the helpers are
# helpers.sh's.

# What debugfs says the DMA API makes of the engine's device: yes or no.
v2d_dma_coherent() {
	awk '$1 == "coherent" { print $2 }' /sys/kernel/debug/v2d_emu/dma 2>/dev/null
}

# coherency_check MODE WANT: load the engine with coherency=MODE; WANT is
# what the DMA API must then say (yes, no), or "refused" where the
# architecture has no such DMA. A loaded engine then runs the v2d area's
# data tests (fill, copy, rotate on every policy, byte by byte).
coherency_check() {
	v2d_unload || return 1
	if ! v2d_load coherency="$1" 2>"$SUITE_TMP/insmod.err"; then
		cat "$SUITE_TMP/insmod.err"
		[ "$2" = refused ] || fail "insmod coherency=$1 failed" || return 1
		dmesg | grep -q "coherency=$1: DMA on this architecture is always coherent" ||
			fail "refused without saying why" || return 1
		return 0
	fi
	[ "$2" != refused ] || { v2d_unload; fail "coherency=$1 was accepted"; return 1; }
	wait_for 5 -c /dev/v2d_emu || fail "/dev/v2d_emu did not appear" || return 1
	_seen=$(v2d_dma_coherent)
	[ -n "$_seen" ] || { SKIP_REASON="debugfs not mounted"; return 77; }
	[ "$_seen" = "$2" ] || fail "coherency=$1: the DMA API says coherent $_seen, want $2" || return 1
	echo "coherency=$1: coherent $_seen"
	# FILL, COPY and ROTATE: fill_every_policy..., copy_*, rotate_*
	run_filtered "$DL_BIN/v2d" 'v2d/[cfr][io][lpt]*' "$SUITE_TMP/coh.out" ||
		fail "the data tests failed with coherency=$1" || return 1
}

# auto: x86 DMA is coherent; an arm64 platform device without firmware is
# not; riscv64 devices are coherent unless firmware says "dma-noncoherent"
# (the architecture selects ARCH_DMA_DEFAULT_COHERENT).
coherency_auto() {
	case $(uname -m) in
	x86_64 | riscv64) coherency_check auto yes ;;
	*) coherency_check auto no ;;
	esac
}
coherency_coherent() { coherency_check coherent yes; }
coherency_non_coherent() {
	case $(uname -m) in
	x86_64) coherency_check non-coherent refused ;;
	*) coherency_check non-coherent no ;;
	esac
}

# A non-coherent engine's mappings must need syncs (dma_need_sync()):
# under QEMU, which has no caches, a skipped sync shows nowhere else.
coherency_need_sync() {
	case $(uname -m) in
	x86_64) SKIP_REASON="x86 DMA is always coherent"; return 77 ;;
	esac
	v2d_unload || return 1
	v2d_load coherency=non-coherent || fail "insmod coherency=non-coherent failed" || return 1
	wait_for 5 -c /dev/v2d_emu || fail "/dev/v2d_emu did not appear" || return 1
	run_filtered "$DL_BIN/v2d_dma" 'v2d/mappings_need_sync_unless_coherent' \
		"$SUITE_TMP/need_sync.out"
	_rc=$?
	grep -q '# SKIP' "$SUITE_TMP/need_sync.out" && { SKIP_REASON="debugfs not mounted"; return 77; }
	[ "$_rc" = 0 ] || fail "a non-coherent engine's mapping does not need syncs" || return 1
}

run_coherency() {
	area_selected coherency || return 0
	ensure_pagebuf || return 0
	run_shell_test coherency/auto_is_what_the_platform_says coherency_auto
	run_shell_test coherency/coherent_engine_round_trips coherency_coherent
	run_shell_test coherency/non_coherent_engine_round_trips_or_is_refused coherency_non_coherent
	run_shell_test coherency/non_coherent_engine_mappings_need_sync coherency_need_sync
	v2d_unload 2>/dev/null
}
