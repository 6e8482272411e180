#!/bin/bash
# Checks of the log parser (parse.sh) on synthetic guest logs: verdicts,
# counts, exit status and kernel splat detection, without booting
# anything. Run: harness/tests/test-parse.sh (make check runs it).
set -euo pipefail

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=harness/parse.sh
. "$HARNESS/parse.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILURES=0

# Framing the guest's /init writes around the suite's output.
results_of() {
	printf '=== DL-RUN-BEGIN mode=suite uptime=1.00 ===\n'
	cat
	printf '=== DL-RUN-END rc=0 uptime=2.00 ===\n=== DL-DMESG-BEGIN ===\n'
	printf '%s\n' "${DMESG[@]}"
	printf '=== DL-DMESG-END ===\n=== DL-END ===\n'
}

# check NAME EXPECTED_STATUS EXPECTED_LAST_LINE [MODE [QEMU_STATUS]]
# with $TMP/results.log and $TMP/console.log prepared; EXTRA_GREP, if set,
# must occur in the report and NO_GREP must not.
check() {
	local name=$1 want_rc=$2 want_last=$3 mode=${4:-suite} qrc=${5:-0} rc=0 last
	parse_report "$mode" "$TMP/results.log" "$TMP/console.log" "$qrc" 60 >"$TMP/report" || rc=$?
	[[ -z ${SHOW:-} ]] || cat "$TMP/report"
	last=$(tail -n 1 "$TMP/report")
	local ok=1
	if { [[ $want_rc -eq 0 ]] && [[ $rc -ne 0 ]]; } || { [[ $want_rc -ne 0 ]] && [[ $rc -eq 0 ]]; }; then ok=0; fi
	[[ $last == "$want_last" ]] || ok=0
	if [[ -n ${EXTRA_GREP:-} ]] && ! grep -q -- "$EXTRA_GREP" "$TMP/report"; then ok=0; fi
	if [[ -n ${NO_GREP:-} ]] && grep -q -- "$NO_GREP" "$TMP/report"; then ok=0; fi
	if [[ $ok -eq 1 ]]; then
		echo "ok - test-parse/$name"
	else
		echo "not ok - test-parse/$name (status $rc, last line \"$last\")"
		sed 's/^/# /' "$TMP/report"
		FAILURES=$((FAILURES + 1))
	fi
	EXTRA_GREP='' NO_GREP=''
}

BOOT=(
	'[    0.000000] Linux version 6.1.0-56-amd64'
	'[    0.000000] Kernel command line: console=ttyS0 panic=-1 panic_on_warn=0'
	'[    0.100000] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!'
	'[    0.200000] kmemleak: Kernel memory leak detector initialized (mem pool available: 15869)'
	'[    0.300000] pagebuf: loading out-of-tree module taints kernel.'
	'[    0.310000] DMA-API: preallocated 65536 debug entries'
	'[    0.320000] DMA-API: debugging enabled by kernel config'
	'[    0.330000] kasan: KernelAddressSanitizer initialized (generic)'
)
DMESG=("${BOOT[@]}")
printf '%s\n' "${BOOT[@]}" >"$TMP/console.log"

printf 'ok - a/one\nok - a/two\n' | results_of >"$TMP/results.log"
check all-pass 0 "2 passed, 0 failed"

printf '1..3\nok - a/one\nnot ok - a/two\n# got 1\n# want 2\nok - a/three # SKIP no vgem\n' |
	results_of >"$TMP/results.log"
EXTRA_GREP='      # want 2' check fail-with-diagnostics 1 "1 passed, 1 failed, 1 skipped"

printf '1..2\r\n\033[0mok - a/one\r\nok - a/two\r\n' | results_of >"$TMP/results.log"
check crlf-and-escapes 0 "2 passed, 0 failed"

printf '1..3\nok - a/one\nok - a/two\n' | results_of >"$TMP/results.log"
EXTRA_GREP='harness/plan' check plan-mismatch 1 "2 passed, 1 failed"

