#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: host-side tests first, then the in-VM suites on every kernel
# of the test matrix in each of its topologies, and a per-boot summary.
#   usage: scripts/check.sh [SPEC...]
#   (default: $KERNELS, else the matrix: Debian 12's 6.1,
#   bookworm-backports' 6.12 LTS and the newest sid kernel, each behind
#   intel-iommu (with untranslated devices beside it) and with every
#   mapping bounced, and 6.12 and sid behind virtio-iommu, sid's with a
#   CMA area:
#   "6.1+iommu 6.12+iommu sid+iommu sid+viommu+cma 6.12+viommu 6.1+swiotlb 6.12+swiotlb sid+swiotlb")
# A KERNEL is any name scripts/vm/kernel.sh takes (6.1, 6.12, sid, debug,
# debug-sid, ...), optionally with "+TOPOLOGY", a machine of
# scripts/vm/topology.sh: +swiotlb (swiotlb=force, so every importer's DMA
# goes through bounce buffers), +iommu (intel-iommu, with an untranslated
# pxb-pcie bus in the same boot), +viommu (virtio-iommu), +plain (the
# default: no IOMMU).  Every topology has QEMU edu devices, real DMA
# engines, which the edu suite drives through tests/importer-edu.
# Installs missing packages, fetches or builds each kernel into the cache,
# builds the module for it, boots it and runs its suites (every suite, or
# the subset its topology calls for; $SUITES names the exporter-tests
# suites for every boot instead, e.g. SUITES="edu importers").  A spec may
# end in "+cma": the boot then reserves a 300 MiB CMA area in a 2 GiB guest
# and adds the suites that need one (fill, memcg).  EXTRA_APPEND goes on
# every boot's kernel command line (make check-debug's step 1 sets cma=0).
# JOBS boots run at a time (default 3).  Exit status 0 only when every boot
# passed with a clean guest kernel log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"
. "$here/vm/topology.sh"

# shellcheck disable=SC2206
kernels=(${@:-${KERNELS:-6.1+iommu 6.12+iommu sid+iommu sid+viommu+cma 6.12+viommu 6.1+swiotlb 6.12+swiotlb sid+swiotlb}})
start=$(date +%s)
say "[1/4] packages"
"$here/deps.sh" check matrix

say "[2/4] userspace and test binaries"
make -s -C "$root/importer" all static >/dev/null
make -s -C "$root/tests/vm" >/dev/null

# CHECK_HOST=0 (make check-debug's step 1) leaves them to make check.
if [ "${CHECK_HOST:-1}" = 1 ]; then
	say "[3/4] host tests"
	make -s -C "$root/importer" check-host
else
	say "[3/4] host tests: left to make check (CHECK_HOST=0)"
fi

# prepare_kernel NAME: fetch or build the kernel and build the exporter,
# the test importer and the edu importer for it.  Run once per kernel,
# before any boot, so two boots of one kernel never build into the same
# directory at once.  Prints the kernel directory.
prepare_kernel() {
	local name=$1 kdir
	kdir=$("$here/vm/kernel.sh" "$name") || return 1
	"$here/vm/build-module.sh" "$kdir" > "$kdir/.ko-$BUILD_TAG" || return 1
	# The test importer: a pretend DMA device, built for the same kernel.
	"$here/vm/build-module.sh" "$kdir" "$root/tests/importer-kmod" \
		dmabuf_test_importer > "$kdir/.iko-$BUILD_TAG" || return 1
	# The edu importer: the topology's real DMA engines.
	"$here/vm/build-module.sh" "$kdir" "$root/tests/importer-edu" \
		edu_importer > "$kdir/.eko-$BUILD_TAG" || return 1
	echo "$kdir"
}

# suites_for TOPOLOGY: what a boot runs ("" is every suite and the CLI).
#   plain, iommu  everything: the edu suite on every device, translated or
#                 not, and every other suite (none of them maps for a PCI
#                 device, so one boot of them per kernel is enough)
#   swiotlb       only what maps for a device (importers, vivid, edu,
#                 the CPU-access and regression suites): bouncing changes
#                 nothing else, and the rest would only repeat the boot above
#   viommu        the edu suite: the only devices virtio-iommu translates
suites_for() {
	case $1 in
	swiotlb) echo "cpu_access import importers regressions v4l2 edu" ;;
	viommu) echo "edu" ;;
	*) echo "" ;;
	esac
}

