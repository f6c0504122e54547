#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall: the module, the uapi header, the library
# with its pkg-config file and soname links, the CLI and its man page, and
# the udev rule that gives the device node to the video group.
#   usage: scripts/install.sh install|uninstall
#
# Variables, from the environment or the make command line:
#   DESTDIR       staging root for packagers; empty (default) is this system
#   PREFIX        /usr/local: header, library, CLI, man page, manifest
#   KVER, KDIR    the kernel to build for: KDIR defaults to
#                 /lib/modules/$KVER/build, KVER to the running kernel's
#                 release, or to KDIR's when only KDIR is given
#   UDEVRULESDIR  /lib/udev/rules.d
#   INSTALL_MODULE  yes; "no" leaves the module out (when DKMS owns it) and
#                 needs no kernel headers
# The module goes to $DESTDIR/lib/modules/<kver>/extra whatever PREFIX is:
# modprobe looks nowhere else.  The library part is the importer's own
# `make -C importer install`.  Everything is staged in a scratch directory
# first, so the manifest ($PREFIX/share/dmabuf-exporter/install-manifest)
# lists exactly what was put down; uninstall removes those files and the
# directories install created, and nothing else.  Installing again (for
# another kernel, say) adds to the manifest.  depmod and ldconfig run only
# when DESTDIR is empty.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
UDEVRULESDIR=${UDEVRULESDIR:-/lib/udev/rules.d}
INSTALL_MODULE=${INSTALL_MODULE:-yes}
case $INSTALL_MODULE in
yes | no) ;;
*) die "INSTALL_MODULE=$INSTALL_MODULE: yes or no" ;;
esac
PREFIX=${PREFIX%/} UDEVRULESDIR=${UDEVRULESDIR%/}
for p in "$PREFIX" "$UDEVRULESDIR"; do
	case $p in
	*/../* | */.. | *//*) die "'$p': PREFIX and UDEVRULESDIR must be plain absolute paths" ;;
	/?*) ;;
	*) die "'$p': PREFIX and UDEVRULESDIR must be absolute paths" ;;
	esac
done
MANIFEST=$PREFIX/share/dmabuf-exporter/install-manifest

# The release the headers in KDIR were made for: the one vermagic carries.
# Not `make kernelrelease`, which Debian's split header packages answer
# with the upstream version (6.1.192), not the ABI name (6.1.0-56-amd64).
kdir_release() {
	local uts=$1/include/generated/utsrelease.h
	if [ -f "$uts" ]; then
		sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts"
	else
		make -s -C "$1" kernelrelease
	fi
}

pick_kernel() {
	if [ -n "${KDIR:-}" ]; then
		[ -d "$KDIR" ] || die "KDIR=$KDIR is not a directory"
		KVER=${KVER:-$(kdir_release "$KDIR")}
	else
		KVER=${KVER:-$(uname -r)}
		KDIR=/lib/modules/$KVER/build
		[ -d "$KDIR" ] || die "no kernel headers for $KVER at $KDIR: install them (Debian: apt-get install linux-headers-$KVER) or pass KDIR=/path/to/headers"
	fi
	[ -n "$KVER" ] || die "cannot tell the kernel release of $KDIR; pass KVER="
}

build_module() {
	local ko=$root/dmabuf_exporter.ko vermagic
	say "building dmabuf_exporter.ko for $KVER against $KDIR"
	make -s -C "$KDIR" M="$root" modules
	vermagic=$(modinfo -F vermagic "$ko")
	case $vermagic in
	"$KVER "*) ;;
	*) die "$ko was built for '${vermagic%% *}', not $KVER: KVER and KDIR disagree" ;;
	esac
}

