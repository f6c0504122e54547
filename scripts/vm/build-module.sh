#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build dmabuf_exporter.ko, or another out-of-tree module of the project
# (a directory with its own Kbuild, e.g. tests/importer-kmod), for one test
# kernel, in a copy of the sources under build/module/<kver>[-<dir name>]
# so kernels and modules never share objects.
#   usage: scripts/vm/build-module.sh KERNEL_DIR [MODULE_DIR]
#          (prints the .ko path)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/common.sh"

kdir=$1
src=${2:-}
kver=$(cat "$kdir/kver")
out=$root/build/module/$kver
if [ -n "$src" ]; then
	src=$(cd "$src" && pwd)
	out=$out-$(basename "$src")
	files=("$src/.")
else
	files=("$root/Kbuild" "$root/exporter" "$root/include")
fi
mkdir -p "$out"
rsync -a --delete --exclude='*.o' --exclude='.*.cmd' "${files[@]}" "$out/" 2>/dev/null ||
	cp -a "${files[@]}" "$out/"
name=$(sed -n 's/^obj-m *:= *\(.*\)\.o$/\1/p' "$out/Kbuild")
say "building $name.ko for $kver (W=1)"
make -s -C "$(cat "$kdir/kdir")" M="$out" W=1 modules >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	die "module build of $name for $kver failed"
}
# W=1 findings are failures here, not noise.
if grep -E 'warning:|error:' "$out/build.log" >&2; then
	die "module build of $name for $kver has warnings"
fi
echo "$out/$name.ko"
