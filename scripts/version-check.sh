#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The version lives in one place, the top-level VERSION file; every other
# place that states it must agree.  This reads each of them and fails
# naming every one that differs:
#   debian/changelog        upstream part of the newest entry (1.0.0-1)
#   dkms.conf               PACKAGE_VERSION (the /usr/src and dkms name)
#   the library             real file name libdmabuf-share.so.X.Y.Z and the
#                           Version of the installed dmabuf-share.pc
#   the CLI                 `dmabuf-share --version`: its own line and
#                           the library's (dmabuf_share_version())
#   the man page            its .TH line
#   README.md, docs/*.md    every "dmabuf-exporter-X.Y.Z" and
#                           "dmabuf-exporter/X.Y.Z" (DKMS paths and names)
# The library and CLI are built and installed into a scratch directory, so
# what is checked is what `make install` and the packages ship.
#   usage: scripts/version-check.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

want=$(cat "$root/VERSION")
[[ $want =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
	die "VERSION holds '$want', not X.Y.Z"

bad=0
# agree WHERE FOUND: one line of the report; a mismatch is remembered.
agree() {
	if [ "$2" = "$want" ]; then
		printf '  %-46s %s\n' "$1" "$2"
	else
		printf '  %-46s %s   <-- differs from VERSION (%s)\n' "$1" "${2:-nothing found}" "$want"
		bad=1
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The library's own build refuses a header that disagrees with VERSION.
if ! make -s -C "$root/importer" O="$tmp/build" install DESTDIR="$tmp/stage" \
	PREFIX=/usr > "$tmp/make.log" 2>&1; then
	cat "$tmp/make.log" >&2
	die "version drift: the library does not build with VERSION $want (above)"
fi

echo "VERSION: $want"
changelog=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$root/debian/changelog")
changelog=${changelog#*:}
agree "debian/changelog (upstream part of ${changelog})" "${changelog%-*}"
agree "dkms.conf PACKAGE_VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\?\([^"]*\)"\?$/\1/p' "$root/dkms.conf")"
real=$(find "$tmp/stage/usr/lib" -maxdepth 1 -name 'libdmabuf-share.so.*.*.*' -printf '%f\n')
agree "library file name (${real:-none})" "${real#libdmabuf-share.so.}"
agree "library dmabuf-share.pc Version" \
	"$(sed -n 's/^Version: *//p' "$tmp/stage/usr/lib/pkgconfig/dmabuf-share.pc")"
cli=$(LD_LIBRARY_PATH="$tmp/stage/usr/lib" "$tmp/stage/usr/bin/dmabuf-share" --version)
agree "dmabuf-share --version, CLI line" \
	"$(sed -n 's/^dmabuf-share \([^ ,]*\).*/\1/p' <<< "$cli")"
agree "dmabuf-share --version, library line" \
	"$(sed -n 's/^libdmabuf-share \([^ ,]*\).*/\1/p' <<< "$cli")"
agree "importer/cli/dmabuf-share.1 .TH" \
	"$(sed -n 's/^\.TH .*"dmabuf-share \([^"]*\)".*/\1/p' "$root/importer/cli/dmabuf-share.1")"
while IFS=: read -r file line ver; do
	agree "$file:$line" "${ver#dmabuf-exporter?}"
done < <(cd "$root" && { grep -noE 'dmabuf-exporter[-/][0-9]+\.[0-9]+\.[0-9]+' \
	README.md docs/*.md || true; })

[ "$bad" = 0 ] || die "version drift: make the places marked above say $want"
say "version check: every place says $want"
