#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SUITE_FAILED and SUITE_TMP are suite.sh's, the helpers helpers.sh's.
# shellcheck disable=SC2034
#
# Areas of the guest suite that need a debug kernel (the x86_64/debug lane,
# harness/debug-kernel.config); sourced by suite.sh, which calls
# reliability_begin before the first test and run_reliability after every
# other area but heap. On a kernel without the
# facility an area prints nothing: Debian's kernels have no KUnit,
# kmemleak or fault injection, and their lanes' counts stay as they are.
#
#   kunit/SUITE.CASE     every case of every *_kunit.ko test module
#   fuzz/...             tests/bin/fuzz: seeded random ioctl sequences
#   faults/PATH          tests/bin/faults: Nth-allocation failure sweeps,
#                        stepped by /proc/thread-self/fail-nth
#   faults/debugfs/PATH/ATTR  the same sweeps stepped by the failslab and
#                        fail_page_alloc debugfs knobs (task-filter,
#                        probability, times, interval), one at a time;
#                        vivid_qbuf_vmap is skipped in both (a failed
#                        exporter vmap makes dma_buf_vmap() WARN once):
#                        a filter naming it runs that path alone, which
#                        test.sh does in a boot of its own that requires
#                        exactly that warning (harness/passes.sh)
#   soak/...             threads mixing everything, and module reloads
#   dma_api/...          DMA-API debug still on, no error counted
#   kmemleak/no_leaks    last: nothing the suite did leaked
#
# DL_FUZZ_CALLS, DL_SOAK_SECONDS and DL_RELOADS size the long areas.

KMEMLEAK=/sys/kernel/debug/kmemleak
KUNIT_DIR=/sys/kernel/debug/kunit

DL_FUZZ_CALLS=${DL_FUZZ_CALLS:-100000}
DL_FUZZ_SEED=${DL_FUZZ_SEED:-}
DL_SOAK_SECONDS=${DL_SOAK_SECONDS:-60}
DL_RELOADS=${DL_RELOADS:-100}

# Before the first test: leaks that boot left behind are not the suite's.
reliability_begin() {
	# DMA-API debug prints only its first error by default and then
	# counts the rest silently: show up to 20, each with its trace.
	_n=/sys/kernel/debug/dma-api/num_errors
	[ ! -w "$_n" ] || echo 20 >"$_n"
	[ -w "$KMEMLEAK" ] || return 0
	echo scan >"$KMEMLEAK" 2>/dev/null
	echo clear >"$KMEMLEAK" 2>/dev/null
}

# ---- kunit --------------------------------------------------------------------

