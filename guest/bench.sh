#!/bin/sh
# The benchmark in the guest: load pagebuf, v2d_emu (the engine with a
# watchdog long enough for 64 MiB jobs under emulation) and the roofline
# exporter dmabuf_null, run dmabuf-bench
# with the repetitions the host asked for, and report. The last line is
# "=== DL-BENCH-RESULT ok ===" or "=== DL-BENCH-RESULT fail ===".

cd /dmabuf-lab || exit 1
result() {
	echo "=== DL-BENCH-RESULT $1 ==="
	exit 0
}

insmod ./pagebuf.ko || result fail
insmod ./v2d_emu.ko timeout_ms=120000 || result fail
# The small buffers' roofline, when the build made it (make DL_BENCH=1).
if [ -f ./dmabuf_null.ko ]; then
	insmod ./dmabuf_null.ko || result fail
fi
n=50
while { [ ! -c /dev/pagebuf ] || [ ! -c /dev/v2d_emu ] ||
	{ [ -f ./dmabuf_null.ko ] && [ ! -c /dev/dmabuf_null ]; }; } && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done

# The host boots the guest twice: everything but the 2-thread rows on one
# host thread, then (dl_bench=threads on the kernel command line) only
# those under multi-threaded TCG, where two vCPUs really run at once,
# and the cost of dmabuf-inspect --trace again, its reader on a CPU of
# its own as on a board with more than one core.
# A --only of the caller's comes last and wins.
case " $(cat /proc/cmdline) " in
*" dl_bench=threads "*) only=threads,trace ;;
*) only=p1,p2,p3,p5,v2d,inspect,trace,p6 ;;
esac
# shellcheck disable=SC2086 # DL_BENCH_ARGS holds several words
./dmabuf-bench --reps "${DL_BENCH_REPS:-5}" --only "$only" $DL_BENCH_ARGS ||
	result fail
if [ "$only" != threads ] && [ "${DL_BENCH_PROFILE:-0}" = 1 ]; then
	./bench-profile.sh || result fail
fi
result ok
