#!/bin/sh
# The classic pagebuf walk-through, done by hand as on a board without
# udev or devtmpfs: load the module, find its misc minor, create the
# device node with mknod, exchange data with user_prog, read the device,
# unload. (The guest's /init gives the demo a /dev without devtmpfs, so the
# node used is the one made here.)
# Each command is echoed as "# <command>" followed by its output. The last
# line is "=== DL-DEMO-RESULT ok ===" or "=== DL-DEMO-RESULT fail ===";
# the host's verdict depends on it.

NODE=/dev/pagebuf

result() {
	echo "=== DL-DEMO-RESULT $1 ==="
	exit 0
}

fail() {
	echo "demo: $*"
	result fail
}

# step EXPECT CMD...: show and run CMD; fail unless it exits 0 and, when
# EXPECT is not empty, its output contains EXPECT.
step() {
	expect=$1
	shift
	echo "# $*"
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	[ $rc -eq 0 ] || fail "'$*' exited with status $rc"
	if [ -n "$expect" ]; then
		case "$out" in
		*"$expect"*) ;;
		*) fail "'$*' did not print \"$expect\"" ;;
		esac
	fi
}

cd "${DL_USER:-/dmabuf-lab}" || fail "no ${DL_USER:-/dmabuf-lab}"
step "" insmod pagebuf.ko
step pagebuf grep pagebuf /proc/misc
minor=$(awk '$2 == "pagebuf" { print $1 }' /proc/misc)
[ -n "$minor" ] || fail "pagebuf is not registered in /proc/misc"
# Under devtmpfs a node would exist already: replace it, visibly, so that
# the steps below really go through the node created by hand.
[ -e "$NODE" ] && step "" rm -f "$NODE"
step "" mknod "$NODE" c 10 "$minor"
step "Data inited by kernel!" ./user_prog "$NODE"
step "Hello from user space!" cat "$NODE"
step "" rmmod pagebuf
grep -q '^pagebuf ' /proc/modules && fail "pagebuf is still loaded"
result ok
