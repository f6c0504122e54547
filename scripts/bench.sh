#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the exporter against memfd, udmabuf and the dma-buf heaps,
# several boots per kernel, written to docs/bench/<kernel>/ (results.tsv
# with every number, results.md with what holds across the boots and each
# boot's tables, chart.png) and printed.
#   usage: scripts/bench.sh [KERNEL...]   (default: $KERNELS, else 6.12 sid)
# KERNEL is any name scripts/vm/kernel.sh takes: 6.12 and sid are Debian's
# stock kernels of the matrix, which build udmabuf and the system heap in;
# stock (Debian 12's 6.1) has neither, peer (6.1 built with
# tests/kernels/peer.config) adds the CMA heap.
# Each kernel boots BOOTS times (default 3) with 2 vCPUs and BOOTS times
# with 1 vCPU, alternating (2, 1, 2, 1, ...).  A 2-vCPU boot runs
# everything, a 1-vCPU boot the frame loop (with its CPU time per cycle),
# its steps and the remap; each boot then reloads the module with
# cache_size=0 and runs the frame loop and remap again: those go to
# docs/bench/<kernel>/no-cache/.  A last, one-vCPU boot profiles the
# 64 KiB frame loop of the exporter and the system heap with ftrace:
# docs/bench/<kernel>/profile-64k.md.
# Before each boot the host must be idle (see idle_check below), or the
# run stops; BENCH_ALLOW_BUSY=1 measures anyway and marks every result
# file "machine not idle".
# Environment: BOOTS (boots per vCPU count, default 3); BENCH_ARGS adds
# dmabuf-bench arguments (e.g. "--quick", "--sizes 64K,1M --only frame",
# see bench/main.c); BENCH_OUT replaces the docs/bench destination;
# BENCH_APPEND adds kernel arguments (e.g. "cma=256M" for a CMA heap on a
# kernel that has one); KVM=1 boots under KVM instead of TCG;
# BENCH_IDLE_MAX_BUSY (percent of all host CPUs, default 10) and
# BENCH_IDLE_SECONDS (default 5) set the idle check; BENCH_ALLOW_BUSY=1
# overrides it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

# shellcheck disable=SC2206 # a list of kernel names
kernels=(${*:-${KERNELS:-6.12 sid}})
boots=${BOOTS:-3}
[[ $boots =~ ^[1-9][0-9]*$ ]] || die "BOOTS must be a positive number, not '$boots'"
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

# The host's busy and total CPU time so far (all CPUs, /proc/stat ticks).
host_cpu_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9,
		$2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat
}

# idle_check WHAT: before a boot, the host must be idle: over
# BENCH_IDLE_SECONDS, at most BENCH_IDLE_MAX_BUSY percent of all its CPUs'
# time busy, and no qemu-system process running (another VM competes for
# the same cores even when it idles between bursts).  The 1-minute load
# average is not the test: it still counts the previous boot for a minute
# or two after it ended.  Sets host_state to "idle" or "not idle: why";
# stops the run unless BENCH_ALLOW_BUSY=1.
host_state=idle
idle_check() {
	local what=$1 secs=${BENCH_IDLE_SECONDS:-5} max=${BENCH_IDLE_MAX_BUSY:-10}
	local b0 t0 b1 t1 busy qemus running="" i why=""
	read -r b0 t0 < <(host_cpu_ticks)
	for ((i = 0; i < secs; i++)); do
		sleep 1
		running+=$(ps -eo stat=,pid=,comm= |
			awk '$1 ~ /^R/ && $3 != "ps" { print $2, $3 }')$'\n'
	done
	read -r b1 t1 < <(host_cpu_ticks)
	busy=$((t1 > t0 ? 100 * (b1 - b0) / (t1 - t0) : 0))
	running=$(sort -u <<< "$running" | sed '/^$/d' | head -n 8 |
		paste -sd ',' | sed 's/,/, /g')
	qemus=$(pgrep -l qemu-system | paste -sd ',' | sed 's/,/, /g' || true)
	if [ "$busy" -gt "$max" ]; then
		why="${busy}% of the host's CPU time busy over ${secs}s (at most ${max}%, BENCH_IDLE_MAX_BUSY); running: ${running:-nothing seen}"
	fi
	if [ -n "$qemus" ]; then
		why="${why:+$why; }other VMs running: $qemus"
	fi
	host_state=idle
	[ -z "$why" ] && return 0
	why="$why; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
	if [ "${BENCH_ALLOW_BUSY:-0}" != 0 ]; then
		say "warning: machine not idle before $what: $why; measuring anyway (BENCH_ALLOW_BUSY), the results say so"
		host_state="not idle: $why"
		return 0
	fi
	die "machine not idle before $what: $why.  Stop what runs there and try again, or set BENCH_ALLOW_BUSY=1 to measure anyway (the results then say \"machine not idle\" and are no claims)."
}

