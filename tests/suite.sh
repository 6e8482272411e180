#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side test suite of pagebuf.ko (POSIX sh; runs under busybox).
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
# With DL_SUITE_SOURCE_ONLY=1 the file only defines its functions (used by
# the host check of the output conversion, harness/tests/test-suite-tap.sh).

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

# ---- module helpers ----------------------------------------------------------

pagebuf_loaded() { [ -d /sys/module/pagebuf ]; }

misc_minor() { awk '$2 == "pagebuf" { print $1 }' /proc/misc; }

wait_for() {	# wait_for SECONDS TEST-ARGS...
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		test "$@" && return 0
		sleep 0.1 2>/dev/null || sleep 1
		_n=$((_n - 1))
	done
	test "$@"
}

# The NAME.PARAM=VALUE words of the kernel command line, as PARAM=VALUE:
# what modprobe would pass to insmod, so that a boot can set a module's
# parameters (e.g. pagebuf.debug_skip_sync=1) before any test loads it.
cmdline_modargs() {
	_line=
	read -r _line </proc/cmdline 2>/dev/null
	for _w in $_line; do
		case $_w in
		"$1".*=*) echo "${_w#"$1".}" ;;
		esac
	done
}

# The modules under test are files (DL_KO, V2D_KO) that insmod loads in
# the test guests, or with DL_MODPROBE=1 the ones installed for the
# running kernel, which modprobe finds (a board where DKMS built them).
# mod_present NAME FILE: is the module there to be loaded?
mod_present() {
	if [ "$DL_MODPROBE" = 1 ]; then
		modinfo "$1" >/dev/null 2>&1
	else
		[ -n "$2" ] && [ -f "$2" ]
	fi
}

# mod_where NAME FILE: the module, as a message names it.
mod_where() {
	if [ "$DL_MODPROBE" = 1 ]; then
		echo "module $1 (modprobe, kernel $(uname -r))"
	else
		echo "${2:-$1.ko (no file named)}"
	fi
}

# mod_load NAME FILE ARGS...: load it with the parameters ARGS.
mod_load() {
	_ml_name=$1
	_ml_file=$2
	shift 2
	mod_present "$_ml_name" "$_ml_file" ||
		fail "$(mod_where "$_ml_name" "$_ml_file") is not there" || return 1
	if [ "$DL_MODPROBE" = 1 ]; then
		modprobe "$_ml_name" "$@"
	else
		insmod "$_ml_file" "$@"
	fi || fail "loading $(mod_where "$_ml_name" "$_ml_file") failed" || return 1
}

load_pagebuf() {
	pagebuf_loaded && return 0
	# shellcheck disable=SC2046 # one argument per word
	mod_load pagebuf "$DL_KO" $(cmdline_modargs pagebuf) || return 1
	wait_for 5 -c "$PB_DEV" || fail "$PB_DEV did not appear" || return 1
}

unload_pagebuf() {
	pagebuf_loaded || return 0
	rmmod pagebuf || fail "rmmod pagebuf failed" || return 1
}

# Make sure the module is loaded before an area that needs it.
ensure_pagebuf() {
	pagebuf_loaded && [ -c "$PB_DEV" ] && return 0
	if ! load_pagebuf >"$SUITE_TMP/load.log" 2>&1; then
		tap_fail "setup/insmod_pagebuf"
		diag_file "$SUITE_TMP/load.log"
		return 1
	fi
	return 0
}

# The counters, as "name=value" words.
stats_line() { "$DL_BIN/stats" "$PB_DEV"; }
stat_get() {	# stat_get LINE KEY
	for _kv in $1; do
		case $_kv in
		"$2="*) echo "${_kv#*=}"; return 0 ;;
		esac
	done
	echo "?"
}
# Fail unless the live counters of the two lines are equal.
same_live_counters() {
	for _k in live_buffers live_bytes live_attachments live_mappings live_vmaps; do
		[ "$(stat_get "$1" $_k)" = "$(stat_get "$2" $_k)" ] ||
			fail "$_k: $(stat_get "$1" $_k) then $(stat_get "$2" $_k)" || return 1
	done
}

# ---- seed: the classic demo end to end ------------------------------------------

SEED_MINOR=

# The node's mode: root's alone (0600) as the kernel makes it, or 0660
# where udev runs and the package's rule gives group video access.
pagebuf_node_mode() {
	for _r in /etc/udev/rules.d /run/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d; do
		if [ -e /run/udev/control ] && [ -f "$_r/60-dmabuf-lab.rules" ]; then
			echo 660
			return 0
		fi
	done
	echo 600
}

