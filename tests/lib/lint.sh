#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lint tier, as TAP:
#   ok - checkpatch kernel/xvme/xvme-core.c     one line per kernel source
#                                               file (*.c, *.h, Kconfig,
#                                               Makefile, Kbuild)
#   ok - get_abi.pl validate ...                the sysfs ABI files
#   ok - userspace builds with -Werror          `make userspace`
#   ok - systemd-analyze verify <unit>          every unit under systemd/
#   ok - systemd-analyze security ...           stationd.service's exposure
#   ok - install: ...                           tests/install/check-install.sh
#   ok - plain make builds ...                  what `make` with no target
#                                               would do in a clean build
#                                               directory (a dry run)
# Quiet on success; on failure checkpatch's (or the compiler's) messages
# follow as "# " comments.
#
# checkpatch.pl comes from the linux-source-6.1 tree unpacked in the cache
# (tests/kunit/kernel-source.sh, shared with the KUnit tier), run with
# --strict --no-tree -f. Ignored, because they do not apply to files
# checked one by one outside the kernel tree:
#   FILE_PATH_CHANGES   "added, moved or deleted file(s)": a patch-only check
# A CHECK (--strict's own level) passes only where the file explains it: a
# comment naming its type, "checkpatch: <TYPE>", says why it does not
# apply there. Every ERROR and WARNING fails, and so does a CHECK the file
# does not explain: kernel style issues are real issues here.
#
# Environment: LINT_FILES (space-separated paths) limits checkpatch to
# those files, for iterating on one driver; LINT_NO_BUILD=1 skips the
# userspace build.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export STATIOND_CACHE=${STATIOND_CACHE:-$HOME/.cache/stationd}
# shellcheck source=tests/kunit/kernel-source.sh
. "$top/tests/kunit/kernel-source.sh"
cd "$top" || exit 1

# checkpatch_unexplained <file> <checkpatch output>: the reports that
# count (each with the lines checkpatch printed with it): every ERROR and
# WARNING, and each CHECK whose type <file> does not explain in a comment
# "checkpatch: ... <TYPE>".
checkpatch_unexplained() {
	local file=$1 out=$2 explained
	explained=$(grep -o 'checkpatch:[A-Z_, ]*' "$file" | tr -c 'A-Z_\n' ' ')
	awk -v explained=" $explained " '
		/^(ERROR|WARNING|CHECK):/ {
			if (report != "" && keep) printf "%s", report
			split($0, f, ":"); type = f[2]
			keep = !($1 ~ /^CHECK/ && index(explained, " " type " "))
			report = $0 "\n"; next
		}
		/^$/ { if (report != "" && keep) printf "%s", report; report = ""; next }
		{ if (report != "") report = report $0 "\n" }
		END { if (report != "" && keep) printf "%s", report }
	' <<<"$out"
}

