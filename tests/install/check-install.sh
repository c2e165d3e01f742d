#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` and `make uninstall` into a DESTDIR, as TAP (run by the
# lint tier):
#   - the installed tree is exactly tests/install/installed-files (modes
#     too): nothing missing, nothing unlisted;
#   - every installed program and generator has its man page installed;
#   - what names another installed file finds it: the D-Bus activation
#     file's SystemdService=, the udev rules' SYSTEMD_WANTS=;
#   - systemd-sysusers accepts the sysusers.d file and creates the
#     stationd user and the stationd-operator group;
#   - with PREFIX=/opt/stationd the unit and the generator run the
#     programs where they were installed;
#   - `make uninstall` leaves no file behind.
# The build itself is `make install`'s own business (it depends on all).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
list=$top/tests/install/installed-files
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { echo "ok - install: $*"; }
not_ok() { echo "not ok - install: $*"; failed=1; }

# mode and path of every file, link and empty directory under $1
tree_of() {
	(cd "$1" && find . -mindepth 1 \( -type f -o -type l \) -printf '%m %P\n'
	 cd "$1" && find . -mindepth 1 -type d -empty -printf '%m %P/\n') |
		awk '{ printf "%04d %s\n", $1, $2 }' | sort
}

kabi=$(make -C "$top" -s --no-print-directory print-KABI)
dest=$work/root
if out=$(make -C "$top" --no-print-directory -j2 install DESTDIR="$dest" 2>&1); then
	ok "make install DESTDIR=... succeeds"
else
	not_ok "make install DESTDIR=... succeeds"
	printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	exit 1
fi

want=$(grep -v '^#' "$list" | sed "s/@KABI@/$kabi/" | sort)
got=$(tree_of "$dest")
if [ "$got" = "$want" ]; then
	ok "the installed tree is tests/install/installed-files ($(wc -l <<<"$want") entries)"
else
	not_ok "the installed tree is tests/install/installed-files"
	diff <(echo "$want") <(echo "$got") | grep '^[<>]' |
		sed 's/^</# missing or other mode:/; s/^>/# not listed:/'
fi

missing=()
for p in "$dest"/usr/bin/* "$dest"/usr/sbin/* "$dest"/lib/systemd/system-generators/*; do
	[ -e "$p" ] || continue
	n=${p##*/}
	compgen -G "$dest/usr/share/man/man[18]/$n.[18]" >/dev/null || missing+=("$n")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "every installed program has its man page"
else
	not_ok "every installed program has its man page (none for: ${missing[*]})"
fi

# (an instance, unet-attach@%k.service, by its template)
mapfile -t names < <({
	sed -n 's/^SystemdService=//p' "$dest"/usr/share/dbus-1/system-services/org.stationd1.service
	grep -ho 'SYSTEMD_WANTS}+="[^"]*"' "$dest"/lib/udev/rules.d/*.rules | cut -d'"' -f2 |
		sed 's/@.*\.service$/@.service/'
} | sort -u)
missing=()
for u in "${names[@]}"; do
	[ -f "$dest/lib/systemd/system/$u" ] || missing+=("${u:-(empty)}")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#names[@]} -ge 2 ]; then
	ok "the units D-Bus activation and udev ask for are installed (${names[*]})"
else
	not_ok "the units D-Bus activation and udev ask for are installed (missing: ${missing[*]})"
fi

out=$(systemd-sysusers --root="$dest" --dry-run 2>&1)
if grep -q "Creating user 'stationd'" <<<"$out" && grep -q "Creating group 'stationd-operator'" <<<"$out" &&
   ! grep -qi 'fail\|invalid\|ignoring' <<<"$out"; then
	ok "systemd-sysusers creates user stationd and group stationd-operator from the installed file"
else
	not_ok "systemd-sysusers creates user stationd and group stationd-operator from the installed file"
	printf '%s\n' "$out" | sed 's/^/# /'
fi

if out=$(make -C "$top" --no-print-directory uninstall DESTDIR="$dest" 2>&1) &&
   left=$(cd "$dest" && find . ! -type d) && [ -z "$left" ]; then
	ok "make uninstall removes every file"
else
	not_ok "make uninstall removes every file"
	printf '%s\n' "$out" "${left:-}" | tail -n 20 | sed 's/^/# /'
fi

# Another prefix: the unit and the generator follow the programs.
dest=$work/opt
if make -C "$top" --no-print-directory -s install DESTDIR="$dest" PREFIX=/opt/stationd >/dev/null 2>&1 &&
   exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$dest/lib/systemd/system/stationd.service") &&
   compile=$(sed -n 's/^compile=.*:-\(.*\)}$/\1/p' "$dest/lib/systemd/system-generators/stationd-generator") &&
   [ "$exec_start" = /opt/stationd/sbin/stationd ] && [ -x "$dest$exec_start" ] &&
   [ "$compile" = /opt/stationd/bin/stationd-compile ] && [ -x "$dest$compile" ]; then
	ok "PREFIX=/opt/stationd: the unit runs $exec_start, the generator $compile, both installed"
else
	not_ok "PREFIX=/opt/stationd: the unit and the generator run the installed programs (ExecStart=${exec_start:-?}, compile=${compile:-?})"
fi
exit $failed
