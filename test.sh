#!/bin/bash
# Build the modules (pagebuf.ko, v2d_emu.ko), libdmabuf-lab, the programs
# and the guest test suite's programs, boot a Debian kernel under QEMU with
# them in an initramfs, run the suite (tests/) and report.
# The last line printed is "N passed, N failed[, N skipped]"; the exit
# status is 0 only if everything passed. Run with --help for options.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARNESS=$ROOT/harness
CACHE=${DMABUF_LAB_CACHE:-/var/cache/dmabuf-lab}
# Where a run's logs go: the matrix gives each of its lanes, which may run
# at the same time, a folder of its own.
LAST_RUN=${DL_LAST_RUN:-$CACHE/last-run}

# shellcheck source=harness/lib.sh
. "$HARNESS/lib.sh"
# shellcheck source=harness/targets.sh
. "$HARNESS/targets.sh"
# shellcheck source=harness/deps.sh
. "$HARNESS/deps.sh"
# shellcheck source=harness/chroot.sh
. "$HARNESS/chroot.sh"
# shellcheck source=harness/build.sh
. "$HARNESS/build.sh"
# shellcheck source=harness/kernel.sh
. "$HARNESS/kernel.sh"
# shellcheck source=harness/debug-kernel.sh
. "$HARNESS/debug-kernel.sh"
# shellcheck source=harness/initramfs.sh
. "$HARNESS/initramfs.sh"
# shellcheck source=harness/qemu.sh
. "$HARNESS/qemu.sh"
# shellcheck source=harness/parse.sh
. "$HARNESS/parse.sh"
# shellcheck source=harness/dkms.sh
. "$HARNESS/dkms.sh"
# shellcheck source=harness/cross.sh
. "$HARNESS/cross.sh"
# shellcheck source=harness/passes.sh
. "$HARNESS/passes.sh"
# shellcheck source=harness/deb.sh
. "$HARNESS/deb.sh"
# shellcheck source=harness/board-root.sh
. "$HARNESS/board-root.sh"
# shellcheck source=harness/packages.sh
. "$HARNESS/packages.sh"
# shellcheck source=harness/kselftest.sh
. "$HARNESS/kselftest.sh"
# shellcheck source=harness/repeat.sh
. "$HARNESS/repeat.sh"

