#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packaging round trip, as a Debian sponsor would try it (root):
#   usage: scripts/deb/check.sh [--clean-clone] [--suites "bookworm sid"] [--no-vm]
# 1. make deb (scripts/deb/build.sh) on the host: `make dist`, the source
#    package from it, the binaries from the source package, version check,
#    bookworm's lintian on all of them;
# then for each suite (bookworm and sid by default), in clean chroots
# (debootstrap once into ~/.cache/dmabuf-exporter/chroot, from the host's
# Debian mirror; every step in its own throw-away overlay of it; apt's
# lists and .debs cached there too, so nothing is downloaded twice):
# 2. the binaries built from the .dsc in that suite
#    (scripts/deb/build-in-chroot.sh: apt-get build-dep, dpkg-source -x,
#    dpkg-buildpackage -b), then that suite's lintian on the .dsc and the
#    .changes: any E: or W: fails;
# 3. those packages installed (scripts/deb/in-chroot.sh): apt installs
#    the kernel headers (bookworm: the stock test kernel's; sid: its
#    newest) and the packages, DKMS builds the module, a program builds
#    with pkg-config, dmabuf-share --version runs, and apt-get purge
#    leaves the file list exactly as before;
# 4. autopkgtest (the host's, with the chroot virt server on a fresh
#    overlay) runs debian/tests/control and autodep8's dkms test
#    (Testsuite: autopkgtest-pkg-dkms) against those packages.  The dkms
#    test is marked breaks-testbed, which the chroot server cannot revert:
#    --ignore-restrictions=breaks-testbed is right here because the
#    overlay is thrown away after the run.  The suite's default kernel
#    headers (linux-headers-amd64) are installed first, so the dkms test
#    builds for that kernel only, not for the cloud and rt flavours too
#    (which took 2.5 minutes more on bookworm);
# 5. (not with --no-vm) the module DKMS built in 3. boots in the VM on
#    that kernel (bookworm: the stock 6.1; sid: scripts/vm/deb-kernel.sh
#    sid, the same release as sid's headers) and passes the exporter suite.
# --clean-clone adds, for bookworm after 1., `make deb` run as root in
# another fresh overlay on a clean clone of HEAD: the proof that the build
# installs its own dependencies on a new Debian 12 machine.
# DMABUF_EXPORTER_CACHE moves the whole cache (chroots included).  Each
# step's time and the total are printed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"
. "$here/../vm/apt.sh"
. "$here/chroot.sh"

clean_clone=no suites="bookworm sid" vm=yes
while [ $# -gt 0 ]; do
	case $1 in
	--clean-clone) clean_clone=yes; shift ;;
	--suites) suites=${2:?--suites needs a list}; shift 2 ;;
	--no-vm) vm=no; shift ;;
	*) die "usage: scripts/deb/check.sh [--clean-clone] [--suites \"bookworm sid\"] [--no-vm]" ;;
	esac
