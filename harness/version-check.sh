#!/bin/bash
# The version is written once, as dkms.conf's PACKAGE_VERSION; everything
# else that shows it must agree: debian/changelog, the generated
# dmabuf-lab.pc and each program's --version. Prints one line per item;
# exit status 1 on any mismatch.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# shellcheck source=harness/lib.sh
. "$ROOT/harness/lib.sh"

MISMATCH=0

# item NAME VERSION: one line, and a mismatch counted.
item() {
	if [[ $2 == "$WANT" ]]; then
		printf 'ok    %-26s %s\n' "$1" "$2"
	else
		printf 'FAIL  %-26s %s (dkms.conf says %s)\n' "$1" "${2:-<none>}" "$WANT"
		MISMATCH=$((MISMATCH + 1))
	fi
}

# The programs, built if needed, each saying "NAME VERSION" and exiting 0.
check_programs() {
	local p out name
	make -s -C "$ROOT/user" >/dev/null || die "cannot build user/"
	for p in user/user_prog user/v2d_demo user/dmabuf-inspect/dmabuf-inspect \
		user/dmabuf-bench/dmabuf-bench user/dmabuf-conform/dmabuf-conform; do
		name=${p##*/}
		if ! out=$("$ROOT/$p" --version 2>&1); then
			item "$name --version" "exit status $?: $out"
		elif [[ $out == "$name "* && $out != *$'\n'* ]]; then
			item "$name --version" "${out#"$name "}"
		else
			item "$name --version" "unexpected output: $out"
		fi
	done
}

main() {
	local pc
	command -v dpkg-parsechangelog >/dev/null || die "dpkg-parsechangelog (dpkg-dev) is needed"
	WANT=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/dkms.conf")
	[[ -n $WANT ]] || die "dkms.conf has no PACKAGE_VERSION"
	item dkms.conf "$WANT"
	item debian/changelog "$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)"
	make -s -C "$ROOT" dmabuf-lab.pc >/dev/null || die "cannot generate dmabuf-lab.pc"
	pc=$(sed -n 's/^Version: *//p' "$ROOT/dmabuf-lab.pc")
	item dmabuf-lab.pc "$pc"
	check_programs
	[[ $MISMATCH -eq 0 ]] || { printf '%d version mismatch(es)\n' "$MISMATCH"; return 1; }
}

main "$@"
