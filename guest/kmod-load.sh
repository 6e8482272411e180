#!/bin/sh
# Usage: load.sh NAME...
# Load the in-tree module NAME and its dependencies in the order the host
# computed with modprobe --show-depends (NAME.order next to this script).
# Modules that are already loaded are skipped, so several users may call
# it. Exits non-zero if NAME is not available or a module fails to load.
dir=$(dirname "$0")
rc=0
for name in "$@"; do
	if [ ! -f "$dir/$name.order" ]; then
		echo "load.sh: no module $name in this image" >&2
		rc=1
		continue
	fi
	while read -r ko; do
		[ -n "$ko" ] || continue
		m=${ko%.ko}
		if [ -d "/sys/module/$m" ] || [ -d "/sys/module/$(echo "$m" | tr - _)" ]; then
			continue
		fi
		insmod "$dir/$ko" || { echo "load.sh: insmod $ko failed" >&2; rc=1; break; }
	done <"$dir/$name.order"
done
exit $rc