# Put every file into $1 as it will be laid out under DESTDIR.
stage() {
	local s=$1
	[ "$INSTALL_MODULE" = no ] ||
		install -D -m 644 "$root/dmabuf_exporter.ko" \
			"$s/lib/modules/$KVER/extra/dmabuf_exporter.ko"
	install -D -m 644 "$root/udev/60-dmabuf-exporter.rules" \
		"$s$UDEVRULESDIR/60-dmabuf-exporter.rules"
	say "building and staging the library and CLI (make -C importer install)"
	make -s -C "$root/importer" install DESTDIR="$s" PREFIX="$PREFIX" \
		>/dev/null
	install -d -m 755 "$s${MANIFEST%/*}"
	: > "$s$MANIFEST"
}

# Old manifest entries whose path is still there, so a second install
# (another kernel) keeps the first one's files on the uninstall list.
previous_entries() {
	local kind path
	[ -f "$DESTDIR$MANIFEST" ] || return 0
	while read -r kind path; do
		case $kind in
		file) [ -e "$DESTDIR$path" ] || [ -L "$DESTDIR$path" ] || continue ;;
		dir) [ -d "$DESTDIR$path" ] || continue ;;
		*) continue ;;
		esac
		echo "$kind $path"
	done < "$DESTDIR$MANIFEST"
}

# Copy the staged tree into DESTDIR one path at a time: never `cp -a` onto
# existing directories, which would rewrite the modes of /usr or /lib.
copy_staged() {
	local s=$1 d f
	while read -r d; do
		[ -d "$DESTDIR$d" ] && continue
		install -d -m 755 "$DESTDIR$d"
		echo "dir $d"
	done < <(cd "$s" && find . -mindepth 1 -type d | sed 's|^\.||' | sort)
	while read -r f; do
		cp -P --preserve=mode,timestamps --remove-destination "$s$f" "$DESTDIR$f"
		echo "file $f"
		echo "  $DESTDIR$f" >&2
	done < <(cd "$s" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
}

do_install() {
	if [ "$INSTALL_MODULE" = yes ]; then
		pick_kernel
		build_module
	fi
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	mkdir "$scratch/root"
	stage "$scratch/root"
	previous_entries > "$scratch/manifest"
	say "installing into ${DESTDIR:-/}"
	copy_staged "$scratch/root" >> "$scratch/manifest"
	sort -u "$scratch/manifest" > "$DESTDIR$MANIFEST"
	if [ -z "$DESTDIR" ]; then
		if [ "$INSTALL_MODULE" = yes ]; then
			say "depmod $KVER"
			depmod -a "$KVER"
		fi
		say "ldconfig"
		ldconfig
	fi
	say "installed; the list is in $DESTDIR$MANIFEST"
}

do_uninstall() {
	local kind path k kvers="" entries
	[ -f "$DESTDIR$MANIFEST" ] ||
		die "nothing to uninstall: no $DESTDIR$MANIFEST (same DESTDIR and PREFIX as the install?)"
	# Read it all first: the manifest is on its own list.
	entries=$(cat "$DESTDIR$MANIFEST")
	while read -r kind path; do
		case $path in
		*/../* | */..) die "bad path '$path' in $DESTDIR$MANIFEST" ;;
		/?*) ;;
		*) die "bad path '$path' in $DESTDIR$MANIFEST" ;;
		esac
		[ "$kind" = file ] || continue
		echo "  rm $DESTDIR$path" >&2
		rm -f "$DESTDIR$path"
		case $path in
		/lib/modules/*/extra/dmabuf_exporter.ko)
			k=${path#/lib/modules/}
			kvers="$kvers ${k%%/*}"
			;;
		esac
	done <<< "$entries"
	# Deepest first; a directory someone else filled meanwhile stays.
	sed -n 's/^dir //p' <<< "$entries" | sort -r | while read -r path; do
		[ ! -d "$DESTDIR$path" ] || rmdir --ignore-fail-on-non-empty "$DESTDIR$path"
	done
	if [ -z "$DESTDIR" ]; then
		for k in $kvers; do
			[ ! -d "/lib/modules/$k" ] || depmod -a "$k"
		done
		ldconfig
	fi
	say "uninstalled everything $PREFIX/share/dmabuf-exporter/install-manifest listed"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: $0 install|uninstall (DESTDIR, PREFIX, KVER, KDIR, UDEVRULESDIR)" ;;
esac
