#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packages, proven by installing them (root):
#   usage: scripts/deb/check.sh
# 1. make deb (scripts/deb/build.sh): build, version check, lintian;
# 2. a clean Debian 12 chroot: debootstrap once into
#    ~/.cache/dmabuf-exporter/chroot, then a throw-away overlay on it;
# 3. in it (scripts/deb/in-chroot.sh): apt installs the kernel headers of
#    the stock test kernel and the packages, DKMS builds the module, a
#    program builds with pkg-config, dmabuf-share --version runs, and
#    apt-get purge leaves the file list exactly as before;
# 4. the module DKMS built there boots on the stock kernel in the VM
#    (scripts/vm/run.sh) and passes the exporter suite.
# Each step's time and the total are printed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"
. "$here/../vm/apt.sh"
. "$here/chroot.sh"

[ "$(id -u)" = 0 ] || die "scripts/deb/check.sh: debootstrap, chroot and apt need root"
out=$root/build/deb-check
times=""
start=$(date +%s)
t=$start
lap() {
	local now
	now=$(date +%s)
	times+=$(printf '  %-34s %4ss' "$1" $((now - t)))$'\n'
	t=$now
}

say "[1/4] make deb"
"$here/build.sh"
version=$(cat "$root/VERSION")
lap "make deb"

say "[2/4] clean Debian 12 chroot"
"$root/scripts/deps.sh" check
command -v debootstrap >/dev/null || {
	say "installing debootstrap"
	apt-get install -y -q --no-install-recommends debootstrap >/dev/null ||
		die "apt-get install debootstrap failed"
}
base=$(chroot_base)
kver=$(stock_kver)
lap "chroot (cached after the first)"

# Runs in a private mount namespace: the overlay and the chroot's mounts
# go away with it, whatever happens inside.
# shellcheck disable=SC2016
session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/chroot.sh"
base=$1 work=$2 debs=$3 out=$4 kver=$5 version=$6
mkdir -p "$work/upper" "$work/work" "$work/root"
mount -t overlay overlay \
	-o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" "$work/root"
r=$work/root
chroot_mounts "$r"
mkdir "$r/tmp/debs"
cp "$debs"/*.deb "$r/tmp/debs/"
cp "$LIBDIR/in-chroot.sh" "$r/tmp/"
rc=0
chroot_run "$r" bash /tmp/in-chroot.sh "$kver" "$version" || rc=$?
[ ! -d "$r/tmp/out" ] || cp -a "$r/tmp/out/." "$out/"
exit $rc
'
say "[3/4] install, use and purge the packages in the chroot (kernel $kver)"
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d -p "$CHROOT_DIR" run.XXXXXX)
trap 'rm -rf "$work"' EXIT
LIBDIR=$here unshare --mount --propagation private \
	bash -c "$session" deb-check "$base" "$work" "$root/build/deb" "$out" \
	"$kver" "$version" || die "the package check in the chroot failed"
rm -rf "$work"
lap "install, use, purge in the chroot"

say "[4/4] the module DKMS built, in the VM on $kver: exporter suite"
kdir=$("$root/scripts/vm/stock-kernel.sh")
[ "$(cat "$kdir/kver")" = "$kver" ] || die "stock kernel is $(cat "$kdir/kver"), DKMS built for $kver"
make -s -C "$root/tests/vm" >/dev/null
payload=$out/payload
mkdir -p "$payload/bin"
cp "$root/build/vm/exporter-tests" "$payload/bin/"
say "module: $(modinfo -F vermagic "$out/dmabuf_exporter.ko"), sha256 $(sha256sum < "$out/dmabuf_exporter.ko" | cut -c1-16)"
rc=0
"$root/scripts/vm/run.sh" --kernel-dir "$kdir" --module "$out/dmabuf_exporter.ko" \
	--modules "vgem vivid" --module-option "vivid n_devs=2 allocators=0,1" \
	--payload "$payload" --out "$out/vm" --timeout 600 \
	-- /payload/bin/exporter-tests || rc=$?
lap "VM boot, exporter suite"

printf '>>> deb check times:\n%s' "$times" >&2
say "deb check finished in $(( $(date +%s) - start ))s: $([ $rc = 0 ] && echo PASS || echo FAIL)"
exit $rc
