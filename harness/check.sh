#!/bin/bash
# Static checks, all of which must be silent: checkpatch --strict on the
# kernel sources and uapi headers (taken from Debian's linux-source
# package), a W=1 build and a sparse (C=2) pass of the modules against the
# host's Debian kernel headers, the userspace programs built with
# -Wall -Wextra -Werror, their host-side tests on hostile input (unit
# tests under ASan and UBSan, command-line tests, a bounded fuzzing run),
# libdmabuf-lab's unit tests and ABI (its exported symbols against its
# version script), the harness's own tests (harness/tests: the log parser,
# the passes' reporting, the guest suite's TAP conversion), and one
# version everywhere (harness/version-check.sh).
# Exit status 0 only when everything is clean.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DMABUF_LAB_CACHE:-/var/cache/dmabuf-lab}

# shellcheck source=harness/lib.sh
. "$ROOT/harness/lib.sh"
# shellcheck source=harness/deps.sh
. "$ROOT/harness/deps.sh"

RUN_DIR=$(mktemp -d)
trap 'rm -rf "$RUN_DIR"' EXIT

FAILED=0
check_failed() {
	printf 'FAIL  %s\n' "$1"
	FAILED=$((FAILED + 1))
}

# checkpatch.pl and the data files it reads, unpacked once per
# linux-source version into the cache.
checkpatch_path() {
	local tarball dir
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)
	[[ -n $tarball ]] || die "linux-source is installed but has no tarball under /usr/src"
	dir=$CACHE/checkpatch/$(basename "$tarball" .tar.xz)
	if [[ ! -x $dir/scripts/checkpatch.pl ]]; then
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tarball" --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
	fi
	printf '%s\n' "$dir/scripts/checkpatch.pl"
}

host_kdir() {
	local kver
	kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
	printf '/usr/src/linux-headers-%s\n' "$kver"
}

run_checkpatch() {
	local checkpatch out
	checkpatch=$(checkpatch_path)
	# Sources only: kbuild's generated *.mod.c are not ours to style, and
	# include/dmabuf-lab.h is libdmabuf-lab's, userspace C like user/.
	mapfile -t files < <(cd "$ROOT" &&
		find module include/uapi -name '*.[ch]' ! -name '*.mod.c' | sort)
	out=$(cd "$ROOT" && "$checkpatch" --strict --no-tree --terse \
		--show-types -f "${files[@]}" 2>&1 | grep -v '^total: ' |
		# compat.h calls the old API on purpose where the kernel being
		# built against has no newer one (kmap_atomic before 5.11).
		grep -v '^module/compat\.h:[0-9]*: WARNING:DEPRECATED_API:') || true
	if [[ -z $out ]]; then
		printf 'PASS  checkpatch --strict (%d files)\n' "${#files[@]}"
	else
		printf '%s\n' "$out"
		check_failed "checkpatch --strict"
	fi
}

# A kbuild run whose output must hold no warning or error: $1 names it,
# the rest are extra make arguments.
run_kbuild() {
	local name=$1 out
	shift
	make -C "$ROOT/module" KDIR="$KDIR" clean >/dev/null
	if out=$(make -C "$ROOT/module" KDIR="$KDIR" "$@" 2>&1) &&
		! grep -Eq 'warning:|error:' <<<"$out"; then
		printf 'PASS  %s\n' "$name"
	else
		grep -E 'warning:|error:' <<<"$out" || printf '%s\n' "$out" | tail -n 20
		check_failed "$name"
	fi
}

run_userspace() {
	local dir
	for dir in lib user tests; do
		make -C "$ROOT/$dir" clean >/dev/null
		if make -C "$ROOT/$dir" >"$RUN_DIR/$dir.log" 2>&1; then
			printf 'PASS  %s/ builds with -Wall -Wextra -Werror\n' "$dir"
		else
			tail -n 20 "$RUN_DIR/$dir.log"
			check_failed "$dir/ build"
		fi
	done
}

# run_make_steps DIR "NAME|TARGET"...: make -C DIR TARGET for each, one
# PASS or FAIL line per step, with the tail of its output on failure.
run_make_steps() {
	local dir=$1 step
	shift
	for step in "$@"; do
		if make -C "$dir" "${step#*|}" >"$RUN_DIR/step.log" 2>&1; then
			printf 'PASS  %s\n' "${step%%|*}"
		else
			tail -n 20 "$RUN_DIR/step.log"
			check_failed "${step%%|*}"
		fi
	done
}

# The userspace tools on hostile input, on the host: dmabuf-inspect's
# unit tests under ASan and UBSan, the command-line tests of the three
# tools (user/tests/cli.sh) and a bounded fuzzing run of the parsers.
run_host_tests() {
	run_make_steps "$ROOT/user/dmabuf-inspect/tests" \
		"inspect unit tests (ASan, UBSan)|check" \
		"inspect parsers fuzzed (bounded run)|fuzz"
	make -C "$ROOT/user" >/dev/null 2>&1 || { check_failed "user/ build for the CLI tests"; return; }
	if ! "$ROOT/user/tests/cli.sh"; then
		check_failed "host CLI tests"
	fi
}

