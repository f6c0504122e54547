#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian sid chroot for building modules against sid's kernel headers,
# which need sid's compiler.  Made once with debootstrap from the host's
# mirror into the cache; each kernel's headers are installed into it on
# first use.  Prints the chroot's path.
#   usage: scripts/vm/sid-chroot.sh KERNELRELEASE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
. "$here/apt.sh"

kver=${1:?usage: sid-chroot.sh KERNELRELEASE}
root=$CACHE/chroot/sid
# Tools the chroot needs besides the headers: kbuild, sparse for make
# lint, dkms for the DKMS check.
PKGS="make kmod xz-utils sparse dkms"

exec {lock}>"$CACHE/chroot.lock"
flock "$lock"
if [ ! -f "$root/.done" ]; then
	[ -x /usr/sbin/debootstrap ] || "$here/deps.sh" matrix
	say "creating a sid chroot for module builds in $root (about a minute)"
	rm -rf "$root" "$root.tmp"
	mkdir -p "${root%/*}"
	debootstrap --variant=minbase sid "$root.tmp" "$(host_mirror)" \
		>"${root%/*}/debootstrap.log" 2>&1 || {
		tail -n 20 "${root%/*}/debootstrap.log" >&2
		die "debootstrap sid failed (log: ${root%/*}/debootstrap.log)"
	}
	# Archives served past sid's Valid-Until (snapshots) still count.
	echo 'Acquire::Check-Valid-Until "false";' \
		> "$root.tmp/etc/apt/apt.conf.d/99dmabuf-exporter"
	mv "$root.tmp" "$root"
	touch "$root/.done"
fi
if [ ! -d "$root/usr/src/linux-headers-$kver" ]; then
	say "installing linux-headers-$kver and $PKGS into the sid chroot"
	chroot_run "$root" env DEBIAN_FRONTEND=noninteractive sh -c \
		"apt-get -q update && apt-get -q -y --no-install-recommends install linux-headers-$kver $PKGS" \
		>"${root%/*}/sid-install.log" 2>&1 || {
		tail -n 20 "${root%/*}/sid-install.log" >&2
		die "installing linux-headers-$kver into the sid chroot failed (log: ${root%/*}/sid-install.log)"
	}
fi
# Debian's sid headers lack scripts/checker-valid.sh, which C=1 and C=2 run
# to decide whether sparse can check this kernel: without it kbuild skips
# sparse silently.  Put upstream's copy in.
common=$root/usr/src/linux-headers-${kver%-amd64}-common
if [ -d "$common/scripts" ] && [ ! -f "$common/scripts/checker-valid.sh" ]; then
	install -m 755 "$here/checker-valid.sh" "$common/scripts/checker-valid.sh"
fi
echo "$root"
