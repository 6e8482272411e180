#!/bin/bash
# Checks of --repeat's summary (repeat.sh) on synthetic boot reports,
# without booting anything: a test that failed in some boots is one FAIL
# line with its count and each failure's diagnostics under its boot; a
# kernel report counts as a failure of its boot; the count line sums
# every boot.
# Run: harness/tests/test-repeat.sh (make check runs it).
set -uo pipefail

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=harness/repeat.sh
. "$HARNESS/repeat.sh"

CHECKS=test-repeat
# shellcheck source=harness/tests/checks.sh
. "$HARNESS/tests/checks.sh"

printf '%s\n' 'PASS  a/x' 'FAIL  a/y' '      # bad 1' 'SKIP  a/z: why' \
	'1 passed, 1 failed, 1 skipped' >"$TMP/r1"
printf '%s\n' 'PASS  a/x' 'PASS  a/y' 'SKIP  a/z: why' \
	'FAIL  kernel/warning: 1 line in the guest kernel log' '      [ 1.0] WARNING: x' \
	'2 passed, 1 failed, 1 skipped' >"$TMP/r2"
printf '%s\n' 'PASS  a/x' 'FAIL  a/y' '      # bad 3' 'SKIP  a/z: why' \
	'1 passed, 1 failed, 1 skipped' >"$TMP/r3"
repeat_summary 3 "$TMP/r1" "$TMP/r2" "$TMP/r3" >"$TMP/out"

grep -qx 'PASS  a/x' "$TMP/out"
expect passing_test_once $?
grep -qx 'SKIP  a/z: why' "$TMP/out" && [[ $(grep -c 'a/z' "$TMP/out") -eq 1 ]]
expect skipped_test_once_with_its_reason $?
grep -A5 -x 'FAIL  a/y' "$TMP/out" | grep -qx '      failed in 2 of 3 boots (boot 1 3)' &&
	grep -A5 -x 'FAIL  a/y' "$TMP/out" | grep -qx '        # bad 3'
expect flaky_test_counted_with_each_boots_diagnostics $?
grep -A3 '^FAIL  kernel/warning' "$TMP/out" | grep -q 'failed in 1 of 3 boots (boot 2)'
expect kernel_report_is_its_boots_failure $?
[[ $(tail -n 1 "$TMP/out") == '4 passed, 3 failed, 3 skipped' ]]
expect count_line_sums_every_boot $?

if [[ $FAILURES -ne 0 ]]; then
	echo "test-repeat: $FAILURES check(s) failed"
	exit 1
fi
echo "test-repeat: all checks passed"
