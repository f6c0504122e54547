#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: host-side tests first, then the in-VM suites on every kernel
# of the test matrix, one boot each, and a per-kernel summary.
#   usage: scripts/check.sh [KERNEL...]
#   (default: $KERNELS, else "6.1 6.1+swiotlb 6.12 sid sid+swiotlb":
#   Debian 12's kernel, bookworm-backports' 6.12 LTS and the newest sid
#   kernel, the oldest and newest also with bounced importer DMA)
# A KERNEL is any name scripts/vm/kernel.sh takes (6.1, 6.12, sid, debug,
# debug-sid, ...), optionally with "+TOPOLOGY", a machine of
# scripts/vm/topology.sh: +swiotlb (swiotlb=force, so every importer's DMA
# goes through bounce buffers), +iommu (intel-iommu, with an untranslated
# pxb-pcie bus in the same boot), +viommu (virtio-iommu), +plain (the
# default: no IOMMU).  Every topology has QEMU edu devices, real DMA
# engines, which the edu suite drives through tests/importer-edu.
# Installs missing packages, fetches or builds each kernel into the cache,
# builds the module for it, boots it and runs every suite (or only the
# exporter-tests suites named in $SUITES, e.g. SUITES="edu importers").
# Exit status 0 only when every boot passed with a clean guest kernel log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"
. "$here/vm/topology.sh"

# shellcheck disable=SC2206
kernels=(${@:-${KERNELS:-6.1 6.1+swiotlb 6.12 sid sid+swiotlb}})
start=$(date +%s)
say "[1/4] packages"
"$here/deps.sh" check matrix

say "[2/4] userspace and test binaries"
make -s -C "$root/importer" all static >/dev/null
make -s -C "$root/tests/vm" >/dev/null

say "[3/4] host tests"
make -s -C "$root/importer" check-host

