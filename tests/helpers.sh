#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SKIP_REASON is read by suite.sh (run_shell_step).
# shellcheck disable=SC2034
#
# What the areas of the guest suite share, sourced by suite.sh before
# them: loading and unloading the modules (pagebuf, v2d_emu, and the
# kernel's vgem and vivid), pagebuf's counters, and processes that hold
# a buffer while a test runs. The output and selection functions
# (tap_ok, selected, run_program, fail, ...) are suite.sh's.

# ---- pagebuf ---------------------------------------------------------------------

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

# ---- v2d_emu ---------------------------------------------------------------------

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

# ---- vgem --------------------------------------------------------------------------

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

# vgem and the modules it needs, loaded: nothing to do where it is built
# in or loaded already, modprobe with DL_MODPROBE=1, else insmod in the
# order of DL_KMOD/vgem.order; then up to 5 s for its device node. A
# kernel without vgem is a skip (77, SKIP_REASON), as the import area
# reports it; the other areas only want it when it is there.
vgem_load() {
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

# ---- vivid -------------------------------------------------------------------------

VIVID_ARGS="n_devs=2 node_types=0x1,0x1 allocators=0,1 num_inputs=1,1 input_types=0,0"

# vivid, video capture only: instance 0 allocates with vmalloc, instance 1
# with dma-contig; both have one webcam input. Its dependencies load in
# the order the host computed; vivid itself gets the parameters.
vivid_load() {
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

# ---- holders: a process that keeps a buffer while a test runs --------------------

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
