# shellcheck shell=bash
# Host packages: install only what is missing, so that a rerun on a
# prepared machine does not touch apt at all.

export DEBIAN_FRONTEND=noninteractive

APT_UPDATED=0

# apt-get update at most once per run, and only when something has to be
# fetched from the archive.
apt_update_once() {
	[[ $APT_UPDATED -eq 1 ]] && return 0
	say "apt-get update"
	run_logged "$RUN_DIR/apt.log" apt-get update -q ||
		die "apt-get update failed (see apt.log)"
	APT_UPDATED=1
}

pkg_installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

deps_ensure() {
	local missing=() p
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	[[ $(id -u) -eq 0 ]] || die "missing packages (need root to install): ${missing[*]}"
	apt_update_once
	say "installing ${missing[*]}"
	run_logged "$RUN_DIR/apt.log" apt-get install -y -q --no-install-recommends \
		"${missing[@]}" || die "apt-get install failed (see apt.log)"
}