# run_kernel NAME: fetch or build the kernel, build the module, boot, run.
# Writes one summary line per kernel into $summary_dir/NAME.
run_kernel() {
	local spec=$1 name topo kdir ko iko eko payload out rc=0 t0 arg
	name=${spec%%+*}
	topo=${spec#"$name"}
	topo=${topo#+}
	topology "${topo:-plain}" || {
		say "unknown topology '$topo' in '$spec' (scripts/vm/topology.sh)"
		return 1
	}
	t0=$(date +%s)
	kdir=$("$here/vm/kernel.sh" "$name") || return 1
	ko=$("$here/vm/build-module.sh" "$kdir") || return 1
	# The test importer: a pretend DMA device, built for the same kernel.
	iko=$("$here/vm/build-module.sh" "$kdir" "$root/tests/importer-kmod" \
		dmabuf_test_importer) || return 1
	# The edu importer: the topology's real DMA engines.
	eko=$("$here/vm/build-module.sh" "$kdir" "$root/tests/importer-edu" \
		edu_importer) || return 1
	payload=$root/build/payload/$spec
	out=$root/build/vm-out/$spec
	rm -rf "$payload"
	mkdir -p "$payload/bin"
	cp "$root/build/vm/exporter-tests" "$payload/bin/"
	cp "$root"/importer/build/static/* "$payload/bin/" 2>/dev/null || true
	cp "$root/tests/vm/run-suites.sh" "$root/tests/vm/callbacks.sh" "$iko" \
		"$eko" "$payload/"
	echo "dma_bits=$TOPO_EDU_BITS" > "$payload/edu_importer.options"
	local accel=() topo_args=()
	[ "${KVM:-0}" = 0 ] || accel=(--kvm)
	for arg in "${TOPO_QEMU[@]}"; do
		topo_args+=(--qemu-arg "$arg")
	done
	[ -z "$TOPO_EXPECT" ] || topo_args+=(--expect-report "$TOPO_EXPECT")
	# $SUITES is a list of names: split on purpose.
	# shellcheck disable=SC2086
	"$here/vm/run.sh" "${accel[@]}" --kernel-dir "$kdir" --module "$ko" \
		--modules "vgem vivid $(ramdisk_module "$kdir") $(topology_modules "$kdir")" \
		--module-option "vivid n_devs=2 allocators=0,1" \
		--module-option "brd rd_nr=1 rd_size=8192" \
		--append "$TOPO_APPEND" "${topo_args[@]}" \
		--payload "$payload" --out "$out" \
		--timeout 900 -- sh /payload/run-suites.sh ${SUITES:-} || rc=$?
	summarize "$spec" "$(cat "$kdir/kver")" "$rc" "$(( $(date +%s) - t0 ))" "$out"
	return $rc
}

# The topology's kernel modules that this kernel has (virtio-iommu is a
# module on 6.12 and sid, absent on 6.1: the edu suite then reports that
# no device is translated).
topology_modules() {
	local moddir m
	moddir=$(cat "$1/moddir" 2>/dev/null) || return 0
	for m in $TOPO_MODULES; do
		if grep -qs "/$m\.ko" "$moddir/modules.dep" "$moddir/modules.builtin"; then
			echo "$m"
		fi
	done
}

# brd, the RAM disk the O_DIRECT test reads from, where the kernel has it
# (Debian's do, as a module; the debug kernels not): without it that test
# is a reported skip.
ramdisk_module() {
	local moddir
	moddir=$(cat "$1/moddir" 2>/dev/null) || return 0
	if grep -qs '/brd\.ko' "$moddir/modules.dep" "$moddir/modules.builtin"; then
		echo brd
	fi
}

# One block per kernel: verdict, version, time, the suites' own totals and
# the callback report.
summarize() {
	local spec=$1 kver=$2 rc=$3 secs=$4 out=$5 verdict=PASS
	[ "$rc" = 0 ] || verdict="FAIL (exit $rc)"
	{
		printf '%-14s %-26s %-14s %4ss\n' "$spec" "$kver" "$verdict" "$secs"
		# CUnit's own totals, per suite binary, and the skips it reported.
		awk '{ sub(/\r$/, "") }
			/^=== [a-z-]+$/ { bin = $2 }
			$1 == "tests" && $2 ~ /^[0-9]+$/ {
				printf "    %s: %d tests, %d passed, %d failed\n", bin, $2, $4, $5 }
			/^SKIP / { skips[bin]++ }
			/^callbacks: / { print "    " $0 }
			END { for (b in skips) printf "    %s: %d skipped (SKIP lines in tests.log)\n", b, skips[b] }' \
			"$out/tests.log" 2>/dev/null || true
		grep -aE 'SKIP nothing reached|SKIP cannot' "$out/tests.log" 2>/dev/null |
			sed 's/^ */    /' || true
		if [ -s "$out/bad.log" ]; then
			echo "    guest kernel log: $(wc -l < "$out/bad.log") report lines ($out/bad.log)"
		fi
	} > "$summary_dir/$spec"
}

say "[4/4] VM suites on: ${kernels[*]}"
summary_dir=$(mktemp -d)
trap 'rm -rf "$summary_dir"' EXIT
failed=0
for k in "${kernels[@]}"; do
	say "=== kernel $k"
	if ! run_kernel "$k"; then
		failed=$((failed + 1))
		[ -f "$summary_dir/$k" ] ||
			printf '%-14s %-26s %s\n' "$k" "?" "FAIL (kernel or module build)" > "$summary_dir/$k"
	fi
done
{
	echo "=== make check summary (kernel logs: build/vm-out/<kernel>/console.log)"
	for k in "${kernels[@]}"; do cat "$summary_dir/$k"; done
} >&2
say "make check finished in $(( $(date +%s) - start ))s: $([ $failed = 0 ] && echo PASS || echo "FAIL ($failed of ${#kernels[@]} kernels)")"
exit $((failed > 0))
