#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CI proof that dkms.conf works: dkms add, build, install and remove the
# module for the kernel whose headers linux-headers-amd64 installed (not the
# running kernel, which may have no headers at all).
#   usage: scripts/dkms-check.sh [KERNELRELEASE]   (root; default: stock)
# The package is staged the way docs/install.md tells users to (only the
# module's files), and dkms runs in a private mount namespace with its own
# /var/lib/dkms, source tree and /lib/modules/KERNELRELEASE, so the machine
# keeps no trace: no registered package, no installed module, no depmod
# output, no MOK signing key.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

[ "$(id -u)" = 0 ] || die "dkms-check.sh: dkms needs root"
"$here/deps.sh" check dkms
kver=${1:-$(stock_kver)}
[ -d "/lib/modules/$kver/build" ] ||
	die "no headers for $kver at /lib/modules/$kver/build"
pkg=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$root/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
[ -n "$pkg" ] || die "dkms.conf names no PACKAGE_NAME"
[ -n "$ver" ] || die "dkms.conf names no PACKAGE_VERSION"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage/$pkg-$ver
mkdir -p "$stage/include/uapi/linux" "$tmp/varlib" "$tmp/src" "$tmp/kmod"
cp -a "$root/Kbuild" "$root/Makefile" "$root/dkms.conf" "$root/exporter" \
	"$stage/"
rm -f "$stage"/exporter/*.o "$stage"/exporter/.*.cmd
cp -a "$root/include/uapi/linux/dmabuf_exporter.h" "$stage/include/uapi/linux/"

# Runs inside the namespace: $1 package dir, $2 kver, $3 name, $4 version.
# /lib/modules/$2 is replaced by a copy holding only its build and source
# links, so install, remove and their depmod runs stay private too.
# shellcheck disable=SC2016
inner='
set -eu
mount --bind "$TMPD/varlib" /var/lib/dkms
cp -a "/lib/modules/$2/build" "/lib/modules/$2/source" "$TMPD/kmod/"
mount --bind "$TMPD/kmod" "/lib/modules/$2"
d() {
	echo "+ dkms $*"
	dkms --sourcetree "$TMPD/src" "$@"
}
d add "$1"
d build -m "$3" -v "$4" -k "$2"
ko=$(find "/var/lib/dkms/$3/$4/$2" -name "dmabuf_exporter.ko*" | head -n 1)
[ -n "$ko" ] || { echo "dkms built no dmabuf_exporter.ko"; exit 1; }
vermagic=$(modinfo -F vermagic "$ko")
echo "built $ko"
echo "vermagic: $vermagic"
case $vermagic in "$2 "*) ;; *) echo "vermagic is not for $2"; exit 1 ;; esac
log=$(find "/var/lib/dkms/$3/$4/$2" -name make.log | head -n 1)
[ -n "$log" ] || { echo "dkms kept no make.log"; exit 1; }
if grep -E "warning:|error:" "$log"; then
	echo "warnings in the dkms build ($log)"
	exit 1
fi
d install -m "$3" -v "$4" -k "$2"
inst=$(find "/lib/modules/$2/" -name "dmabuf_exporter.ko*")
[ -n "$inst" ] || { echo "dkms install put no module down"; exit 1; }
echo "installed $inst"
modinfo -k "$2" -F filename dmabuf_exporter
d status -m "$3"
d remove -m "$3" -v "$4" --all
left=$(dkms --sourcetree "$TMPD/src" status -m "$3")
[ -z "$left" ] || { echo "still registered after remove: $left"; exit 1; }
left=$(find "/lib/modules/$2/" -name "dmabuf_exporter.ko*")
[ -z "$left" ] || { echo "left installed after remove: $left"; exit 1; }
echo "removed: dkms status is empty, no module left installed"
'
say "dkms add/build/install/remove $pkg/$ver for $kver (private /var/lib/dkms)"
TMPD=$tmp unshare --mount --propagation private \
	bash -c "$inner" dkms-check "$stage" "$kver" "$pkg" "$ver" ||
	die "dkms check failed"
say "dkms check: PASS ($pkg/$ver builds and installs for $kver)"
