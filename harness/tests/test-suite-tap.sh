#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host check of the guest suite's conversion of cmocka TAP output
# (tests/suite.sh, sourced with DL_SUITE_SOURCE_ONLY=1), with the fake
# area program fake_area.c. Usage: test-suite-tap.sh FAKE_PROGRAM
# (make -C harness/tests check-suite-tap builds it and runs this).
# Runs under every shell found among: sh, busybox sh, dash, bash.
set -u
FAKE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SUITE=$(cd "$(dirname "$0")/../../tests" && pwd)/suite.sh
FAILS=0

check_one_shell() {
	SHELL_CMD=$1
	TMP=$(mktemp -d)
	cat >"$TMP/run.sh" <<EOS
DL_SUITE_SOURCE_ONLY=1
. "$SUITE"
SUITE_TMP=$TMP
DL_FILTER=\${DL_FILTER:-}
run_program fake "$FAKE"
echo "rc=\$? failed=\$SUITE_FAILED"
EOS
	# expect MODE FILTER DEVICE EXPECTED-RESULT-LINES
	expect() {
		out=$(FAKE_MODE=$1 DL_FILTER=$2 DL_DEVICE=$3 $SHELL_CMD "$TMP/run.sh")
		got=$(printf '%s\n' "$out" | grep -v '^# ')
		want=$(printf '%b' "$4")
		bad=$(printf '%s\n' "$out" | grep -v -e '^ok - ' -e '^not ok - ' -e '^# ' -e '^rc=')
		if [ "$got" != "$want" ] || [ -n "$bad" ]; then
			echo "FAIL [$SHELL_CMD] mode $1 filter '$2':"
			echo "--- got"; printf '%s\n' "$out"
			echo "--- want"; printf '%s\n' "$want"
			FAILS=$((FAILS + 1))
		else
			echo "pass [$SHELL_CMD] mode $1 filter '$2'"
		fi
	}
	expect pass "" /dev/null \
'ok - fake/passes\nok - fake/passes_too\nok - fake/passes_last\nrc=0 failed=0'
	expect mixed "" /dev/null \
'ok - fake/passes\nnot ok - fake/fails_assert\nok - fake/skips_with_reason # SKIP no such device\nok - fake/skips_plain # SKIP skipped\nnot ok - fake/fails_with_stderr\nnot ok - fake/crashes_caught\nok - fake/passes_last\nrc=1 failed=1'
	expect mixed "fake/skips*" /dev/null \
'ok - fake/skips_with_reason # SKIP no such device\nok - fake/skips_plain # SKIP skipped\nrc=0 failed=0'
	expect mixed "other/*" /dev/null 'rc=0 failed=0'
	expect exit "" /dev/null \
'ok - fake/passes\nnot ok - fake/fake_area exited 3\nrc=1 failed=1'
	expect abort "" /dev/null \
'ok - fake/passes\nnot ok - fake/fake_area exited 134\nrc=1 failed=1'
	expect setup "" /nonexistent \
'not ok - fake/fake_area_group_fixture\nrc=1 failed=1'
	expect noplan "" /dev/null \
'not ok - fake/fake_area exited 4\nrc=1 failed=1'
	# the diagnostics of a failure come through as "# " lines
	out=$(FAKE_MODE=mixed DL_FILTER='' DL_DEVICE=/dev/null $SHELL_CMD "$TMP/run.sh")
	for d in '# about to fail' '# over two lines' '# 0x1 != 0x2' '# a message on stderr'; do
		if ! printf '%s\n' "$out" | grep -qxF -- "$d"; then
			echo "FAIL [$SHELL_CMD] diagnostic '$d' missing"
			FAILS=$((FAILS + 1))
		fi
	done
	# ... and after the result line of their test, not before it
	for pair in 'not ok - fake/fails_assert|# about to fail' \
		'not ok - fake/fails_with_stderr|# a message on stderr'; do
		res=${pair%%|*}
		d=${pair#*|}
		r=$(printf '%s\n' "$out" | grep -nxF -- "$res" | cut -d: -f1)
		l=$(printf '%s\n' "$out" | grep -nxF -- "$d" | cut -d: -f1)
		prev=$(printf '%s\n' "$out" | sed -n "1,${l:-1}p" | grep -v '^# ' | tail -n 1)
		if [ -z "$r" ] || [ -z "$l" ] || [ "$prev" != "$res" ]; then
			echo "FAIL [$SHELL_CMD] '$d' does not follow '$res'"
			FAILS=$((FAILS + 1))
		fi
	done
	out=$(FAKE_MODE=setup DL_FILTER='' DL_DEVICE=/nonexistent $SHELL_CMD "$TMP/run.sh")
	if ! printf '%s\n' "$out" | sed -n 2p | grep -q '^# open /nonexistent'; then
		echo "FAIL [$SHELL_CMD] setup failure diagnostic is not after its result"
		printf '%s\n' "$out"
		FAILS=$((FAILS + 1))
	fi
	rm -rf "$TMP"
}

for s in sh "busybox sh" dash bash; do
	set -- $s
	command -v "$1" >/dev/null 2>&1 || continue
	check_one_shell "$s"
done
[ "$FAILS" = 0 ] && echo "test-suite-tap: all passed" || echo "test-suite-tap: $FAILS failed"
[ "$FAILS" = 0 ]
