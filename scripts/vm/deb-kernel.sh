#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel of the test matrix newer than Debian 12's own into
# the cache (apt-get download + dpkg-deb -x through the private apt of
# apt.sh: never installed) and print its directory for run.sh and
# build-module.sh: vmlinuz, kver, moddir, kdir, and chroot when modules for
# it must be built inside a chroot.
#   usage: scripts/vm/deb-kernel.sh 6.12|sid
#
# 6.12  bookworm-backports' LTS kernel.  Its headers and kbuild tools are
#       built for Debian 12, so modules build on the host after the headers'
#       absolute include of their -common tree is pointed into the cache.
# sid   the newest kernel Debian ships.  Its headers need sid's compiler, so
#       modules build in a sid chroot (sid-chroot.sh) that holds them.
# Versions are resolved at run time from each suite's linux-image-amd64 /
# linux-headers-amd64 and cached by version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
. "$here/apt.sh"

name=${1:-}
case $name in
6.12) suite=bookworm-backports ;;
sid) suite=sid ;;
*) die "deb-kernel.sh: unknown kernel '$name' (6.12 or sid)" ;;
esac

apt_ready
# "linux-image-6.12.95+deb12-amd64 (= ...)" -> 6.12.95+deb12-amd64
kver=$(apt_field "linux-image-amd64/$suite" Depends |
	tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\) .*/\1/p' | head -n 1)
[ -n "$kver" ] || die "no linux-image-amd64 in $suite's package list ($APT_DIR)"
abi=${kver%-amd64}
dir=$CACHE/deb/$kver
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

exec {lock}>"$CACHE/deb.lock"
flock "$lock"
[ ! -f "$dir/.done" ] || { echo "$dir"; exit 0; }
say "fetching $name kernel $kver from $suite into $dir"
rm -rf "$dir"
mkdir -p "$dir/deb"
if [ "$name" = 6.12 ]; then
	apt_fetch "$dir/deb" "linux-image-$kver-unsigned" "linux-headers-$kver" \
		"linux-headers-$abi-common" "linux-kbuild-$abi" >/dev/null
else
	apt_fetch "$dir/deb" "linux-binary-$kver" "linux-modules-$kver" >/dev/null
fi
for deb in "$dir"/deb/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
rm -rf "$dir/deb"

# Kernel image and module tree: /boot + /lib in 6.12, all under /usr in sid.
mods=$dir/root/lib/modules/$kver
[ -d "$mods" ] || mods=$dir/root/usr/lib/modules/$kver
img=$dir/root/boot/vmlinuz-$kver
[ -f "$img" ] || img=$mods/vmlinuz
[ -f "$img" ] || die "no kernel image in the $kver packages"
ln -sf "${img#"$dir"/}" "$dir/vmlinuz"
# The packages ship no modules.dep (depmod runs at install): make one.
# sid ships modules.builtin and modules.order only in depmod's binary form,
# which depmod warns about: those warnings are expected, any other is shown.
depmod -b "${mods%/lib/modules/*}" "$kver" 2>"$dir/depmod.log" || {
	cat "$dir/depmod.log" >&2
	die "depmod for $kver failed"
}
grep -v 'could not open modules\.\(builtin\|order\)' "$dir/depmod.log" >&2 || true
echo "$kver" > "$dir/kver"
echo "$mods" > "$dir/moddir"

if [ "$name" = 6.12 ]; then
	hdr=$dir/root/usr/src/linux-headers-$kver
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$hdr/Makefile"
	echo "$hdr" > "$dir/kdir"
else
	chroot=$("$here/sid-chroot.sh" "$kver")
	echo "$chroot" > "$dir/chroot"
	echo "/usr/src/linux-headers-$kver" > "$dir/kdir"
fi
touch "$dir/.done"
echo "$dir"
