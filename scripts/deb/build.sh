#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: the Debian packages, checked.
#   usage: scripts/deb/build.sh          (root when packages are missing)
# 1. installs what is missing to build and check them (dpkg-dev, lintian,
#    then the Build-Depends of debian/control, through apt);
# 2. runs scripts/version-check.sh (VERSION, changelog, dkms.conf, library
#    and CLI agree);
# 3. copies the tracked files of the work tree, as they are now, to
#    build/deb/dpkg/ and runs `dpkg-buildpackage -us -uc -b` there, so the
#    build sees what a clean clone holds and nothing lands outside build/;
# 4. runs lintian on the result: any E: or W: tag fails.
# Result: build/deb/*.deb, the four packages to install
# (dmabuf-exporter-dkms, libdmabuf-shareN, libdmabuf-share-dev,
# dmabuf-share); build/deb/dpkg/ with everything dpkg-buildpackage made
# (those four, the -dbgsym packages, .changes, .buildinfo); the build log
# and lintian's output in build/deb/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"

out=$root/build/deb
start=$(date +%s)

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

# The tracked files as they are in the work tree, edits included: a stash
# commit of them, or HEAD when nothing is edited.
export_tree() {
	local dest=$1 rev
	rev=$(git -C "$root" stash create)
	mkdir -p "$dest"
	git -C "$root" archive "${rev:-HEAD}" | tar -x -C "$dest"
}

say "[1/4] build dependencies"
install_deps

say "[2/4] version check"
"$root/scripts/version-check.sh"

version=$(cat "$root/VERSION")
say "[3/4] dpkg-buildpackage -us -uc -b (log: $out/build.log)"
rm -rf "$out"
src=$out/dpkg/dmabuf-exporter-$version
export_tree "$src"
(cd "$src" && nice dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
}
rm -rf "$src"
changes=$(ls "$out"/dpkg/*.changes)

say "[4/4] lintian (E: and W: fail; I: shown)"
rc=0
lintian -I --fail-on error,warning "$changes" > "$out/lintian.txt" 2>&1 || rc=$?
cat "$out/lintian.txt" >&2
[ $rc = 0 ] || die "lintian found errors or warnings (above; $out/lintian.txt)"

for deb in "$out"/dpkg/*.deb; do
	case $deb in *-dbgsym_*) continue ;; esac
	ln "$deb" "$out/"
done
(cd "$out" && ls -1 ./*.deb) | sed 's|^\./|  |' >&2
say "make deb: PASS in $(( $(date +%s) - start ))s; install with: apt install $out/*.deb"
