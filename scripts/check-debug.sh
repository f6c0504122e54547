#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: the exporter hammered on a KASAN, lockdep, DEBUG_VM,
# page-table-check, DMA-API debug, kmemleak and fault-injection kernel
# (tests/kernels/base.config + debug.config [+ debug.<series>.config]),
# built from sid's newest linux-source by default (DEBUG_KERNEL=debug-sid),
# or from Debian 12's linux-source-6.1 with DEBUG_KERNEL=debug.
#   step 1  the whole make check suite on it (scripts/check.sh
#           $DEBUG_SPECS, default $DEBUG_KERNEL+iommu: the edu suite behind
#           intel-iommu too), in a boot of its own
#   step 2  fault-injection sweep: each allocation of ALLOC, mmap, the
#           fault handler and vgem import made to fail in turn
#   step 3  seeded fuzzer (FUZZ_SEED=N replays a run; FUZZ_CALLS, FUZZ_TIME)
#   step 4  stress: STRESS_PROCS x STRESS_CYCLES alloc/mmap/touch/munmap/
#           close cycles, a refault race, children killed mid-cycle
#           (STRESS_SEED=N replays its random choices; the timing of the
#           races and kills is the machine's)
#   step 5  kmemleak scan once everything is freed, DMA-API error count
# Steps 2-5 share one boot (tests/debug/run-debug.sh), which runs beside
# step 1's; DEBUG_SUITE=0 leaves step 1 out, to replay steps 2-5 alone.
# The first run builds the debug kernel into the cache (from allnoconfig +
# tests/kernels/minimal.config, with progress); later runs reuse it.
# KVM=1 as for make check.
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

# Step 1 and steps 2-5 are two independent boots: they run side by side
# (a TCG guest keeps about one host core busy), step 1's output going to
# build/vm-out/debug-step1.log and shown when it ends.
beside=" (step 1 left out: DEBUG_SUITE=0)"
[ "${DEBUG_SUITE:-1}" = 0 ] ||
	beside=", with step 1 (the whole suite on $(cat "$kdir/kver")) beside them"
say "[3/5] steps 2-5 (fault-injection sweep, fuzzer, stress, kmemleak)$beside"
t=$(date +%s)
ko=$("$here/vm/build-module.sh" "$kdir")
make -s -C "$root/tests/debug" >/dev/null
payload=$root/build/payload/debug-lane
out=$root/build/vm-out/debug-lane
rm -rf "$payload"
mkdir -p "$payload/bin"
cp "$root"/build/debug/* "$payload/bin/"
cp "$root/tests/debug/run-debug.sh" "$payload/"
# The lane's own copy: step 1 rebuilds the module in place while it runs.
cp "$ko" "$payload/dmabuf_exporter.ko.lane"
step1_log=$root/build/vm-out/debug-step1.log
mkdir -p "${step1_log%/*}"
suite_rc=0 step1_pid=""
if [ "${DEBUG_SUITE:-1}" != 0 ]; then
	(
		rc=0
		# cma=0: as on Debian's kernels, buffers come from the page
		# allocator, where they are charged to memory cgroups and
		# aligned to their size (the PMD tests rely on that; a CMA area
		# aligns only to 1 MiB).  The lane below keeps the debug
		# kernel's CMA area.
		EXTRA_APPEND="cma=0 ${EXTRA_APPEND:-}" CHECK_HOST=0 \
			"$here/check.sh" ${DEBUG_SPECS:-$debug_kernel+iommu} \
			> "$step1_log" 2>&1 || rc=$?
		echo "$rc" > "$step1_log.rc"
		echo "$(since "$t")" > "$step1_log.secs"
	) &
	step1_pid=$!
fi
# Seeds chosen here are printed here too, so a failure names its replay.
FUZZ_SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
STRESS_SEED=${STRESS_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
args=()
for v in FUZZ_SEED FUZZ_CALLS FUZZ_TIME STRESS_SEED STRESS_PROCS \
	STRESS_CYCLES STRESS_KILLS SWEEP_MAX_N; do
	[ -z "${!v:-}" ] || args+=("$v=${!v}")
done
accel=()
[ "${KVM:-0}" = 0 ] || accel=(--kvm)
lane_rc=0
"$here/vm/run.sh" "${accel[@]}" --kernel-dir "$kdir" \
	--module "$payload/dmabuf_exporter.ko.lane" \
	--modules "vgem" --payload "$payload" --out "$out" --timeout 2400 \
	-- sh /payload/run-debug.sh "${args[@]}" || lane_rc=$?
lane_secs=$(since "$t")

if [ -n "$step1_pid" ]; then
	say "[4/5] step 1: waiting for the whole suite (build/vm-out/debug-step1.log)"
	wait "$step1_pid" || true
	suite_rc=$(cat "$step1_log.rc" 2>/dev/null || echo 1)
	suite_secs=$(cat "$step1_log.secs" 2>/dev/null || echo "?")
	sed -n '/^=== make check summary/,$p' "$step1_log" >&2
	[ "$suite_rc" = 0 ] || tail -n 60 "$step1_log" >&2
else
	say "[4/5] step 1 left out (DEBUG_SUITE=0)"
fi

say "[5/5] summary"
reports() { [ -s "$1" ] && wc -l < "$1" || echo 0; }
verdict() { [ "$1" = 0 ] && echo PASS || echo "FAIL (exit $1)"; }
{
	echo "debug kernel: $(cat "$kdir/kver") (${kernel_secs}s to make ready)"
	if [ -n "$step1_pid" ]; then
		echo "step 1, the whole suite: $(verdict $suite_rc), ${suite_secs}s," \
			"kernel log reports: $(cat "$root"/build/vm-out/"$debug_kernel"*/bad.log 2>/dev/null | wc -l)"
	else
		echo "step 1, the whole suite: left out (DEBUG_SUITE=0)"
	fi
	echo "steps 2-5: $(verdict $lane_rc), ${lane_secs}s," \
		"kernel log reports: $(reports "$out/bad.log")"
	sed -n 's/^SUMMARY /  /p' "$out/tests.log" 2>/dev/null || true
	# The reports themselves, so that the summary (often all a CI log
	# keeps) says what failed: each report line ("line:text" of its
	# guest's console.log), then the log from the first one on.
	suite_logs=()
	[ -z "$step1_pid" ] ||
		suite_logs=("$root"/build/vm-out/"$debug_kernel"*/bad.log)
	for f in "${suite_logs[@]}" "$out/bad.log"; do
		[ -s "$f" ] || continue
		echo "  reports in ${f#"$root"/}:"
		head -n 12 "$f" | sed 's/^/    /'
		first=$(head -n 1 "$f" | cut -d: -f1)
		case $first in
		*[!0-9]*|"") continue ;;
		esac
		echo "  ${f%/bad.log}/console.log from line $first:" | sed "s|$root/||"
		tail -n +"$first" "${f%/bad.log}/console.log" | head -n 30 |
			sed 's/^/    /'
	done
	echo "  replay steps 2-5: DEBUG_SUITE=0 FUZZ_SEED=$FUZZ_SEED" \
		"STRESS_SEED=$STRESS_SEED make check-debug"
	echo "kernel logs: build/vm-out/$debug_kernel/console.log," \
		"build/vm-out/debug-lane/console.log"
} >&2
rc=0
[ $suite_rc = 0 ] && [ $lane_rc = 0 ] || rc=1
say "make check-debug finished in $(since "$start")s: $([ $rc = 0 ] && echo PASS || echo FAIL)"
exit $rc
