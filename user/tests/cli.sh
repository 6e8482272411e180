#!/bin/bash
# Host-side tests of dmabuf-inspect, dmabuf-conform and dmabuf-bench on
# hostile input: crafted --root trees, snapshots and command lines. None
# needs a device or root: the programs must refuse or cope before they
# would touch one. One PASS or FAIL line per case; exit status 1 when one
# failed.
#
#   user/tests/cli.sh [GROUP...]     groups: hang conform bench demo (the
#                                    default, which make check runs) and
#                                    perf (by hand: it measures)
#   INSPECT=BINARY user/tests/cli.sh perf   another dmabuf-inspect
#
# perf times the views against --json on the same data and the cost per
# row from 4000 to 40000 buffers; timings on a shared machine (CI's runs
# boot guests beside it) are no verdict, so it is not in the default set.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INSPECT=${INSPECT:-$ROOT/user/dmabuf-inspect/dmabuf-inspect}
CONFORM=$ROOT/user/dmabuf-conform/dmabuf-conform
BENCH=$ROOT/user/dmabuf-bench/dmabuf-bench
DEMO=$ROOT/user/v2d_demo
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILED=0

# check NAME STATUS PATTERN CMD...: CMD exits with STATUS within 10 s and
# its standard output or error matches PATTERN (grep -E).
check() {
	local name=$1 want=$2 pattern=$3 got
	shift 3
	timeout 10 "$@" >"$T/out" 2>&1
	got=$?
	if [[ $got -eq $want ]] && grep -Eq -- "$pattern" "$T/out"; then
		printf 'PASS  %s\n' "$name"
	else
		printf 'FAIL  %s (exit %d, wanted %d and /%s/)\n' "$name" "$got" "$want" "$pattern"
		head -c 2000 "$T/out" | sed 's/^/    /'
		FAILED=$((FAILED + 1))
	fi
}

# A --root tree with process 10 holding one dma-buf through fd 3.
tree() {
	local d=$T/$1
	rm -rf "$d"
	mkdir -p "$d/proc/10/fd" "$d/proc/10/fdinfo" "$d/sys/kernel/debug/dma_buf"
	echo app >"$d/proc/10/comm"
	ln -s /dmabuf:x "$d/proc/10/fd/3"
	printf 'pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t5\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n' \
		>"$d/proc/10/fdinfo/3"
	: >"$d/proc/10/maps"
	printf '%s\n' "$d"
}

# ---- files that are not what /proc, debugfs and sysfs hold ---------------
group_hang() {
	local d f

	for f in proc/10/fdinfo/3 proc/10/maps proc/10/comm \
		sys/kernel/debug/dma_buf/bufinfo; do
		d=$(tree fifo)
		rm -f "$d/$f"
		mkfifo "$d/$f"
		check "inspect: a FIFO as $f is refused, not waited on" 0 \
			"$f: not a regular file" "$INSPECT" --root "$d"
	done
	d=$(tree sysfs)
	mkdir -p "$d/sys/kernel/dmabuf/buffers/5"
	echo system >"$d/sys/kernel/dmabuf/buffers/5/exporter_name"
	mkfifo "$d/sys/kernel/dmabuf/buffers/5/size"
	check "inspect: a FIFO as a sysfs attribute is refused" 0 \
		"buffers/5/size: not a regular file" "$INSPECT" --root "$d"
	d=$(tree zero)
	rm "$d/proc/10/maps"
	ln -s /dev/zero "$d/proc/10/maps"
	check "inspect: maps linked to /dev/zero is refused" 0 \
		"proc/10/maps: .*(symbolic link|not a regular file)" \
		bash -c 'ulimit -v 1000000; exec "$@"' - "$INSPECT" --root "$d"
	d=$(tree big)
	truncate -s 65M "$d/proc/10/maps"
	check "inspect: a maps file over 64 MiB is refused" 0 \
		"proc/10/maps: larger than 64 MiB" "$INSPECT" --root "$d"
	mkfifo "$T/snap.fifo"
	check "inspect: a FIFO as snapshot is refused" 1 \
		"snap.fifo: not a regular file" "$INSPECT" --root "$(tree snap)" \
		--diff "$T/snap.fifo"
}

# ---- cost: the table within twice the time of JSON on the same data -------

# secs CMD...: wall-clock seconds CMD takes, the best of three runs (60 s
# at most each): the host may be busy with other work.
secs() {
	local t0 t best=
	for _ in 1 2 3; do
		t0=$(date +%s.%N)
		timeout 60 "$@" >/dev/null 2>&1
		t=$(echo "$(date +%s.%N) - $t0" | bc)
		if [[ -z $best || $(echo "$t < $best" | bc) -eq 1 ]]; then
			best=$t
		fi
		# Past a minute, once is enough to say so.
		[[ $(echo "$t >= 60" | bc) -eq 1 ]] && break
	done
	echo "$best"
}

