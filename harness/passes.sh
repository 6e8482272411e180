# shellcheck shell=bash
# Extra boots of one lane after the suite's: the same kernel and initramfs,
# another kernel command line, a subset of the suite, an expected outcome.
#
#   swiotlb          swiotlb=force, the whole suite: every DMA mapping
#                    bounces, so byte checks through a device (the
#                    engine's, vgem's, vivid's) pass only if the exporter
#                    syncs every mapping at map, unmap and CPU access.
#   swiotlb-nosync   the same with pagebuf.debug_skip_sync=1 (the suite
#                    passes NAME.PARAM words of the command line to insmod):
#                    the negative control. The byte checks named in its
#                    expectation must fail, and it is reported as one test
#                    that passes only if they did: the engine's COPY and
#                    ROTATE of a source the CPU wrote while it was mapped,
#                    which reaches the engine only through the exporter's
#                    end_cpu_access. (What the engine writes it hands to
#                    the CPU itself before its fence signals, so a FILL
#                    needs no exporter sync to be seen.)
#   dma32            4 GiB of guest memory, so that pages above 4 GiB exist:
#                    v2d_emu with dma_bits=32 must bounce them and still
#                    get every byte right, and with 64 must not bounce.
#
# Each boot gets the suite's initramfs with a second cpio archive appended
# that replaces /dmabuf-lab/run.conf (the kernel unpacks both in order),
# setting the pass's filter. Kernel splats, a crash or a timeout fail any
# boot, the negative control's too. Test lines carry the pass's name
# ("PASS  swiotlb:v2d/..."), and the count line sums every boot.

# NAME|COMMAND-LINE WORDS|FILTER|EXPECTATION[|MEMORY]. EXPECTATION is
# "pass"; "fail:TEST..." (tests that must fail) followed by
# "=REPORTED-NAME"; or "warn:FUNCTION": every test passes and the
# kernel's one and only report is a WARNING in FUNCTION. MEMORY replaces
# the lane's -m.
#
# The bounce pool is given its default size (64 MiB) plus one 128-slot
# segment: a size equal to the default counts as unset, and arm64 (since
# 6.5, DMA_BOUNCE_UNALIGNED_KMALLOC) then shrinks an unset pool to
# 1 MiB per GiB of memory, too small to bounce anything but small jobs.
SWIOTLB_FORCE="swiotlb=32896 swiotlb=force"
PASSES=(
	"swiotlb|$SWIOTLB_FORCE|*|pass"
	"swiotlb-nosync|$SWIOTLB_FORCE pagebuf.debug_skip_sync=1|v2d/*|fail:v2d/copy_between_policies v2d/rotate_90_180_270=swiotlb/negative_control_fails_without_syncs"
	"dma32||dma32/*|pass|4G"
)

# The debug kernel's lane (targets.sh) has these instead:
#   vmap-faults      the fault sweeps of the vmap path alone (vivid's
#                    vmalloc queue imports pagebuf buffers with
#                    dma_buf_vmap). dma_buf_vmap() WARNs once per boot
#                    when an exporter's vmap fails, by design: this boot
#                    requires that one warning (proof that the injected
#                    failures reached pagebuf's vmap op) and nothing else.
#   dma32            as on the other lanes, here under DMA-API debug.
PASSES_DEBUG_KERNEL=(
	"vmap-faults||faults/*vivid_qbuf_vmap*|warn:dma_buf_vmap"
	"dma32||dma32/*|pass|4G"
)

# A pass boots at most this long.
PASS_TIMEOUT=300

# The initramfs BASE with run.conf overridden by LINES, written to OUT.
passes_initramfs() {
	local base=$1 out=$2 lines=$3 stage
	stage=$(dirname "$out")/stage
	rm -rf "$stage"
	mkdir -p "$stage/dmabuf-lab"
	gzip -dc "$base" | cpio -i --quiet --to-stdout '*dmabuf-lab/run.conf' \
		>"$stage/dmabuf-lab/run.conf" || return 1
	printf '%s\n' "$lines" >>"$stage/dmabuf-lab/run.conf"
	cp "$base" "$out"
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --reproducible --quiet) |
		gzip -1 >>"$out"
}

