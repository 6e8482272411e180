# shellcheck shell=bash
# QEMU_RC, QEMU_SECS and QEMU_JOB are read by test.sh.
# shellcheck disable=SC2034
# Boot the guest under QEMU (TCG: no KVM here) with no dependency on
# standard input, and enforce a host-side time limit.

# qemu_run KERNEL INITRD CONSOLE_LOG RESULTS_LOG: sets QEMU_RC (124 on
# timeout) and QEMU_SECS.
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
	local start qpid
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
	if [[ $MODE == demo ]]; then
		# The demo transcript is shown as it happens.
		follow "$qpid" "$results" demo_filter &
		followers+=($!)
	fi

	QEMU_RC=0
	wait "$qpid" || QEMU_RC=$?
	# 137: timeout(1) had to SIGKILL a QEMU that ignored SIGTERM.
	[[ $QEMU_RC -ne 137 ]] || QEMU_RC=124
	QEMU_JOB=
	QEMU_SECS=$(elapsed "$start")
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