# within NAME WHAT A B K SLACK: B seconds are at most K times A seconds,
# plus SLACK for the noise of a busy host.
within() {
	local name=$1 what=$2 a=$3 b=$4 k=$5 slack=$6 verdict=PASS

	if [[ $(echo "$b <= $k * $a + $slack" | bc) -ne 1 ]]; then
		verdict=FAIL
		FAILED=$((FAILED + 1))
	fi
	printf '%s  %s (%s: %.2f s, then %.2f s)\n' "$verdict" "$name" "$what" "$a" "$b"
}

# fast NAME DIR VIEW...: the table of VIEW costs at most twice the JSON.
fast() {
	local name=$1 dir=$2 json
	shift 2
	json=$(secs "$INSPECT" --root "$dir" "$@" --json)
	within "$name" "JSON, table" "$json" "$(secs "$INSPECT" --root "$dir" "$@")" 2 0.25
}

# flat NAME SMALL LARGE VIEW...: ten times the buffers cost at most 25
# times as much (twice what linear would, for the noise): not a hundred.
flat() {
	local name=$1 small=$2 large=$3 a
	shift 3
	a=$(secs "$INSPECT" --root "$small" "$@")
	within "$name" "small, large" "$a" "$(secs "$INSPECT" --root "$large" "$@")" 25 0.5
}

group_perf() {
	local view

	cc -O2 -o "$T/gen_root" "$ROOT/user/dmabuf-inspect/tests/gen_root.c" || exit 1
	"$T/gen_root" "$T/procs" 2000 2000 || exit 1
	"$T/gen_root" "$T/bufs4k" 40 4000 || exit 1
	"$T/gen_root" "$T/bufs" 40 40000 || exit 1
	for view in "" -b -a; do
		fast "inspect ${view:-default}: 2000 processes" "$T/procs" $view
		fast "inspect ${view:-default}: 40000 buffers" "$T/bufs" $view
		flat "inspect ${view:-default}: 4000 to 40000 buffers, cost per row flat" \
			"$T/bufs4k" "$T/bufs" $view --json
	done
}

# ---- dmabuf-conform: its options, and --recv's socket ---------------------
group_conform() {
	local a pid sock=$T/conform.sock

	for a in " -4096" "-4096" "18014398509481988K" "18446744073709551616" \
		"0x1000" "4096x" "" "1000"; do
		check "conform: --size '$a' is refused" 2 "--size" \
			"$CONFORM" --udmabuf --size "$a"
	done
	for a in 5abc 4294967297 2147484 0 -1 " 5" ""; do
		check "conform: --timeout '$a' is refused" 2 "--timeout" \
			"$CONFORM" --udmabuf --timeout "$a"
	done
	check "conform: --recv '' is refused" 2 "--recv" "$CONFORM" --recv ''
	for a in "1:99999999999" "99999999999:3" " 1:3" "1: 3" "+1:3" "1:3x" ":3" "1:"; do
		check "conform: --pidfd '$a' is refused" 2 "--pidfd" \
			"$CONFORM" --pidfd "$a"
	done
	# A --recv killed before anything came leaves its socket behind; the
	# next one must listen there all the same.
	"$CONFORM" --recv "$sock" 2>/dev/null &
	pid=$!
	for a in 1 2 3 4 5 6 7 8 9 10; do
		[[ -S $sock ]] && break
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	check "conform: --recv listens where a killed one left its socket" 124 \
		"waiting for a dma-buf fd on" timeout 2 "$CONFORM" --recv "$sock"
	: >"$T/not-a-socket"
	check "conform: --recv leaves a file that is not a socket alone" 3 \
		"listening on" "$CONFORM" --recv "$T/not-a-socket"
	[[ -f $T/not-a-socket ]] || { echo "FAIL  conform: --recv removed a regular file"; FAILED=$((FAILED + 1)); }
}

# ---- dmabuf-bench: its options, and P6 without /dev/pagebuf ----------------
group_bench() {
	local a

	for a in 4294967297 0 65 -1 " 5" 5x ""; do
		check "bench: --reps '$a' is refused" 2 "--reps" "$BENCH" --reps "$a"
	done
	for a in nothing "p1,bogus" "" ","; do
		check "bench: --only '$a' is refused" 2 "--only" "$BENCH" --only "$a"
	done
	if [[ ! -e /dev/pagebuf ]]; then
		check "bench: P6 without /dev/pagebuf is not reported ok" 3 \
			"P6 allocate/free cycles: not run" "$BENCH" --reps 1 --only p6
	fi
}

# ---- v2d_demo's numbers ----------------------------------------------------
group_demo() {
	local a

	for a in " 90" "+90" "90x" "0x5a" "4294967386" "45" ""; do
		check "v2d_demo: --rotation '$a' is refused" 2 "--rotation: " \
			"$DEMO" --rotation "$a" --pagebuf /nonexistent
	done
	# A good one gets past the options, to the missing device.
	check "v2d_demo: --rotation 270 is taken" 1 "/nonexistent" \
		"$DEMO" --rotation 270 --pagebuf /nonexistent
}

main() {
	local g groups=("$@")

	[[ ${#groups[@]} -gt 0 ]] || groups=(hang conform bench demo)
	for g in "${groups[@]}"; do
		"group_$g"
	done
	[[ $FAILED -eq 0 ]] || { printf '%d host CLI test(s) failed\n' "$FAILED"; exit 1; }
}

main "$@"
