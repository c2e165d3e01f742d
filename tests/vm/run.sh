#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM tier: boot Debian's kernel (the one matching the installed
# linux-headers) under QEMU TCG with the host's root shared read-only over
# 9p, run scenarios in it, print TAP.
#
#   tests/vm/run.sh                  every tests/vm/scenarios/*.sh, then the
#                                    harness self-test (a second boot)
#   tests/vm/run.sh name [name...]   only these scenarios (also one
#                                    space-separated argument: make T="a b")
#   tests/vm/run.sh --shell          interactive root shell in the same VM
#                                    (serial on stdio; Ctrl-A X kills QEMU)
#   tests/vm/run.sh --systemd ...    the second boot mode: systemd as PID 1
#                                    (scenarios, or --shell: a root login)
#
# Two boot modes. The busybox one (tests/vm/guest-runner.sh as PID 1) is
# fast and runs most scenarios. A scenario with a header line
# "# boot: systemd" runs in the other (tests/vm/systemd-boot.sh): systemd
# as PID 1 on the host root with writable overlays on /etc, /var, /usr
# and /root, the station installed there (`make install install-sim
# DESTDIR=build/vm/systemd/install`, unpacked onto the overlays), udevd,
# the system bus, logind and polkit for real; every such scenario in
# one boot of its own (tests/vm/systemd-runner.sh runs them as a
# service), after the busybox boot; its lines say "vm (systemd):". Two of its UARTs are wired back to back for a serial
# line: ttyS2 (UNET_LINE_TTY) <-> ttyS3 (UNET_PEER_TTY). The guest's
# journal is copied to build/vm/systemd/export/journal.txt.
#
# Output: each scenario's TAP lines re-emitted with its name,
# "ok - xvme-bus: card devices exist"; a scenario that times out, exits
# non-zero, prints no TAP or fewer tests than its plan is a "not ok" of its
# own. Then three lines about the run: "vm: guest booted", "vm: kernel log
# clean" (no WARNING/BUG/Oops/lockdep/refcount/UBSAN/KASAN/kmemleak splat
# anywhere in the guest's kernel log; offending lines are listed with the
# scenario that was running) and "vm: guest powered off cleanly".
#
# Scenarios (tests/vm/scenarios/<name>.sh, run by /bin/bash as root, cwd a
# tmpfs) see: the host's root read-only; tmpfs on /tmp /run /var/tmp
# /var/lib /var/log /var/cache /dev/shm; HOME=/tmp/home; devpts; debugfs;
# /lib/modules/$(uname -r) with Debian's modules and the project's .ko files
# (extra/, depmod done: `modprobe xvme-sim cards=...` works); lo up.
# Environment: STATIOND_TOP (the repo, same path as on the host),
# STATIOND_BUILD (its build directory), PATH starting with
# $STATIOND_BUILD/bin. A header line "# timeout: <seconds>" overrides the
# default per-scenario timeout. Leftover processes are killed after each
# scenario. See tests/vm/README.md for starting udevd and a D-Bus daemon.
#
# A scenario about what happens when the system goes down has a header
# line "# at-power-off: <why>": it runs after all the others, and what it
# leaves (loaded modules, processes holding devices) stays for the guest's
# power-off (busybox poweroff -f: reboot(2), so every driver's shutdown
# runs). It states what the kernel log must show then by writing
# "stationd-vm: expect at power-off: <extended regex>" to /dev/kmsg; the
# host checks each against the log after the last scenario
# ("ok - <scenario>: at power-off: <regex>").
#
# Environment of this script:
#   STATIOND_CACHE       cache (default ~/.cache/stationd): kernel image
#   KABI                 kernel ABI (default: from linux-headers-amd64)
#   STATIOND_VM_DIR      run directory (default build/vm): console.log (the
#                        whole guest kernel log), guest.tap (raw guest
#                        output), initramfs, module tree. Runs sharing it
#                        are serialised by a lock. The systemd boot uses
#                        its systemd/ subdirectory.
#   STATIOND_VM_SCENARIOS  scenario directory (default tests/vm/scenarios)
#   STATIOND_VM_SETUP    extra setup hooks (space-separated files), sourced
#                        by the guest before the scenarios, after the files
#                        in tests/vm/setup.d/*.sh
#   STATIOND_VM_APPEND   extra kernel command line
#   VM_TIMEOUT           default per-scenario timeout (180 s)
#   VM_BOOT_TIMEOUT      boot allowance in the whole-run bound (180 s, 360 s
#                        for the systemd boot); the run is killed after it
#                        plus every scenario's limit
#   VM_MEM, VM_SMP       guest memory (MiB, default 1024) and CPUs (2)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/vm
export STATIOND_CACHE=${STATIOND_CACHE:-$HOME/.cache/stationd}
build=$top/build
run=${STATIOND_VM_DIR:-$build/vm}
scenario_dir=${STATIOND_VM_SCENARIOS:-$here/scenarios}
default_timeout=${VM_TIMEOUT:-180}
boot_budget=${VM_BOOT_TIMEOUT:-180}
export PATH=$PATH:/usr/sbin:/sbin

