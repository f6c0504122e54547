#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: host-side tests first, then the in-VM suites on a test kernel.
#   usage: scripts/check.sh [stock|debug]   (default stock)
# Installs missing packages, fetches or builds the kernel into the cache,
# builds the module and the static test binaries, boots the VM and exits
# with the suites' status (a dirty guest kernel log fails the run too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

flavor=${1:-stock}
start=$(date +%s)
say "[1/5] packages"
"$here/deps.sh" check
[ "$flavor" = stock ] || "$here/deps.sh" kernel

say "[2/5] kernel ($flavor)"
kdir=$("$here/vm/kernel.sh" "$flavor")
ko=$("$here/vm/build-module.sh" "$kdir")
# The test importer (a pretend DMA device), built for the same kernel.
iko=$("$here/vm/build-module.sh" "$kdir" "$root/tests/importer-kmod")

say "[3/5] userspace and test binaries"
make -s -C "$root/importer" all static >/dev/null
make -s -C "$root/tests/vm" >/dev/null

say "[4/5] host tests"
make -s -C "$root/importer" check-host

say "[5/5] VM suites on $(cat "$kdir/kver")"
payload=$root/build/payload/$flavor
rm -rf "$payload"
mkdir -p "$payload/bin"
cp "$root/build/vm/exporter-tests" "$payload/bin/"
cp "$root"/importer/build/static/* "$payload/bin/" 2>/dev/null || true
cp "$root/tests/vm/run-suites.sh" "$iko" "$payload/"
rc=0
accel=()
[ "${KVM:-0}" = 0 ] || accel=(--kvm)
# boot OUT [--append ARGS] -- [SUITE...]: one guest running the suites.
boot() {
	local out=$1
	shift
	"$here/vm/run.sh" "${accel[@]}" --kernel-dir "$kdir" --module "$ko" \
		--modules "vgem vivid" --module-option "vivid n_devs=2 allocators=0,1" \
		--payload "$payload" --out "$root/build/vm-out/$out" --timeout 600 \
		"$@"
}
boot "$flavor" -- sh /payload/run-suites.sh || rc=$?
# Again with every importer mapping bounced through swiotlb: the suites
# where a device maps the buffer (defects that only bounce buffers show).
say "[5/5] importer suites with swiotlb=force"
boot "$flavor-swiotlb" --append swiotlb=force -- \
	sh /payload/run-suites.sh importers import v4l2 cpu_access || rc=$?
say "make check ($flavor) finished in $(( $(date +%s) - start ))s: $([ $rc = 0 ] && echo PASS || echo FAIL)"
exit $rc
