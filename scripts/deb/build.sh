#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: the Debian source package, then the binary packages built from
# it, checked.  make deb-src: the source package alone.
#   usage: scripts/deb/build.sh [--source]   (root when packages are missing)
# 1. installs what is missing to build and check them (dpkg-dev, lintian,
#    then the Build-Depends of debian/control, through apt);
# 2. runs scripts/version-check.sh (VERSION, changelog, dkms.conf, library
#    and CLI agree);
# 3. the source package: the upstream tarball of `make dist`
#    (scripts/deb/dist.sh) as dmabuf-exporter_VERSION.orig.tar.xz, debian/
#    of the same commit on top, `dpkg-source -b`: the .dsc and the
#    .debian.tar.xz.  The commit is HEAD, or, when tracked files are
#    edited, a stash commit of them (`git stash create`), so an edit is
#    tried before it is committed; nothing untracked gets in;
# 4. (not with --source) `dpkg-source -x` of that .dsc in build/deb/dpkg/
#    and `dpkg-buildpackage -us -uc -b` there: the binaries come from the
#    source package and nothing else;
# 5. lintian on the source package and the binaries: any E: or W: fails.
# Result: build/deb/src/ (.dsc, .orig.tar.xz, .debian.tar.xz), build/deb/*.deb,
# the four packages to install (dmabuf-exporter-dkms, libdmabuf-shareN,
# libdmabuf-share-dev, dmabuf-share); build/deb/dpkg/ with everything
# dpkg-buildpackage made (those four, the -dbgsym packages, .changes,
# .buildinfo); the build log and lintian's output in build/deb/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"

out=$root/build/deb
start=$(date +%s)
source_only=no
case ${1:-} in
"") ;;
--source) source_only=yes ;;
*) die "usage: scripts/deb/build.sh [--source]" ;;
esac

apt_install() {
	[ "$(id -u)" = 0 ] || die "missing: $*; install them as root (apt-get install $*)"
	say "installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
		die "apt-get install $* failed"
}

# Tools first: dpkg-checkbuilddeps itself comes with dpkg-dev.
install_deps() {
	local p unmet missing=()
	for p in dpkg-dev lintian git; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
	if unmet=$(cd "$root" && dpkg-checkbuilddeps 2>&1); then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "$unmet; install them as root: apt-get build-dep $root/"
	say "installing the Build-Depends of debian/control"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q "$root/" >/dev/null ||
		die "apt-get build-dep $root failed"
}

# The commit to package: HEAD, or a stash commit of the edited tracked
# files (git stash create prints nothing when there are none).
package_rev() {
	local rev
	rev=$(git -C "$root" stash create)
	if [ -n "$rev" ]; then
		say "tracked files are edited: packaging them as stash commit ${rev:0:12} on HEAD"
		echo "$rev"
	else
		git -C "$root" rev-parse HEAD
	fi
}

# source_package REV DIR: the .dsc, .orig.tar.xz and .debian.tar.xz of REV
# in DIR; prints the .dsc.
source_package() {
	local rev=$1 dir=$2 tarball version
	tarball=$("$here/dist.sh" "$rev")
	version=$(git -C "$root" show "$rev:VERSION")
	mkdir -p "$dir"
	cp "$tarball" "$dir/dmabuf-exporter_$version.orig.tar.xz"
	tar -xJf "$tarball" -C "$dir"
	git -C "$root" archive "$rev" debian | tar -x -C "$dir/dmabuf-exporter-$version"
	(cd "$dir" && dpkg-source -b "dmabuf-exporter-$version") >&2
	rm -rf "${dir:?}/dmabuf-exporter-$version"
	ls "$dir"/*.dsc
}

# The -dkms package's dkms.conf must sit with the sources DKMS builds
# (issue 19, item 3: a Debian version such as 1.0.0+ds-1 once split them),
# and the udev rule under /usr/lib (DEP17: no file in an aliased /lib).
check_dkms_layout() {
	local files conf
	files=$(dpkg-deb -c "$1" | awk '{ print $6 }')
	conf=$(grep '/usr/src/[^/]*/dkms.conf$' <<< "$files") ||
		die "$1 has no /usr/src/*/dkms.conf"
	grep -qx "${conf%dkms.conf}Kbuild" <<< "$files" ||
		die "$1: dkms.conf is in ${conf%dkms.conf} but the sources are elsewhere: $(grep '/Kbuild$' <<< "$files")"
	! grep -q '^\./lib/' <<< "$files" ||
		die "$1 has files under /lib, not /usr/lib (DEP17): $(grep '^\./lib/' <<< "$files" | tr '\n' ' ')"
	say "dkms package: dkms.conf and the sources in ${conf%/dkms.conf}, nothing under /lib"
}

say "[1/5] build dependencies"
install_deps

say "[2/5] version check"
"$root/scripts/version-check.sh"

say "[3/5] source package (make dist, then dpkg-source -b)"
rm -rf "$out"
mkdir -p "$out"
dsc=$(source_package "$(package_rev)" "$out/src")
(cd "$out/src" && ls -1) | sed 's|^|  |' >&2
if [ "$source_only" = yes ]; then
	lintian -I --fail-on error,warning "$dsc" > "$out/lintian.txt" 2>&1 || {
		cat "$out/lintian.txt" >&2
		die "lintian found errors or warnings in the source package ($out/lintian.txt)"
	}
	cat "$out/lintian.txt" >&2
	say "make deb-src: PASS in $(( $(date +%s) - start ))s: $dsc"
	exit 0
fi

say "[4/5] dpkg-source -x, dpkg-buildpackage -us -uc -b (log: $out/build.log)"
mkdir -p "$out/dpkg"
(cd "$out/dpkg" && dpkg-source -x "$dsc" src &&
	cd src && nice dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
}
rm -rf "$out/dpkg/src"
changes=$(ls "$out"/dpkg/*.changes)
check_dkms_layout "$out"/dpkg/dmabuf-exporter-dkms_*_all.deb

say "[5/5] lintian on the source and binary packages (E: and W: fail; I: shown)"
rc=0
lintian -I --fail-on error,warning "$dsc" "$changes" > "$out/lintian.txt" 2>&1 || rc=$?
cat "$out/lintian.txt" >&2
[ $rc = 0 ] || die "lintian found errors or warnings (above; $out/lintian.txt)"

for deb in "$out"/dpkg/*.deb; do
	case $deb in *-dbgsym_*) continue ;; esac
	ln "$deb" "$out/"
done
(cd "$out" && ls -1 ./*.deb) | sed 's|^\./|  |' >&2
say "make deb: PASS in $(( $(date +%s) - start ))s; install with: apt install $out/*.deb"
