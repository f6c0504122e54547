#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a clean chroot (bookworm or sid) of scripts/deb/check.sh, as
# root.
#   usage: in-chroot.sh KVER VERSION     (packages in /tmp/debs)
# KVER "newest" is the kernel of the suite's linux-headers-amd64.
# Installs the kernel headers of KVER, notes every file of the system,
# installs the project's packages with apt (DKMS builds the module for KVER
# on installation), checks what they put down and that a program builds
# against the library with pkg-config alone, purges them, and fails if the
# system's files differ from before in any way.  The module DKMS built is
# left in /tmp/out for the VM boot that follows.
set -euo pipefail
kver=$1 version=$2
name=dmabuf-exporter
pkgs=$(for d in /tmp/debs/*.deb; do dpkg-deb -f "$d" Package; done | tr '\n' ' ')
pkgs=${pkgs% }

step() { printf '>>> chroot: %s\n' "$*"; }
fail() {
	printf 'error: chroot: %s\n' "$*" >&2
	exit 1
}
apt_get() {
	apt-get -q -y -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
}

# Every path of the system but the mounted ones (proc, sys, dev, tmp, the
# apt archive) and what apt and dpkg rewrite on every run: logs, package
# lists, the package cache, and their own backup copies (*-old).  Also
# left out: depmod's index files of the kernel whose headers are installed
# (modules.dep, modules.alias, *.bin, ...), which no package owns.  Its
# image is not in the chroot, so when the module goes, sid's DKMS (3.2)
# finds modules.dep empty and deletes them, while bookworm's DKMS (3.0)
# leaves them; on a real machine the image's own modules keep them.  That
# no line of the module stays in them is checked after the purge.
snapshot() {
	local kver_re
	# 7.2.13+deb14-amd64: find's regex takes . and + literally in brackets.
	kver_re=${kver//./[.]}
	kver_re=${kver_re//+/[+]}
	find / -xdev \( -path /var/log -o -path /var/lib/apt/lists \
		-o -path /var/cache/apt -o -path '/var/cache/debconf/*-old' \
		-o -path '/var/lib/dpkg/*-old' \
		-o -regex "\(/usr\)?/lib/modules/$kver_re/modules\.\(alias\|dep\|devname\|softdep\|symbols\|weakdep\|.*\.bin\)" \
		\) -prune -o -print | LC_ALL=C sort
}

apt-get -q update >/dev/null
if [ "$kver" = newest ]; then
	# "Depends: linux-base-amd64 (= 7.2.13-1), linux-headers-7.2.13+deb14-amd64
	# (= 7.2.13-1)" -> 7.2.13+deb14-amd64
	kver=$(apt-cache show --no-all-versions linux-headers-amd64 |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *linux-headers-\([0-9][^ ]*\).*/\1/p' | head -n 1)
	[ -n "$kver" ] || fail "no linux-headers-amd64 in this suite"
fi
mkdir -p /tmp/out
echo "$kver" > /tmp/out/kver
step "kernel headers for $kver"
apt_get install "linux-headers-$kver" >/tmp/headers.log 2>&1 || {
	tail -n 20 /tmp/headers.log
	fail "apt-get install linux-headers-$kver failed"
}
# On a real machine the kernel image's postinst has run depmod, so the
# module indexes exist before any DKMS package comes; DKMS's depmod must
# not count as something the packages left behind.  (Without the image its
# modules.order and modules.builtin are missing: depmod's warnings about
# them say nothing here.)
depmod "$kver" 2>/dev/null
snapshot > /tmp/before

step "apt-get install $pkgs"
apt_get install /tmp/debs/*.deb >/tmp/install.log 2>&1 || {
	tail -n 30 /tmp/install.log
	fail "apt-get install of the packages failed"
}
# What the packages' scripts said: DKMS's build and install among it.
sed -n '/^Setting up \(lib\)\?dmabuf/,$p' /tmp/install.log
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" | grep -q 'install ok installed' ||
		fail "$p is not installed"
done

step "DKMS built and installed the module for $kver"
status=$(dkms status -m "$name" -v "$version" -k "$kver")
echo "$status"
case $status in
*": installed"*) ;;
*) fail "dkms status does not say installed for $kver" ;;
esac
ko=$(find "/lib/modules/$kver" -name 'dmabuf_exporter.ko*')
[ -n "$ko" ] || fail "no dmabuf_exporter.ko under /lib/modules/$kver"
echo "module: $ko"
vermagic=$(modinfo -F vermagic "$ko")
case $vermagic in
"$kver "*) ;;
*) fail "$ko has vermagic '$vermagic', not for $kver" ;;
esac
modinfo -k "$kver" -F filename dmabuf_exporter >/dev/null ||
	fail "modprobe cannot find dmabuf_exporter for $kver (depmod not run?)"
log=$(find "/var/lib/dkms/$name/$version/$kver" -name make.log | head -n 1)
[ -n "$log" ] || fail "DKMS kept no make.log under /var/lib/dkms/$name/$version/$kver"
! grep -E 'warning:|error:' "$log" || fail "the DKMS build has warnings ($log)"
mkdir -p /tmp/out
case $ko in
*.ko) cp "$ko" /tmp/out/dmabuf_exporter.ko ;;
*.ko.xz) xz -dc "$ko" > /tmp/out/dmabuf_exporter.ko ;;
*.ko.zst) zstd -qdc "$ko" > /tmp/out/dmabuf_exporter.ko ;;
*) fail "cannot read $ko" ;;
esac
test -f /usr/lib/udev/rules.d/60-dmabuf-exporter.rules || fail "no udev rule in /usr/lib/udev/rules.d"

step "a program builds with pkg-config --cflags --libs dmabuf-share"
cat > /tmp/consumer.c <<'EOF'
#include <dmabuf_share.h>
#include <linux/dmabuf_exporter.h>
#include <stdio.h>

/* Prints the library's version; fails when the header and the library
 * that runs disagree, or when stdin (no dma-buf) is taken for one.
 */
int main(void)
{
	struct dmabuf_exporter_alloc alloc = { .size = 4096 };

	printf("library %s (header %d.%d.%d), ALLOC ioctl 0x%lx, %llu bytes\n",
	       dmabuf_share_version_string(), DMABUF_SHARE_VERSION_MAJOR,
	       DMABUF_SHARE_VERSION_MINOR, DMABUF_SHARE_VERSION_PATCH,
	       (unsigned long)DMABUF_EXPORTER_IOCTL_ALLOC,
	       (unsigned long long)alloc.size);
	if (dmabuf_share_version() != DMABUF_SHARE_VERSION_NUMBER)
		return 1;
	return dmabuf_share_is_dmabuf(0) != 0;
}
EOF
echo "pkg-config --cflags --libs dmabuf-share: $(pkg-config --cflags --libs dmabuf-share)"
# shellcheck disable=SC2046
gcc -Wall -Wextra -Werror -o /tmp/consumer /tmp/consumer.c \
	$(pkg-config --cflags --libs dmabuf-share) || fail "consumer does not build"
/tmp/consumer </dev/null || fail "consumer failed"
ldd /tmp/consumer | grep libdmabuf-share
# shellcheck disable=SC2046
gcc -static -o /tmp/consumer-static /tmp/consumer.c \
	$(pkg-config --static --cflags --libs dmabuf-share) ||
	fail "static consumer does not build"
/tmp/consumer-static </dev/null || fail "static consumer failed"
echo "static consumer (libdmabuf-share.a) OK"

step "dmabuf-share --version"
out=$(dmabuf-share --version)
echo "$out"
[ "$(head -n 1 <<< "$out")" = "dmabuf-share $version" ] ||
	fail "the first line is not 'dmabuf-share $version'"
grep -q "^libdmabuf-share $version," <<< "$out" ||
	fail "no line 'libdmabuf-share $version, ...' (the library's version)"
man -w dmabuf-share >/dev/null 2>&1 ||
	test -f /usr/share/man/man1/dmabuf-share.1.gz || fail "no man page"

step "apt-get purge --autoremove $pkgs"
# shellcheck disable=SC2086
apt_get purge --autoremove $pkgs >/tmp/purge.log 2>&1 || {
	tail -n 20 /tmp/purge.log
	fail "apt-get purge failed"
}
grep -E '^(Removing|Purging)' /tmp/purge.log || true
snapshot > /tmp/after
if ! diff -u /tmp/before /tmp/after > /tmp/diff; then
	cat /tmp/diff
	fail "the purge left the system different from before (diff above)"
fi
echo "file list after the purge = before the install ($(wc -l < /tmp/after) paths)"
left=$(dpkg -l | awk '$2 ~ /dmabuf/' || true)
[ -z "$left" ] || fail "dpkg still knows: $left"
left=$(dkms status -m "$name")
[ -z "$left" ] || fail "dkms still knows: $left"
left=$(grep -ls dmabuf_exporter /lib/modules/"$kver"/modules.* || true)
[ -z "$left" ] || fail "the module is still in $left"
echo "nothing of the project is left: no file, no package, no DKMS entry, no modules.dep line"
