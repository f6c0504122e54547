#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the exporter against memfd, udmabuf and the dma-buf heaps, one
# boot per kernel, written to docs/bench/<kernel>/ (results.tsv with every
# number, results.md with the tables, chart.png) and printed.
#   usage: scripts/bench.sh [KERNEL...]   (default: $KERNELS, else 6.12 sid)
# KERNEL is any name scripts/vm/kernel.sh takes: 6.12 and sid are Debian's
# stock kernels of the matrix, which build udmabuf and the system heap in;
# stock (Debian 12's 6.1) has neither, peer (6.1 built with
# tests/kernels/peer.config) adds the CMA heap.  Each boot runs everything
# with the module's defaults, then reloads it with cache_size=0 and runs the
# frame loop and remap again: those go to docs/bench/<kernel>/no-cache/.
# A second, one-vCPU boot profiles the 64 KiB frame loop of the exporter
# and the system heap with ftrace: docs/bench/<kernel>/profile-64k.md.
# Environment: BENCH_ARGS adds dmabuf-bench arguments (e.g. "--quick",
# "--sizes 64K,1M --only frame", see bench/main.c); BENCH_OUT replaces the
# docs/bench destination; BENCH_APPEND adds kernel arguments (e.g.
# "cma=256M" for a CMA heap on a kernel that has one); KVM=1 boots under
# KVM instead of TCG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

# shellcheck disable=SC2206 # a list of kernel names
kernels=(${*:-${KERNELS:-6.12 sid}})
start=$(date +%s)
say "[1/3] packages and the benchmark"
"$here/deps.sh" check bench
# The library first: the bench maps through it, and its Makefile only
# builds the library when there is none.
make -s -C "$root/importer" >/dev/null
make -s -C "$root/bench" >/dev/null

accel=tcg kvm=()
if [ "${KVM:-0}" != 0 ]; then
	accel=kvm kvm=(--kvm)
fi
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

# bench_one KERNEL: one boot, both phases, the reports.
bench_one() {
	local name=$1 kdir ko payload out dest
	say "[2/3] kernel $name and module"
	case $name in
	debug | peer) "$here/deps.sh" kernel ;;
	esac
	kdir=$("$here/vm/kernel.sh" "$name")
	ko=$("$here/vm/build-module.sh" "$kdir")
	payload=$root/build/payload/bench-$name
	rm -rf "$payload"
	mkdir -p "$payload/bin"
	cp "$root/build/bench/dmabuf-bench" "$payload/bin/"
	cp "$root/bench/guest.sh" "$root/bench/profile.sh" "$payload/"
	dest=${BENCH_OUT:-$root/docs/bench}/$name
	out=$root/build/bench-out/$name
	say "[3/3] dmabuf-bench on $(cat "$kdir/kver") ($accel; about 10 minutes under TCG)"
	# 3 GiB: the scale test holds a quarter of RAM in live buffers, and the
	# module's default cache_size (an eighth of total_limit, at most 64 MiB)
	# is 64 MiB only above 2 GiB.
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of words
	# A host thread per vCPU: the cache's zeroing worker really runs beside
	# the frame loop, as on hardware.
	"$here/vm/run.sh" "${kvm[@]}" --tcg-threads --kernel-dir "$kdir" --module "$ko" \
		--mem 3G --smp 2 --append "${BENCH_APPEND:-}" \
		--payload "$payload" --out "$out" --timeout 3600 \
		-- sh /payload/guest.sh --accel "$accel" \
		--host-cpu "${host_cpu:-unknown}" ${BENCH_ARGS:-} ||
		die "the benchmark on $name failed; nothing written (guest output: $out/tests.log)"
	# One log per phase, each with the context line.
	tr -d '\r' < "$out/tests.log" | awk -v dir="$out" '
		$1 == "@@BENCH-PHASE" { phase = $2; next }
		phase != "" { print > (dir "/phase-" phase ".log") }'
	"$root/bench/report.sh" "$out/phase-default.log" "$dest"
	"$root/bench/report.sh" "$out/phase-no-cache.log" "$dest/no-cache"
	# The profile boots on its own with one vCPU (see bench/profile.sh).
	say "ftrace profile of the 64 KiB frame loop on $(cat "$kdir/kver") (one vCPU)"
	"$here/vm/run.sh" "${kvm[@]}" --kernel-dir "$kdir" --module "$ko" \
		--mem 1G --smp 1 --payload "$payload" --out "$out/profile" \
		--timeout 900 -- sh /payload/profile.sh 64K 4 exporter heap-system ||
		die "the profile on $name failed (guest output: $out/profile/tests.log)"
	awk -f "$root/bench/profile.awk" "$out/profile/tests.log" \
		> "$dest/profile-64k.md"
}

for k in "${kernels[@]}"; do
	bench_one "$k"
done
say "make bench (${kernels[*]}) finished in $(( $(date +%s) - start ))s"
