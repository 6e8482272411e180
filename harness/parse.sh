#!/bin/bash
# shellcheck shell=bash
# Turn the guest's logs into the verdict.
#
# Sourced by test.sh; also runs on its own, for checking saved logs:
#   harness/parse.sh suite|demo|bench RESULTS_LOG CONSOLE_LOG [QEMU_STATUS [TIMEOUT]]
#
# Results protocol (lines the guest suite prints between the run markers):
#   ok - AREA/NAME
#   not ok - AREA/NAME
#   ok - AREA/NAME # SKIP REASON
#   # DIAGNOSTIC          shown under the failing test it follows
#   1..N                  optional plan; a mismatch is a failure
# Anything else is ignored. Besides the tests, each of these counts as one
# failed check: no test result at all, a missing end marker (the guest
# crashed or hung), the host timeout, a QEMU error, a non-zero suite exit
# status with no failed test, and each class of kernel splat found in the
# guest kernel's log.

# Strip CRs (the serial line's onlcr) and terminal escape sequences.
log_clean() {
	sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' "$1"
}

# Kernel log lines: timestamped lines of the console, plus the dmesg dump
# from the results channel (complete even if console messages were
# filtered by loglevel), without duplicates. A kernel line may start in
# the middle of a user-space line on the console: cut from its timestamp.
kernel_lines() {
	local results=$1 console=$2
	{
		grep -a -o -E '\[ *[0-9]+\.[0-9]{6}\] .*' "$console" || true
		awk '/^=== DL-DMESG-BEGIN/ { on = 1; next } /^=== DL-DMESG-END/ { on = 0 } on' "$results"
	} | awk '!seen[$0]++'
}

# Splat classes: name, then an extended regex matched against the message
# (the text after the timestamp and the optional caller id).
SPLAT_CLASSES=(
	warning '^WARNING:'
	bug '^BUG:|^[A-Za-z0-9_ -]+: BUG:|kernel BUG at'
	oops 'Oops'
	general-protection-fault 'general protection fault'
	panic 'Kernel panic'
	kasan 'KASAN'
	ubsan 'UBSAN'
	kmemleak 'unreferenced object 0x|suspected memory leak'
	lockdep 'possible recursive locking|circular locking|inconsistent lock state|irq lock inversion|lockdep is turned off|held when returning to user|bad unlock balance|suspicious RCU usage'
	refcount 'refcount_t:'
	dma-api 'DMA-API: .*(device driver|out of memory|ENOMEM|exceeded|overlapping|not freed)'
	call-trace 'Call Trace'
	hang 'INFO: task .* blocked for more than|self-detected stall|detected stalls on CPUs|soft lockup|hard LOCKUP'
)

# Print one FAIL line per splat class found, with its lines; print the
# number of classes found on the last line (consumed by the caller).
splat_scan() {
	local results=$1 console=$2
	kernel_lines "$results" "$console" | awk -v defs="$(printf '%s\n' "${SPLAT_CLASSES[@]}")" '
	BEGIN {
		n = split(defs, d, "\n")
		for (i = 1; i + 1 <= n; i += 2) { name[++k] = d[i]; re[k] = d[i + 1] }
		max = 15
	}
	{
		msg = $0
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", msg)
		sub(/^\[ *[CT][0-9]+\] /, "", msg)
		for (i = 1; i <= k; i++)
			if (msg ~ re[i]) {
				cnt[i]++
				if (cnt[i] <= max) lines[i] = lines[i] "      " $0 "\n"
			}
	}
	END {
		found = 0
		for (i = 1; i <= k; i++) {
			if (!cnt[i]) continue
			found++
			printf "FAIL  kernel/%s: %d line%s in the guest kernel log\n", name[i], cnt[i], cnt[i] == 1 ? "" : "s"
			printf "%s", lines[i]
			if (cnt[i] > max) printf "      ... %d more\n", cnt[i] - max
		}
		print found
	}'
}

