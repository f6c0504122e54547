#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CI proof that dkms.conf works: dkms add, build, install and remove the
# module for every kernel of the test matrix (not the running kernel, which
# may have no headers at all).
#   usage: scripts/dkms-check.sh [KERNEL...]   (root; default: 6.1 6.12 sid,
#          names as scripts/vm/kernel.sh takes them)
# The package is staged the way docs/install.md tells users to (only the
# module's files).  For 6.1 and 6.12 dkms runs on this machine in a private
# mount namespace with its own /var/lib/dkms, source tree and /lib/modules,
# so the machine keeps no trace: no registered package, no installed module,
# no depmod output, no MOK signing key.  sid's headers need sid's compiler,
# so its check runs inside the sid chroot (scripts/vm/sid-chroot.sh), the
# same way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

[ "$(id -u)" = 0 ] || die "dkms-check.sh: dkms needs root"
"$here/deps.sh" check dkms
pkg=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$root/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
[ -n "$pkg" ] || die "dkms.conf names no PACKAGE_NAME"
[ -n "$ver" ] || die "dkms.conf names no PACKAGE_VERSION"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage/$pkg-$ver
mkdir -p "$stage/include/uapi/linux"
cp -a "$root/Kbuild" "$root/Makefile" "$root/dkms.conf" "$root/exporter" \
	"$stage/"
rm -f "$stage"/exporter/*.o "$stage"/exporter/.*.cmd
cp -a "$root/include/uapi/linux/dmabuf_exporter.h" "$stage/include/uapi/linux/"

# Runs inside the namespace: $1 package dir, $2 kver, $3 name, $4 version,
# $5 kernel headers.  /lib/modules is replaced by a tmpfs holding only
# $2/build, so install, remove and their depmod runs stay private too.
# shellcheck disable=SC2016
inner='
set -eu
mkdir -p "$TMPD/varlib" "$TMPD/src"
mount --bind "$TMPD/varlib" /var/lib/dkms
mount -t tmpfs tmpfs /lib/modules
mkdir -p "/lib/modules/$2"
ln -s "$5" "/lib/modules/$2/build"
d() {
	echo "+ dkms $*"
	dkms --sourcetree "$TMPD/src" "$@"
}
d add "$1"
d build -m "$3" -v "$4" -k "$2"
ko=$(find "/var/lib/dkms/$3/$4/$2" -name "dmabuf_exporter.ko*" | head -n 1)
[ -n "$ko" ] || { echo "dkms built no dmabuf_exporter.ko"; exit 1; }
case $ko in *.xz) xz -dc "$ko" > "$TMPD/m.ko" ;; *.zst) zstd -qdc "$ko" > "$TMPD/m.ko" ;; *) cp "$ko" "$TMPD/m.ko" ;; esac
vermagic=$(modinfo -F vermagic "$TMPD/m.ko")
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
# Found by name through the depmod index, as modprobe will find it.
depmod "$2" 2>/dev/null || true
modinfo -k "$2" -F filename dmabuf_exporter ||
	{ ls -la "/lib/modules/$2"; echo "modinfo cannot find the installed module by name"; exit 1; }
d status -m "$3"
d remove -m "$3" -v "$4" --all
left=$(dkms --sourcetree "$TMPD/src" status -m "$3")
[ -z "$left" ] || { echo "still registered after remove: $left"; exit 1; }
left=$(find "/lib/modules/$2/" -name "dmabuf_exporter.ko*")
[ -z "$left" ] || { echo "left installed after remove: $left"; exit 1; }
echo "removed: dkms status is empty, no module left installed"
'

# check_kernel NAME: the dkms cycle for one kernel of the matrix.
check_kernel() {
	local kdir kver hdr croot work
	kdir=$("$here/vm/kernel.sh" "$1") || return 1
	kver=$(cat "$kdir/kver")
	hdr=$(cat "$kdir/kdir")
	say "dkms add/build/install/remove $pkg/$ver for $1 ($kver, private /var/lib/dkms)"
	if [ ! -f "$kdir/chroot" ]; then
		TMPD=$tmp/$1 unshare --mount --propagation private \
			bash -c "$inner" dkms-check "$stage" "$kver" "$pkg" "$ver" "$hdr"
		return
	fi
	# Inside the chroot the same script runs on a copy of the package.
	croot=$(cat "$kdir/chroot")
	work=/tmp/dkms-check.$$
	rm -rf "$croot$work"
	mkdir -p "$croot$work/stage"
	cp -a "$stage" "$croot$work/stage/"
	# chroot_run's namespace is already private to this check.
	chroot_run "$croot" env TMPD="$work" \
		bash -c "$inner" dkms-check "$work/stage/$pkg-$ver" "$kver" "$pkg" "$ver" "$hdr" ||
		{ rm -rf "$croot$work"; return 1; }
	rm -rf "$croot$work"
}

failed=""
# shellcheck disable=SC2206
kernels=(${@:-6.1 6.12 sid})
for k in "${kernels[@]}"; do
	check_kernel "$k" || failed="$failed $k"
done
[ -z "$failed" ] || die "dkms check failed for:$failed"
say "dkms check: PASS ($pkg/$ver builds, installs and goes away for ${kernels[*]})"
