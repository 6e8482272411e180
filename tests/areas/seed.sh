#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The seed area of the guest suite: the classic demo end to end (load
# pagebuf, mknod, user_prog, cat the device, reload). Sourced by
# suite.sh, which calls run_seed first of all; the helpers are
# helpers.sh's.

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
