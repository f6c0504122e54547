#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make dist: the upstream tarball, from the committed tree.
#   usage: scripts/deb/dist.sh [REV]     (REV: HEAD by default)
# Writes build/dmabuf-exporter-VERSION.tar.xz: `git archive` of REV under
# the prefix dmabuf-exporter-VERSION/, without debian/ (which the Debian
# source package carries in its own debian.tar.xz).  VERSION is REV's.
# The same REV gives the same bytes: git archive stamps every file with
# the commit's time, and xz runs single-threaded.  Prints the path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"

rev=${1:-HEAD}
git -C "$root" rev-parse -q --verify "$rev^{commit}" >/dev/null ||
	die "make dist: $rev is not a commit of $root"
version=$(git -C "$root" show "$rev:VERSION")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION of $rev holds '$version', not X.Y.Z"
name=dmabuf-exporter-$version
out=$root/build/$name.tar.xz
mkdir -p "$root/build"
git -C "$root" archive --format=tar --prefix="$name/" "$rev" -- . ':(exclude)debian' |
	xz -T1 -6 > "$out.tmp"
mv "$out.tmp" "$out"
say "make dist: $out ($(stat -c %s "$out") bytes, $(git -C "$root" rev-parse --short "$rev"))"
echo "$out"
