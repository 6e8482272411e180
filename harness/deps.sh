# shellcheck shell=bash
# Host packages: install only what is missing, so that a rerun on a
# prepared machine does not touch apt at all.

export DEBIAN_FRONTEND=noninteractive

APT_UPDATED=0

# apt-get ARGS..., logged to LOG, waiting for another apt (apt-daily,
# unattended-upgrades, a user's) instead of failing on its locks, for up
# to ten minutes, and saying so. DPkg::Lock::Timeout makes apt wait for
# dpkg's lock; "apt-get update" gives up at once on the lists lock
# whatever it is told, so a lock failure is retried here.
apt_get_waiting() {
	local log=$1 waited=0
	shift
	until apt-get -o DPkg::Lock::Timeout=600 "$@" >>"$log" 2>&1; do
		if [[ $(tail -n 5 "$log") != *'Could not get lock'* || $waited -ge 600 ]]; then
			printf -- '--- last lines of %s ---\n' "$log" >&2
			tail -n 60 "$log" >&2
			return 1
		fi
		[[ $waited -gt 0 ]] || say "another apt holds its lock: waiting for it (up to 10 minutes)"
		sleep 5
		waited=$((waited + 5))
	done
}

# apt-get update at most once per run, and only when something has to be
# fetched from the archive.
apt_update_once() {
	[[ $APT_UPDATED -eq 1 ]] && return 0
	say "apt-get update"
	apt_get_waiting "$RUN_DIR/apt.log" update -q ||
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
	apt_get_waiting "$RUN_DIR/apt.log" install -y -q --no-install-recommends \
		"${missing[@]}" || die "apt-get install failed (see apt.log)"
}