# run_kernel SPEC KDIR: boot one spec (KERNEL[+TOPOLOGY][+cma]) of a
# prepared kernel and run its suites.  Writes one summary block into
# $summary_dir/SPEC.
run_kernel() {
	local spec=$1 kdir=$2 name topo rest cma=0 payload out rc=0 t0 arg
	local suites mem=1G append
	name=${spec%%+*}
	rest=${spec#"$name"}
	case $rest in
	*+cma) cma=1 rest=${rest%+cma} ;;
	esac
	topo=${rest#+}
	topology "${topo:-plain}" || {
		say "unknown topology '$topo' in '$spec' (scripts/vm/topology.sh)"
		return 1
	}
	suites=${SUITES:-$(suites_for "${topo:-plain}")}
	append="$TOPO_APPEND ${EXTRA_APPEND:-}"
	if [ $cma = 1 ]; then
		append+=" cma=300M"
		mem=2G
		[ -z "$suites" ] || suites+=" fill memcg"
	fi
	t0=$(date +%s)
	payload=$root/build/payload/$spec
	out=$root/build/vm-out/$spec
	rm -rf "$payload"
	mkdir -p "$payload/bin"
	cp "$root/build/vm/exporter-tests" "$payload/bin/"
	# A boot that runs a subset of the suites leaves the CLI tests to the
	# full boot of its kernel.
	[ -n "$suites" ] ||
		cp "$root"/importer/build/static/* "$payload/bin/" 2>/dev/null || true
	cp "$root/tests/vm/run-suites.sh" "$root/tests/vm/callbacks.sh" \
		"$(cat "$kdir/.iko-$BUILD_TAG")" "$(cat "$kdir/.eko-$BUILD_TAG")" \
		"$payload/"
	echo "dma_bits=$TOPO_EDU_BITS" > "$payload/edu_importer.options"
	local accel=() topo_args=()
	[ "${KVM:-0}" = 0 ] || accel=(--kvm)
	for arg in "${TOPO_QEMU[@]}"; do
		topo_args+=(--qemu-arg "$arg")
	done
	[ -z "$TOPO_EXPECT" ] || topo_args+=(--expect-report "$TOPO_EXPECT")
	# $suites is a list of names: split on purpose.
	# shellcheck disable=SC2086
	"$here/vm/run.sh" "${accel[@]}" --kernel-dir "$kdir" \
		--module "$(cat "$kdir/.ko-$BUILD_TAG")" \
		--modules "vgem vivid $(ramdisk_module "$kdir") $(topology_modules "$kdir")" \
		--module-option "vivid n_devs=2 allocators=0,1" \
		--module-option "brd rd_nr=1 rd_size=8192" \
		--append "$append" "${topo_args[@]}" --mem "$mem" \
		--payload "$payload" --out "$out" \
		--timeout 900 -- sh /payload/run-suites.sh $suites || rc=$?
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
			/^suite-time / { t[$2] = $3 }
			/^phase-time / { ph = ph sprintf(" %s %ss", $2, $3) }
			END {
				for (b in skips) printf "    %s: %d skipped (SKIP lines in tests.log)\n", b, skips[b]
				line = ""
				for (n in t) line = line sprintf(" %s %ds", n, t[n] + 0.5)
				if (line != "") print "    suite seconds:" line
				if (ph != "") print "    phase seconds:" ph
			}' \
			"$out/tests.log" 2>/dev/null || true
		grep -aE 'SKIP nothing reached|SKIP cannot' "$out/tests.log" 2>/dev/null |
			sed 's/^ */    /' || true
		if [ -s "$out/bad.log" ]; then
			echo "    guest kernel log: $(wc -l < "$out/bad.log") report lines ($out/bad.log)"
		fi
	} > "$summary_dir/$spec"
}

