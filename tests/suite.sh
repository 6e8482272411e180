#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The runner of the guest test suite (POSIX sh; runs under busybox ash):
# in the test guests (/init runs it), and on a board as installed for
# dmabuf-lab-selftest. It holds the TAP output, the test selection and
# the conversion of the area programs' output, and runs the areas in the
# order of the list at its end. The rest is sourced from this file's
# folder:
#   helpers.sh        loading the modules (pagebuf, v2d_emu, vgem, vivid),
#                     pagebuf's counters, processes holding buffers
#   areas/AREA.sh     an area's shell tests and its run_AREA function
# An area that is one cmocka program and nothing else (roundtrip,
# zerofill, mmap, sync, fdinfo, classic, errors, memcg, inspect: bin/AREA
# built from tests/AREA.c) has no file: the list below runs it.
# Test names ("AREA/NAME") are what the harness reports and what its
# expected-failure lists (harness/passes.sh) name: renaming one is a
# change of the harness's input.
#
# Environment:
#   DL_KO      path of pagebuf.ko
#   DL_KMOD    directory with drm.ko, drm_shmem_helper.ko, vgem.ko and
#              vgem.order (insmod order: one path or basename per line)
#   DL_BIN     directory of the test programs (tests/bin)
#   DL_USER    directory holding user_prog
#   DL_FILTER  optional glob on test names "area/name" (empty: all)
#   DL_MODPROBE  1: test the modules installed for the running kernel
#              (modprobe pagebuf, v2d_emu, vgem, vivid: dmabuf-lab-selftest
#              on a board), not the files DL_KO and DL_KMOD name
#
# Stdout carries only TAP-style lines:
#   ok - AREA/NAME
#   not ok - AREA/NAME
#   ok - AREA/NAME # SKIP REASON
#   # diagnostic
# The C programs (one per area, cmocka) are run with
# CMOCKA_MESSAGE_OUTPUT=TAP and their output is rewritten to that form.
# Exit status: 0 when nothing failed, 1 otherwise.
#
# With DL_SUITE_SOURCE_ONLY=1 the file only defines its output and
# conversion functions and sources nothing (used by the host check of the
# output conversion, harness/tests/test-suite-tap.sh).

DL_KO=${DL_KO:-}
DL_KMOD=${DL_KMOD:-}
DL_BIN=${DL_BIN:-}
DL_USER=${DL_USER:-}
DL_FILTER=${DL_FILTER:-}
DL_MODPROBE=${DL_MODPROBE:-}
DL_TIMEOUT=${DL_TIMEOUT:-900}
export DL_FILTER

SUITE_FAILED=0
SUITE_TMP=${TMPDIR:-/tmp}/pagebuf-suite.$$
PB_DEV=/dev/pagebuf

# ---- output ----------------------------------------------------------------

tap_ok()   { echo "ok - $1"; }
tap_fail() { echo "not ok - $1"; SUITE_FAILED=1; }
tap_skip() { echo "ok - $1 # SKIP $2"; }
# Every line of a file (or of stdin) as a diagnostic.
diag_file() { sed -e 's/\r$//' -e 's/^/# /' "$@"; }
diag() { echo "$*" | diag_file; }

# Is the test "AREA/NAME" selected by DL_FILTER?
selected() {
	[ -z "$DL_FILTER" ] && return 0
	# shellcheck disable=SC2254
	case "$1" in
	$DL_FILTER) return 0 ;;
	esac
	return 1
}

