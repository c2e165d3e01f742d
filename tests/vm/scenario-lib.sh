# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the VM scenarios (directly, or through cards-lib.sh): the TAP
# helpers every scenario prints with, and polling. scenario_failed is 1
# once any check failed; a scenario ends with `exit "$scenario_failed"`.
scenario_failed=0

ok() { echo "ok - $*"; }
# shellcheck disable=SC2034 # scenario_failed is read by the scenarios
not_ok() {
	echo "not ok - $*"
	scenario_failed=1
}
# check <description> <command...>: one TAP line from the command's status
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# expect_eq <description> <got> <want>; newlines in the values are shown
# as \n so the diagnostic stays one TAP comment line each
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   got:  %s\n#   want: %s\n' "${2//$'\n'/\\n}" "${3//$'\n'/\\n}"
	fi
}

# scenario_read <variable> <file>: the file's text, less its trailing
# newlines (as $(cat file) gives it), without starting a process
scenario_read() {
	local text=""
	IFS= read -r -d '' text <"$2"
	while [[ $text == *$'\n' ]]; do text=${text%$'\n'}; done
	printf -v "$1" '%s' "$text"
}

# text_matches <text> <regex>: a line of the text matches the extended
# regular expression, as `grep -qE -- <regex> <<<text` tells, matched by
# the shell: a grep is a process, slow under TCG
text_matches() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && return 0
	done <<<"$1"
	return 1
}

# wait_for <seconds> <command...>: poll until the command succeeds.
# Between tries it sleeps 50 ms, or as long as the try took: a busctl or
# systemctl costs a good part of a second under TCG, and polling must not
# take the CPU from what it waits for.
wait_for() {
	local deadline=$((SECONDS + $1)) start pause
	shift
	until start=${EPOCHREALTIME//[!0-9]/}; "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		pause=$((${EPOCHREALTIME//[!0-9]/} - start))
		[ $pause -ge 50000 ] || pause=50000
		printf -v pause '%d.%06d' $((pause / 1000000)) $((pause % 1000000))
		scenario_sleep "$pause"
	done
}

# scenario_sleep <seconds>: sleep without starting a process. Under TCG an
# exec of sleep(1) costs several times the 50 ms a poll waits; read times
# out instead on a pipe nobody writes to and that never ends, as this
# shell holds its write end too (opened once per shell).
scenario_sleep() {
	[ -n "${scenario_sleep_fd:-}" ] || exec {scenario_sleep_fd}<> <(:)
	read -r -t "$1" -u "$scenario_sleep_fd" _ || :
}
