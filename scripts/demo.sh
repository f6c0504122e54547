#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the test VM on Debian's stock kernel with the module and
# vgem loaded, and run tests/vm/demo.sh there: a server and several client
# processes sharing one buffer, a vgem import, and `dmabuf-share ls`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

start=$(date +%s)
say "[1/3] packages"
"$here/deps.sh" check
say "[2/3] kernel, module and static dmabuf-share"
kdir=$("$here/vm/kernel.sh" stock)
ko=$("$here/vm/build-module.sh" "$kdir")
make -s -C "$root/importer" static >/dev/null
payload=$root/build/payload/demo
rm -rf "$payload"
mkdir -p "$payload/bin"
cp "$root/importer/build/static/dmabuf-share" "$payload/bin/"
cp "$root/tests/vm/demo.sh" "$payload/"
say "[3/3] demo in the VM"
accel=()
[ "${KVM:-0}" = 0 ] || accel=(--kvm)
rc=0
"$here/vm/run.sh" "${accel[@]}" --kernel-dir "$kdir" --module "$ko" \
	--modules vgem --payload "$payload" --out "$root/build/vm-out/demo" \
	--timeout 300 -- sh /payload/demo.sh || rc=$?
say "make demo finished in $(( $(date +%s) - start ))s"
exit $rc