usage() {
	cat <<USAGE
Usage: ./test.sh [OPTIONS]

Build the modules (pagebuf.ko, v2d_emu.ko), libdmabuf-lab, the programs
and the guest test suite, boot a Debian kernel under QEMU with them and
run the suite there (or the demo, the benchmark, the packages).

Options:
  --arch ARCH        guest architecture (default x86_64)
  --kernel SERIES    Debian kernel series to boot (default 6.1, the host's);
                     the newest kernel of the series in the archive is used
                     and its version printed. Lanes: $(printf '%s ' "${TARGETS_ALL[@]}")
  --debug-kernel     the x86_64/debug lane (same as --kernel debug): a 6.12
                     kernel built from Debian's source with KASAN, kmemleak,
                     lockdep, DMA-API debug, UBSAN, fault injection and
                     KUnit (first run: ~12 min build, then cached)
  --matrix           run every lane and print a table; the last line
                     counts the tests of all lanes
  --jobs N           with --matrix: lanes run at once (default 2, one per
                     core of a 2-core machine; 1 runs them in turn)
  --lanes "A/K ..."  with --matrix: only these lanes (default: all)
  --only GLOB        run only the tests matching GLOB (passed to the guest
                     suite as DL_FILTER)
  --timeout SECONDS  host-side limit for the guest run (default 900, 1800
                     on the debug kernel);
                     reaching it is a failure
  --append "ARGS"    extra kernel command line arguments (e.g. swiotlb=force)
  --keep-log DIR     copy the console and results logs to DIR
  --repeat N         hunt flaky tests: boot the suite (or the --only
                     subset) N times from one build, then report each test
                     once with the number of boots it failed in and every
                     failure's diagnostics (the passes are off; name a
                     pass's configuration with --append)
  --busy             with --repeat: every second boot shares the host with
                     a CPU and memory hog on the other core
  --no-passes        skip the extra boots that follow a full suite run
                     (swiotlb=force, and its negative control; see
                     harness/passes.sh)
  --demo             run the classic walk-through (insmod, mknod, user_prog,
                     cat, rmmod) instead of the suite, showing each command
  --bench            run dmabuf-bench instead of the suite: pagebuf against
                     the system heap, udmabuf, anonymous memory and the CPU,
                     side by side in one boot (default kernel 6.12, which
                     has the heap and udmabuf; 1 GiB of guest memory)
  --reps N           the benchmark's rounds (default 5)
  --packages         the Debian packages as a board gets them: build them
                     (a clean bookworm chroot; cross for --arch arm64 and
                     riscv64), lintian, and on x86_64 apt install with the
                     headers of two kernels (DKMS builds for both) and apt
                     purge (on arm64 and riscv64 in a root of that
                     architecture run by qemu-user, with a kernel upgrade);
                     then boot with the modules DKMS built and run
                     dmabuf-lab-selftest from the -tools package
  --bench-args "ARGS"  more dmabuf-bench options (e.g. --json)
  --bench-profile    after the benchmark, one quick P1 round under ftrace's
                     function_graph: each exporter's and the dma-buf core's
                     steps, with their calls and mean durations
  --bench-icount     time the benchmark's guest in instructions (QEMU's
                     -icount shift=0: one guest nanosecond is one
                     instruction): a cost count that repeats to within
                     about 1% from boot to boot, for comparing builds of
                     the same path; not a speed (no 2-thread boot)
  --prepare          only fill the cache for the lane: host packages,
                     chroots, the kernel (the debug kernel's build), its
                     download; no build of the checkout, no boot (CI
                     runs this in the background for later stages)
  -v, --verbose      stream the guest console and show build output
  -h, --help         show this help

Environment:
  DMABUF_LAB_CACHE   cache for downloads, the unpacked kernel and the logs
                     of the last run (default /var/cache/dmabuf-lab)
  DL_FUZZ_CALLS, DL_FUZZ_SEED, DL_SOAK_SECONDS, DL_RELOADS
                     sizes of the debug-kernel areas (defaults 100000
                     calls, a random seed, 60 s, 100 reloads), e.g. the
                     long fuzz run: DL_FUZZ_CALLS=1000000 ./test.sh
                     --debug-kernel --only 'fuzz/*' --timeout 7200

The logs of the last run are always kept in \$DMABUF_LAB_CACHE/last-run/.
USAGE
}

parse_args() {
	MODE=suite ONLY='' TIMEOUT='' APPEND='' KEEP_LOG='' VERBOSE=0 PREPARE=0
	ARCH=x86_64 KERNEL='' MATRIX=0 PASS_ARGS=() PASSES_OFF=0
	BENCH_REPS=5 BENCH_ARGS='' BENCH_PROFILE=0 BENCH_ICOUNT=0 REPEAT=0 REPEAT_BUSY=0 MATRIX_JOBS=2 LANES=''
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--only | --timeout | --append) PASS_ARGS+=("$1" "${2-}") ;;
		--only=* | --timeout=* | --append=* | -v | --verbose | --no-passes) PASS_ARGS+=("$1") ;;
		esac
		case "$1" in
		--arch) ARCH=${2?--arch needs an architecture}; shift ;;
		--arch=*) ARCH=${1#*=} ;;
		--kernel) KERNEL=${2?--kernel needs a kernel series}; shift ;;
		--kernel=*) KERNEL=${1#*=} ;;
		--debug-kernel) KERNEL=debug ;;
		--matrix) MATRIX=1 ;;
		--jobs) MATRIX_JOBS=${2?--jobs needs a number}; shift ;;
		--jobs=*) MATRIX_JOBS=${1#*=} ;;
		--lanes) LANES=${2?--lanes needs lanes}; shift ;;
		--lanes=*) LANES=${1#*=} ;;
		--only) ONLY=${2?--only needs a glob}; shift ;;
		--only=*) ONLY=${1#*=} ;;
		--timeout) TIMEOUT=${2?--timeout needs seconds}; shift ;;
		--timeout=*) TIMEOUT=${1#*=} ;;
		--append) APPEND=${2?--append needs arguments}; shift ;;
		--append=*) APPEND=${1#*=} ;;
		--keep-log) KEEP_LOG=${2?--keep-log needs a directory}; shift ;;
		--keep-log=*) KEEP_LOG=${1#*=} ;;
		--demo) MODE=demo ;;
		--bench) MODE=bench ;;
		--packages) MODE=selftest ;;
		--prepare) PREPARE=1 ;;
		--reps) BENCH_REPS=${2?--reps needs a number}; shift ;;
		--reps=*) BENCH_REPS=${1#*=} ;;
		--bench-args) BENCH_ARGS=${2?--bench-args needs arguments}; shift ;;
		--bench-args=*) BENCH_ARGS=${1#*=} ;;
		--bench-profile) BENCH_PROFILE=1 ;;
		--bench-icount) BENCH_ICOUNT=1 ;;
		--no-passes) PASSES_OFF=1 ;;
		--repeat) REPEAT=${2?--repeat needs a number}; shift ;;
		--repeat=*) REPEAT=${1#*=} ;;
		--busy) REPEAT_BUSY=1 ;;
		-v | --verbose) VERBOSE=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown option: $1" ;;
		esac
		shift
	done
	[[ -z $TIMEOUT || $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout needs a positive number of seconds"
	[[ $BENCH_REPS =~ ^[1-9][0-9]*$ ]] || die "--reps needs a positive number"
	[[ $MATRIX_JOBS =~ ^[1-8]$ ]] || die "--jobs needs a number of lanes from 1 to 8"
	[[ -z $LANES || $MATRIX -eq 1 ]] || die "--lanes goes with --matrix"
	local lane
	for lane in $LANES; do
		[[ " ${TARGETS_ALL[*]} " == *" $lane "* ]] ||
			die "--lanes: no lane $lane (lanes: ${TARGETS_ALL[*]})"
	done
	[[ $REPEAT =~ ^(0|[1-9][0-9]{0,3})$ ]] || die "--repeat needs a number of boots from 1 to 9999"
	[[ $REPEAT_BUSY -eq 0 || $REPEAT -gt 0 ]] || die "--busy goes with --repeat"
	if [[ $REPEAT -gt 0 ]]; then
		[[ $MODE == suite && $MATRIX -eq 0 ]] || die "--repeat repeats the suite of one lane"
		PASSES_OFF=1
	fi
	# The benchmark's peers (system heap, udmabuf) are built into 6.12.
	# riscv64 has one lane: Debian's first riscv64 kernels are 6.12.
	if [[ -z $KERNEL ]]; then
		KERNEL=6.1
		[[ $MODE != bench && $ARCH != riscv64 ]] || KERNEL=6.12
	fi
	DL_VERBOSE=$VERBOSE
}

# Stop QEMU if test.sh is interrupted: timeout(1) runs it in its own
# process group, out of reach of the terminal's Ctrl-C.
QEMU_JOB='' LOG_DIR=''
cleanup() {
	if [[ -n $QEMU_JOB ]] && kill -0 "$QEMU_JOB" 2>/dev/null; then
		kill -TERM "$QEMU_JOB" 2>/dev/null || true
	fi
	[[ -n ${RUN_DIR:-} && -d $RUN_DIR ]] || return 0
	# A run that stopped early (build error, apt failure, interruption)
	# still leaves its logs behind.
	if [[ -z $LOG_DIR ]]; then
		save_logs
		printf 'logs: %s\n' "$LOG_DIR" >&2
	fi
	[[ -n ${DL_KEEP_RUN_DIR:-} ]] || rm -rf "$RUN_DIR"
}

# Keep the logs of this run as the cache's last-run, and in --keep-log.
save_logs() {
	local dest=$LAST_RUN f tmp
	# A --prepare run beside another run leaves that one's logs alone.
	[[ $PREPARE -eq 0 ]] || dest=$CACHE/last-prepare
	mkdir -p "$(dirname "$dest")"
	tmp=$(mktemp -d "$dest.XXXXXX")
	chmod 755 "$tmp"
	for f in console.log results.log build.log module-build.log apt.log qemu.cmd qemu.out; do
		[[ ! -f $RUN_DIR/$f ]] || cp "$RUN_DIR/$f" "$tmp/"
	done
	rm -rf "$dest"
	mv -T "$tmp" "$dest" || rm -rf "$tmp"
	LOG_DIR=$dest
	if [[ -n $KEEP_LOG ]]; then
		mkdir -p "$KEEP_LOG"
		cp "$dest"/* "$KEEP_LOG/" 2>/dev/null || true
		LOG_DIR=$KEEP_LOG
	fi
}

# "guest: booted in 1.9 s, ran for 5.2 s" from the run markers.
guest_timing() {
	awk -v host="$QEMU_SECS" '
		/^=== DL-RUN-BEGIN/ { for (i = 1; i <= NF; i++) if ($i ~ /^uptime=/) b = substr($i, 8) }
		/^=== DL-RUN-END/ { for (i = 1; i <= NF; i++) if ($i ~ /^uptime=/) e = substr($i, 8) }
		END {
			s = "guest: QEMU ran " host " s"
			if (b != "") s = s sprintf(", kernel+init up in %.1f s", b)
			if (b != "" && e != "") s = s sprintf(", run took %.1f s", e - b)
			print s
		}' < <(tr -d '\r' <"$RUN_DIR/results.log")
}

# The benchmark's guest: room for 256 MiB buffers beside their peers', and
# the roofline module (module/dmabuf_null). Its memory is all allocated
# on the host before it boots (-mem-prealloc): otherwise the first
# guest write to each page costs the host a page fault and a zeroed page,
# charged to whichever source the guest's allocator first gives that
# page to.
bench_target() {
	local i
	for ((i = 0; i + 1 < ${#T_QEMU_ARGS[@]}; i++)); do
		[[ ${T_QEMU_ARGS[i]} != -m ]] || T_QEMU_ARGS[i + 1]=1024
	done
	T_QEMU_ARGS+=(-mem-prealloc)
	[[ $BENCH_ICOUNT -eq 0 ]] ||
		T_QEMU_ARGS+=(-icount shift=0,align=off,sleep=off)
	MODULE_MAKE_ARGS=(DL_BENCH=1)
	PASSES_OFF=1
}

bench_set_accel() {
	local i
	for ((i = 0; i + 1 < ${#T_QEMU_ARGS[@]}; i++)); do
		[[ ${T_QEMU_ARGS[i]} != -accel ]] || T_QEMU_ARGS[i + 1]=tcg,thread=$1
	done
}

# The 2-thread rows, in a second boot under multi-threaded TCG: one host
# thread per vCPU, so that two guest threads really run at once (on one
# host thread, as the main boot runs for steadier figures, they take
# turns). Multi-threaded TCG has panicked some kernels at boot (NOTES:
# an int3 text-poke race on x86), so a guest that never reached its run
# is booted again on one host thread, and the run says so. The logs are
# appended to the main boot's, which the verdict reads. Skipped when the
# caller chose measures with --only, under --bench-icount (QEMU counts
# instructions on one host thread only), or when the main boot failed.
bench_threads_boot() {
	local console=$RUN_DIR/console-threads.log results=$RUN_DIR/results-threads.log
	local append=$APPEND
	[[ " $BENCH_ARGS " != *" --only "* && " $BENCH_ARGS " != *" -o "* ]] || return 0
	[[ $BENCH_ICOUNT -eq 0 ]] || return 0
	grep -aq '^=== DL-BENCH-RESULT ok' "$RUN_DIR/results.log" || return 0
	APPEND="${APPEND:+$APPEND }dl_bench=threads"
	bench_set_accel multi
	qemu_run "$BOOT_IMAGE" "$RUN_DIR/initramfs.cpio.gz" "$console" "$results"
	if ! grep -aq '^=== DL-RUN-BEGIN' "$results"; then
		cp "$console" "$RUN_DIR/console-mttcg.log"
		echo "warning: the guest did not boot under multi-threaded TCG" \
			"(console-mttcg.log); booting again on one host thread: the" \
			"2-thread rows then show no speed-up"
		bench_set_accel single
		qemu_run "$BOOT_IMAGE" "$RUN_DIR/initramfs.cpio.gz" "$console" "$results"
	fi
	bench_cpu_share
	cat "$console" >>"$RUN_DIR/console.log"
	cat "$results" >>"$RUN_DIR/results.log"
	# The verdict takes any failed result; a boot that printed none failed.
	grep -aq '^=== DL-BENCH-RESULT ok' "$results" ||
		echo "=== DL-BENCH-RESULT fail ===" >>"$RUN_DIR/results.log"
	bench_set_accel single
	APPEND=$append
}

# Under TCG the guest's clock runs with QEMU's share of a host CPU: only
# ratios measured in the same run mean anything, and a contended host
# distorts even those.
bench_cpu_share() {
	local accel=${T_QEMU_ARGS[*]}
	accel=${accel#*-accel }
	echo "guest: QEMU got ${QEMU_CPU_SHARE}% of a host CPU (${accel%% *}; 200% is two)"
	if [[ $BENCH_ICOUNT -ne 0 ]]; then
		echo "guest: timed in instructions (-icount): figures are counts, one per ns"
		return 0
	fi
	[[ $QEMU_CPU_SHARE -ge 90 ]] ||
		echo "warning: QEMU got less than 90% of a CPU: the host was busy; the figures are distorted"
}

# --prepare: what the cold cache costs a lane besides its own build and
# boot, done ahead (the checkout's build lock is never taken).
prepare_only() {
	[[ -n ${T_FETCH_FN:-} ]] || kernel_fetch
	if [[ $MODE == selftest && -z ${T_DEB_ARCH:-} ]]; then
		packages_install_chroot
		deb_build_chroot
	fi
	say "lane $T_ARCH/$T_KERNEL prepared"
}

# One lane of the matrix, a test.sh run of its own whose logs are kept in
# $CACHE/matrix/ARCH-KERNEL/. Leaves there "row" (the table's row, then
# passed, failed, skipped and 1 if the lane went wrong, tab-separated) and
# "summary" (what the matrix prints under the lane's name).
matrix_lane() {
	local t=$1 arch kernel dir out rc=0 start secs
	local kver build passed failed skipped guest last bad=0
	arch=${t%%/*} kernel=${t#*/}
	dir=$CACHE/matrix/$arch-$kernel
	# The run replaces its logs' folder when it saves them: its output
	# goes there once it is over.
	out=$CACHE/matrix/$arch-$kernel.out
	start=$(now)
	DL_LAST_RUN=$dir "$ROOT/test.sh" --arch "$arch" --kernel "$kernel" \
		${PASS_ARGS[@]+"${PASS_ARGS[@]}"} </dev/null >"$out" 2>&1 || rc=$?
	secs=$(elapsed "$start")
	mkdir -p "$dir"
	mv "$out" "$dir/test.out"
	out=$dir/test.out
	kver=$(sed -n 's/^==> target [^ ]*: kernel \([^ ]*\).*/\1/p' "$out" | tail -n 1)
	build=$(sed -n 's/^==> module build: \([0-9]*\) warnings/\1/p' "$out" | tail -n 1)
	if [[ -n $build ]]; then
		[[ $build -eq 0 ]] && build=ok || build="$build warnings"
	elif grep -q 'module build failed' "$out"; then
		build=FAILED
	else
		build=-
	fi
	guest=$(sed -n 's/^guest: QEMU ran \([0-9.]*\) s.*/\1 s/p' "$out" | tail -n 1)
	last=$(tail -n 1 "$out")
	{
		if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
			passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]} skipped=${BASH_REMATCH[4]:-0}
		else
			# No count line: the lane stopped before its tests ran.
			passed=0 failed=1 skipped=0
			printf '    %s\n' "$(grep -m 1 '^error:' "$out" || tail -n 1 "$out")"
		fi
		# A failure's own lines, so that a log's tail names what failed.
		awk '/^FAIL  / { n = 4 } n > 0 && /^(FAIL  |      )/ { print "    " $0; n--; next } { n = 0 }' \
			"$out" | head -n 40 || true
		printf '    %s\n' "$last"
	} >"$dir/summary"
	[[ $rc -eq 0 && $failed -eq 0 ]] || bad=1
	printf '%-13s %-26s %-12s %6s %6s %7s %9s %8s\t%d\t%d\t%d\t%d\n' "$t" "${kver:--}" \
		"$build" "$passed" "$failed" "$skipped" "${guest:--}" "$secs s" \
		"$passed" "$failed" "$skipped" "$bad" >"$dir/row"
}

