#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The lifetime area of the guest suite: module references (rmmod
# refused while a buffer, a mapping or the demo buffer is held;
# tests/lifetime.c), and the counters back at zero. Sourced by suite.sh,
# which calls run_lifetime in its turn; the holders are helpers.sh's.

# rmmod must be refused, and leave the module and its device in place.
assert_rmmod_refused() {
	if rmmod pagebuf; then
		fail "rmmod pagebuf succeeded while $1"
		load_pagebuf
		return 1
	fi
	pagebuf_loaded || fail "module gone after a refused rmmod" || return 1
	[ -c "$PB_DEV" ] || fail "$PB_DEV gone after a refused rmmod" || return 1
	_ref=$(cat /sys/module/pagebuf/refcnt 2>/dev/null)
	[ -z "$_ref" ] || [ "$_ref" -ge 1 ] ||
		fail "refcnt is $_ref while $1" || return 1
}

# holder_test WHAT EXPECTED-NEW-BUFFERS READY-WORD COMMAND...
holder_test() {
	_what=$1
	_new=$2
	shift 2
	_before=$(stats_line) || fail "cannot read the counters" || return 1
	start_holder "$SUITE_TMP/hold.out" "$@" || return 1
	_during=$(stats_line) || { stop_holder; fail "cannot read the counters"; return 1; }
	_b0=$(stat_get "$_before" live_buffers)
	_b1=$(stat_get "$_during" live_buffers)
	if [ "$_b1" != "$((_b0 + _new))" ]; then
		stop_holder
		fail "live_buffers $_b0 before, $_b1 while $_what (expected +$_new)"
		return 1
	fi
	if ! assert_rmmod_refused "$_what"; then
		stop_holder
		return 1
	fi
	stop_holder || return 1
	cat "$SUITE_TMP/hold.out"
	_after=$(stats_line) || fail "cannot read the counters" || return 1
	same_live_counters "$_before" "$_after" || fail "not all released after the holder exited"
}

lifetime_rmmod_refused_while_fd_alive() {
	holder_test "an fd is alive" 1 ready "$DL_BIN/hold" --size 65536
}

lifetime_rmmod_refused_while_only_mapping_alive() {
	holder_test "only a mapping is alive" 1 ready \
		"$DL_BIN/hold" --size 1048576 --policy order0 --map-only
}

lifetime_rmmod_refused_while_contig_mapping_alive() {
	holder_test "only a mapping of a contiguous buffer is alive" 1 ready \
		"$DL_BIN/hold" --size 2097152 --policy contig --map-only
}

lifetime_rmmod_refused_while_demo_buffer_held() {
	holder_test "user_prog holds the demo buffer" 0 holding "$DL_USER/user_prog" --hold
}

lifetime_counters_zero_at_end() {
	_line=$(stats_line) || fail "cannot read the counters" || return 1
	echo "$_line"
	for _k in live_buffers live_bytes live_attachments live_mappings live_vmaps; do
		[ "$(stat_get "$_line" $_k)" = 0 ] || fail "$_k is not zero" || return 1
	done
	rmmod pagebuf || fail "rmmod pagebuf failed at the end" || return 1
	! pagebuf_loaded || fail "/sys/module/pagebuf still there" || return 1
	wait_for 5 ! -e "$PB_DEV" || fail "$PB_DEV still there after rmmod" || return 1
}

run_lifetime() {
	area_selected lifetime || return 0
	ensure_pagebuf || return 0
	run_program lifetime "$DL_BIN/lifetime"
	for _t in rmmod_refused_while_fd_alive rmmod_refused_while_only_mapping_alive \
		rmmod_refused_while_contig_mapping_alive rmmod_refused_while_demo_buffer_held; do
		ensure_pagebuf || return 0
		run_shell_test "lifetime/$_t" "lifetime_$_t"
	done
	ensure_pagebuf || return 0
	# Last of all: nothing is left, and the module goes.
	run_shell_test lifetime/counters_zero_at_end lifetime_counters_zero_at_end
}