# Copy a pass's logs next to the suite's: NAME-console.log, NAME-results.log.
passes_save_logs() {
	local name=$1 dir=$2 f dest
	for dest in "$LAST_RUN" ${KEEP_LOG:+"$KEEP_LOG"}; do
		mkdir -p "$dest"
		for f in console.log results.log qemu.cmd; do
			[[ ! -f $dir/$f ]] || cp "$dir/$f" "$dest/$name-$f"
		done
	done
}

# Prefix the test names of a report's lines (all but the count line).
passes_prefix() {
	sed -e '$d' -e "s/^\(PASS\|FAIL\|SKIP\)  /\1  $1:/" "$2"
}

# The negative control's verdict from its boot's REPORT: every test of
# EXPECTED failed, and nothing but tests did (no splat, crash, timeout).
# Prints the lines; sets PASS_P PASS_F.
passes_expect_failures() {
	local name=$1 report=$2 reported=$3 expected=$4 t passed='' absent='' line
	PASS_P=0 PASS_F=0
	for t in $expected; do
		if grep -qxF "PASS  $t" "$report"; then
			passed+=" $t"
		elif ! grep -qxF "FAIL  $t" "$report"; then
			absent+=" $t"
		fi
	done
	if [[ -z $passed$absent ]]; then
		printf 'PASS  %s\n' "$reported"
		PASS_P=1
	else
		printf 'FAIL  %s\n' "$reported"
		[[ -z $passed ]] || printf '      passed although the syncs were skipped:%s\n' "$passed"
		[[ -z $absent ]] || printf '      did not run:%s\n' "$absent"
		PASS_F=1
	fi
	for t in $expected; do
		grep -qxF "FAIL  $t" "$report" || continue
		printf '      %s:%s failed, as expected\n' "$name" "$t"
	done
	# Failures of the boot itself are never expected.
	while IFS= read -r line; do
		printf '%s\n' "$line"
		[[ $line != FAIL* ]] || PASS_F=$((PASS_F + 1))
	done < <(sed '$d' "$report" |
		awk '/^FAIL  (kernel|harness)\// { on = 1; sub(/^FAIL  /, "FAIL  '"$name"':"); print; next }
			/^(PASS|FAIL|SKIP)  / { on = 0; next }
			on')
}

# The verdict of a boot whose one kernel report must be a WARNING in
# FUNCTION (with its call trace): its tests are reported as they are,
# and the kernel's reports as one test, NAME:kernel/only_FUNCTION_warned.
# Prints the lines; sets PASS_P PASS_F PASS_S.
passes_expect_warning() {
	local name=$1 report=$2 func=$3 line cls='' warn=0 trace=0 other='' why=''
	PASS_P=0 PASS_F=0 PASS_S=0
	while IFS= read -r line; do
		case $line in
		'FAIL  kernel/'*)
			cls=${line#FAIL  kernel/}
			cls=${cls%%:*}
			case $cls in
			warning | call-trace) ;;
			*) other+=" $cls" ;;
			esac
			continue
			;;
		'PASS  '* | 'FAIL  '* | 'SKIP  '*)
			cls=''
			printf '%s  %s:%s\n' "${line:0:4}" "$name" "${line:6}"
			case $line in
			PASS*) PASS_P=$((PASS_P + 1)) ;;
			FAIL*) PASS_F=$((PASS_F + 1)) ;;
			*) PASS_S=$((PASS_S + 1)) ;;
			esac
			continue
			;;
		esac
		case $cls in
		warning) [[ $line == *" $func+"* ]] && warn=$((warn + 1)) || other+=" warning" ;;
		call-trace) trace=$((trace + 1)) ;;
		'') printf '%s\n' "$line" ;;
		esac
		[[ $cls != "" && $cls != warning && $cls != call-trace ]] && printf '%s\n' "$line"
	done < <(sed '$d' "$report")
	if [[ -n $other ]]; then
		why="other kernel reports:$other"
	elif [[ $warn -ne 1 || $trace -gt 1 ]]; then
		why="$warn WARNING(s) in $func, $trace call trace(s); want exactly one"
	fi
	if [[ -z $why ]]; then
		printf 'PASS  %s:kernel/only_%s_warned\n' "$name" "$func"
		PASS_P=$((PASS_P + 1))
	else
		printf 'FAIL  %s:kernel/only_%s_warned\n      %s\n' "$name" "$func" "$why"
		PASS_F=$((PASS_F + 1))
	fi
}

