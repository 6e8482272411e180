#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SKIP_REASON is read by suite.sh (run_shell_step).
# shellcheck disable=SC2034
#
# The conform area of the guest suite: dmabuf-conform against pagebuf
# and the kernel's exporters, their results against
# conform-expected.txt. Sourced by suite.sh, which calls run_conform in
# its turn; the helpers (start_holder among them) are helpers.sh's.

CONFORM=$DL_USER/dmabuf-conform

# conform_run NAME ARGS...: run dmabuf-conform; its output in
# $SUITE_TMP/conform-NAME.out, its exit status in CONFORM_RC.
conform_run() {
	_cr_out=$SUITE_TMP/conform-$1.out
	shift
	with_timeout "$CONFORM" "$@" >"$_cr_out" 2>&1 </dev/null
	CONFORM_RC=$?
}

# The summary line says it ran to the end.
conform_summary() { grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$1"; }

# conform_exit WANT WHAT ARGS...: dmabuf-conform ARGS must exit WANT.
conform_exit() {
	_ce_want=$1
	_ce_what=$2
	shift 2
	"$CONFORM" "$@" >"$SUITE_TMP/cu.out" 2>&1
	_rc=$?
	[ "$_rc" = "$_ce_want" ] || fail "$_ce_what: exit $_rc, want $_ce_want" || return 1
}

conform_usage_errors() {
	conform_exit 2 "bad option" --no-such-option || return 1
	conform_exit 2 "no source" || return 1
	conform_exit 2 "two sources" --pagebuf --udmabuf || return 1
	conform_exit 2 "--size 1000" --pagebuf --size 1000 || return 1
	conform_exit 0 "--help" --help || return 1
	grep -q -- '--pagebuf' "$SUITE_TMP/cu.out" || fail "--help names no source" || return 1
	conform_exit 0 "--version" --version || return 1
	grep -q '^dmabuf-conform ' "$SUITE_TMP/cu.out" || fail "--version printed: $(cat "$SUITE_TMP/cu.out")" || return 1
	conform_exit 3 "a heap that does not exist" --heap no-such-heap || return 1
	cat "$SUITE_TMP/cu.out"
	grep -q '/dev/dma_heap/no-such-heap: No such file or directory' "$SUITE_TMP/cu.out" ||
		fail "no message naming the missing heap" || return 1
}

# pagebuf, the project's own exporter: every check must pass (or skip).
conform_pagebuf() {
	conform_run "pagebuf-$1" --verbose --pagebuf --policy "$1"
	cat "$_cr_out"
	[ "$CONFORM_RC" = 0 ] || fail "dmabuf-conform --pagebuf --policy $1 exited $CONFORM_RC" || return 1
	conform_summary "$_cr_out" >/dev/null || fail "no summary line" || return 1
}
conform_pagebuf_default() { conform_pagebuf default; }
conform_pagebuf_order0() { conform_pagebuf order0; }
conform_pagebuf_contig() { conform_pagebuf contig; }

# Movable buffers: the dynamic checks run in full where dynamic mappings
# are not pinned (7.1+, or CONFIG_DMABUF_MOVE_NOTIFY: the debug kernel),
# and elsewhere skip saying so; a static importer's pin is checked on
# every kernel.
conform_pagebuf_movable() {
	conform_pagebuf movable || return 1
	grep -q '^PASS dynamic.map' "$_cr_out" || fail "dynamic.map did not pass" || return 1
	grep -q '^PASS dynamic.static_pins' "$_cr_out" || fail "dynamic.static_pins did not pass" || return 1
	grep -q '^PASS dynamic.move_notifies' "$_cr_out" ||
		grep -q '^SKIP dynamic.move_notifies: this kernel pins dynamic mappings' "$_cr_out" ||
		fail "dynamic.move_notifies neither passed nor skipped for a pinning kernel" || return 1
}

# The recorded results of the kernel's exporters (conform-expected.txt,
# next to suite.sh, or DL_CONFORM_EXPECTED where it is installed as
# data): "ARCH KERNEL MODE EXPORTER RESULT CHECK" lines, KERNEL the
# series (6.12, 7.2) or "debug", MODE "normal" or "swiotlb".
CONFORM_EXPECTED=${DL_CONFORM_EXPECTED:-$SUITE_DIR/conform-expected.txt}

conform_key() {
	_ck_kernel=$(uname -r)
	case $_ck_kernel in
	*dmabuf-lab-debug*) _ck_kernel=debug ;;
	*) _ck_kernel=$(echo "$_ck_kernel" | cut -d. -f1-2) ;;
	esac
	_ck_mode=normal
	case " $(cat /proc/cmdline) " in
	*" swiotlb=force "*) _ck_mode=swiotlb ;;
	esac
	echo "$(uname -m) $_ck_kernel $_ck_mode"
}

