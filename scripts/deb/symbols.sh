#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bring debian/ in line with the library as importer/Makefile builds it:
#   - the runtime package is named after the soname (libdmabuf-share.so.N
#     -> libdmabuf-shareN): when the soname changed, debian/control, the
#     -dev package's dependency and the package's files are renamed;
#   - debian/libdmabuf-shareN.symbols is regenerated with dpkg-gensymbols.
#     Symbols already listed keep their version; new ones get VERSION's.
#     After a soname change every symbol is new.
#   usage: scripts/deb/symbols.sh     (then review and commit debian/)
# The package build checks the file strictly (dpkg-gensymbols -c4): any
# symbol added or removed without running this fails `make deb`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../vm/common.sh"

cd "$root"
version=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
make -s -C importer O="$tmp/build" all >/dev/null
make -s -C importer O="$tmp/build" install DESTDIR="$tmp/stage" PREFIX=/usr \
	LIBDIR="$libdir" >/dev/null

real=$(cd "$tmp/stage$libdir" && ls libdmabuf-share.so.*.*.*)
soname=$(objdump -p "$tmp/stage$libdir/$real" | awk '$1 == "SONAME" { print $2 }')
[ -n "$soname" ] || die "$real has no SONAME"
pkg=libdmabuf-share${soname#libdmabuf-share.so.}
old=$(sed -n 's/^Package: \(libdmabuf-share[0-9][0-9]*\)$/\1/p' debian/control)
[ -n "$old" ] || die "debian/control names no libdmabuf-shareN package"

if [ "$old" != "$pkg" ]; then
	say "soname is now $soname: renaming $old to $pkg in debian/"
	sed -i "s/^Package: $old\$/Package: $pkg/; s/\\b$old (= \${binary:Version})/$pkg (= \${binary:Version})/" \
		debian/control
	for f in debian/"$old".*; do
		[ "$f" = "debian/$old.symbols" ] && { git rm -q -f "$f" 2>/dev/null || rm -f "$f"; continue; }
		git mv "$f" "debian/$pkg.${f#debian/"$old".}" 2>/dev/null ||
			mv "$f" "debian/$pkg.${f#debian/"$old".}"
	done
fi

# dpkg-gensymbols reads debian/control and debian/changelog from here and
# takes debian/$pkg.symbols, when there is one, as the reference.
mkdir -p "$tmp/pkg/DEBIAN"
cp -a "$tmp/stage/." "$tmp/pkg/"
dpkg-gensymbols -q -p"$pkg" -P"$tmp/pkg" -v"$version" \
	-e"$tmp/pkg$libdir/$real" -O"$tmp/symbols" >/dev/null
# The -dev package tightens the dependency of what is built against it.
{
	head -n 1 "$tmp/symbols"
	echo "* Build-Depends-Package: libdmabuf-share-dev"
	tail -n +2 "$tmp/symbols" | grep -v '^\* Build-Depends-Package:'
} > "debian/$pkg.symbols"
say "debian/$pkg.symbols: $(grep -c '^ ' "debian/$pkg.symbols") symbols of $soname"
git --no-pager diff --stat -- debian/ >&2 || true
