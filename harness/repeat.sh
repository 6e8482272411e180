# shellcheck shell=bash
# --repeat N: hunt flaky tests. The lane's suite (or the --only subset) is
# booted N times from one build and one initramfs, each boot judged as a
# run of its own (splats, crashes and timeouts included); then every test
# is reported once, with how many boots it failed in and each failure's
# diagnostics, boot by boot. The passes are off: a pass's configuration
# is repeated by naming it (--append swiotlb=force, say).
#
# With --busy, every second boot shares the host with a CPU and memory
# hog on the other core (xz -9 of random bytes, lowest priority), as a
# CI machine's background work or a second guest would: a test that
# assumes the emulator's speed shows up there first.

# Start the hog; prints its pid.
repeat_busy_start() {
	nice -n 19 sh -c 'while :; do head -c 256M /dev/urandom | xz -9 -T1 >/dev/null; done' \
		</dev/null >/dev/null 2>&1 &
	echo $!
}

repeat_busy_stop() {
	# The loop's children (head, xz) go with its process group's end.
	pkill -TERM -P "$1" 2>/dev/null || true
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# Keep a failed boot's logs beside the run's: repeat-K-console.log, ...
repeat_save_logs() {
	local k=$1 dir=$2 dest f
	for dest in "$LAST_RUN" ${KEEP_LOG:+"$KEEP_LOG"}; do
		mkdir -p "$dest"
		for f in console.log results.log; do
			[[ ! -f $dir/$f ]] || cp "$dir/$f" "$dest/repeat-$k-$f"
		done
	done
}

# One report from the boots' reports (REPORT-1 ... REPORT-N): each test
# once, FAIL if it failed in any boot, with "failed in K of N boots" and
# every failure's diagnostic lines headed by its boot; the count line sums
# every boot's tests.
repeat_summary() {
	local n=$1
	shift
	awk -v n="$n" '
		FNR == 1 { boot++ }
		/^[0-9]+ passed, [0-9]+ failed/ {
			p += $1; f += $3; if ($5 != "") s += $5
			cur = ""; next
		}
		/^(PASS|FAIL|SKIP)  / {
			name = substr($0, 7); st = substr($0, 1, 4)
			if (!(name in seen)) { seen[name] = 1; order[++nt] = name }
			if (st == "FAIL") {
				nf[name]++; boots[name] = boots[name] " " boot
				diag[name] = diag[name] sprintf("      boot %d:\n", boot)
				cur = name
			} else {
				cur = ""
				if (st == "SKIP" && !(name in skip)) skip[name] = $0
			}
			next
		}
		cur != "" { diag[cur] = diag[cur] "  " $0 "\n" }
		END {
			for (i = 1; i <= nt; i++) {
				t = order[i]
				if (t in nf) {
					printf "FAIL  %s\n      failed in %d of %d boots (boot%s)\n%s", \
						t, nf[t], n, boots[t], diag[t]
				} else if (t in skip) {
					print skip[t]
				} else {
					printf "PASS  %s\n", t
				}
			}
			if (s > 0) printf "%d passed, %d failed, %d skipped\n", p, f, s
			else printf "%d passed, %d failed\n", p, f
		}' "$@"
}

# repeat_run REPORT: boot the built initramfs REPEAT times; write the
# summary to REPORT. Progress goes to stdout. Returns 1 if anything failed.
repeat_run() {
	local out=$1 k dir hog rc=0 busy
	local -a reports=()
	for ((k = 1; k <= REPEAT; k++)); do
		dir=$RUN_DIR/repeat-$k
		mkdir -p "$dir"
		busy=''
		hog=''
		if [[ $REPEAT_BUSY -eq 1 && $((k % 2)) -eq 0 ]]; then
			hog=$(repeat_busy_start)
			busy=', the other core busy'
		fi
		say "boot $k of $REPEAT$busy"
		qemu_run "$BOOT_IMAGE" "$RUN_DIR/initramfs.cpio.gz" \
			"$dir/console.log" "$dir/results.log"
		[[ -z $hog ]] || repeat_busy_stop "$hog"
		if ! parse_report suite "$dir/results.log" "$dir/console.log" \
			"$QEMU_RC" "$TIMEOUT" >"$dir/report"; then
			rc=1
			repeat_save_logs "$k" "$dir"
		fi
		say "boot $k: $(tail -n 1 "$dir/report") in $QEMU_SECS s (QEMU had ${QEMU_CPU_SHARE}% of a CPU)"
		reports+=("$dir/report")
	done
	repeat_summary "$REPEAT" "${reports[@]}" >"$out"
	return "$rc"
}
