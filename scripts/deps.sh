#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages a job needs, only those missing.
#   usage: scripts/deps.sh GROUP...   (check, kernel, lint, bench, dkms, matrix)
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

declare -A GROUP=(
	[check]="build-essential pkg-config linux-headers-amd64 qemu-system-x86 busybox-static libcunit1-dev libdrm-dev cpio kmod abigail-tools musl-tools gcc-multilib"
	[kernel]="linux-source-6.1 build-essential bc flex bison libelf-dev libssl-dev dwarves cpio rsync kmod"
	[lint]="linux-source-6.1 sparse clang-format cppcheck"
	[bench]="gnuplot-nox"
	[dkms]="dkms"
	[matrix]="debootstrap rsync xz-utils util-linux dwarves"
)

missing=()
for g in "$@"; do
	[ -n "${GROUP[$g]:-}" ] || die "deps.sh: unknown group '$g' (check, kernel, lint, bench, dkms, matrix)"
	for p in ${GROUP[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
done
[ ${#missing[@]} -gt 0 ] || exit 0
[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})"
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
	die "apt-get install ${missing[*]} failed"
