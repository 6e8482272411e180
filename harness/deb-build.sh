#!/bin/bash
# Build the Debian packages as Debian builds them and check them with
# lintian (harness/deb.sh): all three natively in a clean chroot, then
# dmabuf-lab-tools cross-built for arm64 and riscv64 in the cross lanes'
# chroots. Prints each step's time. The packages land in
# $DMABUF_LAB_CACHE/debs/ARCH/ (default /var/cache/dmabuf-lab).
#
#   harness/deb-build.sh                 amd64 (native), arm64, riscv64
#   harness/deb-build.sh amd64 riscv64   only those
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=$ROOT/harness
CACHE=${DMABUF_LAB_CACHE:-/var/cache/dmabuf-lab}

# shellcheck source=harness/lib.sh
. "$HARNESS/lib.sh"
# shellcheck source=harness/targets.sh
. "$HARNESS/targets.sh"
# shellcheck source=harness/deps.sh
. "$HARNESS/deps.sh"
# shellcheck source=harness/chroot.sh
. "$HARNESS/chroot.sh"
# shellcheck source=harness/deb.sh
. "$HARNESS/deb.sh"

usage() {
	cat <<USAGE
Usage: harness/deb-build.sh [ARCH...]

Build the Debian packages in clean chroots and check them with lintian:
the host's architecture builds all three packages, arm64 and riscv64
cross-build dmabuf-lab-tools. Default: $(dpkg --print-architecture) arm64 riscv64.
Packages, build.log and lintian.log: $CACHE/debs/ARCH/
USAGE
}

# step NAME COMMAND...: run it and print how long it took.
step() {
	local name=$1 t0 rc=0
	shift
	t0=$(now)
	"$@" || rc=$?
	printf 'time: %-22s %6s s%s\n' "$name" "$(elapsed "$t0")" "$([[ $rc -eq 0 ]] || echo ' (failed)')"
	return "$rc"
}

build_and_check() {
	local arch=$1
	if [[ $arch == "$(dpkg --print-architecture)" ]]; then
		step "build $arch" deb_build_native
	else
		step "build $arch (cross)" deb_build_cross "$arch"
	fi
	step "lintian $arch" deb_lintian "$DEBS_DIR"
}

main() {
	local arch failed=()
	local -a arches=()
	case "${1-}" in
	-h | --help) usage; return 0 ;;
	-*) usage >&2; die "unknown option: $1" ;;
	esac
	arches=("$@")
	[[ ${#arches[@]} -gt 0 ]] || arches=("$(dpkg --print-architecture)" arm64 riscv64)
	[[ $(id -u) -eq 0 ]] || die "building in chroots needs root"
	mkdir -p "$CACHE"
	RUN_DIR=$(mktemp -d "$CACHE/run.XXXXXX")
	trap 'rm -rf "$RUN_DIR"' EXIT
	deps_ensure debootstrap lintian git dpkg-dev util-linux
	for arch in "${arches[@]}"; do
		# Each in a subshell: a failed build (die) does not stop the others.
		(build_and_check "$arch") || failed+=("$arch")
	done
	if [[ ${#failed[@]} -gt 0 ]]; then
		echo "packages: failed for ${failed[*]} (apt logs: $CACHE/debs/build-ARCH.log or $CACHE/debs/ARCH/build.log)"
		return 1
	fi
	echo "packages: ${arches[*]} built, lintian clean"
}

main "$@"