# Another exporter: its failures are findings about that exporter, not
# about this project. Where its results are recorded for this kernel, a
# change either way (a check that now fails, or now passes) fails the
# test, naming the checks; elsewhere it passes when dmabuf-conform ran to
# its summary. Every check's result goes to the diagnostics.
conform_other() {
	_co_name=$1
	shift
	conform_run "$_co_name" --verbose "$@"
	if [ "$CONFORM_RC" = 3 ]; then
		SKIP_REASON="kernel $(uname -r): $(head -n 1 "$_cr_out")"
		return 77
	fi
	cat "$_cr_out"
	conform_summary "$_cr_out" >/dev/null ||
		fail "dmabuf-conform $* exited $CONFORM_RC without its summary" || return 1
	[ "$CONFORM_RC" = 0 ] || [ "$CONFORM_RC" = 1 ] ||
		fail "dmabuf-conform $* exited $CONFORM_RC" || return 1
	_co_key="$(conform_key) $_co_name"
	grep "^$_co_key " "$CONFORM_EXPECTED" 2>/dev/null |
		cut -d' ' -f5- | sort >"$SUITE_TMP/conform-want"
	if [ ! -s "$SUITE_TMP/conform-want" ]; then
		# A kernel with recorded results has them for every exporter:
		# none for this one is a misnamed exporter, not a new kernel.
		if grep -q "^$(conform_key) " "$CONFORM_EXPECTED" 2>/dev/null; then
			fail "no results recorded for $_co_key, though $(conform_key) has some"
			return 1
		fi
		echo "no results recorded for $_co_key: completing is enough"
		return 0
	fi
	awk '$1 ~ /^(PASS|FAIL|SKIP)$/ { sub(/:$/, "", $2); print $1, $2 }' "$_cr_out" |
		sort >"$SUITE_TMP/conform-got"
	# VARIES: the check must run, its result is the luck of the boot
	# (README.md, dmabuf-conform): it is compared as VARIES.
	awk 'NR == FNR { if ($1 == "VARIES") varies[$2] = 1; next }
	     $2 in varies { print "VARIES", $2; next } { print }' \
		"$SUITE_TMP/conform-want" "$SUITE_TMP/conform-got" |
		sort >"$SUITE_TMP/conform-got.v"
	mv "$SUITE_TMP/conform-got.v" "$SUITE_TMP/conform-got"
	if ! cmp -s "$SUITE_TMP/conform-want" "$SUITE_TMP/conform-got"; then
		echo "results differ from those recorded for $_co_key (- recorded, + now):"
		# Not diff(1): busybox's prints unified output, GNU's normal.
		awk 'NR == FNR { want[$0] = 1; next } { got[$0] = 1 }
		     END {
			for (l in want) if (!(l in got)) print "-" l
			for (l in got) if (!(l in want)) print "+" l
		     }' "$SUITE_TMP/conform-want" "$SUITE_TMP/conform-got" | sort -k1.2
		fail "$_co_name's results changed"
		return 1
	fi
	echo "as recorded for $_co_key"
}
conform_heap() { conform_other heap_system --heap system; }
# udmabuf maps its own table with the direction of the first CPU-access
# sync and later syncs it in others: DMA-API debugging reports each of
# those as a WARNING, which fails any run. A finding about udmabuf, not
# about this project, shown in README.md; not run where it would fail
# the boot.
conform_udmabuf() {
	if [ -d /sys/kernel/debug/dma-api ]; then
		SKIP_REASON="DMA-API debugging is on: udmabuf's syncs in a direction other than its mapping's would WARN (README.md, dmabuf-conform)"
		return 77
	fi
	conform_other udmabuf --udmabuf
}
conform_vgem() { conform_other vgem --vgem; }

