# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# A clean Debian 12 chroot for the package check, made once with
# debootstrap into the cache and never changed afterwards: every check runs
# in a throw-away overlay on top of it, so each one starts from the same
# clean system and leaves the cached one untouched.  Sourced after
# scripts/vm/common.sh and scripts/vm/apt.sh, never run.

CHROOT_DIR=$CACHE/chroot
CHROOT_BASE=$CHROOT_DIR/bookworm-amd64
# Downloaded .debs, kept between checks so only the first one waits for them.
CHROOT_ARCHIVES=$CHROOT_DIR/archives
# What a machine that installs a DKMS package already has: DKMS and a
# compiler.  They are part of the clean system, so the comparison after
# the purge is about this project's packages alone.
CHROOT_BASE_PACKAGES="dkms pkg-config gcc libc6-dev make"

# deb_chroot_run ROOT CMD...: run a command in ROOT with a clean environment.
deb_chroot_run() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The host's own apt sources, whichever form they are in: the chroot then
# sees the same archive and the same security pocket as the host (where
# the stock kernel's headers come from), and no host name is written here.
copy_host_sources() {
	local root=$1 f
	rm -f "$root/etc/apt/sources.list"
	mkdir -p "$root/etc/apt/sources.list.d"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		cp "$f" "$root$f"
	done
}

# Mount what apt, dpkg and DKMS need inside ROOT.  Run inside a private
# mount namespace (unshare --mount): the mounts vanish with it.
chroot_mounts() {
	local root=$1
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --bind /dev "$root/dev"
	# apt logs the maintainer scripts' output through a pseudo-terminal.
	mount --bind /dev/pts "$root/dev/pts"
	mount -t tmpfs tmpfs "$root/tmp"
	mkdir -p "$CHROOT_ARCHIVES/partial"
	mount --bind "$CHROOT_ARCHIVES" "$root/var/cache/apt/archives"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
}

# Runs inside a private mount namespace: $1 is the new root.
# shellcheck disable=SC2016
CHROOT_BASE_SETUP='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/chroot.sh"
root=$1
chroot_mounts "$root"
deb_chroot_run "$root" apt-get -q update
deb_chroot_run "$root" apt-get -q -y --no-install-recommends install $CHROOT_BASE_PACKAGES
rm -rf "$root"/var/lib/apt/lists/*_* "$root/etc/resolv.conf"
'

# Make the cached chroot when there is none; print its directory.
chroot_base() {
	local tmp mirror
	if [ -f "$CHROOT_BASE/.done" ]; then
		echo "$CHROOT_BASE/root"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "debootstrap needs root"
	# One debootstrap at a time in the cache (scripts/vm/sid-chroot.sh
	# takes the same lock); whoever waited finds the chroot made.
	exec {lock}>"$CACHE/chroot.lock"
	flock "$lock"
	if [ -f "$CHROOT_BASE/.done" ]; then
		exec {lock}>&-
		echo "$CHROOT_BASE/root"
		return 0
	fi
	mirror=$(host_mirror)
	say "debootstrap of Debian 12 into $CHROOT_BASE (once; cached)"
	rm -rf "$CHROOT_BASE"
	mkdir -p "$CHROOT_BASE"
	tmp=$CHROOT_BASE/root
	debootstrap --variant=minbase bookworm "$tmp" "$mirror" \
		> "$CHROOT_BASE/debootstrap.log" 2>&1 || {
		tail -n 20 "$CHROOT_BASE/debootstrap.log" >&2
		die "debootstrap failed (log: $CHROOT_BASE/debootstrap.log)"
	}
	copy_host_sources "$tmp"
	# No service may start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	say "installing $CHROOT_BASE_PACKAGES into the cached chroot"
	LIBDIR=$(dirname "${BASH_SOURCE[0]}") unshare --mount --propagation private \
		bash -c "$CHROOT_BASE_SETUP" chroot-base "$tmp" \
		> "$CHROOT_BASE/setup.log" 2>&1 || {
		tail -n 20 "$CHROOT_BASE/setup.log" >&2
		die "setting up the chroot failed (log: $CHROOT_BASE/setup.log)"
	}
	touch "$CHROOT_BASE/.done"
	exec {lock}>&-
	echo "$tmp"
}

# chroot_overlay BASE WORK: mount a writable overlay of the cached chroot
# BASE with its changes kept in WORK, and print its root.  Inside a
# private mount namespace, like chroot_mounts.
chroot_overlay() {
	local base=$1 work=$2
	mkdir -p "$work/upper" "$work/work" "$work/root"
	mount -t overlay overlay \
		-o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" \
		"$work/root"
	echo "$work/root"
}