# Rewrite one suite's KTAP results (debugfs) as suite lines: the cases are
# the results one level below the suite's own line; a nested result
# (parameterised case) is folded into its case. Diagnostics printed
# before a failed case's line follow its "not ok".
kunit_convert() {
	awk -v suite="$1" '
	{ sub(/\r$/, ""); line[n++] = $0 }
	/^[ \t]+(not )?ok [0-9]+ / {
		match($0, /^[ \t]+/)
		if (!level || RLENGTH < level) level = RLENGTH
	}
	/^(not )?ok [0-9]+ / && $0 ~ /^not / { topfail = 1 }
	END {
		for (i = 0; i < n; i++) {
			l = line[i]
			if (l ~ /^[ \t]*(KTAP version|1\.\.[0-9]|# Subtest:)/ || l ~ /^[ \t]*$/)
				continue
			if (l !~ /^[ \t]+(not )?ok [0-9]+ /) {
				if (l ~ /^(not )?ok /) continue
				d = l; sub(/^[ \t]*(#[ \t]*)?/, "", d); diag[nd++] = d; continue
			}
			match(l, /^[ \t]+/)
			if (RLENGTH != level) continue
			r = l; sub(/^[ \t]+/, "", r)
			notok = r ~ /^not /
			sub(/^(not )?ok [0-9]+ /, "", r)
			name = r; dir = ""
			if ((p = index(r, " # ")) > 0) { name = substr(r, 1, p - 1); dir = substr(r, p + 3) }
			cases++
			if (dir ~ /^[Ss][Kk][Ii][Pp]/) {
				why = dir; sub(/^[Ss][Kk][Ii][Pp][ \t]*/, "", why)
				print "ok - kunit/" suite "." name " # SKIP " (why == "" ? "skipped by the test" : why)
			} else if (notok) {
				print "not ok - kunit/" suite "." name
				for (j = (nd > 20 ? nd - 20 : 0); j < nd; j++) print "# " diag[j]
				failed++
			} else
				print "ok - kunit/" suite "." name
			nd = 0
		}
		if (!cases) { print "not ok - kunit/" suite " (no case results)"; exit 1 }
		if (topfail && !failed) { print "not ok - kunit/" suite " (suite failed)"; exit 1 }
		exit failed ? 1 : 0
	}'
}

kunit_suites() {
	for _d in "$KUNIT_DIR"/*; do
		[ -d "$_d" ] && basename "$_d"
	done | sort
}

run_kunit() {
	area_selected kunit || return 0
	_kos=
	for _ko in "${DL_DIR:-/dmabuf-lab}"/*_kunit.ko; do
		[ -f "$_ko" ] && _kos="$_kos $_ko"
	done
	if [ -z "$_kos" ]; then
		# Only a kernel with KUnit builds them; without KUnit, say nothing.
		[ -d "$KUNIT_DIR" ] || return 0
		tap_fail "kunit/test_modules_built"
		diag "the kernel has KUnit but no *_kunit.ko is in the image"
		return 0
	fi
	for _ko in $_kos; do
		_m=$(basename "$_ko" .ko)
		kunit_suites >"$SUITE_TMP/kunit.before"
		if ! insmod "$_ko" >"$SUITE_TMP/kunit.log" 2>&1; then
			tap_fail "kunit/$_m.insmod"
			diag_file "$SUITE_TMP/kunit.log"
			continue
		fi
		kunit_suites >"$SUITE_TMP/kunit.after"
		# (busybox grep -v -f with an empty pattern file prints nothing)
		_new=
		while read -r _s; do
			grep -qxF "$_s" "$SUITE_TMP/kunit.before" || _new="$_new $_s"
		done <"$SUITE_TMP/kunit.after"
		if [ -z "$_new" ]; then
			tap_fail "kunit/$_m.suites"
			diag "$_ko registered no suite in $KUNIT_DIR"
		fi
		for _s in $_new; do
			kunit_convert "$_s" <"$KUNIT_DIR/$_s/results" || SUITE_FAILED=1
		done
		rmmod "$_m" || { tap_fail "kunit/$_m.rmmod"; }
	done
}

# ---- kmemleak -----------------------------------------------------------------

# Two scans: an object must be seen unreferenced by a scan after it is at
# least 5 s old before kmemleak reports it.
kmemleak_no_leaks() {
	echo scan >"$KMEMLEAK" || fail "cannot write scan to $KMEMLEAK" || return 1
	sleep 6
	echo scan >"$KMEMLEAK" || return 1
	cat "$KMEMLEAK" >"$SUITE_TMP/kmemleak.txt" || fail "cannot read $KMEMLEAK" || return 1
	if [ -s "$SUITE_TMP/kmemleak.txt" ]; then
		echo "kmemleak reports $(grep -c '^unreferenced object' "$SUITE_TMP/kmemleak.txt") leak(s):"
		head -n 200 "$SUITE_TMP/kmemleak.txt"
		return 1
	fi
}

# DMA-API debug switches itself off when it runs out of memory; then it
# silently checks nothing. It must still be on after every area, with no
# error counted.
dma_api_debug_active() {
	_d=/sys/kernel/debug/dma-api
	_off=$(cat "$_d/disabled") || fail "cannot read $_d/disabled" || return 1
	_errors=$(cat "$_d/error_count") || fail "cannot read $_d/error_count" || return 1
	echo "disabled=$_off error_count=$_errors min_free_entries=$(cat "$_d/min_free_entries")"
	[ "$_off" = N ] || fail "DMA-API debug switched itself off during the run" || return 1
	[ "$_errors" = 0 ] || fail "DMA-API debug counted $_errors error(s)"
}

run_dma_api() {
	[ -r /sys/kernel/debug/dma-api/disabled ] || return 0
	run_shell_test dma_api/debug_active_without_errors dma_api_debug_active
}

run_kmemleak() {
	[ -w "$KMEMLEAK" ] || return 0
	run_shell_test kmemleak/no_leaks kmemleak_no_leaks
}

# ---- fuzz, faults, soak, reload -------------------------------------------------

# Only a debug kernel: these are long, and need fault injection (fail-nth).
debug_kernel() { [ -w "$KMEMLEAK" ] && [ -e /proc/self/fail-nth ]; }

# vivid when the image has it (its vmalloc instance imports our buffers
# through dma_buf_vmap); an image without it is no failure (77).
load_vivid() {
	vivid_load >"$SUITE_TMP/vivid.log" 2>&1
	case $? in
	0 | 77) return 0 ;;
	esac
	cat "$SUITE_TMP/vivid.log"
	return 1
}

# Both modules, vgem and vivid, as the areas need them.
load_all() {
	load_pagebuf && v2d_insmod && load_vivid || return 1
	vgem_load >/dev/null 2>&1 || true
}

PARAM_SAVE=
# Small limits while fuzzing: sizes around max_buffer_size and the quota
# are reached without exhausting the guest's memory; a hung job is failed
# by the watchdog in 200 ms instead of 5 s.
limits_small() {
	_p=/sys/module/pagebuf/parameters
	_v=/sys/module/v2d_emu/parameters
	PARAM_SAVE="$(cat $_p/max_buffer_size) $(cat $_p/quota) $(cat $_v/timeout_ms)"
	echo 8388608 >$_p/max_buffer_size && echo 33554432 >$_p/quota &&
		echo 200 >$_v/timeout_ms
}

limits_restore() {
	[ -n "$PARAM_SAVE" ] || return 0
	# shellcheck disable=SC2086 # three words
	set -- $PARAM_SAVE
	echo "$1" >/sys/module/pagebuf/parameters/max_buffer_size
	echo "$2" >/sys/module/pagebuf/parameters/quota
	echo "$3" >/sys/module/v2d_emu/parameters/timeout_ms
	PARAM_SAVE=
}

# run_tool AREA/NAME COMMAND...: one result from a tool's exit status,
# its output as diagnostics (the seed and counts, or what failed).
run_tool() {
	_name=$1
	shift
	selected "$_name" || return 0
	_t0=$(cut -d' ' -f1 /proc/uptime)
	with_timeout "$@" >"$SUITE_TMP/tool.out" 2>&1 </dev/null
	_rc=$?
	_t1=$(cut -d' ' -f1 /proc/uptime)
	if [ "$_rc" = 0 ]; then
		tap_ok "$_name"
	else
		tap_fail "$_name"
		diag "exit status $_rc"
	fi
	tail -n 40 "$SUITE_TMP/tool.out" | diag_file
	diag "took $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f", b - a }') s"
}

fuzz_area() {
	area_selected fuzz || return 0
	load_all || { tap_fail fuzz/setup; return 0; }
	limits_small || { tap_fail fuzz/limits; limits_restore; return 0; }
	# The guest's limit per program grows with the calls (some 500 a
	# second under KASAN): the long run needs more than the default.
	_limit=$DL_TIMEOUT
	DL_TIMEOUT=$((DL_TIMEOUT + DL_FUZZ_CALLS / 200))
	# shellcheck disable=SC2086 # an empty seed is no argument
	run_tool fuzz/random_calls "$DL_BIN/fuzz" --calls "$DL_FUZZ_CALLS" \
		${DL_FUZZ_SEED:+--seed "$DL_FUZZ_SEED"}
	DL_TIMEOUT=$_limit
	limits_restore
}

# Every fault point reachable from this thread, slab or page allocator,
# any order or gfp, silently (a stack dump per failure would read as a
# splat); fail-nth, or the tool's own interval stepping in debugfs mode,
# picks which one fails.
faults_setup() {
	for _d in failslab fail_page_alloc; do
		_f=/sys/kernel/debug/$_d
		[ -d "$_f" ] || fail "$_f missing" || return 1
		echo 0 >"$_f/verbose" && echo N >"$_f/ignore-gfp-wait" ||
			fail "cannot configure $_f" || return 1
	done
	if ! echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem ||
		! echo 0 >/sys/kernel/debug/fail_page_alloc/min-order; then
		fail "cannot configure fail_page_alloc" || return 1
	fi
	faults_spare_dma_debug
}

# DMA-API debug tracks every mapping in a radix tree it fills with atomic
# allocations made inside dma_map_*(); an injected failure there makes it
# print "cacheline tracking ENOMEM" and switch itself off for the rest of
# the boot. That is the checker failing, not the code under test: the
# stack-trace filter rejects allocations made from add_dma_entry(), from
# its first address to the next symbol's.
faults_spare_dma_debug() {
	_range=$(awk '$3 == "add_dma_entry" { s = $1; next }
		s != "" && ($1 "") > s { print "0x" s, "0x" $1; exit }' /proc/kallsyms)
	[ -n "$_range" ] || return 0
	# shellcheck disable=SC2086 # two words
	set -- $_range
	case $1 in 0x0000000000000000) fail "/proc/kallsyms hides addresses" || return 1 ;; esac
	for _d in failslab fail_page_alloc; do
		_f=/sys/kernel/debug/$_d
		echo "$1" >"$_f/reject-start" && echo "$2" >"$_f/reject-end" ||
			fail "cannot set $_f/reject-start and reject-end" || return 1
	done
	echo "DMA-API debug spared: fault points under add_dma_entry ($1-$2) never fail"
}

# faults_run MODE [ARGS]: every path (or those ARGS name), stepped by
# MODE; the tool prints one suite line per path (and attribute), then the
# time the mode took.
faults_run() {
	_t0=$(cut -d' ' -f1 /proc/uptime)
	with_timeout "$DL_BIN/faults" --mode "$@" >"$SUITE_TMP/faults.out" 2>&1 </dev/null
	_rc=$?
	_t1=$(cut -d' ' -f1 /proc/uptime)
	sed -n -e '/^ok - faults\//p' -e '/^not ok - faults\//p' -e '/^#/p' "$SUITE_TMP/faults.out"
	grep -q '^not ok' "$SUITE_TMP/faults.out" && SUITE_FAILED=1
	if [ "$_rc" != 0 ] && ! grep -q '^not ok' "$SUITE_TMP/faults.out"; then
		tap_fail "faults/$1/exited_$_rc"
		diag_file "$SUITE_TMP/faults.out"
	fi
	diag "faults --mode $1 took $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f", b - a }') s"
}

faults_area() {
	area_selected faults || return 0
	load_all || { tap_fail faults/setup; return 0; }
	if ! faults_setup >"$SUITE_TMP/faults.log" 2>&1; then
		tap_fail faults/setup
		diag_file "$SUITE_TMP/faults.log"
		return 0
	fi
	# The vmap path warns by design: only a filter that names it runs it,
	# alone.
	case ${DL_FILTER:-} in
	*vivid_qbuf_vmap*) set -- --path vivid_qbuf_vmap ;;
	*) set -- ;;
	esac
	faults_run fail-nth "$@"
	faults_run debugfs "$@"
}

soak_area() {
	area_selected soak || return 0
	load_all || { tap_fail soak/setup; return 0; }
	run_tool soak/threads_mixed "$DL_BIN/soak" --threads 4 --seconds "$DL_SOAK_SECONDS"
	run_shell_test soak/module_reload reload_loop
}

# Load both modules, use them (a short fuzz run: buffers, imports, jobs,
# all closed again), unload them; DL_RELOADS times.
reload_loop() {
	# (not _i: the helpers it calls use that name)
	_round=1
	while [ "$_round" -le "$DL_RELOADS" ]; do
		v2d_unload 2>/dev/null
		unload_pagebuf || return 1
		load_all && limits_small || return 1
		PARAM_SAVE=
		"$DL_BIN/fuzz" --calls 30 --seed "$_round" >"$SUITE_TMP/reload.out" 2>&1 ||
			{ cat "$SUITE_TMP/reload.out"; fail "round $_round: fuzz failed"; return 1; }
		_round=$((_round + 1))
	done
	v2d_unload || fail "rmmod v2d_emu failed after $DL_RELOADS rounds" || return 1
	unload_pagebuf || return 1
	echo "$DL_RELOADS load/use/unload rounds"
}

# After every other area, with both modules unloaded.
run_reliability() {
	run_kunit
	if debug_kernel; then
		fuzz_area
		faults_area
		soak_area
		rmmod vivid 2>/dev/null
		v2d_unload 2>/dev/null
		unload_pagebuf >/dev/null 2>&1
	fi
	run_dma_api
	run_kmemleak
}