# A buffer another process holds (tests/bin/hold, pagebuf): the checks
# that need a fresh buffer skip, saying why; all others must pass. The
# holder's own check of its bytes fails (the checks write them), so it
# is killed, not asked to stop.
conform_kill_holder() {
	kill -KILL "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=
}

conform_check_received() {
	cat "$_cr_out"
	[ "$CONFORM_RC" = 0 ] || fail "dmabuf-conform $1 exited $CONFORM_RC" || return 1
	grep -q '^SKIP alloc.zero_filled: needs a fresh allocation' "$_cr_out" ||
		fail "alloc.zero_filled did not skip on a received buffer" || return 1
}

conform_pidfd() {
	start_holder "$SUITE_TMP/hold.out" ready "$DL_BIN/hold" --size 1048576 || return 1
	_fd=
	for _l in /proc/"$HOLD_PID"/fd/*; do
		case $(readlink "$_l") in
		*dmabuf*) _fd=${_l##*/} ;;
		esac
	done
	[ -n "$_fd" ] || { conform_kill_holder; fail "no dma-buf among the holder's fds"; return 1; }
	conform_run pidfd --verbose --pidfd "$HOLD_PID:$_fd"
	conform_kill_holder
	conform_check_received --pidfd
}

# conform_recv_from_hold NAME HOLD-OPTIONS CONFORM-ARGS...: dmabuf-conform
# --recv on $SUITE_TMP/conform-NAME.sock, sent a 1 MiB buffer by
# tests/bin/hold with HOLD-OPTIONS (words); its output in
# $SUITE_TMP/conform-NAME.out, its exit status in CONFORM_RC.
conform_recv_from_hold() {
	_sock=$SUITE_TMP/conform-$1.sock
	_cr_out=$SUITE_TMP/conform-$1.out
	_hold_opts=$2
	shift 2
	"$CONFORM" "$@" --recv "$_sock" >"$_cr_out" 2>&1 </dev/null &
	_cpid=$!
	# shellcheck disable=SC2086 # one option per word
	if ! start_holder "$SUITE_TMP/hold.out" ready "$DL_BIN/hold" --size 1048576 $_hold_opts \
		--send "$_sock"; then
		kill -KILL "$_cpid" 2>/dev/null
		wait "$_cpid"
		return 1
	fi
	wait "$_cpid"
	CONFORM_RC=$?
	conform_kill_holder
}

conform_recv() {
	conform_recv_from_hold recv "" --verbose || return 1
	[ ! -e "$_sock" ] || fail "the socket $_sock was left behind" || return 1
	conform_check_received --recv
}

# --recv on a path that is already there fails (exit 3) and leaves it.
conform_recv_path_in_use() {
	_path=$SUITE_TMP/conform-in-use
	: >"$_path"
	conform_exit 3 "--recv on a path in use" --recv "$_path" || return 1
	cat "$SUITE_TMP/cu.out"
	[ -e "$_path" ] || fail "dmabuf-conform removed $_path, which it had not made" || return 1
	rm -f "$_path"
}