# Could any test of AREA be selected? (A filter without "/" may match any.)
area_selected() {
	[ -z "$DL_FILTER" ] && return 0
	case "$DL_FILTER" in
	*/*) ;;
	*) return 0 ;;
	esac
	# shellcheck disable=SC2254
	case "$1" in
	${DL_FILTER%%/*}) return 0 ;;
	esac
	return 1
}

# Rewrite cmocka's TAP output (stdin) of PROGRAM for AREA, whose exit
# status was RC. A crash, a missing plan or unreported tests give a
# "not ok - AREA/PROGRAM exited RC" line. Returns 1 if anything failed.
convert_tap() {
	awk -v area="$1" -v prog="$2" -v rc="$3" '
	# Diagnostics printed while a test runs (after its "# @test NAME"
	# marker) are held and printed after its result line; those that
	# follow a result (cmocka'"'"'s own failure messages) go out at once.
	function emit_diag(s) {
		sub(/\r$/, "", s)
		if (s == "") return
		if (hold) pending[npending++] = "# " s
		else print "# " s
	}
	function flush_pending(   i) {
		for (i = 0; i < npending; i++) print pending[i]
		npending = 0
	}
	function result(line) { print line; flush_pending(); hold = 0 }
	BEGIN { plan = -1; results = 0; failures = 0; reason = ""; hold = 1; npending = 0 }
	{ sub(/\r$/, "") }
	/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
	/^# @test / { flush_pending(); hold = 1; reason = ""; next }
	/^(not )?ok [0-9]+ # [Ss][Kk][Ii][Pp]/ {
		name = $0
		sub(/^(not )?ok [0-9]+ # [Ss][Kk][Ii][Pp][ \t]*/, "", name)
		sub(/[ \t].*$/, "", name)
		if (reason == "") reason = "skipped"
		result("ok - " area "/" name " # SKIP " reason)
		results++; reason = ""; next
	}
	/^ok [0-9]+ - / {
		name = $0; sub(/^ok [0-9]+ - /, "", name)
		rest = name; sub(/[ \t].*$/, "", name); sub(/^[^ \t]*[ \t]*/, "", rest)
		result("ok - " area "/" name)
		if (rest != "") emit_diag(rest)
		results++; reason = ""; next
	}
	/^not ok 0 - / {
		# a failure of the group fixture, not of a test
		rest = $0; sub(/^not ok 0 - /, "", rest)
		result("not ok - " area "/" prog "_group_fixture")
		emit_diag(rest)
		failures++; group_failed = 1; reason = ""; next
	}
	/^not ok [0-9]+ - / {
		name = $0; sub(/^not ok [0-9]+ - /, "", name)
		rest = name; sub(/[ \t].*$/, "", name); sub(/^[^ \t]*[ \t]*/, "", rest)
		result("not ok - " area "/" name)
		if (rest != "") emit_diag(rest)
		results++; failures++; reason = ""; next
	}
	/^# [Ss][Kk][Ii][Pp]([ \t]|$)/ {
		reason = $0; sub(/^# [Ss][Kk][Ii][Pp][ \t]*/, "", reason); next
	}
	# cmocka closes a group with "# ok - NAME" or "# not ok - NAME": the
	# results are already counted, and such a line must not look like one.
	/^# (not )?ok - / { next }
	/^#/ { sub(/^#[ \t]*/, ""); emit_diag($0); next }
	/^[ \t]*$/ { next }
	{ emit_diag($0) }
	END {
		if (!group_failed && (plan < 0 || results < plan || (rc != 0 && failures == 0))) {
			print "not ok - " area "/" prog " exited " rc
			if (plan < 0) print "# no test plan: the program did not start its tests"
			else if (results < plan)
				print "# " results " of " plan " tests reported"
			failures++
		}
		flush_pending()
		exit failures ? 1 : 0
	}'
}

# Run a command with the suite's time limit when timeout(1) exists.
with_timeout() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$DL_TIMEOUT" "$@"
	else
		"$@"
	fi
}

# run_program AREA PROGRAM [ARGS...]: run a cmocka program, convert its output.
run_program() {
	_area=$1
	_prog=$2
	shift 2
	_out=$SUITE_TMP/$_area.out
	if [ ! -x "$_prog" ]; then
		tap_fail "$_area/$(basename "$_prog") exited 127"
		diag "$_prog: no such program"
		return 1
	fi
	CMOCKA_MESSAGE_OUTPUT=TAP with_timeout "$_prog" "$@" >"$_out" 2>&1 </dev/null
	_rc=$?
	if convert_tap "$_area" "$(basename "$_prog")" "$_rc" <"$_out"; then
		return 0
	fi
	SUITE_FAILED=1
	return 1
}

# run_filtered PROGRAM FILTER OUT: inside a shell test, run the tests of a
# cmocka program that FILTER selects, their TAP in OUT and on stdout;
# 0 only if one ran and none failed.
run_filtered() {
	_rf_filter=$DL_FILTER
	DL_FILTER=$2
	export DL_FILTER
	CMOCKA_MESSAGE_OUTPUT=TAP with_timeout "$1" >"$3" 2>&1
	_rf_rc=$?
	DL_FILTER=$_rf_filter
	export DL_FILTER
	cat "$3"
	[ "$_rf_rc" = 0 ] && grep -q '^ok ' "$3"
}

# run_shell_test AREA/NAME FUNCTION: the function's output is kept for the
# diagnostics of a failure; it returns 0 (pass), 1 (fail) or 77 (skip, with
# the reason in $SKIP_REASON).
run_shell_test() {
	selected "$1" || return 0
	run_shell_step "$@"
}