# shellcheck source=tests/vm/vm-image.sh
. "$here/vm-image.sh"

# Modules the initramfs loads to mount the host root, in dependency order
# (spec/test-machines.md); built-in ones are skipped.
initramfs_modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
	virtio_pci netfs fscache 9pnet 9pnet_virtio 9p)

fail() {
	local what=$1
	shift
	echo "not ok - vm: $what"
	for f in "$@"; do
		[ -r "$f" ] && tail -n 30 "$f" | tr -d '\r' | sed 's/^/# /'
	done
	exit 1
}

# The exit status says whether anything failed: every line goes through a
# filter that notices "not ok" (the interactive shell is not filtered).
if [ -z "${STATIOND_VM_FILTERED:-}" ] && [[ " $* " != *" --shell "* ]]; then
	set -o pipefail
	# (A shell loop, not awk: mawk reads its input in blocks, which would
	# hold the live output back until the end of the run.)
	STATIOND_VM_FILTERED=1 "$0" "$@" | {
		bad=0
		while IFS= read -r line; do
			printf '%s\n' "$line"
			[[ $line == "not ok"* ]] && bad=1
		done
		exit $bad
	}
	exit  # with the filter's status
fi

# ------------------------------------------------------------- arguments
mode=run
boot=${STATIOND_VM_BOOT:-busybox}
names=()
for a in "$@"; do
	case $a in
	--shell) mode=shell ;;
	--systemd) boot=systemd ;;
	-h | --help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) fail "unknown option $a" ;;
	*) read -r -a split <<<"$a"; names+=("${split[@]}") ;;
	esac
done

