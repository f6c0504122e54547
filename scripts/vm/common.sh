# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts in scripts/vm and scripts/kernel: where the cache
# lives and how to talk to the user.  Sourced, never run.

# Kernels and downloaded images live outside the work tree, once per machine.
CACHE=${DMABUF_EXPORTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabuf-exporter}

say() { printf '>>> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Debian kernel ABI the installed linux-headers-amd64 points at,
# e.g. 6.1.0-56-amd64: the stock kernel we build for and boot.
stock_kver() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (run scripts/deps.sh)"
	dep=${dep%% *}
	echo "${dep#linux-headers-}"
}

# chroot_run ROOT CMD...: run CMD inside the chroot ROOT with /proc mounted
# (objtool reads it), in a private mount namespace that dies with CMD.
chroot_run() {
	local r=$1
	shift
	unshare --mount --propagation private bash -c \
		'mount -t proc proc "$1/proc" && exec chroot "$@"' _ "$r" "$@"
}

# kbuild KERNEL_DIR MODULE_DIR MAKE_ARGS...: make -C <its kdir> M=MODULE_DIR
# for a kernel directory of kernel.sh, on the host or, when the kernel has
# one, inside its chroot (the module dir is copied in, and everything it
# holds afterwards copied back).
kbuild() {
	local kdir=$1 m=$2 chroot inside rc=0
	shift 2
	if [ ! -f "$kdir/chroot" ]; then
		make -C "$(cat "$kdir/kdir")" M="$m" "$@"
		return
	fi
	chroot=$(cat "$kdir/chroot")
	inside=/build/$(printf '%s' "$m" | md5sum | cut -c1-12)
	rm -rf "$chroot$inside"
	mkdir -p "$chroot$inside"
	cp -a "$m/." "$chroot$inside/"
	chroot_run "$chroot" make -C "$(cat "$kdir/kdir")" M="$inside" "$@" || rc=$?
	cp -a "$chroot$inside/." "$m/"
	rm -rf "$chroot$inside"
	return $rc
}
