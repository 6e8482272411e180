#!/bin/sh
# The benchmark in the guest: load pagebuf and v2d_emu (the engine with a
# watchdog long enough for 64 MiB jobs under emulation), run dmabuf-bench
# with the repetitions the host asked for, and report. The last line is
# "=== DL-BENCH-RESULT ok ===" or "=== DL-BENCH-RESULT fail ===".

cd /dmabuf-lab || exit 1
result() {
	echo "=== DL-BENCH-RESULT $1 ==="
	exit 0
}

insmod ./pagebuf.ko || result fail
insmod ./v2d_emu.ko timeout_ms=120000 || result fail
n=50
while { [ ! -c /dev/pagebuf ] || [ ! -c /dev/v2d_emu ]; } && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done

# shellcheck disable=SC2086 # DL_BENCH_ARGS holds several words
if ./dmabuf-bench --reps "${DL_BENCH_REPS:-5}" $DL_BENCH_ARGS; then
	result ok
fi
result fail
