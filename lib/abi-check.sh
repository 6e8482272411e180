#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# abi-check.sh LIB MAP [NM]: the dynamic symbols LIB defines must be exactly
# the global: names of the version script MAP, each in its version node.
# Prints what is missing or extra and fails on either.
set -eu

lib=$1 map=$2 nm=${3:-nm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "NAME@@NODE" for every defined dynamic symbol but the version nodes.
$nm -D --defined-only --with-symbol-versions "$lib" |
	awk '$2 != "A" { print $3 }' | sed 's/@@*/ /' | LC_ALL=C sort >"$tmp/exported"

# "NAME NODE" for every name the script makes global.
awk '
	/^[A-Za-z_][A-Za-z0-9_.]* *\{/ { node = $1; sub(/\{.*/, "", node); global = 0; next }
	/global:/ { global = 1; next }
	/local:/ { global = 0; next }
	global && /;/ { name = $1; sub(/;.*/, "", name); if (name != "") print name, node }
' "$map" | LC_ALL=C sort >"$tmp/listed"

if cmp -s "$tmp/exported" "$tmp/listed"; then
	echo "abi-check: $(wc -l <"$tmp/listed") symbols of $(basename "$lib") match $(basename "$map")"
	exit 0
fi
echo "abi-check: $(basename "$lib") and $(basename "$map") differ:"
LC_ALL=C comm -23 "$tmp/listed" "$tmp/exported" | sed 's/^/  missing from the library: /'
LC_ALL=C comm -13 "$tmp/listed" "$tmp/exported" | sed 's/^/  exported but not listed:  /'
exit 1
