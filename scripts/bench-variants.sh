#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A/B of module builds: builds dmabuf_exporter.ko from each given git
# revision, boots one guest, and loads the builds in turn (rmmod, insmod;
# the order rotated every round), each measured against the system heap
# by dmabuf-bench.  Within a round every ratio compares two builds under
# the same guest and host conditions, which separate boots do not: how
# docs/bench.md and docs/design.md measured single changes.
#   usage: scripts/bench-variants.sh [KERNEL] NAME=REV...
#   e.g.:  scripts/bench-variants.sh sid old=main~3 new=main
# KERNEL: any name scripts/vm/kernel.sh takes (default sid).  REV: any
# git revision; the module's sources (Kbuild, exporter/, include/) come
# from it, everything else from the working tree.
# Environment: VCPUS (default 1), ROUNDS (default 4), SIZES (default
# 64K,1M,4M), ONLY (default frame,steps,remap), OUT (default
# build/variants-out/KERNEL).  The host should be idle, as for make bench;
# this script does not check it.
# Prints, per size and measurement, each build's median over the rounds
# and the heap's time over the build's, round by round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

kernel=sid
if [ $# -gt 0 ] && [[ $1 != *=* ]]; then
	kernel=$1
	shift
fi
[ $# -ge 1 ] || die "usage: scripts/bench-variants.sh [KERNEL] NAME=REV..."
vcpus=${VCPUS:-1} rounds=${ROUNDS:-4}
[[ $vcpus =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] ||
	die "VCPUS and ROUNDS must be positive numbers"
out=${OUT:-$root/build/variants-out/$kernel}

"$here/deps.sh" check bench
make -s -C "$root/importer" >/dev/null
make -s -C "$root/bench" >/dev/null
kdir=$("$here/vm/kernel.sh" "$kernel")
kver=$(cat "$kdir/kver")
payload=$root/build/payload/variants-$kernel
rm -rf "$payload"
mkdir -p "$payload/bin"
cp "$root/build/bench/dmabuf-bench" "$payload/bin/"
cp "$root/bench/variants-guest.sh" "$payload/"
names=()
for spec in "$@"; do
	name=${spec%%=*} rev=${spec#*=}
	[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "bad variant name '$name' (letters, digits, - and _)"
	src=$root/build/variants/$name
	rm -rf "$src"
	mkdir -p "$src"
	git -C "$root" archive "$rev" Kbuild exporter include | tar -x -C "$src" ||
		die "no module sources at revision '$rev'"
	# Objects of the previous variant are newer than these sources: a
	# clean build directory, or make would keep them.
	rm -rf "$root/build/module/$kver/dmabuf_exporter"
	ko=$("$here/vm/build-module.sh" "$kdir" "$src" dmabuf_exporter)
	cp "$ko" "$payload/$name.ko"
	names+=("$name")
done
say "booting $kver with $vcpus vCPU(s): ${names[*]}, $rounds rounds"
"$here/vm/run.sh" --tcg-threads --kernel-dir "$kdir" \
	--module "$payload/${names[0]}.ko" --mem 3G --smp "$vcpus" \
	--payload "$payload" --out "$out" --timeout 3600 -- \
	sh /payload/variants-guest.sh "$rounds" "${SIZES:-64K,1M,4M}" \
	"${ONLY:-frame,steps,remap}" "${names[@]}" ||
	die "the guest failed (output: $out/tests.log)"
tr -d '\r' < "$out/tests.log" | awk -f "$root/bench/median.awk" -f "$root/bench/variants.awk"
