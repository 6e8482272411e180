# shellcheck shell=bash
# QEMU_RC, QEMU_SECS, QEMU_CPU_SHARE and QEMU_JOB are read by test.sh.
# shellcheck disable=SC2034
# Boot the guest under QEMU (TCG: no KVM here) with no dependency on
# standard input, and enforce a host-side time limit.

# qemu_run KERNEL INITRD CONSOLE_LOG RESULTS_LOG: sets QEMU_RC (124 on
# timeout), QEMU_SECS and QEMU_CPU_SHARE (the CPU time QEMU got, in
# percent of its run time: under TCG a contended host slows the guest's
# clock and everything it measures).
qemu_run() {
	local kernel=$1 initrd=$2 console=$3 results=$4
	local cmdline="console=$T_CONSOLE panic=-1 panic_on_warn=0 printk.time=1${APPEND:+ $APPEND}"
	local -a serial args
	mapfile -t serial < <(target_serial_args "$console" "$results")
	args=("${T_QEMU_ARGS[@]}" -display none -monitor none -no-reboot
		"${serial[@]}" -kernel "$kernel" -initrd "$initrd" -append "$cmdline")
	rm -f "$console" "$results"
	: >"$console"
	: >"$results"
	printf '%q ' "$T_QEMU" "${args[@]}" >"$RUN_DIR/qemu.cmd"
	echo >>"$RUN_DIR/qemu.cmd"

	say "booting $T_ARCH guest (kernel $KVER, timeout ${TIMEOUT}s)"
	local start qpid cpu0 cpu1
	children_cpu_ms cpu0
	start=$(now)
	# -k: if QEMU ignores SIGTERM, SIGKILL it shortly after.
	timeout -k 10 "$TIMEOUT" "$T_QEMU" "${args[@]}" </dev/null \
		>"$RUN_DIR/qemu.out" 2>&1 &
	qpid=$!
	QEMU_JOB=$qpid

	local -a followers=()
	if [[ $VERBOSE -eq 1 ]]; then
		follow "$qpid" "$console" cat &
		followers+=($!)
	fi
	if [[ $MODE == demo || $MODE == bench ]]; then
		# The demo transcript, or the benchmark, is shown as it happens.
		follow "$qpid" "$results" demo_filter &
		followers+=($!)
	fi

	QEMU_RC=0
	wait "$qpid" || QEMU_RC=$?
	# 137: timeout(1) had to SIGKILL a QEMU that ignored SIGTERM.
	[[ $QEMU_RC -ne 137 ]] || QEMU_RC=124
	QEMU_JOB=
	QEMU_SECS=$(elapsed "$start")
	children_cpu_ms cpu1
	QEMU_CPU_SHARE=$(awk -v ms=$((cpu1 - cpu0)) -v s="$QEMU_SECS" \
		'BEGIN { printf "%d\n", (s > 0 ? ms / 10 / s : 0) }')
	# The followers stop on their own once QEMU has exited (tail --pid).
	[[ ${#followers[@]} -eq 0 ]] || wait "${followers[@]}" || true
	if [[ $QEMU_RC -ne 0 && $QEMU_RC -ne 124 && -s $RUN_DIR/qemu.out ]]; then
		cat "$RUN_DIR/qemu.out" >&2
	fi
}

# Print FILE as it grows until process PID exits, through FILTER.
follow() {
	local pid=$1 file=$2 filter=$3
	tail -n +1 -s 0.2 -f --pid="$pid" "$file" 2>/dev/null |
		sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' | "$filter"
}

# The demo's own lines: what lies between the run markers.
demo_filter() {
	sed -u -n -e '/^=== DL-RUN-BEGIN/,/^=== DL-RUN-END/{' \
		-e '/^=== DL-/d' -e p -e '}'
}

# CPU milliseconds (user + system) of this shell's reaped children, into
# the variable named $1: the second line of bash's times ("XmY.YYYs
# XmY.YYYs"), which must run in this shell, not in a $(...) subshell.
children_cpu_ms() {
	local -n out=$1
	local f=$RUN_DIR/times line m s t
	times >"$f"
	line=$(tail -n 1 "$f")
	out=0
	for t in $line; do
		m=${t%%m*} s=${t#*m}
		s=${s%s}
		out=$((out + m * 60000 + 10#${s%.*} * 1000 + 10#${s#*.}))
	done
}