printf 'ok - a/one # skip not here\n' | results_of >"$TMP/results.log"
EXTRA_GREP='every test was skipped' check all-skipped 1 "0 passed, 1 failed, 1 skipped"

printf '# nothing\n' | results_of >"$TMP/results.log"
EXTRA_GREP='no test result' check no-tests 1 "0 passed, 1 failed"

# A user-space line that merely looks like a splat is not one.
printf 'ok - a/one\n# WARNING: this is test output, not the kernel\nok - a/two\n' |
	results_of >"$TMP/results.log"
NO_GREP='kernel/' check user-text-is-not-a-splat 0 "2 passed, 0 failed"

printf 'ok - a/one\n' | results_of | sed 's/rc=0/rc=1/' >"$TMP/results.log"
EXTRA_GREP='suite-exit' check suite-exit-status 1 "1 passed, 1 failed"

printf '=== DL-RUN-BEGIN mode=suite uptime=1.00 ===\nok - a/one\n' >"$TMP/results.log"
EXTRA_GREP='harness/completion' check no-end-marker 1 "1 passed, 1 failed"

EXTRA_GREP='harness/timeout' check timeout 1 "1 passed, 1 failed" suite 124

printf 'ok - a/one\n' | results_of >"$TMP/results.log"
EXTRA_GREP='harness/qemu' check qemu-error 1 "1 passed, 1 failed" suite 1

# A WARN on the console, cut into a user-space line, and in the dmesg dump
# as well: one class, counted once.
{
	printf '%s\n' "${BOOT[@]}"
	printf 'dl-init: running suite[    5.000000] WARNING: CPU: 1 PID: 99 at mm/x.c:1 f+0x1/0x2 [pagebuf]\n'
	printf '[    5.000100] Call Trace:\n[    5.000200]  <TASK>\n'
} >"$TMP/console.log"
DMESG=("${BOOT[@]}" '[    5.000000] WARNING: CPU: 1 PID: 99 at mm/x.c:1 f+0x1/0x2 [pagebuf]'
	'[    5.000100] Call Trace:')
printf 'ok - a/one\n' | results_of >"$TMP/results.log"
EXTRA_GREP='kernel/warning: 1 line' check warn-on-console 1 "1 passed, 2 failed"

# Every other class, from the dmesg dump only (console at a low loglevel).
printf '%s\n' "${BOOT[@]}" >"$TMP/console.log"
DMESG=("${BOOT[@]}"
	'[    6.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008'
	'[    6.100000] Oops: 0002 [#1] PREEMPT SMP NOPTI'
	'[    6.200000] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#2] PREEMPT SMP NOPTI'
	'[    6.300000] BUG: KASAN: use-after-free in pagebuf_release+0x10/0x20 [pagebuf]'
	'[    6.400000] UBSAN: shift-out-of-bounds in drivers/x.c:10:5'
	'[    6.500000] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
	'[    6.600000] WARNING: possible circular locking dependency detected'
	'[    6.700000] refcount_t: underflow; use-after-free.'
	'[    6.800000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:1]'
	'[    6.900000] INFO: task insmod:80 blocked for more than 120 seconds.'
	'[    7.000000] Kernel panic - not syncing: Fatal exception'
	'[    7.100000] kernel BUG at drivers/dma-buf/dma-buf.c:100!'
	'[    7.200000] unreferenced object 0xffff888003a1c000 (size 64):'
	'[    7.300000] DMA-API: platform v2d_emu: device driver frees DMA memory with different size [device address=0x0000000010000000] [map size=8192 bytes] [unmap size=4096 bytes]')
printf 'ok - a/one\n' | results_of >"$TMP/results.log"
for c in bug oops general-protection-fault kasan ubsan kmemleak lockdep refcount dma-api hang panic warning; do
	EXTRA_GREP="kernel/$c:" check "class-$c" 1 "1 passed, 12 failed"
done

