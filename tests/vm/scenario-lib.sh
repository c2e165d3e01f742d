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

# wait_for <seconds> <command...>: poll until the command succeeds
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}