seed_insmod_creates_misc_device() {
	if pagebuf_loaded; then
		rmmod pagebuf || fail "could not unload an already loaded pagebuf" || return 1
	fi
	# shellcheck disable=SC2046
	mod_load pagebuf "$DL_KO" $(cmdline_modargs pagebuf) || return 1
	pagebuf_loaded || fail "/sys/module/pagebuf missing after loading it" || return 1
	SEED_MINOR=$(misc_minor)
	[ -n "$SEED_MINOR" ] || fail "pagebuf not listed in /proc/misc" || return 1
	wait_for 5 -c "$PB_DEV" || fail "$PB_DEV is not a character device" || return 1
	_st=$(stat -c '%a %t %T' "$PB_DEV") || return 1
	set -- $_st
	[ "$1" = "$(pagebuf_node_mode)" ] ||
		fail "$PB_DEV has mode $1, expected $(pagebuf_node_mode)" || return 1
	[ "$((0x$2))" = 10 ] || fail "$PB_DEV has major $((0x$2)), expected 10 (misc)" || return 1
	[ "$((0x$3))" = "$SEED_MINOR" ] ||
		fail "$PB_DEV has minor $((0x$3)), /proc/misc says $SEED_MINOR" || return 1
}

seed_user_prog_on_mknod_node() {
	[ -n "$SEED_MINOR" ] || SEED_MINOR=$(misc_minor)
	[ -n "$SEED_MINOR" ] || fail "pagebuf not listed in /proc/misc" || return 1
	_node=$SUITE_TMP/pagebuf-node
	rm -f "$_node"
	mknod "$_node" c 10 "$SEED_MINOR" || fail "mknod failed" || return 1
	"$DL_USER/user_prog" "$_node" >"$SUITE_TMP/up.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/up.out"
	rm -f "$_node"
	[ "$_rc" = 0 ] || fail "user_prog exited $_rc" || return 1
	grep -qx 'DMA-BUF: Data inited by kernel!' "$SUITE_TMP/up.out" ||
		fail "the kernel's text was not shown first" || return 1
	grep -qx 'Read back: Hello from user space!' "$SUITE_TMP/up.out" ||
		fail "the text written was not read back" || return 1
}

seed_cat_device_shows_user_text() {
	cat "$PB_DEV" >"$SUITE_TMP/cat.out" || fail "cat $PB_DEV failed" || return 1
	printf 'Hello from user space!\n' >"$SUITE_TMP/cat.want"
	cmp "$SUITE_TMP/cat.out" "$SUITE_TMP/cat.want" ||
		fail "cat printed: $(od -c "$SUITE_TMP/cat.out" | head -5)" || return 1
}

seed_second_run_sees_previous_write() {
	"$DL_USER/user_prog" >"$SUITE_TMP/up2.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/up2.out"
	[ "$_rc" = 0 ] || fail "user_prog exited $_rc" || return 1
	grep -qx 'DMA-BUF: Hello from user space!' "$SUITE_TMP/up2.out" ||
		fail "the first run's text did not persist" || return 1
}

seed_user_prog_reports_errors() {
	"$DL_USER/user_prog" --no-such-option >"$SUITE_TMP/up3.out" 2>&1
	_rc=$?
	[ "$_rc" = 2 ] || fail "bad option: exit $_rc, expected 2" || return 1
	"$DL_USER/user_prog" "$SUITE_TMP/no-such-device" >"$SUITE_TMP/up3.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/up3.out"
	[ "$_rc" = 1 ] || fail "missing device: exit $_rc, expected 1" || return 1
	grep -q 'No such file or directory' "$SUITE_TMP/up3.out" ||
		fail "no strerror message" || return 1
	"$DL_USER/user_prog" /dev/null >"$SUITE_TMP/up3.out" 2>&1
	_rc=$?
	cat "$SUITE_TMP/up3.out"
	[ "$_rc" = 1 ] || fail "not a pagebuf device: exit $_rc, expected 1" || return 1
	"$DL_USER/user_prog" --help >"$SUITE_TMP/up3.out" 2>&1 ||
		fail "--help failed" || return 1
}

