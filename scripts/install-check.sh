#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CI proof that make install / make uninstall do what they say, without
# touching the system: install into a scratch DESTDIR, compare the file list
# with the one expected below, build and run a tiny consumer against the
# installed library through `pkg-config --cflags --libs dmabuf-share`, then
# uninstall and check that no file is left.  Done three times: with the
# default PREFIX (/usr/local), with another one to prove PREFIX is honoured,
# and with INSTALL_MODULE=no (what a DKMS user runs).
#   usage: scripts/install-check.sh
# The module is built for the kernel of the installed Debian headers
# (linux-headers-amd64), not the running one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

"$here/deps.sh" check
kver=$(stock_kver)
version=$(cat "$root/VERSION")
[ -n "$version" ] || die "no version in VERSION"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What install must put down under DESTDIR for prefix $1, and nothing more;
# $2 "no" without the module.
expected() {
	[ "${2:-yes}" = no ] || echo "/lib/modules/$kver/extra/dmabuf_exporter.ko"
	cat <<-EOF
	/lib/udev/rules.d/60-dmabuf-exporter.rules
	$1/bin/dmabuf-share
	$1/include/dmabuf_share.h
	$1/include/dmabuf-exporter/linux/dmabuf_exporter.h
	$1/lib/libdmabuf-share.a
	$1/lib/libdmabuf-share.so -> libdmabuf-share.so.1
	$1/lib/libdmabuf-share.so.1 -> libdmabuf-share.so.$version
	$1/lib/libdmabuf-share.so.$version
	$1/lib/pkgconfig/dmabuf-share.pc
	$1/share/dmabuf-exporter/install-manifest
	$1/share/man/man1/dmabuf-share.1
	EOF
}

# Every file and symlink under $1, symlinks with their target.
listing() {
	(cd "$1" && find . \( -type f -printf '%p\n' \) -o \
		\( -type l -printf '%p -> %l\n' \)) | sed 's|^\.||' | sort
}

# A user of both installed headers and the library.
cat > "$tmp/consumer.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <dmabuf_share.h>
#include <linux/dmabuf_exporter.h>

int main(void)
{
	int fd = -1;
	int ret = dmabuf_share_exporter_open("/nonexistent/dmabuf_exporter", &fd);

	printf("ALLOC ioctl 0x%lx, open of a missing node: %d\n",
	       (unsigned long)DMABUF_EXPORTER_IOCTL_ALLOC, ret);
	return ret == -ENOENT && fd == -1 ? 0 : 1;
}
EOF

# check_prefix NAME [PREFIX [INSTALL_MODULE]]: one install, consume,
# uninstall round.
check_prefix() {
	local name=$1 prefix=${2:-} module=${3:-yes} p dest=$tmp/$1/root flags libdir
	p=${prefix:-/usr/local}
	mkdir -p "$dest"
	say "[$name] make install DESTDIR=$dest${prefix:+ PREFIX=$prefix} INSTALL_MODULE=$module"
	make -s -C "$root" install DESTDIR="$dest" ${prefix:+PREFIX="$prefix"} \
		INSTALL_MODULE="$module" KDIR="/lib/modules/$kver/build" \
		2>"$tmp/$name.log" ||
		{ cat "$tmp/$name.log" >&2; die "[$name] make install failed"; }

	expected "$p" "$module" | sort > "$tmp/$name.expected"
	listing "$dest" > "$tmp/$name.installed"
	if ! diff -u "$tmp/$name.expected" "$tmp/$name.installed"; then
		die "[$name] installed files differ from the expected list (- expected, + installed)"
	fi
	echo "[$name] file list: $(wc -l < "$tmp/$name.installed") paths as expected"
	grep -q "^prefix=$p\$" "$dest$p/lib/pkgconfig/dmabuf-share.pc" ||
		die "[$name] dmabuf-share.pc does not name prefix $p"

	libdir=$dest$p/lib
	flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest \
		pkg-config --cflags --libs dmabuf-share) ||
		die "[$name] pkg-config does not know dmabuf-share"
	echo "[$name] pkg-config --cflags --libs dmabuf-share: $flags"
	# shellcheck disable=SC2086 # the flags are words
	cc -Wall -Wextra -Werror -o "$tmp/$name.consumer" "$tmp/consumer.c" $flags ||
		die "[$name] the consumer does not build against the installed files"
	readelf -d "$tmp/$name.consumer" | grep -q 'NEEDED.*\[libdmabuf-share\.so\.1\]' ||
		die "[$name] the consumer does not link the library by its soname"
	LD_LIBRARY_PATH=$libdir "$tmp/$name.consumer" ||
		die "[$name] the consumer failed"

	say "[$name] make uninstall"
	make -s -C "$root" uninstall DESTDIR="$dest" ${prefix:+PREFIX="$prefix"} \
		2>"$tmp/$name.log" ||
		{ cat "$tmp/$name.log" >&2; die "[$name] make uninstall failed"; }
	if [ -n "$(find "$dest" ! -type d)" ]; then
		find "$dest" ! -type d >&2
		die "[$name] uninstall left files behind"
	fi
	if [ -n "$(find "$dest" -mindepth 1 -type d)" ]; then
		find "$dest" -mindepth 1 -type d >&2
		die "[$name] uninstall left directories behind"
	fi
	echo "[$name] uninstall left $dest empty"
}

check_prefix default
check_prefix opt /opt/dmabuf-exporter
check_prefix no-module /usr no
say "install check: PASS (module for $kver, library $version)"
