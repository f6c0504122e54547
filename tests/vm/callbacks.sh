#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (busybox sh): which importer reached which of the
# exporter's callbacks while the suites ran.
#   callbacks.sh start    a kprobe event on every callback the loaded module
#                         has, each with a histogram keyed on the caller's
#                         stack (survives rmmod/insmod of the module)
#   callbacks.sh report   per callback, the first callers outside dma-buf
#                         core and the exporter, with their module and hit
#                         count; a callback nothing reached is a SKIP line.
# Exit status of report: the number of callbacks nothing reached.
T=/sys/kernel/tracing
MOD=dmabuf_exporter
# callback name:function in the module.  huge_fault exists only where the
# kernel can map PFNs with PMDs; a callback the build lacks is reported as
# such, not as a skip.
CALLBACKS="attach:dmabuf_exporter_attach detach:dmabuf_exporter_detach
map_dma_buf:dmabuf_exporter_map_dma_buf unmap_dma_buf:dmabuf_exporter_unmap_dma_buf
begin_cpu_access:dmabuf_exporter_begin_cpu_access end_cpu_access:dmabuf_exporter_end_cpu_access
mmap:dmabuf_exporter_mmap vmap:dmabuf_exporter_vmap vunmap:dmabuf_exporter_vunmap
release:dmabuf_exporter_release fault:dmabuf_exporter_fault
huge_fault:dmabuf_exporter_huge_fault"

tracefs() {
	[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
	[ -w $T/kprobe_events ]
}

start() {
	tracefs || { echo "callbacks: SKIP no kprobe events in this kernel"; return 0; }
	# Plain int3 kprobes: the stack of an optimized one (a jump into a
	# trampoline) does not unwind past the trampoline on some kernels,
	# which would leave every caller unknown.
	if [ -w /proc/sys/debug/kprobes-optimization ]; then
		echo 0 > /proc/sys/debug/kprobes-optimization
	fi
	for cb in $CALLBACKS; do
		name=${cb%%:*} fn=${cb#*:}
		# A function this build lacks is refused here: no probe, and
		# report says "not built".  (Asking /proc/kallsyms first cost
		# about 4 s a callback under TCG: it formats every symbol.)
		echo "p:dmabufcb/$name $MOD:$fn" >> $T/kprobe_events 2>/dev/null ||
			continue
		# The key's name changed in 6.5; older kernels take the old one.
		echo 'hist:keys=common_stacktrace:size=256' \
			> $T/events/dmabufcb/$name/trigger 2>/dev/null ||
			echo 'hist:keys=stacktrace:size=256' \
				> $T/events/dmabufcb/$name/trigger ||
			echo "callbacks: no histogram for $name"
		echo 1 > $T/events/dmabufcb/$name/enable
	done
}

# One line per distinct caller: "count function [module]", from the
# histogram of one event.  The caller is the first frame that is neither
# the exporter, dma-buf core, nor tracing/entry code.
callers() {
	awk -v syms=/tmp/callbacks-modsyms '
	BEGIN {
		while ((getline line < syms) > 0) {
			split(line, p, /[ \t]+/)
			mod[p[3]] = p[4]
		}
	}
	/stacktrace:/ { inkey = 1; who = ""; next }
	inkey && /hitcount:/ {
		n = $0; sub(/.*hitcount: */, "", n); sub(/ .*/, "", n)
		if (who == "") who = "(no caller outside dma-buf)"
		count[who] += n; inkey = 0; next
	}
	inkey && who == "" {
		f = $1; sub(/\+.*/, "", f)
		if (f ~ /^(0x|dmabuf_exporter_|dma_buf|__dma_buf|__map_dma_buf|__unmap_dma_buf|kprobe|kretprobe|__kprobe|optimized_callback|opt_pre_handler|optprobe|trace_|ftrace|arch_ftrace|aggr_|perf_|asm_exc_|exc_int3|do_int3)/) next
		if (f == "") next
		who = f (f in mod ? " " mod[f] : "")
	}
	END { for (w in count) printf "%d %s\n", count[w], w }' "$1" |
		sort -rn | head -n 4
}

report() {
	skipped=0
	echo "=== callbacks reached on $(uname -r) (caller: hits)"
	if ! tracefs || ! grep -q dmabufcb $T/kprobe_events 2>/dev/null; then
		echo "callbacks: SKIP cannot trace callbacks on this kernel (no kprobe events)"
		return 0
	fi
	# Module symbols only: a caller not among them is built in.
	grep '	\[' /proc/kallsyms > /tmp/callbacks-modsyms
	for cb in $CALLBACKS; do
		name=${cb%%:*}
		hist=$T/events/dmabufcb/$name/hist
		if [ ! -f "$hist" ]; then
			echo "  $name: not built for this kernel"
			continue
		fi
		out=$(callers "$hist")
		if [ -z "$out" ]; then
			echo "  $name: SKIP nothing reached it on this kernel"
			skipped=$((skipped + 1))
			continue
		fi
		echo "$out" | while read -r n who; do
			echo "  $name: $who: $n"
		done
	done
	for cb in $CALLBACKS; do
		e=$T/events/dmabufcb/${cb%%:*}/enable
		[ ! -f "$e" ] || echo 0 > "$e"
	done
	echo "callbacks: $skipped not reached"
	return $skipped
}

case $1 in
start) start ;;
report) report ;;
*) echo "usage: callbacks.sh start|report" >&2; exit 2 ;;
esac
