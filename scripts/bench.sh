#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the exporter against memfd, udmabuf and the dma-buf heaps, in
# one boot of the peer kernel, written to docs/bench/ (results.tsv with the
# raw numbers, results.md with the tables, chart.png) and printed.
#   usage: scripts/bench.sh [peer|stock]   (default peer)
# stock has no udmabuf, heaps or CMA: those rows come out n/a with the
# reason, and the results go to docs/bench/stock/.
# Environment: BENCH_ARGS adds dmabuf-bench arguments (e.g. "--quick",
# "--sizes 64K,1M --only cycle", see bench/main.c); BENCH_PARAMS sets the
# module's parameters; BENCH_OUT replaces the docs/bench destination;
# KVM=1 boots under KVM instead of TCG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

flavor=${1:-peer}
start=$(date +%s)
say "[1/5] packages"
"$here/deps.sh" check bench
[ "$flavor" = stock ] || "$here/deps.sh" kernel

say "[2/5] kernel ($flavor) and module"
kdir=$("$here/vm/kernel.sh" "$flavor")
ko=$("$here/vm/build-module.sh" "$kdir")

say "[3/5] benchmark"
make -s -C "$root/bench" >/dev/null
payload=$root/build/payload/bench-$flavor
rm -rf "$payload"
mkdir -p "$payload/bin"
cp "$root/build/bench/dmabuf-bench" "$payload/bin/"

accel=tcg kvm=()
if [ "${KVM:-0}" != 0 ]; then
	accel=kvm kvm=(--kvm)
fi
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
dest=${BENCH_OUT:-$root/docs/bench}
[ "$flavor" = peer ] || [ -n "${BENCH_OUT:-}" ] || dest=$dest/$flavor
# One guest output directory per destination: runs do not overwrite another's.
out=$root/build/bench-out/$flavor-$(basename "$dest")
say "[4/5] dmabuf-bench on $(cat "$kdir/kver") ($accel; about 6 minutes under TCG)"
# 3 GiB: the peer kernel reserves 320 MiB for CMA, the scale test holds a
# quarter of RAM in live buffers, and the module's default cache_size (an
# eighth of total_limit, at most 64 MiB) is 64 MiB only above 2 GiB.
# shellcheck disable=SC2086 # BENCH_ARGS is a list of words
"$here/vm/run.sh" "${kvm[@]}" --kernel-dir "$kdir" --module "$ko" \
	--module-params "${BENCH_PARAMS:-}" --mem 3G --smp 2 \
	--payload "$payload" --out "$out" --timeout 5400 \
	-- dmabuf-bench --accel "$accel" --host-cpu "${host_cpu:-unknown}" \
	${BENCH_ARGS:-} ||
	die "the benchmark failed; nothing written (guest output: $out/tests.log)"

say "[5/5] report in ${dest#"$root"/}"
"$root/bench/report.sh" "$out/tests.log" "$dest"
say "make bench ($flavor) finished in $(( $(date +%s) - start ))s"
