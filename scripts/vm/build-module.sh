#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build an out-of-tree module for one test kernel, in a copy of its sources
# under build/module/<kver>/<name> so kernels never share objects, inside
# the kernel's chroot when it has one (sid).  W=1 warnings fail the build.
#   usage: scripts/vm/build-module.sh KERNEL_DIR [SRC_DIR NAME]
# Without SRC_DIR it builds dmabuf_exporter.ko from the repository; with it,
# the module whose Kbuild is in SRC_DIR (e.g. a test importer), named NAME.
# Prints the path of the .ko.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/common.sh"

kdir=$1
src=${2:-}
name=${3:-dmabuf_exporter}
kver=$(cat "$kdir/kver")
out=$root/build/module/$kver/$name
mkdir -p "$out"
if [ -z "$src" ]; then
	files=("$root/Kbuild" "$root/exporter" "$root/include")
else
	files=("$src"/.)
fi
rsync -a --delete --exclude='*.o' --exclude='.*.cmd' --exclude='*.ko' \
	--exclude=build.log "${files[@]}" "$out/"
say "building $name.ko for $kver (W=1)"
rc=0
kbuild "$kdir" "$out" -s W=1 modules >"$out/build.log" 2>&1 || rc=$?
if [ $rc != 0 ]; then
	cat "$out/build.log" >&2
	die "$name build for $kver failed"
fi
# W=1 findings are failures here, not noise.
if grep -E 'warning:|error:' "$out/build.log" >&2; then
	die "$name build for $kver has warnings"
fi
# Which side of each Kbuild header probe this kernel took (exporter/compat.h).
if [ -z "$src" ]; then
	probes=$(grep -ho 'DMABUF_EXPORTER_HAVE_[A-Z_]*' "$out"/exporter/.*.o.cmd 2>/dev/null |
		sort -u | sed 's/DMABUF_EXPORTER_HAVE_//' | paste -sd' ')
	say "$kver probes: ${probes:-none}"
	echo "${probes:-none}" > "$out/probes"
fi
echo "$out/$name.ko"
