#!/bin/bash
# Checks of the extra boots' reporting (passes.sh) on synthetic reports,
# without booting anything: the negative control's verdict, the expected
# warning's, the name prefix, and the count line summed over the suite and
# the passes.
# Run: harness/tests/test-passes.sh (make check runs it).
# No -e: each check reads the status of the one before.
set -uo pipefail

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$HARNESS/lib.sh"
# shellcheck source=harness/passes.sh
. "$HARNESS/passes.sh"

CHECKS=test-passes
# shellcheck source=harness/tests/checks.sh
. "$HARNESS/tests/checks.sh"

WANT="v2d/a v2d/b"

# All expected failures happened, nothing else went wrong: one pass.
printf '%s\n' 'FAIL  v2d/a' '      # byte 3' 'FAIL  v2d/b' 'PASS  v2d/c' \
	'1 passed, 2 failed' >"$TMP/r1"
passes_expect_failures nc "$TMP/r1" nc/control "$WANT" >"$TMP/o1"
[[ $PASS_P -eq 1 && $PASS_F -eq 0 ]] && grep -qx 'PASS  nc/control' "$TMP/o1"
expect control_passes_when_checks_fail $?

# One expected failure passed: the control fails and says which.
printf '%s\n' 'PASS  v2d/a' 'FAIL  v2d/b' '1 passed, 1 failed' >"$TMP/r2"
passes_expect_failures nc "$TMP/r2" nc/control "$WANT" >"$TMP/o2"
[[ $PASS_P -eq 0 && $PASS_F -eq 1 ]] && grep -q 'passed although.* v2d/a' "$TMP/o2"
expect control_fails_when_a_check_passes $?

# A test that never ran is no proof either.
printf '%s\n' 'FAIL  v2d/a' '0 passed, 1 failed' >"$TMP/r3"
passes_expect_failures nc "$TMP/r3" nc/control "$WANT" >"$TMP/o3"
[[ $PASS_F -eq 1 ]] && grep -q 'did not run: v2d/b' "$TMP/o3"
expect control_fails_when_a_check_is_missing $?

# A splat or a crash in the control's boot is a failure of its own.
printf '%s\n' 'FAIL  v2d/a' 'FAIL  v2d/b' 'FAIL  kernel/warning: 1 line' \
	'      [ 1.0] WARNING: x' 'FAIL  harness/completion: no end marker' \
	'0 passed, 4 failed' >"$TMP/r4"
passes_expect_failures nc "$TMP/r4" nc/control "$WANT" >"$TMP/o4"
[[ $PASS_P -eq 1 && $PASS_F -eq 2 ]] && grep -qx 'FAIL  nc:kernel/warning: 1 line' "$TMP/o4" &&
	grep -qx '      \[ 1.0\] WARNING: x' "$TMP/o4"
expect control_counts_splats_and_crashes $?

# Names get the pass's prefix; the count line is dropped.
printf '%s\n' 'PASS  v2d/a' 'SKIP  v2d/b: why' '1 passed, 0 failed, 1 skipped' >"$TMP/r5"
passes_prefix swiotlb "$TMP/r5" >"$TMP/o5"
[[ $(cat "$TMP/o5") == $'PASS  swiotlb:v2d/a\nSKIP  swiotlb:v2d/b: why' ]]
expect prefix_names $?

# The vmap boot: its tests pass and its one report is dma_buf_vmap's
# WARNING with a call trace: the expected warning is one more pass.
W='      [   72.9] WARNING: CPU: 0 PID: 101 at drivers/dma-buf/dma-buf.c:1540 dma_buf_vmap+0x3e7/0x490'
printf '%s\n' 'PASS  faults/p' 'PASS  faults/debugfs/p/failslab' \
	'FAIL  kernel/warning: 1 line in the guest kernel log' "$W" \
	'FAIL  kernel/call-trace: 1 line in the guest kernel log' '      [   72.9] Call Trace:' \
	'2 passed, 2 failed' >"$TMP/w1"
