#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: the exporter hammered on a KASAN, lockdep, DEBUG_VM,
# page-table-check, DMA-API debug, kmemleak and fault-injection kernel
# (tests/kernels/base.config + debug.config [+ debug.<series>.config]),
# built from sid's newest linux-source by default (DEBUG_KERNEL=debug-sid),
# or from Debian 12's linux-source-6.1 with DEBUG_KERNEL=debug.
#   step 1  the whole make check suite on it (scripts/check.sh $DEBUG_KERNEL)
#   step 2  fault-injection sweep: each allocation of ALLOC, mmap, the
#           fault handler and vgem import made to fail in turn
#   step 3  seeded fuzzer (FUZZ_SEED=N replays a run; FUZZ_CALLS, FUZZ_TIME)
#   step 4  stress: STRESS_PROCS x STRESS_CYCLES alloc/mmap/touch/munmap/
#           close cycles, a refault race, children killed mid-cycle
#   step 5  kmemleak scan once everything is freed, DMA-API error count
# Steps 2-5 share one boot (tests/debug/run-debug.sh).  The first run
# builds the debug kernel into the cache (sid's took 72 minutes on 2 cores
# shared with other jobs, with progress); later runs reuse it.  KVM=1 as for make check.
# Exit status: 0 only when every step passed and neither guest kernel log
# holds a report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

start=$(date +%s)
since() { echo $(($(date +%s) - $1)); }

say "[1/5] packages"
"$here/deps.sh" check kernel

debug_kernel=${DEBUG_KERNEL:-debug-sid}
say "[2/5] debug kernel $debug_kernel (built once per machine; over an hour the first time)"
t=$(date +%s)
kdir=$("$here/vm/kernel.sh" "$debug_kernel")
kernel_secs=$(since "$t")

say "[3/5] step 1: the whole suite on $(cat "$kdir/kver")"
t=$(date +%s)
suite_rc=0
"$here/check.sh" "$debug_kernel" || suite_rc=$?
suite_secs=$(since "$t")

say "[4/5] steps 2-5: fault-injection sweep, fuzzer, stress, kmemleak"
t=$(date +%s)
ko=$("$here/vm/build-module.sh" "$kdir")
make -s -C "$root/tests/debug" >/dev/null
payload=$root/build/payload/debug-lane
out=$root/build/vm-out/debug-lane
rm -rf "$payload"
mkdir -p "$payload/bin"
cp "$root"/build/debug/* "$payload/bin/"
cp "$root/tests/debug/run-debug.sh" "$payload/"
# A seed chosen here is printed here too, so a failure names its replay.
FUZZ_SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
args=()
for v in FUZZ_SEED FUZZ_CALLS FUZZ_TIME STRESS_PROCS STRESS_CYCLES \
	STRESS_KILLS SWEEP_MAX_N; do
	[ -z "${!v:-}" ] || args+=("$v=${!v}")
done
accel=()
[ "${KVM:-0}" = 0 ] || accel=(--kvm)
lane_rc=0
"$here/vm/run.sh" "${accel[@]}" --kernel-dir "$kdir" --module "$ko" \
	--modules "vgem" --payload "$payload" --out "$out" --timeout 2400 \
	-- sh /payload/run-debug.sh "${args[@]}" || lane_rc=$?
lane_secs=$(since "$t")

say "[5/5] summary"
reports() { [ -s "$1" ] && wc -l < "$1" || echo 0; }
verdict() { [ "$1" = 0 ] && echo PASS || echo "FAIL (exit $1)"; }
{
	echo "debug kernel: $(cat "$kdir/kver") (${kernel_secs}s to make ready)"
	echo "step 1, the whole suite: $(verdict $suite_rc), ${suite_secs}s," \
		"kernel log reports: $(reports "$root/build/vm-out/$debug_kernel/bad.log")"
	echo "steps 2-5: $(verdict $lane_rc), ${lane_secs}s," \
		"kernel log reports: $(reports "$out/bad.log")"
	sed -n 's/^SUMMARY /  /p' "$out/tests.log" 2>/dev/null || true
	echo "  replay the fuzzer: FUZZ_SEED=$FUZZ_SEED make check-debug"
	echo "kernel logs: build/vm-out/$debug_kernel/console.log," \
		"build/vm-out/debug-lane/console.log"
} >&2
rc=0
[ $suite_rc = 0 ] && [ $lane_rc = 0 ] || rc=1
say "make check-debug finished in $(since "$start")s: $([ $rc = 0 ] && echo PASS || echo FAIL)"
exit $rc
