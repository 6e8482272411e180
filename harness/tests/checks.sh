# shellcheck shell=bash
# What the harness's own shell checks share: a scratch folder removed on
# exit, and expect NAME STATUS, which prints the check's TAP line under
# CHECKS (the script's name) and counts it in FAILURES when STATUS is not 0.
# Sourced by test-passes.sh and test-repeat.sh after CHECKS is set.

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILURES=0

expect() {
	if [[ $2 -eq 0 ]]; then
		echo "ok - $CHECKS/$1"
	else
		echo "not ok - $CHECKS/$1"
		FAILURES=$((FAILURES + 1))
	fi
}
