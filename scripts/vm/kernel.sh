#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make a test kernel available and print its directory for run.sh and
# build-module.sh: files vmlinuz, kver, moddir (its module tree), kdir
# (where to build modules) and, for sid, chroot (where to run that build).
#   usage: scripts/vm/kernel.sh KERNEL
#
#   6.1 (or stock)  Debian 12's own kernel, matching the installed
#                   linux-headers-amd64 (stock-kernel.sh)
#   6.12            bookworm-backports' LTS kernel (deb-kernel.sh)
#   sid             the newest kernel Debian ships (deb-kernel.sh)
#   debug, peer     built from Debian 12's linux-source-6.1 with
#                   tests/kernels/FLAVOR.config (scripts/kernel/build.sh)
#   debug-sid       the debug flavor built from sid's linux-source
# Downloaded and built kernels are never installed on this machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

name=${1:-6.1}
case $name in
6.1 | stock) exec "$here/stock-kernel.sh" ;;
6.12 | sid) exec "$here/deb-kernel.sh" "$name" ;;
*-sid) flavor=${name%-sid} series=newest ;;
*) flavor=$name series=6.1 ;;
esac
export KERNEL_SERIES=$series
"$here/../kernel/build.sh" "$flavor" >&2
info() { "$here/../kernel/info.sh" "$flavor" "$1"; }
dir=$CACHE/vm/$name
mkdir -p "$dir"
ln -sfn "$(info KERNEL_IMAGE)" "$dir/vmlinuz"
info KERNEL_RELEASE > "$dir/kver"
info MODULES_DIR > "$dir/moddir"
info KDIR > "$dir/kdir"
echo "$dir"
