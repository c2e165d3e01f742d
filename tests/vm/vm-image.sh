# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced, not run: the Debian kernel image the VM boots, kept in the cache.
#
#   vm_kabi                 the ABI of the installed linux-headers-amd64
#                           ($KABI if the Makefile exported it)
#   vm_image_dir <kabi>     print the directory holding the unpacked
#                           linux-image-<kabi> package (boot/vmlinuz-<kabi>,
#                           lib/modules/<kabi>), downloading it with
#                           `apt-get download` and unpacking it with
#                           `dpkg-deb -x` the first time. Never installed.
#
# The package version is the one of the installed linux-headers-<kabi>, so
# the image always matches the headers the modules are built against. The
# unpack goes to a temporary directory renamed into place on success, so
# an interrupted run leaves nothing that looks complete.

vm_kabi() {
	if [ -n "${KABI:-}" ]; then
		printf '%s\n' "$KABI"
		return 0
	fi
	dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p' | grep .
}

vm_image_dir() {
	local kabi=$1
	local cache=${STATIOND_CACHE:-$HOME/.cache/stationd}/vm
	local dir=$cache/image-$kabi
	local version pkg deb tmp

	mkdir -p "$cache" || return 1
	(
		flock 9 || exit 1
		if [ -f "$dir/.stationd-unpacked" ] &&
		   [ -f "$dir/boot/vmlinuz-$kabi" ] && [ -d "$dir/lib/modules/$kabi/kernel" ]; then
			exit 0
		fi
		version=$(dpkg-query -W -f='${Version}' "linux-headers-$kabi" 2>/dev/null)
		if [ -z "$version" ]; then
			echo "vm-image: linux-headers-$kabi is not installed (make deps)" >&2
			exit 1
		fi
		deb=$(ls "$cache"/linux-image-"$kabi"_"$version"_amd64.deb 2>/dev/null | head -n 1)
		if [ -z "$deb" ]; then
			# Debian ships the image signed (linux-image-<abi>) and
			# unsigned; either boots under QEMU, the signed one is
			# what a station would run.
			for pkg in "linux-image-$kabi" "linux-image-$kabi-unsigned"; do
				echo "vm-image: downloading $pkg=$version" >&2
				if (cd "$cache" && apt-get download -q "$pkg=$version") >"$cache/download.log" 2>&1; then
					break
				fi
			done
			deb=$(ls "$cache"/linux-image-"$kabi"*_"$version"_amd64.deb 2>/dev/null | head -n 1)
			if [ -z "$deb" ]; then
				echo "vm-image: could not download linux-image-$kabi=$version:" >&2
				cat "$cache/download.log" >&2
				exit 1
			fi
		fi
		echo "vm-image: unpacking $(basename "$deb")" >&2
		rm -rf "$dir" "$cache"/.image-unpack.*
		tmp=$(mktemp -d "$cache/.image-unpack.XXXXXX") || exit 1
		if ! dpkg-deb -x "$deb" "$tmp"; then
			rm -rf "$tmp"
			echo "vm-image: dpkg-deb -x $deb failed" >&2
			exit 1
		fi
		printf '%s\n' "$(basename "$deb")" >"$tmp/.stationd-unpacked"
		mv "$tmp" "$dir"
	) 9>"$cache/image.lock" || return 1
	printf '%s\n' "$dir"
}