# Boots run $JOBS at a time (default 3).  A busy TCG guest keeps about
# one host core busy, but an +iommu boot spends most of its time in the
# edu suite waiting for the device's 100 ms transfers with its vCPUs
# halted, so on this 2-core machine a third boot fills that idle time.
# The matrix lists the longest boots first, so the last ones to start are
# short.  With more than one at a time each boot's output goes to
# build/vm-out/SPEC/run.log, and a progress line every minute says how far
# each running boot has got; a failed boot's failures are printed when it
# ends.
jobs=${JOBS:-3}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive number, not '$jobs'"
BUILD_TAG=$$
say "[4/4] VM suites on: ${kernels[*]} ($jobs at a time)"
summary_dir=$(mktemp -d)
trap 'rm -rf "$summary_dir"' EXIT
declare -A kdirs=()
failed=0
for k in "${kernels[@]}"; do
	name=${k%%+*}
	[ -z "${kdirs[$name]:-}" ] || continue
	say "=== preparing kernel $name"
	kdirs[$name]=$(prepare_kernel "$name") || kdirs[$name]=FAILED
done

# progress: one line with each running boot and its tests done so far.
progress() {
	local spec line="" n
	for spec in "$@"; do
		n=$(grep -acE '^  Test: .*\.\.\.(passed|FAILED)' \
			"$root/build/vm-out/$spec/tests.log" 2>/dev/null) || n=0
		line+=" $spec: $n tests done;"
	done
	say "$(( $(date +%s) - start ))s:${line% ;}"
}

# failures SPEC: what a failed boot printed about its failures.
failures() {
	local out=$root/build/vm-out/$1
	grep -aE 'FAILED|^    [0-9]+\. |line [0-9]+: |^SKIP|leak at|@@VM-EXIT|error:' \
		"$out/tests.log" 2>/dev/null | head -n 60 | sed 's/^/    /' >&2
	[ ! -s "$out/bad.log" ] || { echo "    guest kernel log:"; head -n 20 "$out/bad.log"; } >&2
}

# A boot's exit status lands in $summary_dir/SPEC.rc when it ends.
declare -A running=()
finish_one() {
	local spec rc
	for spec in "${!running[@]}"; do
		[ -f "$summary_dir/$spec.rc" ] || continue
		rc=$(cat "$summary_dir/$spec.rc")
		wait "${running[$spec]}" 2>/dev/null || true
		unset "running[$spec]"
		if [ "$rc" = 0 ]; then
			say "=== $spec: PASS"
		else
			failed=$((failed + 1))
			say "=== $spec: FAIL (exit $rc; build/vm-out/$spec.run.log, build/vm-out/$spec/)"
			[ "$jobs" = 1 ] || failures "$spec"
		fi
		[ -f "$summary_dir/$spec" ] ||
			printf '%-14s %-26s %s\n' "$spec" "?" "FAIL (no result)" > "$summary_dir/$spec"
		return 0
	done
	return 1
}

# boot_bg SPEC KDIR: run_kernel in the background, its status to SPEC.rc.
boot_bg() {
	local rc=0
	if [ "$jobs" = 1 ]; then
		run_kernel "$1" "$2" || rc=$?
	else
		run_kernel "$1" "$2" > "$root/build/vm-out/$1.run.log" 2>&1 || rc=$?
	fi
	echo "$rc" > "$summary_dir/$1.rc"
}

# wait_slots N: until fewer than N boots run, with a progress line a minute.
wait_slots() {
	while [ ${#running[@]} -ge "$1" ]; do
		finish_one && continue
		sleep 2
		if [ $(( $(date +%s) - last_progress )) -ge 60 ]; then
			progress "${!running[@]}"
			last_progress=$(date +%s)
		fi
	done
}

last_progress=$(date +%s)
for k in "${kernels[@]}"; do
	name=${k%%+*}
	if [ "${kdirs[$name]}" = FAILED ]; then
		failed=$((failed + 1))
		printf '%-14s %-26s %s\n' "$k" "?" "FAIL (kernel or module build)" > "$summary_dir/$k"
		continue
	fi
	wait_slots "$jobs"
	say "=== $k: booting"
	mkdir -p "$root/build/vm-out"
	boot_bg "$k" "${kdirs[$name]}" &
	running[$k]=$!
done
wait_slots 1
{
	echo "=== make check summary (kernel logs: build/vm-out/<spec>/console.log)"
	for k in "${kernels[@]}"; do cat "$summary_dir/$k"; done
} >&2
say "make check finished in $(( $(date +%s) - start ))s: $([ $failed = 0 ] && echo PASS || echo "FAIL ($failed of ${#kernels[@]} boots)")"
exit $((failed > 0))
