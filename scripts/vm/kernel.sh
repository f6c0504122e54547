#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make a test kernel available and print its directory for run.sh: files
# vmlinuz, kver, moddir (its module tree) and kdir (where to build modules).
#   usage: scripts/vm/kernel.sh stock|debug|peer
# stock is Debian's own kernel (fetched, never installed); the others are
# built from Debian's linux-source-6.1 by scripts/kernel/build.sh, once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

flavor=${1:-stock}
if [ "$flavor" = stock ]; then
	exec "$here/stock-kernel.sh"
fi
"$here/../kernel/build.sh" "$flavor" >&2
info() { "$here/../kernel/info.sh" "$flavor" "$1"; }
dir=$CACHE/vm/$flavor
mkdir -p "$dir"
ln -sfn "$(info KERNEL_IMAGE)" "$dir/vmlinuz"
info KERNEL_RELEASE > "$dir/kver"
info MODULES_DIR > "$dir/moddir"
info KDIR > "$dir/kdir"
echo "$dir"