# A check that hangs is killed after --timeout and fails, and the run
# goes on: the buffer carries the write fence of an engine job that
# stalls until v2d_emu's watchdog fires (timeout_ms, 5 s by default), and
# DMA_BUF_IOCTL_SYNC waits for it.
conform_hung_check() {
	[ -c /dev/v2d_emu ] || { SKIP_REASON="no /dev/v2d_emu: nothing to stall"; return 77; }
	conform_recv_from_hold hang --hang --timeout 1 --only 'sync.flags' || return 1
	cat "$_cr_out"
	# The stalled job ends with the watchdog; nothing may stay behind.
	_jobs=/sys/kernel/debug/v2d_emu/jobs
	_i=150
	while [ -r "$_jobs" ] && [ "$(grep -c . "$_jobs")" != 1 ] && [ "$_i" -gt 0 ]; do
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i - 1))
	done
	[ "$_i" -gt 0 ] || fail "the stalled job is still listed: $(cat "$_jobs")" || return 1
	[ "$CONFORM_RC" = 1 ] || fail "exit $CONFORM_RC, want 1" || return 1
	grep -q '^FAIL sync.flags: no answer within 1 s' "$_cr_out" ||
		fail "sync.flags did not fail on its timeout" || return 1
	conform_summary "$_cr_out" >/dev/null || fail "no summary line after the timeout" || return 1
}

# With every mapping bounced (swiotlb=force), pagebuf with its syncs
# skipped must fail the check of CPU writes reaching the device: proof
# that the check sees a missing end_cpu_access. Without bouncing the
# syncs move no data on x86, and nothing can fail.
conform_negative_control() {
	_param=/sys/module/pagebuf/parameters/debug_skip_sync
	case " $(cat /proc/cmdline) " in
	*" swiotlb=force "*) ;;
	*) SKIP_REASON="needs swiotlb=force (the swiotlb pass): without bouncing a skipped sync loses nothing"; return 77 ;;
	esac
	[ -w "$_param" ] || fail "$_param is not writable" || return 1
	_old=$(cat "$_param")
	echo 1 >"$_param"
	conform_run negative --verbose --pagebuf --only 'coherency.*'
	echo "$_old" >"$_param"
	cat "$_cr_out"
	[ "$CONFORM_RC" = 1 ] || fail "exit $CONFORM_RC with the syncs skipped, want 1" || return 1
	grep -q '^FAIL coherency.cpu_to_device: ' "$_cr_out" ||
		fail "coherency.cpu_to_device did not fail with the syncs skipped" || return 1
}

run_conform() {
	area_selected conform || return 0
	ensure_pagebuf || return 0
	if [ ! -x "$CONFORM" ]; then
		selected conform/all && tap_fail conform/all && diag "$CONFORM is not in the image"
		return 0
	fi
	# The engine is the importer; without it the device checks skip, saying why.
	v2d_insmod >/dev/null 2>&1
	vgem_load >/dev/null 2>&1
	run_shell_test conform/usage_errors conform_usage_errors
	run_conform_report conform/pagebuf_default_passes conform_pagebuf_default
	run_conform_report conform/pagebuf_order0_passes conform_pagebuf_order0
	run_conform_report conform/pagebuf_contig_passes conform_pagebuf_contig
	run_conform_report conform/pagebuf_movable_passes conform_pagebuf_movable
	run_conform_report conform/heap_system_as_recorded conform_heap
	run_conform_report conform/udmabuf_as_recorded conform_udmabuf
	run_conform_report conform/vgem_as_recorded conform_vgem
	run_shell_test conform/pidfd_buffer_of_another_process conform_pidfd
	run_shell_test conform/recv_buffer_over_unix_socket conform_recv
	run_shell_test conform/recv_leaves_a_path_in_use_alone conform_recv_path_in_use
	run_shell_test conform/hung_check_fails_on_its_timeout conform_hung_check
	run_shell_test conform/negative_control_fails_sync_checks conform_negative_control
	v2d_unload 2>/dev/null
}

# run_shell_test, with the output as diagnostics on success too: each
# check's result (what it saw) is the finding, for pagebuf as for the
# kernel's exporters.
# shellcheck disable=SC2154 # _log and _rc are run_shell_step's
run_conform_report() {
	selected "$1" || return 0
	run_shell_step "$@"
	[ "$_rc" = 0 ] && diag_file "$_log"
	return 0
}