# Print the per-test lines; the last line holds the counters
# "PASSED FAILED SKIPPED TESTS PLAN RUN_RC DEMO END" (consumed by the caller).
tap_scan() {
	awk '
	function flush_diag() { indiag = 0 }
	/^=== DL-RUN-BEGIN/ { inrun = 1; next }
	/^=== DL-RUN-END/ {
		inrun = 0
		if (match($0, /rc=[0-9]+/)) rc = substr($0, RSTART + 3, RLENGTH - 3)
		next
	}
	/^=== DL-END ===/ { end = 1; next }
	# The benchmark boots twice: one failed result fails the run.
	/^=== DL-(DEMO|BENCH)-RESULT / { if (demo != "fail") demo = $3; next }
	!inrun { next }
	/^(not )?ok( [0-9]+)? / {
		notok = ($0 ~ /^not /)
		rest = $0
		sub(/^(not )?ok( [0-9]+)?( -)? /, "", rest)
		testname = rest; directive = ""
		if ((p = index(rest, " # ")) > 0) {
			testname = substr(rest, 1, p - 1)
			directive = substr(rest, p + 3)
		}
		tests++
		indiag = 0
		if (directive ~ /^[Ss][Kk][Ii][Pp]/) {
			reason = directive
			sub(/^[Ss][Kk][Ii][Pp][ \t:]*/, "", reason)
			skipped++
			printf "SKIP  %s%s\n", testname, reason == "" ? "" : ": " reason
		} else if (directive ~ /^[Tt][Oo][Dd][Oo]/) {
			skipped++
			printf "SKIP  %s: %s\n", testname, directive
		} else if (notok) {
			failed++
			printf "FAIL  %s\n", testname
			indiag = 1
		} else {
			passed++
			printf "PASS  %s\n", testname
		}
		next
	}
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^#/ { if (indiag) printf "      %s\n", $0; next }
	END {
		printf "%d %d %d %d %s %s %s %d\n", passed, failed, skipped, tests,
			plan == "" ? "-" : plan, rc == "" ? "-" : rc, demo == "" ? "-" : demo, end
	}'
}

# parse_report MODE RESULTS CONSOLE QEMU_STATUS TIMEOUT
# Prints the report, ending with the count line; returns 0 only if
# everything passed.
parse_report() {
	local mode=$1 results=$2 console=$3 qrc=${4:-0} timeout=${5:-?}
	local res con out last
	res=$(mktemp)
	con=$(mktemp)
	log_clean "$results" >"$res"
	log_clean "$console" >"$con"

	local passed failed skipped tests plan runrc demo end
	out=$(tap_scan <"$res")
	last=${out##*$'\n'}
	[[ $out == *$'\n'* ]] && out=${out%$'\n'*} || out=
	read -r passed failed skipped tests plan runrc demo end <<<"$last"
	[[ -n $out ]] && printf '%s\n' "$out"

	hfail() {
		printf 'FAIL  %s\n' "$1"
		failed=$((failed + 1))
	}
	if [[ $mode == demo ]]; then
		case "$demo" in
		ok)
			printf 'PASS  demo/walkthrough\n'
			passed=$((passed + 1))
			;;
		fail) hfail "demo/walkthrough: a step failed (see the transcript)" ;;
		*) hfail "demo/walkthrough: the demo did not report a result" ;;
		esac
	elif [[ $mode == bench ]]; then
		# No speed is a verdict: the run must finish, print its table,
		# and find nothing left behind by its allocation cycles (P6).
		case "$demo" in
		ok)
			printf 'PASS  bench/runs_and_prints_its_table\n'
			passed=$((passed + 1))
			;;
		fail) hfail "bench/runs_and_prints_its_table: the benchmark failed (see its output)" ;;
		*) hfail "bench/runs_and_prints_its_table: the benchmark did not report a result" ;;
		esac
	else
		if [[ $tests -eq 0 ]]; then
			hfail "harness/tests-run: no test result was reported"
		elif [[ $passed -eq 0 && $failed -eq 0 ]]; then
			hfail "harness/tests-run: every test was skipped"
		fi
		if [[ $plan != - && $plan -ne $tests ]]; then
			hfail "harness/plan: the suite planned $plan tests but reported $tests"
		fi
		if [[ $runrc != - && $runrc -ne 0 && $failed -eq 0 ]]; then
			hfail "harness/suite-exit: suite.sh exited with status $runrc"
		fi
	fi
	if [[ $qrc -eq 124 ]]; then
		hfail "harness/timeout: the guest did not finish within ${timeout}s"
	elif [[ $end -ne 1 ]]; then
		hfail "harness/completion: no end marker: the guest crashed or hung"
	fi
	if [[ $qrc -ne 0 && $qrc -ne 124 ]]; then
		hfail "harness/qemu: QEMU exited with status $qrc"
	fi

	out=$(splat_scan "$res" "$con")
	last=${out##*$'\n'}
	[[ $out == *$'\n'* ]] && printf '%s\n' "${out%$'\n'*}"
	failed=$((failed + last))
	rm -f "$res" "$con"

	if [[ $skipped -gt 0 ]]; then
		printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	else
		printf '%d passed, %d failed\n' "$passed" "$failed"
	fi
	[[ $failed -eq 0 && $passed -gt 0 ]]
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	[[ $# -ge 3 ]] || {
		echo "usage: $0 suite|demo|bench RESULTS_LOG CONSOLE_LOG [QEMU_STATUS [TIMEOUT]]" >&2
		exit 2
	}
	parse_report "$@"
fi