# Is lane $1 among --lanes (all when none were named)?
matrix_wanted() {
	[[ -z $LANES || " $LANES " == *" $1 "* ]]
}

# Every lane, MATRIX_JOBS at a time (each QEMU is single-threaded, so two
# lanes use both cores of a 2-core machine; their builds take turns on the
# checkout's build lock), longest first so that the slots finish together;
# then each lane's lines and the table, in TARGETS_ALL's order, and the
# total count.
matrix_main() {
	local t dir pid done_pid start row passed failed skipped bad
	local tp=0 tf=0 ts=0 any=0
	local -a rows=()
	local -A lane_of=()
	mkdir -p "$CACHE/matrix"
	start=$(now)
	say "$MATRIX_JOBS lanes at a time"
	for t in "${TARGETS_LONGEST_FIRST[@]}"; do
		matrix_wanted "$t" || continue
		if [[ ${#lane_of[@]} -ge $MATRIX_JOBS ]]; then
			wait -n -p done_pid "${!lane_of[@]}" || true
			say "lane ${lane_of[$done_pid]} done: $(tail -n 1 "$CACHE/matrix/${lane_of[$done_pid]/\//-}/summary" 2>/dev/null)"
			unset "lane_of[$done_pid]"
		fi
		dir=$CACHE/matrix/${t/\//-}
		rm -rf "$dir"
		mkdir -p "$dir"
		matrix_lane "$t" &
		pid=$!
		lane_of[$pid]=$t
		say "lane $t started"
	done
	while [[ ${#lane_of[@]} -gt 0 ]]; do
		wait -n -p done_pid "${!lane_of[@]}" || true
		say "lane ${lane_of[$done_pid]} done: $(tail -n 1 "$CACHE/matrix/${lane_of[$done_pid]/\//-}/summary" 2>/dev/null)"
		unset "lane_of[$done_pid]"
	done
	for t in "${TARGETS_ALL[@]}"; do
		matrix_wanted "$t" || continue
		dir=$CACHE/matrix/${t/\//-}
		say "lane $t"
		if [[ ! -f $dir/row ]]; then
			printf '    the lane left no result\n'
			tf=$((tf + 1)) any=1
			continue
		fi
		cat "$dir/summary"
		IFS=$'\t' read -r row passed failed skipped bad <"$dir/row"
		rows+=("$row")
		tp=$((tp + passed)) tf=$((tf + failed)) ts=$((ts + skipped))
		[[ $bad -eq 0 ]] || any=1
	done
	printf '\n%-13s %-26s %-12s %6s %6s %7s %9s %8s\n' target kernel build passed failed skipped guest total
	printf '%s\n' "${rows[@]}"
	printf 'logs: %s/matrix/<arch>-<kernel>/; the matrix took %s s\n' "$CACHE" "$(elapsed "$start")"
	if [[ $ts -gt 0 ]]; then
		printf '%d passed, %d failed, %d skipped\n' "$tp" "$tf" "$ts"
	else
		printf '%d passed, %d failed\n' "$tp" "$tf"
	fi
	[[ $any -eq 0 && $tf -eq 0 ]]
}

main() {
	parse_args "$@"
	mkdir -p "$CACHE"
	if [[ $MATRIX -eq 1 ]]; then
		matrix_main
		return
	fi
	RUN_DIR=$(mktemp -d "$CACHE/run.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	local t0
	t0=$(now)
	target_select "$ARCH" "$KERNEL"
	[[ $MODE != bench ]] || bench_target
	[[ $MODE != selftest ]] || packages_target
	TIMEOUT=${TIMEOUT:-$T_TIMEOUT}
	deps_ensure "${T_APT_PKGS[@]}"
	target_resolve_kernel
	if [[ $PREPARE -eq 1 ]]; then
		prepare_only
		return
	fi
	build_all
	[[ $MODE != selftest ]] || packages_prepare
	[[ $MODE != suite ]] || heap_selftest_build
	# The lane that tests what DKMS builds (T_DKMS) boots those modules.
	[[ $T_DKMS -eq 0 || $MODE != suite ]] || dkms_build_install
	kernel_fetch
	initramfs_build "$RUN_DIR/initramfs.cpio.gz"
	build_unlock
	say "prepared in $(elapsed "$t0") s"

	if [[ $REPEAT -gt 0 ]]; then
		local rrc=0
		save_logs
		repeat_run "$RUN_DIR/report" || rrc=1
		cat "$RUN_DIR/report"
		return "$rrc"
	fi
	qemu_run "$BOOT_IMAGE" "$RUN_DIR/initramfs.cpio.gz" \
		"$RUN_DIR/console.log" "$RUN_DIR/results.log"
	if [[ $MODE == bench ]]; then
		guest_timing
		bench_cpu_share
		bench_threads_boot
	fi
	save_logs
	[[ $MODE == bench ]] || guest_timing

	local rc=0 results=$RUN_DIR/results.log
	if [[ $MODE == selftest ]]; then
		packages_results "$results" "$RUN_DIR/results+host.log"
		results=$RUN_DIR/results+host.log
	fi
	parse_report "$MODE" "$results" "$RUN_DIR/console.log" \
		"$QEMU_RC" "$TIMEOUT" >"$RUN_DIR/report" || rc=1
	if passes_wanted; then
		passes_run "$RUN_DIR/report" || rc=1
	fi
	# The logs' location goes before the count line, which stays last.
	if [[ $rc -ne 0 ]]; then
		sed '$d' "$RUN_DIR/report"
		echo "logs: $LOG_DIR/console.log $LOG_DIR/results.log"
		tail -n 1 "$RUN_DIR/report"
	else
		cat "$RUN_DIR/report"
	fi
	return "$rc"
}

# On one line: bash reads a script as it runs it, so a run must not read
# past this point (an edit of the file meanwhile would be parsed).
main "$@"; exit
