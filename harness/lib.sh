# shellcheck shell=bash
# Common helpers for the test harness. Sourced by test.sh and harness/*.sh;
# nothing here has side effects at source time.

# Progress goes to stdout, ahead of the summary: the summary's count line
# must stay the last line test.sh prints.
say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 2
}

# Run a command with its output captured in LOG; show the output only when
# it fails (or always with --verbose), so that a warm rerun stays short.
run_logged() {
	local log=$1
	shift
	if [[ ${DL_VERBOSE:-0} -eq 1 ]]; then
		"$@" 2>&1 | tee -a "$log"
		return "${PIPESTATUS[0]}"
	fi
	if ! "$@" >>"$log" 2>&1; then
		printf -- '--- last lines of %s ---\n' "$log" >&2
		tail -n 60 "$log" >&2
		return 1
	fi
}

# Quote a value for a POSIX shell (busybox ash in the guest understands
# single quotes, not bash's $'...').
sh_quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# Hold an exclusive lock on FILE for the rest of the calling process, on
# the given fd. Two runs sharing a cache (or a checkout) then wait for each
# other instead of extracting or building over each other.
lock_on() {
	local fd=$1 file=$2
	mkdir -p "$(dirname "$file")"
	eval "exec $fd>>\"\$file\""
	if ! flock -n "$fd"; then
		say "waiting for lock $file"
		flock "$fd"
	fi
}

# Seconds since the epoch with a fraction, for timings.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