done
for s in $suites; do chroot_suite "$s"; done
[ "$(id -u)" = 0 ] || die "scripts/deb/check.sh: debootstrap, chroot and apt need root"
out=$root/build/deb-check
times=""
start=$(date +%s)
t=$start
lap() {
	local now
	now=$(date +%s)
	times+=$(printf '  %-44s %4ss' "$1" $((now - t)))$'\n'
	t=$now
}
host_tools() {
	local p missing=()
	for p in debootstrap autopkgtest autodep8; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	say "installing ${missing[*]}"
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

say "[1] make deb: source package, binaries from it, bookworm's lintian"
"$here/build.sh"
version=$(cat "$root/VERSION")
dsc=$(ls "$root"/build/deb/src/*.dsc)
lap "make deb (host)"
"$root/scripts/deps.sh" check
host_tools
rm -rf "$out"
mkdir -p "$out"

# The sessions run in a private mount namespace: the overlay and the
# chroot's mounts go away with it, whatever happens inside.
# shellcheck disable=SC2016
build_session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/../vm/apt.sh"
. "$LIBDIR/chroot.sh"
chroot_suite "$SUITE"
base=$1 work=$2 src=$3 out=$4
r=$(chroot_overlay "$base" "$work")
chroot_mounts "$r"
mkdir "$r/tmp/src" "$r/tmp/build"
cp "$src"/* "$r/tmp/src/"
cp "$LIBDIR/build-in-chroot.sh" "$r/tmp/"
rc=0
deb_chroot_run "$r" bash /tmp/build-in-chroot.sh || rc=$?
mkdir -p "$out/debs"
cp "$r"/tmp/build/*.log "$r"/tmp/build/lintian.txt "$out/" 2>/dev/null || true
for d in "$r"/tmp/build/*.deb; do
	case $d in *-dbgsym_*) ;; *) cp "$d" "$out/debs/" ;; esac
done
exit $rc
'
# shellcheck disable=SC2016
install_session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/../vm/apt.sh"
. "$LIBDIR/chroot.sh"
chroot_suite "$SUITE"
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
autopkgtest_session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/../vm/apt.sh"
. "$LIBDIR/chroot.sh"
chroot_suite "$SUITE"
base=$1 work=$2 dsc=$3 debs=$4 out=$5
r=$(chroot_overlay "$base" "$work")
chroot_mounts "$r"
autopkgtest --ignore-restrictions=breaks-testbed --output-dir "$out" \
	--setup-commands "apt-get -q -y --no-install-recommends install linux-headers-amd64" \
	"$dsc" "$debs"/*.deb -- chroot "$r" > "$out.log" 2>&1 || {
	tail -n 40 "$out.log" >&2
	exit 1
}
# The summary: one line per test (the @@@@ summary header is not always
# where the lines are: autopkgtest writes them to stdout and stderr).
grep -E "^[a-z0-9][a-z0-9.+-]* +(PASS|FAIL|SKIP|FLAKY|BAD)" "$out.log" | sort -u
'
# shellcheck disable=SC2016
clone_session='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/../vm/apt.sh"
. "$LIBDIR/chroot.sh"
chroot_suite "$SUITE"
base=$1 work=$2 repo=$3
r=$(chroot_overlay "$base" "$work")
chroot_mounts "$r"
git clone -q --no-local "$repo" "$r/root/dmabuf-exporter"
deb_chroot_run "$r" make -C /root/dmabuf-exporter deb
'

# in_overlay NAME SESSION ARGS...: run SESSION on a fresh overlay of the
# current suite's cached chroot, then throw the overlay away.
in_overlay() {
	local name=$1 session=$2 work rc=0
	shift 2
	work=$(mktemp -d -p "$CHROOT_DIR" run.XXXXXX)
	SUITE=$CHROOT_SUITE LIBDIR=$here unshare --mount --propagation private \
		bash -c "$session" "$name" "$base" "$work" "$@" || rc=$?
	rm -rf "$work"
	return $rc
}

# vm_boot SUITE DIR: the module DKMS built for SUITE (DIR/dmabuf_exporter.ko)
# in the VM on the kernel it was built for, the exporter suite.
vm_boot() {
	local suite=$1 dir=$2 kdir kver
	kver=$(cat "$dir/kver")
	case $suite in
	bookworm) kdir=$("$root/scripts/vm/stock-kernel.sh") ;;
	sid) kdir=$("$root/scripts/vm/deb-kernel.sh" sid) ;;
	esac
	[ "$(cat "$kdir/kver")" = "$kver" ] ||
		die "the $suite VM kernel is $(cat "$kdir/kver"), DKMS built for $kver"
	make -s -C "$root/tests/vm" >/dev/null
	mkdir -p "$dir/payload/bin"
	cp "$root/build/vm/exporter-tests" "$dir/payload/bin/"
	say "module: $(modinfo -F vermagic "$dir/dmabuf_exporter.ko"), sha256 $(sha256sum < "$dir/dmabuf_exporter.ko" | cut -c1-16)"
	"$root/scripts/vm/run.sh" --kernel-dir "$kdir" --module "$dir/dmabuf_exporter.ko" \
		--modules "vgem vivid" --module-option "vivid n_devs=2 allocators=0,1" \
		--payload "$dir/payload" --out "$dir/vm" --timeout 600 \
		-- /payload/bin/exporter-tests
}

failed=""
# suite_check SUITE: steps 2-5 for one suite; returns at the first failure.
suite_check() {
	local suite=$1 o=$out/$1 kver
	chroot_suite "$suite"
	mkdir -p "$o/build" "$o/install"
	say "[$suite] clean chroot"
	base=$(chroot_base)
	lap "[$suite] chroot (cached after the first)"

	if [ "$suite" = bookworm ] && [ "$clean_clone" = yes ]; then
		say "[$suite] make deb from a clean clone of HEAD, as root in a fresh chroot"
		in_overlay deb-clone "$clone_session" "$root" || return 1
		lap "[$suite] make deb in a fresh chroot (clone)"
	fi

	say "[$suite] build from the source package in a clean chroot, $suite's lintian (log: $o/build/)"
	in_overlay deb-build "$build_session" "$root/build/deb/src" "$o/build" || return 1
	lap "[$suite] build from the .dsc, lintian"

	kver=newest
	[ "$suite" != bookworm ] || kver=$(stock_kver)
	say "[$suite] install, use and purge the packages in a clean chroot (kernel $kver)"
	in_overlay deb-install "$install_session" "$o/build/debs" "$o/install" "$kver" \
		"$version" || return 1
	lap "[$suite] install, DKMS, use, purge"

	say "[$suite] autopkgtest (log: $o/autopkgtest.log)"
	in_overlay deb-autopkgtest "$autopkgtest_session" "$dsc" "$o/build/debs" \
		"$o/autopkgtest" || return 1
	lap "[$suite] autopkgtest"

	[ "$vm" = yes ] || return 0
	say "[$suite] the module DKMS built, in the VM on $(cat "$o/install/kver"): exporter suite"
	vm_boot "$suite" "$o/install" || return 1
	lap "[$suite] VM boot, exporter suite"
}

for s in $suites; do
	suite_check "$s" || { failed+=" $s"; lap "[$s] FAILED"; }
done

printf '>>> deb check times:\n%s' "$times" >&2
if [ -n "$failed" ]; then
	say "deb check finished in $(( $(date +%s) - start ))s: FAIL (${failed# })"
	exit 1
fi
say "deb check finished in $(( $(date +%s) - start ))s: PASS ($suites)"
