#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build dmabuf_exporter.ko for one test kernel, in a copy of the sources
# under build/module/<kver> so kernels never share objects.
#   usage: scripts/vm/build-module.sh KERNEL_DIR   (prints the .ko path)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/common.sh"

kdir=$1
kver=$(cat "$kdir/kver")
out=$root/build/module/$kver
mkdir -p "$out"
rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
	"$root/Kbuild" "$root/exporter" "$root/include" "$out/" 2>/dev/null ||
	cp -a "$root/Kbuild" "$root/exporter" "$root/include" "$out/"
say "building dmabuf_exporter.ko for $kver (W=1)"
make -s -C "$(cat "$kdir/kdir")" M="$out" W=1 modules >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	die "module build for $kver failed"
}
# W=1 findings are failures here, not noise.
if grep -E 'warning:|error:' "$out/build.log" >&2; then
	die "module build for $kver has warnings"
fi
echo "$out/dmabuf_exporter.ko"
