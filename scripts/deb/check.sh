#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packages, proven by installing them (root):
#   usage: scripts/deb/check.sh [--clean-clone]
# 1. make deb (scripts/deb/build.sh): build, version check, lintian;
# 2. a clean Debian 12 chroot: debootstrap once into
#    ~/.cache/dmabuf-exporter/chroot, then a throw-away overlay on it;
# 3. in it (scripts/deb/in-chroot.sh): apt installs the kernel headers of
#    the stock test kernel and the packages, DKMS builds the module, a
#    program builds with pkg-config, dmabuf-share --version runs, and
#    apt-get purge leaves the file list exactly as before;
# 4. the module DKMS built there boots on the stock kernel in the VM
#    (scripts/vm/run.sh) and passes the exporter suite.
# --clean-clone adds, after 2., `make deb` run as root in another fresh
# overlay of the chroot on a clean clone of HEAD: the proof that the
# build installs its own dependencies on a new Debian 12 machine (it
# fetches them, so it is not part of the default run).
# Each step's time and the total are printed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"
. "$here/../vm/apt.sh"
. "$here/chroot.sh"

clean_clone=no
case ${1:-} in
"") ;;
--clean-clone) clean_clone=yes ;;
*) die "usage: scripts/deb/check.sh [--clean-clone]" ;;
esac
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

# Both run in a private mount namespace: the overlay and the chroot's
# mounts go away with it, whatever happens inside.
# shellcheck disable=SC2016
install_session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/chroot.sh"
base=$1 work=$2 debs=$3 out=$4 kver=$5 version=$6
r=$(chroot_overlay "$base" "$work")
chroot_mounts "$r"
mkdir "$r/tmp/debs"
cp "$debs"/*.deb "$r/tmp/debs/"
cp "$LIBDIR/in-chroot.sh" "$r/tmp/"
rc=0
deb_chroot_run "$r" bash /tmp/in-chroot.sh "$kver" "$version" || rc=$?
[ ! -d "$r/tmp/out" ] || cp -a "$r/tmp/out/." "$out/"
exit $rc
'
# shellcheck disable=SC2016
clone_session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/chroot.sh"
base=$1 work=$2 repo=$3
r=$(chroot_overlay "$base" "$work")
chroot_mounts "$r"
git clone -q --no-local "$repo" "$r/root/dmabuf-exporter"
deb_chroot_run "$r" make -C /root/dmabuf-exporter deb
'

# in_overlay NAME SESSION ARGS...: run SESSION on a fresh overlay of the
# cached chroot, then throw the overlay away.
in_overlay() {
	local name=$1 session=$2 work rc=0
	shift 2
	work=$(mktemp -d -p "$CHROOT_DIR" run.XXXXXX)
	LIBDIR=$here unshare --mount --propagation private \
		bash -c "$session" "$name" "$base" "$work" "$@" || rc=$?
	rm -rf "$work"
	return $rc
}

if [ "$clean_clone" = yes ]; then
	say "[+] make deb from a clean clone of HEAD, as root in a fresh chroot"
	in_overlay deb-clone "$clone_session" "$root" ||
		die "make deb from a clean clone failed in the chroot"
	lap "make deb in a fresh chroot (clone)"
fi

say "[3/4] install, use and purge the packages in the chroot (kernel $kver)"
rm -rf "$out"
mkdir -p "$out"
in_overlay deb-check "$install_session" "$root/build/deb" "$out" "$kver" \
	"$version" || die "the package check in the chroot failed"
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
