#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: run every tests/bench/*.sh benchmark and print its numbers.
# Benchmarks report numbers; nothing here passes or fails on a number.
# The exit status is non-zero only if a benchmark could not run.
#
# Each script says where it runs in a header line:
#   # Runs on: host     run here, directly
#   # Runs on: vm       run inside the test VM (tests/vm/run.sh); all VM
#                       benchmarks share one boot, in file name order
# and may give "# timeout: <seconds>" (default 900) for the VM.
#
# Usage: tests/bench/run.sh [name...]     default: every benchmark
#   Arguments after "--" are passed to every benchmark script.
#   STATIOND_BENCH_VM_DIR: the VM's run directory (default build/bench/vm);
#   two runs at once in one tree each need their own.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/bench
build=$top/build

names=() args=()
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; args=("$@"); break ;;
	*) names+=("${1%.sh}"); shift ;;
	esac
done
if [ ${#names[@]} -eq 0 ]; then
	for s in "$here"/*.sh; do
		[ "$s" = "$here/run.sh" ] || names+=("$(basename "$s" .sh)")
	done
fi

host=() vm=() failed=0
for n in "${names[@]}"; do
	s=$here/$n.sh
	if [ ! -f "$s" ]; then
		echo "bench $n: no such benchmark ($s)"
		failed=1
		continue
	fi
	where=$(sed -n 's/^# *Runs on: *\([a-z]*\).*/\1/p' "$s" | head -n 1)
	case $where in
	host) host+=("$n") ;;
	vm) vm+=("$n") ;;
	*) echo "bench $n: no '# Runs on: host|vm' header line"; failed=1 ;;
	esac
done

for n in "${host[@]}"; do
	echo "== bench $n (host)"
	bash "$here/$n.sh" "${args[@]}"
	rc=$?
	[ $rc -eq 0 ] || { echo "bench $n: FAILED to run (exit $rc)"; failed=1; }
done

if [ ${#vm[@]} -gt 0 ]; then
	# Each VM benchmark becomes a one-line-TAP scenario wrapping it, so the
	# VM harness runs them all in one boot and reports a broken one.
	# Generated outside /tmp: the guest has its own /tmp.
	# Private to this run: others may run `make bench` in the same tree.
	mkdir -p "$build/bench" || exit 1
	wrap=$(mktemp -d "$build/bench/vm-scenarios.XXXXXX") || exit 1
	trap 'rm -rf "$wrap"' EXIT
	for n in "${vm[@]}"; do
		t=$(sed -n 's/^# *timeout: *\([0-9][0-9]*\) *$/\1/p' "$here/$n.sh" | head -n 1)
		{
			echo '#!/bin/bash'
			echo "# timeout: ${t:-900}"
			printf 'bash %q' "$here/$n.sh"
			[ ${#args[@]} -gt 0 ] && printf ' %q' "${args[@]}"
			echo ' 2>&1 | sed "s/^/# /"'
			echo 'rc=${PIPESTATUS[0]}'
			echo 'if [ $rc -eq 0 ]; then echo "ok - ran"; else echo "not ok - exited with status $rc"; fi'
		} >"$wrap/$n.sh"
	done
	echo "== booting the VM for: ${vm[*]}"
	out=$(STATIOND_VM_SCENARIOS=$wrap STATIOND_VM_DIR=${STATIOND_BENCH_VM_DIR:-$build/bench/vm} "$top/tests/vm/run.sh" "${vm[@]}")
	[ $? -eq 0 ] || failed=1
	cur=""
	while IFS= read -r line; do
		for n in "${vm[@]}"; do
			case $line in
			"# $n:"* | "ok - $n:"* | "not ok - $n:"*)
				[ "$cur" = "$n" ] || { echo "== bench $n (vm)"; cur=$n; } ;;
			esac
		done
		case $line in
		"# $cur: "*) printf '%s\n' "${line#"# $cur: "}" ;;
		"# $cur:"*) printf '%s\n' "${line#"# $cur:"}" ;;
		"ok - $cur: ran") ;;
		"not ok - "*) echo "bench: FAILED: ${line#not ok - }" ;;
		"ok - vm: guest booted"*) echo "(${line#ok - vm: })" ;;
		"ok - vm: "*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <<<"$out"
fi
exit $failed
