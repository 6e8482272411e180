#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SKIP_REASON is read by suite.sh (run_shell_step).
# shellcheck disable=SC2034
#
# The heap area of the guest suite: pagebuf's policies as dma-heaps
# (pagebuf.dma_heaps=1; tests/heap.c and the kernel's own dmabuf-heap
# selftest). Sourced by suite.sh, which calls run_heap last of all; the
# helpers are helpers.sh's.

# Does the running kernel export dma_heap_add() to modules (v6.18 with
# CONFIG_DMABUF_HEAPS)? Its export table entry says so.
heap_exported() { grep -qw __ksymtab_dma_heap_add /proc/kallsyms 2>/dev/null; }

heap_dir() { echo /dev/dma_heap; }

# Without the export, dma_heaps=1 is refused with a reason, and nothing
# is left loaded.
heap_refused_where_not_exported() {
	unload_pagebuf || return 1
	if mod_load pagebuf "$DL_KO" dma_heaps=1 2>"$SUITE_TMP/insmod.err"; then
		fail "pagebuf loaded with dma_heaps=1 on a kernel that does not export dma_heap_add()"
		return 1
	fi
	cat "$SUITE_TMP/insmod.err"
	dmesg | grep -q 'dma_heaps=1: this kernel does not export dma_heap_add()' ||
		fail "refused without saying why in the kernel log" || return 1
	! pagebuf_loaded || fail "pagebuf stayed loaded" || return 1
}

# A load that fails leaves no trace, not even a device that came and went
# (a process could open it meanwhile and keep a file of a freed module):
# the kernel's device events during the failed load show none.
heap_failed_load_registers_nothing() {
	unload_pagebuf || return 1
	if [ "$DL_MODPROBE" = 1 ]; then
		set -- modprobe pagebuf dma_heaps=1
	else
		set -- insmod "$DL_KO" dma_heaps=1
	fi
	"$DL_BIN/uevents" "$@" >"$SUITE_TMP/uevents.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/uevents.out"
	[ "$_rc" != 125 ] || { SKIP_REASON="no uevent socket on this kernel"; return 77; }
	[ "$_rc" != 0 ] || fail "pagebuf loaded with dma_heaps=1" || return 1
	! pagebuf_loaded || fail "pagebuf stayed loaded" || return 1
	! grep -q '@/devices/.*pagebuf' "$SUITE_TMP/uevents.out" ||
		fail "the failed load registered a device" || return 1
}

# With it, three heaps appear, root's alone as the kernel makes them.
heap_registers_three_heaps() {
	unload_pagebuf || return 1
	# shellcheck disable=SC2046 # one argument per word
	mod_load pagebuf "$DL_KO" dma_heaps=1 $(cmdline_modargs pagebuf) || return 1
	for _h in pagebuf pagebuf-order0 pagebuf-contig; do
		wait_for 5 -c "$(heap_dir)/$_h" || fail "no $(heap_dir)/$_h" || return 1
	done
	ls -l "$(heap_dir)"
	dmesg | grep -q 'dma-heaps pagebuf, pagebuf-order0, pagebuf-contig registered' ||
		fail "no kernel message about the heaps" || return 1
}

# dmabuf-conform --heap finds nothing wrong with any of pagebuf's heaps.
heap_conform() {
	_conform=$DL_USER/dmabuf-conform
	[ -x "$_conform" ] || fail "$_conform is not in the image" || return 1
	v2d_insmod >/dev/null 2>&1
	for _h in pagebuf pagebuf-order0 pagebuf-contig; do
		"$_conform" --heap "$_h" >"$SUITE_TMP/hc.out" 2>&1
		_rc=$?
		cat "$SUITE_TMP/hc.out"
		[ "$_rc" = 0 ] || fail "dmabuf-conform --heap $_h exited $_rc" || return 1
	done
	v2d_unload
}

# The kernel cannot remove a heap: rmmod is refused and everything stays.
heap_rmmod_refused() {
	if rmmod pagebuf 2>"$SUITE_TMP/rmmod.err"; then
		fail "rmmod pagebuf succeeded with its heaps registered"
		return 1
	fi
	cat "$SUITE_TMP/rmmod.err"
	pagebuf_loaded || fail "pagebuf gone after a refused rmmod" || return 1
	[ -c "$(heap_dir)/pagebuf" ] || fail "the heap is gone" || return 1
	[ -c "$PB_DEV" ] || fail "$PB_DEV is gone" || return 1
	"$DL_BIN/stats" "$PB_DEV" >/dev/null || fail "$PB_DEV does not answer" || return 1
}

# The kernel's own test (tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c
# of the running kernel's source, built unchanged) over every heap: the
# system heap beside ours shows the test itself works.
heap_kernel_selftest() {
	_kst=$DL_BIN/dmabuf-heap
	[ -x "$_kst" ] || { SKIP_REASON="the kernel's dmabuf-heap selftest is not in this image"; return 77; }
	vgem_load >/dev/null 2>&1
	with_timeout "$_kst" >"$SUITE_TMP/kst.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/kst.out"
	[ "$_rc" = 0 ] || fail "dmabuf-heap exited $_rc" || return 1
	for _h in pagebuf pagebuf-order0 pagebuf-contig; do
		grep -q "$_h" "$SUITE_TMP/kst.out" || fail "heap $_h was not tested" || return 1
	done
}

# Last of the suite: once its heaps are registered pagebuf stays loaded.
run_heap() {
	area_selected heap || return 0
	if ! heap_exported; then
		run_shell_test heap/refused_where_not_exported heap_refused_where_not_exported
		run_shell_test heap/failed_load_registers_nothing heap_failed_load_registers_nothing
		return 0
	fi
	run_shell_step heap/registers_three_heaps heap_registers_three_heaps
	[ -c "$(heap_dir)/pagebuf" ] || return 0
	run_program heap "$DL_BIN/heap"
	run_shell_test heap/conform_passes_on_every_heap heap_conform
	run_shell_test heap/rmmod_refused_while_registered heap_rmmod_refused
	run_shell_test heap/kernel_selftest_passes heap_kernel_selftest
}