# Boot noise seen on TCG guests is not a splat.
DMESG=("${BOOT[@]}")
printf 'ok - a/one\n' | results_of >"$TMP/results.log"
NO_GREP='kernel/' check boot-noise 0 "1 passed, 0 failed"

# Demo verdicts.
demo_results() {
	printf '=== DL-RUN-BEGIN mode=demo uptime=1.00 ===\n# insmod pagebuf.ko\n'
	printf '=== DL-DEMO-RESULT %s ===\n=== DL-RUN-END rc=0 uptime=2.00 ===\n=== DL-END ===\n' "$1"
}
demo_results ok >"$TMP/results.log"
check demo-ok 0 "1 passed, 0 failed" demo
demo_results fail >"$TMP/results.log"
check demo-fail 1 "0 passed, 1 failed" demo

# Benchmark verdicts: it ran and found nothing left behind, or not.
bench_results() {
	printf '=== DL-RUN-BEGIN mode=bench uptime=1.00 ===\nmeasure source median\n'
	[[ -z $1 ]] || printf '=== DL-BENCH-RESULT %s ===\n' "$1"
	printf '=== DL-RUN-END rc=0 uptime=2.00 ===\n=== DL-END ===\n'
}
bench_results ok >"$TMP/results.log"
EXTRA_GREP='PASS  bench/' check bench-ok 0 "1 passed, 0 failed" bench
bench_results fail >"$TMP/results.log"
check bench-fail 1 "0 passed, 1 failed" bench
bench_results '' >"$TMP/results.log"
EXTRA_GREP='did not report' check bench-silent 1 "0 passed, 1 failed" bench
# --bench boots twice and appends the second boot's logs: a failed
# result in either fails the run, whichever comes last.
{ bench_results fail; bench_results ok; } >"$TMP/results.log"
check bench-two-boots-first-failed 1 "0 passed, 1 failed" bench
{ bench_results ok; bench_results fail; } >"$TMP/results.log"
check bench-two-boots-second-failed 1 "0 passed, 1 failed" bench
{ bench_results ok; bench_results ok; } >"$TMP/results.log"
EXTRA_GREP='PASS  bench/' check bench-two-boots-ok 0 "1 passed, 0 failed" bench

# The packages' lane: the host's checks join the guest's count, and a
# dmabuf-lab-selftest count line that disagrees with its own TAP lines
# fails.
# shellcheck source=harness/lib.sh
. "$HARNESS/lib.sh"
# shellcheck source=harness/packages.sh
. "$HARNESS/packages.sh"
say() { :; }
selftest_results() {
	printf '=== DL-RUN-BEGIN mode=selftest uptime=1.00 ===\n'
	printf 'ok - a/one\nnot ok - a/two\nok - a/three # SKIP no vgem\n%s\n' "$1"
	printf '=== DL-RUN-END rc=1 uptime=2.00 ===\n=== DL-END ===\n'
}
packages_check() {	# NAME SELFTEST_COUNT_LINE WANT_STATUS WANT_LAST [EXTRA_GREP]
	RUN_DIR=$TMP
	printf 'ok - packages/build_amd64\n' >"$TMP/host.tap"
	selftest_results "$2" >"$TMP/guest.log"
	packages_results "$TMP/guest.log" "$TMP/results.log" >/dev/null
	EXTRA_GREP=${5:-} check "$1" "$3" "$4" selftest
}
packages_check packages-merged "1 passed, 1 failed, 1 skipped" 1 "3 passed, 1 failed, 1 skipped" \
	'PASS  packages/selftest_count_line_matches_its_tests'
packages_check packages-count-mismatch "2 passed, 0 failed, 1 skipped" 1 "2 passed, 2 failed, 1 skipped" \
	'FAIL  packages/selftest_count_line_matches_its_tests'
packages_check packages-no-count "" 1 "2 passed, 2 failed, 1 skipped"

if [[ $FAILURES -eq 0 ]]; then
	echo "test-parse: all checks passed"
else
	echo "test-parse: $FAILURES check(s) failed"
	exit 1
fi