# boot_one KDIR KO PAYLOAD OUT VCPUS NAME: one measured boot; its output
# split by phase into OUT/phase-*.log, each starting with the boot's line
# for bench/report.sh.
boot_one() {
	local kdir=$1 ko=$2 payload=$3 out=$4 vcpus=$5 name=$6 only=()
	# A 1-vCPU boot measures what the zeroing worker could hide on a
	# second CPU; BENCH_ARGS, coming after, may narrow it further.
	[ "$vcpus" = 1 ] && only=(--only "frame,steps,remap")
	# 3 GiB: the scale test holds a quarter of RAM in live buffers, and the
	# module's default cache_size (an eighth of total_limit, at most 64 MiB)
	# is 64 MiB only above 2 GiB.
	# A host thread per vCPU: the cache's zeroing worker really runs beside
	# the frame loop, as on hardware.
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of words
	"$here/vm/run.sh" "${kvm[@]}" --tcg-threads --kernel-dir "$kdir" --module "$ko" \
		--mem 3G --smp "$vcpus" --append "${BENCH_APPEND:-}" \
		--payload "$payload" --out "$out" --timeout 3600 \
		-- sh /payload/guest.sh --accel "$accel" \
		--host-cpu "${host_cpu:-unknown}" "${only[@]}" ${BENCH_ARGS:-} ||
		die "the benchmark on $name failed; nothing written (guest output: $out/tests.log)"
	tr -d '\r' < "$out/tests.log" | awk -v dir="$out" -v OFS='\t' \
		-v boot="$name" -v vcpus="$vcpus" -v host="$host_state" '
		$1 == "@@BENCH-PHASE" {
			phase = $2
			print "@@BENCH-BOOT", boot, vcpus, host > (dir "/phase-" phase ".log")
			next
		}
		phase != "" { print > (dir "/phase-" phase ".log") }'
}

# bench_one KERNEL: the boots, the profile, the reports.
bench_one() {
	local name=$1 kdir ko payload out dest i vcpus boot logs=() nocache=()
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
	rm -rf "$out"
	for ((i = 1; i <= boots; i++)); do
		for vcpus in 2 1; do
			boot=${vcpus}cpu-$i
			idle_check "$name boot $boot"
			say "[3/3] dmabuf-bench on $(cat "$kdir/kver"), boot $boot ($vcpus vCPU, $accel; under TCG on an idle 2-core host about 6 minutes with 2 vCPUs and 4.5 with 1 for --only frame,steps,remap, more with everything)"
			boot_one "$kdir" "$ko" "$payload" "$out/$boot" "$vcpus" "$boot"
			logs+=("$out/$boot/phase-default.log")
			nocache+=("$out/$boot/phase-no-cache.log")
		done
	done
	"$root/bench/report.sh" "$dest" "${logs[@]}"
	"$root/bench/report.sh" "$dest/no-cache" "${nocache[@]}"
	# The profile boots on its own with one vCPU (see bench/profile.sh).
	idle_check "$name profile"
	say "ftrace profile of the 64 KiB frame loop on $(cat "$kdir/kver") (one vCPU)"
	"$here/vm/run.sh" "${kvm[@]}" --kernel-dir "$kdir" --module "$ko" \
		--mem 1G --smp 1 --payload "$payload" --out "$out/profile" \
		--timeout 900 -- sh /payload/profile.sh 64K 4 exporter heap-system ||
		die "the profile on $name failed (guest output: $out/profile/tests.log)"
	{
		if [ "$host_state" != idle ]; then
			echo "**Machine not idle** (BENCH_ALLOW_BUSY=1): ${host_state#not idle: }"
			echo
		fi
		awk -f "$root/bench/median.awk" -f "$root/bench/profile.awk" "$out/profile/tests.log"
	} > "$dest/profile-64k.md"
}

for k in "${kernels[@]}"; do
	bench_one "$k"
done
say "make bench (${kernels[*]}) finished in $(( $(date +%s) - start ))s"