failed=0
if tree=$(kernel_source_tree); then
	checkpatch=(perl "$tree/scripts/checkpatch.pl" --strict --no-tree -f
		--no-summary --show-types --color=never --ignore FILE_PATH_CHANGES)
	if [ -n "${LINT_FILES:-}" ]; then
		read -r -a files <<<"$LINT_FILES"
	else
		# Sources in git or about to be (not ignored): generated files
		# of the out-of-tree build (*.mod.c) are ignored by .gitignore.
		mapfile -t files < <(git ls-files -co --exclude-standard -- kernel Kbuild |
			grep -E '(\.[ch]|/Kconfig|/Makefile|^Kbuild)$' | sort -u)
	fi
	[ ${#files[@]} -gt 0 ] || { echo "not ok - checkpatch: kernel sources found"; failed=1; }
	for f in "${files[@]}"; do
		[ -f "$f" ] || continue
		out=$("${checkpatch[@]}" "$f" 2>&1)
		if unexplained=$(checkpatch_unexplained "$f" "$out"); [ -z "$unexplained" ]; then
			echo "ok - checkpatch --strict $f"
		else
			echo "not ok - checkpatch --strict $f"
			printf '%s\n' "$unexplained" | sed '/^$/d; s/^/# /'
			failed=1
		fi
	done
	# The ABI files as the kernel's own parser reads them: "validate"
	# warns (on stderr, exiting 0) about a field it does not know, an
	# entry without a description, a What defined twice.
	out=$(perl "$tree/scripts/get_abi.pl" --dir kernel/Documentation/ABI validate 2>&1)
	if [ -z "$out" ]; then
		echo "ok - get_abi.pl validate kernel/Documentation/ABI"
	else
		echo "not ok - get_abi.pl validate kernel/Documentation/ABI"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=1
	fi
else
	echo "not ok - checkpatch: kernel source tree unpacked"
	failed=1
fi

# systemd units: systemd-analyze verify must say nothing (it exits 0 on
# many parse errors, so any output fails). ExecStart points at the build
# tree's binary, which must exist for verify: checked after the build. A
# template is verified as an instance (unet-attach@ttyS1.service).
# stationd.service's sandbox is scored too: `systemd-analyze security`
# must rate its exposure 2.0 or less (printed in the TAP line).
max_exposure=2.0
verify_units() {
	local unit dir out name score
	dir=$(mktemp -d)
	units=$(git ls-files -co --exclude-standard -- 'systemd/*.service' 'systemd/*.target' \
		'tests/sim/systemd/*.service' 'tests/sim/systemd/*.target' | sort -u)
	# All of them side by side (they name each other), the programs they
	# run taken from the build tree.
	for unit in $units; do
		sed "s#/usr/s\{0,1\}bin/\(stationd[a-z-]*\|[a-z0-9-]*-sim\|ln2-plant\|xvme-plant\)#$top/build/bin/\1#; s#/usr/libexec/stationd/#$top/tests/sim/#" \
			"$unit" >"$dir/${unit##*/}"
	done
	for unit in $units; do
		name=${unit##*/}
		name=${name/@./@ttyS1.}
		[ "$name" = "${unit##*/}" ] || ln -sf "${unit##*/}" "$dir/$name"
		if out=$(cd "$dir" && systemd-analyze verify --man=no "$dir/$name" 2>&1) && [ -z "$out" ]; then
			echo "ok - systemd-analyze verify $unit"
		else
			echo "not ok - systemd-analyze verify $unit"
			printf '%s\n' "$out" | sed 's/^/# /'
			failed=1
		fi
		if [ "$name" = stationd.service ]; then
			out=$(systemd-analyze security --offline=true --no-pager "$dir/$name" 2>&1)
			score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
			if [ -n "$score" ] && awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
				echo "ok - systemd-analyze security $unit: exposure $score (at most $max_exposure)"
			else
				echo "not ok - systemd-analyze security $unit: exposure ${score:-?} (at most $max_exposure)"
				grep '✗' <<<"$out" | sed 's/  */ /g; s/^/# /'
				failed=1
			fi
		fi
	done
	rm -rf "$dir"
}

# `make` with no target, as a new user types it, must build the modules
# and every program (a fragment's rule must not become the default goal):
# a dry run (-n, -k past the modules of a tree never built) into an empty
# build directory must link each of $(PROGRAMS) there and call Kbuild.
default_goal_builds_all() {
	local empty out programs p missing=()
	empty=$(mktemp -d)
	programs=$(make -C "$top" --no-print-directory -s BUILD="$empty" print-PROGRAMS)
	out=$(make -C "$top" --no-print-directory -n -k BUILD="$empty" 2>&1)
	rmdir "$empty"
	[ -n "$programs" ] || missing+=("(no PROGRAMS)")
	for p in $programs; do
		grep -q -- "-o $p " <<<"$out" || missing+=("${p#"$empty"/}")
	done
	grep -q -- "M=$top .* modules\$" <<<"$out" || missing+=("the modules")
	if [ ${#missing[@]} -eq 0 ]; then
		echo "ok - plain make builds the modules and every program ($(wc -w <<<"$programs") of them, stationd among them)"
	else
		echo "not ok - plain make builds the modules and every program"
		echo "# a dry run of 'make' in a clean build directory does not build: ${missing[*]}"
		echo "# its default goal: $(make -C "$top" -pn 2>/dev/null | sed -n 's/^\.DEFAULT_GOAL := //p' | tail -n 1)"
		failed=1
	fi
}
default_goal_builds_all

if [ -z "${LINT_NO_BUILD:-}" ]; then
	if out=$(make -C "$top" --no-print-directory -j2 userspace 2>&1); then
		echo "ok - userspace builds with -Werror"
	else
		echo "not ok - userspace builds with -Werror"
		printf '%s\n' "$out" | grep -E 'error|warning|Error' | head -n 40 | sed 's/^/# /'
		printf '%s\n' "$out" | tail -n 10 | sed 's/^/# /'
		failed=1
	fi
fi
[ -n "${LINT_NO_BUILD:-}" ] || verify_units
# make install / uninstall into a DESTDIR (builds the modules too).
if [ -z "${LINT_NO_BUILD:-}" ]; then
	"$top/tests/install/check-install.sh" || failed=1
fi
exit $failed