# The scenarios of this boot, and those of the systemd boot that follows
# (a "# boot: systemd" header line; run in this boot when it is one).
scenarios=()
systemd_scenarios=()
if [ "$mode" = run ]; then
	picked=()
	if [ ${#names[@]} -gt 0 ]; then
		for n in "${names[@]}"; do
			n=${n%.sh}
			[ -f "$scenario_dir/$n.sh" ] || fail "scenario $n exists ($scenario_dir/$n.sh)"
			picked+=("$scenario_dir/$n.sh")
		done
	else
		for s in "$scenario_dir"/*.sh; do
			[ -f "$s" ] && picked+=("$s")
		done
		[ ${#picked[@]} -gt 0 ] || fail "scenarios found in $scenario_dir"
	fi
	for s in "${picked[@]}"; do
		if [ "$boot" = busybox ] && grep -q '^# *boot: *systemd *$' "$s"; then
			systemd_scenarios+=("$s")
		else
			scenarios+=("$s")
		fi
	done
	# Scenarios that end with the power-off run after all the others,
	# keeping their modules and processes (see the header).
	ordered=() last=()
	for sc in "${scenarios[@]}"; do
		if grep -q '^# *at-power-off:' "$sc"; then last+=("$sc"); else ordered+=("$sc"); fi
	done
	scenarios=("${ordered[@]}" "${last[@]}")
fi
tag=vm
[ "$boot" = systemd ] && tag="vm (systemd)"
# Only systemd scenarios named: no busybox boot at all.
if [ "$mode" = run ] && [ ${#scenarios[@]} -eq 0 ] && [ ${#systemd_scenarios[@]} -gt 0 ]; then
	exec env STATIOND_VM_BOOT=systemd STATIOND_VM_INNER=1 "$0" "${systemd_scenarios[@]##*/}"
fi
if [ "$boot" = systemd ]; then
	run=$run/systemd
	# systemd's boot, and the poweroff that stops every service, on top.
	boot_budget=${VM_BOOT_TIMEOUT:-360}
fi

# ------------------------------------------------------------- self-test
# With no scenario named, prove the harness reports failures: a second
# boot runs scenarios that must fail, and each failure must be seen.
harness_selftest() {
	inner=$(env -u STATIOND_VM_FILTERED STATIOND_VM_INNER=1 STATIOND_VM_SCENARIOS="$here/selftest" \
		STATIOND_VM_DIR="$run/selftest" STATIOND_VM_SETUP="" "$0")
	inner_rc=$?
	expect() {
		local what=$1 re=$2
		if grep -Eq "$re" <<<"$inner"; then
			echo "ok - harness: $what"
		else
			echo "not ok - harness: $what (no line matching /$re/)"
			selftest_failed=1
		fi
	}
	selftest_failed=0
	expect "passing line of a scenario stays ok" '^ok - harness-fails: this line passes$'
	expect "failing scenario reported" '^not ok - harness-fails: this line fails$'
	expect "scenario exiting non-zero reported" '^not ok - harness-exits: exited with status 3$'
	expect "scenario printing no TAP reported" '^not ok - harness-silent: printed no TAP$'
	expect "scenario short of its plan reported" '^not ok - harness-short: planned 3 tests, ran 1$'
	expect "timed-out scenario reported" '^not ok - harness-hangs: timed out after 5 s$'
	expect "kernel WARNING reported" '^not ok - vm: kernel log clean$'
	expect "kernel WARNING attributed to its scenario" '^# \[harness-warns\] .*WARNING: stationd harness self-test'
	expect "guest survives the failures and powers off" '^ok - vm: guest powered off cleanly'
	if [ $inner_rc -ne 0 ] && grep -q '^not ok' <<<"$inner"; then
		echo "ok - harness: failing run exits non-zero"
	else
		echo "not ok - harness: failing run exits non-zero (exit $inner_rc)"
		selftest_failed=1
	fi
	if [ $selftest_failed -ne 0 ]; then
		printf '%s\n' "$inner" | sed 's/^/# self-test: /'
	fi
}

# ------------------------------------------------------------- shards
# The whole tier (no scenario named) runs in VM_SHARDS guests at once
# (default 2, one per host core): most of a scenario's time is the guest
# waiting on simulated plants and timeouts, so two guests nearly halve
# the wall time. Scenarios go to the guest with the least work so far,
# longest first, by the times in tests/vm/scenario-times (a scenario not
# listed there weighs half its timeout). Each guest reports its own
# kernel log and power-off as "vm[N]: ...".
shards=${VM_SHARDS:-2}
if [ "$mode" = run ] && [ ${#names[@]} -eq 0 ] && [ -z "${STATIOND_VM_INNER:-}" ] &&
   [ "$shards" -gt 1 ]; then
	declare -A weight=()
	while read -r n secs; do
		[[ $n == "#"* || -z $n ]] || weight[$n]=$secs
	done <"$here/scenario-times"
	weighed=()
	weigh() {
		local n w
		n=$(basename "$1" .sh)
		w=${weight[$n]:-}
		if [ -z "$w" ]; then
			w=$(sed -n 's/^# *timeout: *\([0-9][0-9]*\) *$/\1/p' "$1" | head -n 1)
			w=$(( ${w:-$default_timeout} / 2 ))
		fi
		echo "$w"
	}
	for sc in "${scenarios[@]}"; do
		weighed+=("$(weigh "$sc") $(basename "$sc" .sh)")
	done
	# The systemd scenarios share one systemd boot (its own weight,
	# systemd-boot in scenario-times): all in the same shard, which runs
	# that boot after its busybox one.
	if [ ${#systemd_scenarios[@]} -gt 0 ]; then
		w=${weight[systemd-boot]:-60} group=""
		for sc in "${systemd_scenarios[@]}"; do
			w=$((w + $(weigh "$sc")))
			group+=",$(basename "$sc" .sh)"
		done
		weighed+=("$w ${group#,}")
	fi
	declare -a load=() list=()
	for ((i = 0; i < shards; i++)); do load[i]=0 list[i]=""; done
	while read -r w n; do
		best=0
		for ((i = 1; i < shards; i++)); do
			[ "${load[i]}" -lt "${load[best]}" ] && best=$i
		done
		load[best]=$((load[best] + w))
		list[best]+=" $n"
	done < <(printf '%s\n' "${weighed[@]}" | sort -rn)
	mkdir -p "$run" || fail "run directory $run created"
	pids=()
	for ((i = 0; i < shards; i++)); do
		echo "# vm[$((i + 1))]: ${list[i]# } (about ${load[i]} s)"
		# shellcheck disable=SC2086
		STATIOND_VM_DIR="$run/shard-$((i + 1))" STATIOND_VM_INNER=1 "$0" ${list[i]//,/ } \
			>"$run/shard-$((i + 1)).out" 2>&1 &
		pids+=($!)
	done
	trap 'kill "${pids[@]}" 2>/dev/null; exit 130' INT TERM HUP
	for p in "${pids[@]}"; do wait "$p"; done
	trap - INT TERM HUP
	for ((i = 0; i < shards; i++)); do
		sed "s/^\(\(not \)\{0,1\}ok - \|# \)vm: /\1vm[$((i + 1))]: /" "$run/shard-$((i + 1)).out"
	done
	harness_selftest
	exit 0
fi

# ------------------------------------------------------------- preparation
kabi=$(vm_kabi) || fail "kernel ABI known (linux-headers-amd64 installed?)"
image=$(vm_image_dir "$kabi") || fail "kernel image linux-image-$kabi available"
kernel=$image/boot/vmlinuz-$kabi
mods=$image/lib/modules/$kabi

mkdir -p "$run" || fail "run directory $run created"
exec 8>"$run/.lock"
if ! flock -n 8; then
	echo "# vm: waiting for another VM run using $run"
	flock -w 1800 8 || fail "run directory $run free (locked by another run)"
fi

# Module tree for the guest: Debian's modules by symlink (the host root is
# the guest's root, so the link resolves there too), ours copied to extra/.
# (The systemd boot makes its own: `make install` puts ours in updates/.)
modroot=$run/modroot
rm -rf "$modroot"
if [ "$boot" = busybox ]; then
	mkdir -p "$modroot/lib/modules/$kabi/extra" || fail "module tree created"
	ln -s "$mods/kernel" "$modroot/lib/modules/$kabi/kernel"
	cp "$mods"/modules.order "$mods"/modules.builtin "$mods"/modules.builtin.modinfo \
		"$modroot/lib/modules/$kabi/" || fail "Debian module lists copied"
	ours=$(find "$top/kernel" -name '*.ko' 2>/dev/null)
	if [ -n "$ours" ]; then
		# shellcheck disable=SC2086
		cp $ours "$modroot/lib/modules/$kabi/extra/" || fail "project modules copied"
	else
		echo "# vm: no project modules under kernel/ (make modules builds them)"
	fi
	depmod -b "$modroot" "$kabi" >"$run/depmod.log" 2>&1 || fail "depmod of the guest module tree" "$run/depmod.log"
fi

# Initramfs: busybox, /init, the 9p transport modules.
stage=$run/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,proc,sys,modules,newroot} || fail "initramfs staging"
cp /bin/busybox "$stage/bin/busybox" || fail "busybox-static present (/bin/busybox)"
install -m 0755 "$here/initramfs-init.sh" "$stage/init"
: >"$stage/modules/modules.list"
for m in "${initramfs_modules[@]}"; do
	ko=$(find "$mods/kernel" -name "$m.ko" | head -n 1)
	if [ -n "$ko" ]; then
		cp "$ko" "$stage/modules/" && echo "$m" >>"$stage/modules/modules.list"
	elif ! grep -q "/$m.ko\$" "$mods/modules.builtin"; then
		fail "initramfs module $m found in $mods"
	fi
done
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$run/initramfs.cpio.gz" ||
	fail "initramfs built"

# The systemd boot runs the station as installed: staged here, unpacked
# onto the guest's overlays by systemd-boot.sh. The staged module
# directory gets Debian's modules (linked, as above) and depmod here:
# depmod reading every module over 9p under TCG takes minutes.
install_root=$run/install
if [ "$boot" = systemd ]; then
	rm -rf "$install_root"
	make -C "$top" --no-print-directory -s install install-sim DESTDIR="$install_root" \
		>"$run/install.log" 2>&1 || fail "make install install-sim DESTDIR=$install_root" "$run/install.log"
	ln -s "$mods/kernel" "$install_root/lib/modules/$kabi/kernel"
	cp "$mods"/modules.order "$mods"/modules.builtin "$mods"/modules.builtin.modinfo \
		"$install_root/lib/modules/$kabi/" || fail "Debian module lists copied"
	depmod -b "$install_root" "$kabi" >"$run/depmod.log" 2>&1 ||
		fail "depmod of the staged module tree" "$run/depmod.log"
fi

# Run configuration, read by the guest runner (visible at the same path).
setup=()
for h in "$here"/setup.d/*.sh ${STATIOND_VM_SETUP:-}; do
	[ -f "$h" ] && setup+=("$(realpath "$h")")
done
{
	printf 'STATIOND_TOP=%q\n' "$top"
	printf 'STATIOND_BUILD=%q\n' "$build"
	printf 'VM_MODULES=%q\n' "$modroot"
	printf 'VM_IMAGE=%q\n' "$image"
	printf 'VM_INSTALL=%q\n' "$install_root"
	printf 'VM_MODE=%q\n' "$mode"
	printf 'VM_DEFAULT_TIMEOUT=%q\n' "$default_timeout"
	printf 'VM_TERM=%q\n' "${TERM:-vt100}"
	printf 'VM_SCENARIOS=('; for x in "${scenarios[@]}"; do printf ' %q' "$x"; done; printf ' )\n'
	printf 'VM_SETUP=('; for x in "${setup[@]}"; do printf ' %q' "$x"; done; printf ' )\n'
} >"$run/run.conf"

# no_timer_check: under TCG on a loaded host the IO-APIC timer check at
# boot can fail and panic ("IO-APIC + timer doesn't work"); skip it.
runner=$here/guest-runner.sh
append="console=ttyS0,115200 panic=-1 no_timer_check"
if [ "$boot" = systemd ]; then
	runner=$here/systemd-boot.sh
	append+=" systemd.show_status=error"
fi
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-1024}"
	-nodefaults -no-reboot -display none -nic none
	-kernel "$kernel" -initrd "$run/initramfs.cpio.gz"
	-append "$append stationd.runner=$runner stationd.conf=$run/run.conf ${STATIOND_VM_APPEND:-}"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap)
# The serial ports after the console and the channel: busybox boot, a
# spare UART (ttyS2, UNET_SERIAL_TTY); systemd boot, ttyS2 and ttyS3
# wired to each other (QEMU's socket chardev, server and client).
if [ "$boot" = systemd ]; then
	# The guest's journal comes back here (systemd-runner.sh writes
	# journal.txt after every scenario): the only writable share.
	rm -rf "$run/export"
	mkdir -p "$run/export"
	qemu+=(-virtfs "local,path=$run/export,mount_tag=export,security_model=none,multidevs=remap")
	rm -f "$run/serial-line.sock"
	qemu+=(-chardev "socket,id=line0,path=$run/serial-line.sock,server=on,wait=off"
		-chardev "socket,id=line1,path=$run/serial-line.sock")
	more_serial=(-serial chardev:line0 -serial chardev:line1)
else
	more_serial=(-serial null)
fi

if [ "$mode" = shell ]; then
	echo "vm: booting $kabi${boot/busybox/}; root shell on this terminal (Ctrl-A X quits QEMU)" >&2
	exec "${qemu[@]}" -serial mon:stdio -serial null "${more_serial[@]}"
fi

# ------------------------------------------------------------- the run
# The whole run is bounded: boot plus every scenario's own limit.
budget=$boot_budget
for s in "${scenarios[@]}"; do
	t=$(sed -n 's/^# *timeout: *\([0-9][0-9]*\) *$/\1/p' "$s" | head -n 1)
	budget=$((budget + ${t:-$default_timeout} + 15))
done

console=$run/console.log
channel=$run/guest.tap
state=$run/state
rm -f "$console" "$channel" "$state"
: >"$channel"
started=$SECONDS
# ttyS2 is a spare UART for scenarios that need a real serial port
# (n_unet attached with ldattach): UNET_SERIAL_TTY in the guest.
timeout -k 10 "$budget" "${qemu[@]}" -serial "file:$console" -serial "file:$channel" "${more_serial[@]}" \
	</dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!
# Interrupted (Ctrl-C, make killed): take QEMU down too.
trap 'kill "$qemu_pid" 2>/dev/null; exit 130' INT TERM HUP

# Re-emit the guest's output as it arrives. Runs in a pipeline subshell:
# what the rest of the script needs goes to $state.
relay() {
	local line name="" limit=0 ntap=0 plan="" status desc began=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"@@start")
			echo "ok - $tag: guest booted ($((SECONDS - started)) s after QEMU started)"
			echo "started $((SECONDS - started))" >>"$state" ;;
		"@@fatal "*)
			echo "not ok - $tag: guest setup (${line#@@fatal })" ;;
		"@@begin "*)
			read -r _ name limit <<<"$line"
			ntap=0 plan="" began=$SECONDS
			echo "begin $name" >>"$state" ;;
		"@@end "*)
			read -r _ _ status how <<<"$line"
			if [ "$how" = timeout ]; then
				echo "not ok - $name: timed out after $limit s"
			elif [ "$status" -ne 0 ]; then
				echo "not ok - $name: exited with status $status"
			elif [ "$ntap" -eq 0 ]; then
				echo "not ok - $name: printed no TAP"
			elif [ -n "$plan" ] && [ "$plan" -ne "$ntap" ]; then
				echo "not ok - $name: planned $plan tests, ran $ntap"
			fi
			echo "# vm: $name took $((SECONDS - began)) s"
			echo "end $name" >>"$state"
			name="" ;;
		"@@done")
			echo "done" >>"$state" ;;
		*)
			if [ -z "$name" ]; then
				[ -n "$line" ] && echo "# $tag: $line"
			elif [[ $line =~ ^(not\ ok|ok)(\ [0-9]+)?(\ -)?\ ?(.*)$ ]]; then
				ntap=$((ntap + 1))
				status=${BASH_REMATCH[1]} desc=${BASH_REMATCH[4]}
				echo "$status - $name: $desc"
			elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
				plan=${BASH_REMATCH[1]}
			elif [[ $line == "Bail out!"* ]]; then
				ntap=$((ntap + 1))
				echo "not ok - $name: $line"
			elif [[ $line == "#"* ]]; then
				desc=${line#"#"}
				echo "# $name: ${desc# }"
			elif [ -n "$line" ]; then
				echo "# $name: $line"
			fi ;;
		esac
	done
}
tail -s 0.3 -n +1 -F --pid="$qemu_pid" "$channel" 2>/dev/null | relay
wait "$qemu_pid"
qemu_rc=$?
trap - INT TERM HUP
elapsed=$((SECONDS - started))

# Scenarios that never finished: the guest died or the run hit its budget.
if ! grep -q '^started' "$state" 2>/dev/null; then
	echo "not ok - $tag: guest booted"
	tail -n 40 "$console" 2>/dev/null | tr -d '\r' | sed 's/^/# /'
	[ -s "$run/qemu.log" ] && sed 's/^/# qemu: /' "$run/qemu.log"
fi
for s in "${scenarios[@]}"; do
	n=$(basename "$s" .sh)
	if grep -qx "end $n" "$state" 2>/dev/null; then
		continue
	elif grep -qx "begin $n" "$state" 2>/dev/null; then
		echo "not ok - $n: did not finish (the guest stopped; see $console)"
	else
		echo "not ok - $n: did not run"
	fi
done

# Kernel log: any splat fails the run, attributed to the running scenario.
splat='WARNING:|BUG:|Oops|general protection fault|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|refcount_t:|UBSAN:|KASAN|kmemleak|INFO: task .* blocked|soft lockup|hard LOCKUP|list_(add|del) corruption|Call Trace:'
splats=$(tr -d '\r' <"$console" 2>/dev/null | awk -v re="$splat" '
	/stationd-vm: begin scenario / { sub(/.*begin scenario /, ""); cur = $0; next }
	/stationd-vm: end scenario / { cur = ""; next }
	/stationd-vm:/ { next }
	$0 ~ re { printf "[%s] %s\n", (cur == "" ? "outside scenarios" : cur), $0 }')
if [ -z "$splats" ] && [ -s "$console" ]; then
	echo "ok - $tag: kernel log clean"
else
	echo "not ok - $tag: kernel log clean"
	[ -s "$console" ] || echo "# $tag: no kernel log at $console"
	printf '%s\n' "$splats" | head -n 40 | sed '/^$/d; s/^/# /'
	echo "# $tag: whole log: $console"
fi

# What at-power-off scenarios expect of the kernel log after the last
# scenario, when the drivers shut down.
tr -d '\r' <"$console" 2>/dev/null | awk '
	/stationd-vm: begin scenario / { sub(/.*begin scenario /, ""); cur = $0; next }
	/stationd-vm: expect at power-off: / {
		re = $0; sub(/.*expect at power-off: /, "", re)
		print cur "\t" re
	}' >"$run/power-off.expect"
if [ -s "$run/power-off.expect" ]; then
	tr -d '\r' <"$console" | sed -n '/stationd-vm: all scenarios done, powering off/,$p' \
		>"$run/power-off.log"
	while IFS=$'\t' read -r who re; do
		if grep -Eq -- "$re" "$run/power-off.log"; then
			echo "ok - $who: at power-off: $re"
		else
			echo "not ok - $who: at power-off: $re"
			grep -E 'xvme|shutdown' "$run/power-off.log" | head -n 20 | sed 's/^/# /'
		fi
	done <"$run/power-off.expect"
fi

if grep -qx "done" "$state" 2>/dev/null && [ $qemu_rc -eq 0 ] &&
   tr -d '\r' <"$console" | grep -q 'reboot: Power down'; then
	echo "ok - $tag: guest powered off cleanly (${elapsed} s in QEMU)"
else
	if [ $qemu_rc -eq 124 ] || [ $qemu_rc -eq 137 ]; then
		echo "not ok - $tag: guest powered off cleanly (run budget of $budget s exceeded; QEMU killed)"
	else
		echo "not ok - $tag: guest powered off cleanly (QEMU exit $qemu_rc)"
	fi
	tail -n 20 "$console" 2>/dev/null | tr -d '\r' | sed 's/^/# /'
	[ -s "$run/qemu.log" ] && sed 's/^/# qemu: /' "$run/qemu.log"
fi
exec 8>&-

# ------------------------------------------------------------- systemd boot
if [ ${#systemd_scenarios[@]} -gt 0 ]; then
	env STATIOND_VM_BOOT=systemd STATIOND_VM_INNER=1 "$0" "${systemd_scenarios[@]##*/}"
fi

if [ ${#names[@]} -eq 0 ] && [ -z "${STATIOND_VM_INNER:-}" ]; then
	harness_selftest
fi
exit 0