seed_reload_restores_kernel_text() {
	rmmod pagebuf || fail "rmmod failed with no user left" || return 1
	! pagebuf_loaded || fail "/sys/module/pagebuf still there" || return 1
	wait_for 5 ! -e "$PB_DEV" || fail "$PB_DEV still there after rmmod" || return 1
	[ -z "$(misc_minor)" ] || fail "pagebuf still in /proc/misc" || return 1
	load_pagebuf || return 1
	cat "$PB_DEV" >"$SUITE_TMP/cat.out" || fail "cat $PB_DEV failed" || return 1
	printf 'Data inited by kernel!\n' >"$SUITE_TMP/cat.want"
	cmp "$SUITE_TMP/cat.out" "$SUITE_TMP/cat.want" ||
		fail "after reload cat printed: $(od -c "$SUITE_TMP/cat.out" | head -5)" || return 1
}

run_seed() {
	area_selected seed || return 0
	# Each step depends on the ones before: all run, selected ones report.
	run_shell_step seed/insmod_creates_misc_device_0600 seed_insmod_creates_misc_device
	run_shell_step seed/user_prog_round_trip_on_mknod_node seed_user_prog_on_mknod_node
	run_shell_step seed/cat_device_shows_user_text seed_cat_device_shows_user_text
	run_shell_step seed/second_run_sees_previous_write seed_second_run_sees_previous_write
	run_shell_step seed/user_prog_reports_errors seed_user_prog_reports_errors
	run_shell_step seed/reload_restores_kernel_text seed_reload_restores_kernel_text
}

# ---- import: vgem -----------------------------------------------------------------

# Resolve one line of vgem.order to a module file.
kmod_path() {
	_l=$1
	case $_l in
	/*) [ -f "$_l" ] && { echo "$_l"; return 0; } ;;
	esac
	[ -f "$DL_KMOD/$_l" ] && { echo "$DL_KMOD/$_l"; return 0; }
	[ -f "$DL_KMOD/$(basename "$_l")" ] && { echo "$DL_KMOD/$(basename "$_l")"; return 0; }
	return 1
}

import_vgem_modules_load() {
	# Built in (the debug kernel) or already loaded: nothing to insmod.
	if [ -d /sys/devices/platform/vgem ]; then
		_list=
	elif [ "$DL_MODPROBE" = 1 ]; then
		modinfo vgem >/dev/null 2>&1 ||
			{ SKIP_REASON="kernel $(uname -r) has no vgem module"; return 77; }
		modprobe vgem || fail "modprobe vgem failed" || return 1
		_list=
	elif [ -z "$DL_KMOD" ]; then
		SKIP_REASON="DL_KMOD not set"
		return 77
	elif [ -f "$DL_KMOD/vgem.order" ]; then
		_list=$(sed -e 's/\r$//' -e 's/^[ \t]*insmod[ \t]*//' -e 's/[ \t].*$//' \
			-e '/^#/d' -e '/^builtin/d' -e '/^$/d' "$DL_KMOD/vgem.order")
	else
		_list="drm.ko drm_shmem_helper.ko vgem.ko"
	fi
	for _m in $_list; do
		_p=$(kmod_path "$_m") || fail "module $_m not found in $DL_KMOD" || return 1
		_name=$(basename "$_p")
		_name=${_name%.xz}
		_name=${_name%.ko}
		_name=$(echo "$_name" | tr - _)
		[ -d "/sys/module/$_name" ] && continue
		insmod "$_p" || fail "insmod $_p failed" || return 1
	done
	[ -d /sys/module/vgem ] || [ -d /sys/devices/platform/vgem ] ||
		fail "vgem is not loaded" || return 1
	_i=50
	while [ "$_i" -gt 0 ]; do
		for _c in /dev/dri/card*; do
			[ -c "$_c" ] && return 0
		done
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i - 1))
	done
	fail "no /dev/dri/card* after loading vgem"
}

run_import() {
	area_selected import || return 0
	run_shell_step import/vgem_modules_load import_vgem_modules_load
	ensure_pagebuf && run_program import "$DL_BIN/import"
}

# ---- v2d: the emulated 2D engine (v2d_emu.ko) ---------------------------------------

if [ "$DL_MODPROBE" = 1 ]; then
	V2D_KO=
else
	V2D_KO=${DL_V2D_KO:-${DL_DIR:-/dmabuf-lab}/v2d_emu.ko}
fi

v2d_present() { mod_present v2d_emu "$V2D_KO"; }

# v2d_load ARGS...: load the engine with ARGS (unloaded before).
v2d_load() { mod_load v2d_emu "$V2D_KO" "$@"; }

