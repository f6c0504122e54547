# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Clean Debian chroots for the package check, one per suite (bookworm,
# sid), each made once with debootstrap into the cache and never changed
# afterwards: every check runs in a throw-away overlay on top of one, so
# each starts from the same clean system and leaves the cached one
# untouched.  What apt downloads (package lists, .debs) is kept in the
# cache too, per suite, so nothing is downloaded twice.  Sourced after
# scripts/vm/common.sh and scripts/vm/apt.sh, never run.
# (The sid chroot of scripts/vm/sid-chroot.sh, $CACHE/chroot/sid, is
# another one: it holds kernel headers and tools for module builds, so it
# is not clean.)

CHROOT_DIR=$CACHE/chroot
# What a machine that installs a DKMS package already has: DKMS and a
# compiler.  They are part of the clean system, so the comparison after
# the purge is about this project's packages alone.
CHROOT_BASE_PACKAGES="dkms pkgconf gcc libc6-dev make"

# chroot_suite SUITE: point CHROOT_BASE, CHROOT_ARCHIVES and CHROOT_LISTS
# at SUITE's cached chroot, .debs and package lists.
chroot_suite() {
	CHROOT_SUITE=$1
	case $CHROOT_SUITE in
	bookworm) CHROOT_ARCHIVES=$CHROOT_DIR/archives ;;
	sid) CHROOT_ARCHIVES=$CHROOT_DIR/archives-sid ;;
	*) die "chroot_suite: unknown suite '$CHROOT_SUITE' (bookworm or sid)" ;;
	esac
	CHROOT_BASE=$CHROOT_DIR/$CHROOT_SUITE-amd64
	CHROOT_LISTS=$CHROOT_DIR/lists-$CHROOT_SUITE
}
chroot_suite bookworm

# deb_chroot_run ROOT CMD...: run a command in ROOT with a clean environment.
deb_chroot_run() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The host's own apt sources, whichever form they are in: the bookworm
# chroot then sees the same archive and the same security pocket as the
# host (where the stock kernel's headers come from).  sid has one source:
# the host's Debian mirror, suite sid.  No host name is written here.
chroot_sources() {
	local root=$1 f
	rm -f "$root/etc/apt/sources.list"
	mkdir -p "$root/etc/apt/sources.list.d"
	if [ "$CHROOT_SUITE" = sid ]; then
		printf 'deb %s sid main\n' "$(host_mirror)" > "$root/etc/apt/sources.list"
		# Archives served past sid's Valid-Until (snapshots) still count.
		echo 'Acquire::Check-Valid-Until "false";' \
			> "$root/etc/apt/apt.conf.d/99dmabuf-exporter"
		return 0
	fi
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
	mkdir -p "$CHROOT_ARCHIVES/partial" "$CHROOT_LISTS/partial"
	mount --bind "$CHROOT_ARCHIVES" "$root/var/cache/apt/archives"
	# apt-get update then asks only for what changed since the last one.
	mount --bind "$CHROOT_LISTS" "$root/var/lib/apt/lists"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
}

# Runs inside a private mount namespace: $1 is the new root, $2 the suite.
# shellcheck disable=SC2016
CHROOT_BASE_SETUP='
set -eu
. "$LIBDIR/../vm/common.sh"
. "$LIBDIR/../vm/apt.sh"
. "$LIBDIR/chroot.sh"
root=$1
chroot_suite "$2"
chroot_mounts "$root"
deb_chroot_run "$root" apt-get -q update
deb_chroot_run "$root" apt-get -q -y --no-install-recommends install $CHROOT_BASE_PACKAGES
rm -f "$root/etc/resolv.conf"
'

# Make the cached chroot of the current suite when there is none; print
# its directory.
chroot_base() {
	local tmp
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
	say "debootstrap of $CHROOT_SUITE into $CHROOT_BASE (once; cached)"
	rm -rf "$CHROOT_BASE"
	mkdir -p "$CHROOT_BASE" "$CHROOT_ARCHIVES"
	tmp=$CHROOT_BASE/root
	# --cache-dir: debootstrap's .debs are kept with apt's, for the next
	# debootstrap of the same suite (another cache dir, a rebuilt chroot).
	debootstrap --variant=minbase --cache-dir="$CHROOT_ARCHIVES" \
		"$CHROOT_SUITE" "$tmp" "$(host_mirror)" \
		> "$CHROOT_BASE/debootstrap.log" 2>&1 || {
		tail -n 20 "$CHROOT_BASE/debootstrap.log" >&2
		die "debootstrap failed (log: $CHROOT_BASE/debootstrap.log)"
	}
	chroot_sources "$tmp"
	# No service may start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	say "installing $CHROOT_BASE_PACKAGES into the cached $CHROOT_SUITE chroot"
	LIBDIR=$(dirname "${BASH_SOURCE[0]}") unshare --mount --propagation private \
		bash -c "$CHROOT_BASE_SETUP" chroot-base "$tmp" "$CHROOT_SUITE" \
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