# The same, but the function runs even when the test is not selected (a
# step that later tests depend on); only a selected one is reported.
run_shell_step() {
	_log=$SUITE_TMP/shell.log
	SKIP_REASON=
	"$2" >"$_log" 2>&1 </dev/null
	_rc=$?
	selected "$1" || return 0
	case $_rc in
	0) tap_ok "$1" ;;
	77) tap_skip "$1" "${SKIP_REASON:-skipped}" ;;
	*) tap_fail "$1"; diag_file "$_log" ;;
	esac
	return 0
}

# Inside a shell test: say why and fail.
fail() { echo "$*"; return 1; }

if [ "${DL_SUITE_SOURCE_ONLY:-}" = 1 ]; then
	return 0 2>/dev/null || exit 0
fi

# ---- the helpers and the areas -------------------------------------------------------

# Sourced from the folder of this file: tests/ in the guest image,
# LIBEXECDIR/dmabuf-lab where dmabuf-lab-selftest installed it. A file
# missing there stops the suite with one failure naming it (the list is
# the one sourced below).
SUITE_DIR=$(dirname "$0")
for _f in helpers.sh areas/seed.sh areas/import.sh areas/v2d.sh areas/lib.sh \
	areas/coherency.sh areas/contention.sh areas/pipeline.sh areas/dma32.sh \
	areas/debug.sh areas/conform.sh areas/lifetime.sh areas/reliability.sh \
	areas/heap.sh areas/move.sh; do
	if [ ! -r "$SUITE_DIR/$_f" ]; then
		echo "not ok - setup/suite_files"
		diag "$SUITE_DIR/$_f is missing"
		exit 1
	fi
done
# shellcheck source=tests/helpers.sh
. "$SUITE_DIR/helpers.sh"
# shellcheck source=tests/areas/seed.sh
. "$SUITE_DIR/areas/seed.sh"
# shellcheck source=tests/areas/import.sh
. "$SUITE_DIR/areas/import.sh"
# shellcheck source=tests/areas/v2d.sh
. "$SUITE_DIR/areas/v2d.sh"
# shellcheck source=tests/areas/lib.sh
. "$SUITE_DIR/areas/lib.sh"
# shellcheck source=tests/areas/coherency.sh
. "$SUITE_DIR/areas/coherency.sh"
# shellcheck source=tests/areas/contention.sh
. "$SUITE_DIR/areas/contention.sh"
# shellcheck source=tests/areas/pipeline.sh
. "$SUITE_DIR/areas/pipeline.sh"
# shellcheck source=tests/areas/dma32.sh
. "$SUITE_DIR/areas/dma32.sh"
# shellcheck source=tests/areas/debug.sh
. "$SUITE_DIR/areas/debug.sh"
# shellcheck source=tests/areas/conform.sh
. "$SUITE_DIR/areas/conform.sh"
# shellcheck source=tests/areas/lifetime.sh
. "$SUITE_DIR/areas/lifetime.sh"
# Areas for debug kernels (KUnit, fault injection, kmemleak); silent elsewhere.
# shellcheck source=tests/areas/reliability.sh
. "$SUITE_DIR/areas/reliability.sh"
# shellcheck source=tests/areas/heap.sh
. "$SUITE_DIR/areas/heap.sh"
# shellcheck source=tests/areas/move.sh
. "$SUITE_DIR/areas/move.sh"

# ---- main ---------------------------------------------------------------------------

cleanup() {
	[ -n "$HOLD_PID" ] && kill -KILL "$HOLD_PID" 2>/dev/null
	rm -rf "$SUITE_TMP"
}

mkdir -p "$SUITE_TMP" || { echo "not ok - setup/tmpdir"; exit 1; }
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

for _v in DL_BIN DL_USER; do
	eval "_d=\$$_v"
	[ -n "$_d" ] && [ -d "$_d" ] || diag "$_v ($_d) is not a directory"
done

# Before the first test (the debug kernel's areas: boot's own leaks).
reliability_begin

# The areas, in the order they run.
run_seed
# The areas that are one program each.
for _area in roundtrip zerofill mmap sync fdinfo classic errors memcg inspect; do
	area_selected "$_area" || continue
	ensure_pagebuf || continue
	run_program "$_area" "$DL_BIN/$_area"
done
run_import
run_move
run_v2d
run_lib
run_coherency
run_contention
run_pipeline
run_dma32
run_debug
run_conform
run_lifetime
run_reliability
run_heap

exit "$SUITE_FAILED"