v2d_insmod() {
	[ -d /sys/module/v2d_emu ] && return 0
	# shellcheck disable=SC2046
	v2d_load $(cmdline_modargs v2d_emu) || return 1
	wait_for 5 -c /dev/v2d_emu || fail "/dev/v2d_emu did not appear"
}

# Unload v2d_emu once it is idle. A released fence holds the module until
# an RCU grace period has passed (module/v2d_emu/fence.c): "idle" may take
# a moment after the last close.
v2d_unload() {
	[ -d /sys/module/v2d_emu ] || return 0
	_tries=50
	while ! rmmod v2d_emu 2>/dev/null; do
		_tries=$((_tries - 1))
		[ "$_tries" -gt 0 ] || { rmmod v2d_emu; return 1; }
		sleep 0.1 2>/dev/null || sleep 1
	done
}

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
	import_vgem_modules_load >/dev/null 2>&1
	run_program v2d "$DL_BIN/v2d"
	run_program v2d "$DL_BIN/v2d_dma"
	run_shell_test v2d/demo_rotates_quadrants v2d_demo_rotates_quadrants
	run_shell_test v2d/rmmod_once_idle v2d_rmmod_once_idle
}

# ---- lib: libdmabuf-lab on the running kernel --------------------------------------

# The library's calls against pagebuf, the kernel's exporters where this
# kernel has them, and the engine: loaded for the area when it was not,
# and unloaded after (its tests skip when it cannot be loaded).
run_lib() {
	area_selected lib || return 0
	ensure_pagebuf || return 0
	import_vgem_modules_load >/dev/null 2>&1
	_lib_v2d=
	if [ ! -d /sys/module/v2d_emu ] && v2d_insmod >"$SUITE_TMP/lib-v2d.log" 2>&1; then
		_lib_v2d=1
	fi
	run_program lib "$DL_BIN/lib"
	if [ -n "$_lib_v2d" ] && ! v2d_unload; then
		tap_fail "lib/rmmod_v2d_emu_after"
		diag "v2d_emu stayed in use after the lib area"
	fi
}

# ---- coherency: the engine as coherent and as non-coherent hardware ---------------------

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

# ---- contention: threads and files fighting over v2d_emu's buffers --------------------

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

# ---- debug, inspect_live: debugfs, sysfs, tracepoints, dmabuf-inspect ---------------

# Both need pagebuf; vgem and v2d_emu are loaded when present (the checks
# that need them skip without). inspect_live gets the directory holding
# dmabuf-inspect and user_prog.
run_debug() {
	for _area in debug inspect_live; do
		area_selected "$_area" || continue
		ensure_pagebuf || return 0
		import_vgem_modules_load >/dev/null 2>&1
		v2d_insmod >/dev/null 2>&1
		run_program "$_area" "$DL_BIN/$_area" "$DL_USER"
	done
}

# ---- pipeline: camera -> 2D engine -> GPU (vivid, v2d_emu, vgem) -------------------

VIVID_ARGS="n_devs=2 node_types=0x1,0x1 allocators=0,1 num_inputs=1,1 input_types=0,0"

# vivid, video capture only: instance 0 allocates with vmalloc, instance 1
# with dma-contig; both have one webcam input. Its dependencies load in
# the order the host computed; vivid itself gets the parameters.
pipeline_vivid_load() {
	[ -d /sys/module/vivid ] && return 0
	if [ "$DL_MODPROBE" = 1 ]; then
		modinfo vivid >/dev/null 2>&1 ||
			{ SKIP_REASON="kernel $(uname -r) has no vivid module"; return 77; }
		# shellcheck disable=SC2086 # one argument per word
		modprobe vivid $VIVID_ARGS || fail "modprobe vivid failed" || return 1
		wait_for 5 -c /dev/video1 || fail "no /dev/video1 after loading vivid"
		return
	fi
	_order=$DL_KMOD/vivid.order
	[ -f "$_order" ] || { SKIP_REASON="vivid is not in this image"; return 77; }
	_vivid=$(sed -n '$p' "$_order")
	for _ko in $(sed '$d' "$_order"); do
		_m=$(echo "${_ko%.ko}" | tr - _)
		[ -d "/sys/module/$_m" ] && continue
		insmod "$DL_KMOD/$_ko" || fail "insmod $_ko failed" || return 1
	done
	# shellcheck disable=SC2086 # one argument per word
	insmod "$DL_KMOD/$_vivid" $VIVID_ARGS ||
		fail "insmod $_vivid failed" || return 1
	wait_for 5 -c /dev/video1 || fail "no /dev/video1 after loading vivid"
}

