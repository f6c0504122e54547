#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's stock kernel image matching the installed headers into the
# cache (apt-get download + dpkg-deb -x: never installed on this machine)
# and print the directory holding it: vmlinuz, lib/modules/<kver>, kver.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kver=$(stock_kver)
dir=$CACHE/stock/$kver
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi
say "fetching stock kernel linux-image-$kver into $dir"
rm -rf "$dir"
mkdir -p "$dir/deb"
# _apt cannot write into root's cache: download into a scratch dir it owns.
tmp=$(mktemp -d)
chmod 777 "$tmp"
(cd "$tmp" && apt-get download -q "linux-image-$kver" >&2) ||
	die "apt-get download linux-image-$kver failed (run apt-get update?)"
mv "$tmp"/*.deb "$dir/deb/"
rmdir "$tmp"
dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
# The package ships no modules.dep (depmod runs at install): make one.
depmod -b "$dir/root" "$kver"
echo "$kver" > "$dir/kver"
echo "$dir/root/lib/modules/$kver" > "$dir/moddir"
echo "/usr/src/linux-headers-$kver" > "$dir/kdir"
touch "$dir/.done"
echo "$dir"
