#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the bench VM: where a 64 KiB frame-loop cycle spends its time
# in the kernel, per provider, with ftrace's function_graph tracer limited
# to a few call levels under each system call and page fault of one
# dmabuf-bench process, then a second run traced from dma_buf_export()
# down.  Prints each trace between "@@PROFILE name" (or "@@PROFILE name
# dma_buf_export") and "@@PROFILE-END" lines.
# Boot it with one vCPU: switching tracers patches kernel text, and under
# QEMU TCG another vCPU can execute a half-patched call (seen as "Oops:
# int3" in _raw_spin_unlock on 6.12 with two vCPUs).
#   usage: profile.sh SIZE DEPTH PROVIDER...
set -e
size=$1 depth=$2
shift 2
t=/sys/kernel/tracing
[ -e $t/current_tracer ] || mount -t tracefs nodev $t 2>/dev/null ||
	t=/sys/kernel/debug/tracing
[ -e $t/current_tracer ] || { echo "profile.sh: no tracefs"; exit 1; }
# trace ROOTS DEPTH PROVIDER [SLEEP-TIME]: one run of the bench, traced
# from ROOTS down.  SLEEP-TIME 0 leaves out of each function's time what
# other tasks ran while this one was switched out (ftrace's default, 1,
# counts it).
trace() {
	echo 0 > $t/tracing_on
	echo "${4:-1}" > $t/options/sleep-time 2>/dev/null || true
	echo nop > $t/current_tracer
	echo > $t/trace
	echo 8192 > $t/buffer_size_kb
	echo "$1" > $t/set_graph_function
	echo "$2" > $t/max_graph_depth
	echo function_graph > $t/current_tracer
	echo 1 > $t/options/funcgraph-abstime 2>/dev/null || true
	# Only this process (the exec keeps the pid) and only once it runs.
	sh -c "echo \$\$ > $t/set_ftrace_pid; echo 1 > $t/tracing_on;
		exec dmabuf-bench --only steps --sizes $size --rounds 1 \
		--frames 4 --providers $3" > /dev/null
	echo 0 > $t/tracing_on
}
for p in "$@"; do
	trace "__x64_sys_ioctl __x64_sys_mmap __x64_sys_munmap __x64_sys_close handle_mm_fault" \
		"$depth" "$p"
	echo "@@PROFILE $p"
	cat $t/trace
	echo "@@PROFILE-END"
	# Two more runs from dma_buf_export down, three levels deep: where the
	# dma-buf's own creation goes (issue 21: 124.6 us for the exporter,
	# 40.3 for the system heap on 6.12), first counting the time other
	# tasks ran while the bench was switched out in it (the cache's
	# zeroing kworker shares this one vCPU), then without it.
	trace dma_buf_export 3 "$p"
	echo "@@PROFILE $p dma_buf_export"
	cat $t/trace
	echo "@@PROFILE-END"
	trace dma_buf_export 3 "$p" 0
	echo "@@PROFILE $p dma_buf_export on-cpu"
	cat $t/trace
	echo "@@PROFILE-END"
done
echo 1 > $t/options/sleep-time 2>/dev/null || true
echo nop > $t/current_tracer
echo > $t/set_ftrace_pid