run_pipeline() {
	area_selected pipeline || return 0
	ensure_pagebuf || return 0
	if ! v2d_present; then
		selected pipeline/all && tap_skip pipeline/all "$(mod_where v2d_emu "$V2D_KO") was not built"
		return 0
	fi
	run_shell_step pipeline/vivid_loads pipeline_vivid_load
	[ -d /sys/module/vivid ] || return 0
	import_vgem_modules_load >/dev/null 2>&1
	if ! v2d_insmod >"$SUITE_TMP/v2d.log" 2>&1; then
		tap_fail pipeline/insmod_v2d_emu
		diag_file "$SUITE_TMP/v2d.log"
		return 0
	fi
	run_program pipeline "$DL_BIN/pipeline"
	rmmod vivid 2>/dev/null
	v2d_unload 2>/dev/null
}

# ---- dma32: the engine's DMA mask -------------------------------------------------

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

# ---- conform: dmabuf-conform against pagebuf and the kernel's exporters -----------

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

# The recorded results of the kernel's exporters (conform-expected.txt,
# next to this file, or DL_CONFORM_EXPECTED where it is installed as
# data): "ARCH KERNEL MODE EXPORTER RESULT CHECK" lines, KERNEL the
# series (6.12, 7.2) or "debug", MODE "normal" or "swiotlb".
CONFORM_EXPECTED=${DL_CONFORM_EXPECTED:-$(dirname "$0")/conform-expected.txt}

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
		echo "no results recorded for $_co_key: completing is enough"
		return 0
	fi
	awk '$1 ~ /^(PASS|FAIL|SKIP)$/ { sub(/:$/, "", $2); print $1, $2 }' "$_cr_out" |
		sort >"$SUITE_TMP/conform-got"
	if ! cmp -s "$SUITE_TMP/conform-want" "$SUITE_TMP/conform-got"; then
		echo "results differ from those recorded for $_co_key (- recorded, + now):"
		diff "$SUITE_TMP/conform-want" "$SUITE_TMP/conform-got" | grep '^[<>]' |
			sed -e 's/^</-/' -e 's/^>/+/'
		fail "$_co_name's results changed"
		return 1
	fi
	echo "as recorded for $_co_key"
}
conform_heap() { conform_other heap --heap system; }
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
	import_vgem_modules_load >/dev/null 2>&1
	run_shell_test conform/usage_errors conform_usage_errors
	run_conform_report conform/pagebuf_default_passes conform_pagebuf_default
	run_conform_report conform/pagebuf_order0_passes conform_pagebuf_order0
	run_conform_report conform/pagebuf_contig_passes conform_pagebuf_contig
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
run_conform_report() {
	selected "$1" || return 0
	run_shell_step "$@"
	[ "$_rc" = 0 ] && diag_file "$_log"
	return 0
}

# ---- lifetime: module references ---------------------------------------------------

HOLD_PID=

# start_holder OUTFILE READY-WORD COMMAND...: start and wait until it is ready.
start_holder() {
	_hout=$1
	_word=$2
	shift 2
	# Emptied here, not by the background redirection: that one may run
	# after the first grep below, which would then see the previous
	# holder's word.
	: >"$_hout"
	"$@" >"$_hout" 2>&1 &
	HOLD_PID=$!
	_i=200
	while [ "$_i" -gt 0 ]; do
		grep -qx "$_word" "$_hout" 2>/dev/null && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i - 1))
	done
	cat "$_hout"
	kill -KILL "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=
	fail "holder $* did not get ready"
}

stop_holder() {
	[ -n "$HOLD_PID" ] || return 0
	kill -TERM "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID"
	_rc=$?
	HOLD_PID=
	[ "$_rc" = 0 ] || fail "holder exited $_rc" || return 1
}

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

# ---- heap: the policies as dma-heaps (pagebuf.dma_heaps=1) ----------------------------

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
	import_vgem_modules_load >/dev/null 2>&1
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

# Areas for debug kernels (KUnit, fault injection, kmemleak); silent elsewhere.
# shellcheck source=tests/reliability.sh
. "$(dirname "$0")/reliability.sh"
reliability_begin

run_seed
for _area in roundtrip zerofill mmap sync fdinfo classic errors memcg inspect; do
	area_selected "$_area" || continue
	ensure_pagebuf || continue
	run_program "$_area" "$DL_BIN/$_area"
done
run_import
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