passes_expect_warning vm "$TMP/w1" dma_buf_vmap >"$TMP/ow1"
[[ $PASS_P -eq 3 && $PASS_F -eq 0 ]] && grep -qx 'PASS  vm:kernel/only_dma_buf_vmap_warned' "$TMP/ow1" &&
	grep -qx 'PASS  vm:faults/p' "$TMP/ow1"
expect warning_expected_and_seen $?

# No warning: the injected failures never reached the exporter's vmap.
printf '%s\n' 'PASS  faults/p' '1 passed, 0 failed' >"$TMP/w2"
passes_expect_warning vm "$TMP/w2" dma_buf_vmap >"$TMP/ow2"
[[ $PASS_P -eq 1 && $PASS_F -eq 1 ]] && grep -qx 'FAIL  vm:kernel/only_dma_buf_vmap_warned' "$TMP/ow2"
expect warning_missing_fails $?

# Any other report, or a warning elsewhere, fails; so does a failed test.
printf '%s\n' 'FAIL  faults/p' 'FAIL  kernel/warning: 1 line in the guest kernel log' "$W" \
	'FAIL  kernel/kasan: 1 line in the guest kernel log' '      [ 1.0] BUG: KASAN: use-after-free' \
	'0 passed, 3 failed' >"$TMP/w3"
passes_expect_warning vm "$TMP/w3" dma_buf_vmap >"$TMP/ow3"
[[ $PASS_F -eq 2 ]] && grep -q 'other kernel reports: kasan' "$TMP/ow3" &&
	grep -q 'KASAN: use-after-free' "$TMP/ow3"
expect other_reports_fail $?
printf '%s\n' 'PASS  faults/p' 'FAIL  kernel/warning: 1 line in the guest kernel log' \
	'      [ 1.0] WARNING: CPU: 0 PID: 1 at mm/vmalloc.c:1 vmap+0x1/0x2' '1 passed, 1 failed' >"$TMP/w4"
passes_expect_warning vm "$TMP/w4" dma_buf_vmap >"$TMP/ow4"
[[ $PASS_F -eq 1 ]] && grep -qx 'FAIL  vm:kernel/only_dma_buf_vmap_warned' "$TMP/ow4"
expect warning_elsewhere_fails $?

# The total: the suite's count plus every pass's, one count line last.
KOS=(/x/pagebuf.ko /x/v2d_emu.ko)
PASSES=("p1|w|f|pass" "p2|w|f|pass")
passes_run_one() {
	printf 'PASS  %s:t\n' "${1%%|*}" >>"$2"
	PASS_P=2 PASS_F=0 PASS_S=1
	[[ ${1%%|*} == p1 ]] || PASS_F=1
}
printf '%s\n' 'PASS  a/b' '10 passed, 0 failed' >"$TMP/r6"
rc=0
passes_run "$TMP/r6" >/dev/null || rc=$?
[[ $rc -eq 1 && $(tail -n 1 "$TMP/r6") == '14 passed, 1 failed, 2 skipped' &&
	$(grep -c '^PASS' "$TMP/r6") -eq 3 ]]
expect total_counts_every_boot $?

# Without the engine the passes are skipped, with their reason.
KOS=(/x/pagebuf.ko)
printf '%s\n' '10 passed, 0 failed' >"$TMP/r7"
rc=0
passes_run "$TMP/r7" >/dev/null || rc=$?
[[ $rc -eq 0 && $(tail -n 1 "$TMP/r7") == '10 passed, 0 failed, 2 skipped' ]] &&
	grep -qx 'SKIP  p1:v2d: v2d_emu.ko was not built for this kernel' "$TMP/r7"
expect skipped_without_the_engine $?

if [[ $FAILURES -ne 0 ]]; then
	echo "test-passes: $FAILURES check(s) failed"
	exit 1
fi
echo "test-passes: all checks passed"