# passes_run_one SPEC OUT: run one pass, append its report lines to OUT
# (progress goes to stdout); sets PASS_P PASS_F PASS_S.
passes_run_one() {
	local spec=$1 out=$2 name words filter expect mem dir rc=0 i
	IFS='|' read -r name words filter expect mem <<<"$spec"
	local -a T_QEMU_ARGS=("${T_QEMU_ARGS[@]}")
	for ((i = 0; i + 1 < ${#T_QEMU_ARGS[@]}; i++)); do
		[[ -z $mem || ${T_QEMU_ARGS[i]} != -m ]] || T_QEMU_ARGS[i + 1]=$mem
	done
	PASS_P=0 PASS_F=0 PASS_S=0
	dir=$RUN_DIR/pass-$name
	mkdir -p "$dir"
	if ! passes_initramfs "$RUN_DIR/initramfs.cpio.gz" "$dir/initramfs.cpio.gz" \
		"DL_FILTER=$(sh_quote "$filter")"; then
		printf 'FAIL  %s:harness/initramfs: could not build the initramfs\n' "$name" >>"$out"
		PASS_F=1
		return
	fi
	local APPEND="${APPEND:+$APPEND }$words" TIMEOUT=$PASS_TIMEOUT
	say "pass $name: ${words:-no extra arguments}${mem:+, -m $mem}, tests $filter"
	qemu_run "$BOOT_IMAGE" "$dir/initramfs.cpio.gz" "$dir/console.log" "$dir/results.log"
	cp "$RUN_DIR/qemu.cmd" "$dir/qemu.cmd"
	passes_save_logs "$name" "$dir"
	say "pass $name: QEMU ran $QEMU_SECS s"
	parse_report suite "$dir/results.log" "$dir/console.log" "$QEMU_RC" "$TIMEOUT" \
		>"$dir/report" || rc=1
	if [[ $expect == warn:* ]]; then
		passes_expect_warning "$name" "$dir/report" "${expect#warn:}" >>"$out"
		return
	fi
	if [[ $expect == fail:* ]]; then
		expect=${expect#fail:}
		passes_expect_failures "$name" "$dir/report" "${expect##*=}" \
			"${expect%=*}" >"$dir/lines"
		cat "$dir/lines" >>"$out"
		return
	fi
	passes_prefix "$name" "$dir/report" >>"$out"
	read -r PASS_P _ PASS_F _ PASS_S _ < <(tail -n 1 "$dir/report" | tr -d ,)
	PASS_S=${PASS_S:-0}
	[[ $rc -eq 0 || $PASS_F -gt 0 ]] || PASS_F=1
}

# passes_wanted: the passes run after a full suite run.
passes_wanted() {
	[[ $MODE == suite && -z $ONLY && ${PASSES_OFF:-0} -eq 0 ]]
}

# passes_run REPORT: run every pass and rewrite REPORT (the suite's, whose
# last line is its count line) with their lines and the total count.
# Returns 1 if anything failed.
passes_run() {
	local report=$1 spec tp tf ts
	read -r tp _ tf _ ts _ < <(tail -n 1 "$report" | tr -d ,)
	ts=${ts:-0}
	sed -i '$d' "$report"
	if [[ " ${KOS[*]} " != *"/v2d_emu.ko "* ]]; then
		for spec in "${PASSES[@]}"; do
			printf 'SKIP  %s:v2d: v2d_emu.ko was not built for this kernel\n' "${spec%%|*}"
			ts=$((ts + 1))
		done >>"$report"
	else
		for spec in "${PASSES[@]}"; do
			passes_run_one "$spec" "$report"
			tp=$((tp + PASS_P)) tf=$((tf + PASS_F)) ts=$((ts + PASS_S))
		done
	fi
	if [[ $ts -gt 0 ]]; then
		printf '%d passed, %d failed, %d skipped\n' "$tp" "$tf" "$ts" >>"$report"
	else
		printf '%d passed, %d failed\n' "$tp" "$tf" >>"$report"
	fi
	[[ $tf -eq 0 && $tp -gt 0 ]]
}
