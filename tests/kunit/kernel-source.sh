# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced, not run: the Debian linux-source-6.1 tree in the cache, shared
# by the KUnit runner (tests/kunit/run.sh) and the linter (tests/lib/lint.sh).
#
#   kernel_source_tree          print the tree's path, unpacking it first if
#                               needed; returns non-zero (message on stderr)
#                               if that fails
#   kernel_source_link_project <tree> <repo-kernel-dir>
#                               make the tree build the project's kernel/
#                               directory as drivers/stationd (idempotent)
#
# The tarball is unpacked into a temporary directory next to the final one
# and renamed into place only when tar succeeded, so an interrupted unpack
# never looks like a tree. The stamp file records which tarball (size and
# mtime) the tree came from: a newer linux-source package re-unpacks.
# A lock serialises concurrent callers (several engineers share a cache).

KERNEL_SOURCE_TARBALL=${KERNEL_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}

kernel_source_stamp_of_tarball() {
	stat -c '%n %s %Y' "$KERNEL_SOURCE_TARBALL"
}

kernel_source_tree() {
	local cache=${STATIOND_CACHE:-$HOME/.cache/stationd}
	local tree=$cache/linux-source-6.1
	local stamp=$tree/.stationd-unpacked
	local want tmp

	if [ ! -r "$KERNEL_SOURCE_TARBALL" ]; then
		echo "kernel-source: $KERNEL_SOURCE_TARBALL missing (make deps installs linux-source-6.1)" >&2
		return 1
	fi
	want=$(kernel_source_stamp_of_tarball) || return 1
	mkdir -p "$cache" || return 1
	(
		flock 9 || exit 1
		if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
		   [ -f "$tree/Makefile" ] && [ -x "$tree/tools/testing/kunit/kunit.py" ]; then
			exit 0
		fi
		echo "kernel-source: unpacking $KERNEL_SOURCE_TARBALL into $tree" >&2
		rm -rf "$cache"/.linux-source-unpack.* "$tree.old"
		tmp=$(mktemp -d "$cache/.linux-source-unpack.XXXXXX") || exit 1
		if ! tar -C "$tmp" -xJf "$KERNEL_SOURCE_TARBALL"; then
			rm -rf "$tmp"
			echo "kernel-source: unpacking failed" >&2
			exit 1
		fi
		if [ ! -f "$tmp/linux-source-6.1/Makefile" ]; then
			rm -rf "$tmp"
			echo "kernel-source: tarball has no linux-source-6.1/Makefile" >&2
			exit 1
		fi
		printf '%s\n' "$want" >"$tmp/linux-source-6.1/.stationd-unpacked"
		[ -e "$tree" ] && mv "$tree" "$tree.old"
		mv "$tmp/linux-source-6.1" "$tree" && rmdir "$tmp"
		rm -rf "$tree.old"
	) 9>"$cache/linux-source.lock" || return 1
	printf '%s\n' "$tree"
}

kernel_source_link_project() {
	local tree=$1 kdir=$2
	local cache=${STATIOND_CACHE:-$HOME/.cache/stationd}

	(
		flock 9 || exit 1
		# A symlink, retargeted if the repository moved (another clone).
		if [ "$(readlink "$tree/drivers/stationd" 2>/dev/null)" != "$kdir" ]; then
			rm -rf "$tree/drivers/stationd"
			ln -s "$kdir" "$tree/drivers/stationd" || exit 1
		fi
		grep -qx 'source "drivers/stationd/Kconfig"' "$tree/drivers/Kconfig" ||
			sed -i '$ s|^endmenu$|source "drivers/stationd/Kconfig"\n\nendmenu|' \
				"$tree/drivers/Kconfig" || exit 1
		grep -qx 'source "drivers/stationd/Kconfig"' "$tree/drivers/Kconfig" || {
			echo "kernel-source: could not add stationd to drivers/Kconfig" >&2
			exit 1
		}
		grep -qx 'obj-y += stationd/' "$tree/drivers/Makefile" ||
			echo 'obj-y += stationd/' >>"$tree/drivers/Makefile" || exit 1
	) 9>"$cache/linux-source.lock"
}