# libdmabuf-lab on the host: its cmocka tests (source specs and their
# messages, fdinfo from fixture text, fds over socketpairs, the CPU
# bracket against a faked ioctl, numbers), then its ABI: the dynamic
# symbols the built .so defines are exactly the ones libdmabuf-lab.map
# lists, in their version node, none missing and none extra.
run_lib_checks() {
	run_make_steps "$ROOT/lib" \
		"libdmabuf-lab unit tests|unit-tests" \
		"libdmabuf-lab exports exactly libdmabuf-lab.map|abi-check"
}

# The harness's own tests, on synthetic logs and a fake area program
# (harness/tests/Makefile): what turns the guest's output into the report.
run_harness_tests() {
	run_make_steps "$ROOT/harness/tests" \
		"harness: log parser on synthetic logs|check-parse" \
		"harness: reporting of the extra boots|check-passes" \
		"harness: summary of repeated boots|check-repeat" \
		"harness: the suite's TAP conversion, under every shell here|check-suite-tap"
}

# dkms.conf's version, and every place that repeats it agreeing with it
# (harness/version-check.sh: one line per item when they do not).
run_version_check() {
	local out
	if out=$("$ROOT/harness/version-check.sh" 2>&1); then
		printf 'PASS  one version everywhere: %s\n' \
			"$(awk '$2 == "dkms.conf" { print $3 }' <<<"$out")"
	else
		printf '%s\n' "$out"
		check_failed "version check"
	fi
}

# The dma-buf core reads a buffer's name under its name_lock (debugfs
# bufinfo, fdinfo, the BPF iterator) from the moment dma_buf_export()
# returns: every store to a dma_buf's name must hold that lock. The rule
# is checked on the source text: a line storing "->name" of a dma-buf
# must lie between spin_lock() and spin_unlock() of a name_lock.
run_lock_rules() {
	local out
	out=$(cd "$ROOT" && find module -name '*.c' ! -name '*.mod.c' -print0 | sort -z |
		xargs -0 awk '
		FNR == 1 { held = 0 }
		/spin_lock[a-z_]*\(&[^)]*->name_lock\)/ { held = 1 }
		/spin_unlock[a-z_]*\(&[^)]*->name_lock\)/ { held = 0 }
		/dmabuf->name[ \t]*=[^=]/ && !held {
			printf "%s:%d: dma_buf name stored without name_lock: %s\n",
				FILENAME, FNR, $0
		}') || true
	if [[ -z $out ]]; then
		printf 'PASS  lock rules: dma_buf names stored under name_lock\n'
	else
		printf '%s\n' "$out"
		check_failed "lock rules"
	fi
}

# tests/conform-expected.txt is read in the guest by exact field match:
# a line that is not "ARCH KERNEL MODE EXPORTER RESULT CHECK" (a stray
# carriage return, a tab, a sixth word) would never match, and the
# comparison it stands for would silently not happen.
run_conform_expected() {
	local out
	out=$(awk '!/^#/ && !/^[a-z0-9_]+ [0-9a-z.]+ (normal|swiotlb) [a-z0-9_]+ (PASS|FAIL|SKIP|VARIES) [a-z0-9_.]+$/ {
			printf "line %d: %s\n", FNR, $0 }' "$ROOT/tests/conform-expected.txt" |
		cat -A | head -n 5) || true
	if [[ -z $out ]]; then
		printf 'PASS  conform-expected.txt: every line is ARCH KERNEL MODE EXPORTER RESULT CHECK\n'
	else
		printf 'malformed lines (cat -A):\n%s\n' "$out"
		check_failed "conform-expected.txt"
	fi
}

main() {
	deps_ensure linux-source linux-headers-amd64 sparse gcc make \
		libcmocka-dev libdrm-dev pkg-config xz-utils dpkg-dev \
		clang libclang-rt-14-dev bc bpftool libbpf-dev
	KDIR=${KDIR:-$(host_kdir)}

	run_checkpatch
	# DL_BENCH=1: the benchmark's dmabuf_null module is checked too.
	run_kbuild "W=1 build against $(basename "$KDIR")" W=1 DL_BENCH=1
	run_kbuild "sparse (C=2)" C=2 DL_BENCH=1
	run_userspace
	run_host_tests
	run_lib_checks
	run_harness_tests
	run_version_check
	run_lock_rules
	run_conform_expected

	if [[ $FAILED -ne 0 ]]; then
		printf '%d check(s) failed\n' "$FAILED"
		return 1
	fi
	echo "all checks clean"
}

main "$@"
