#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel in QEMU with a busybox initramfs holding the exporter module
# and a payload directory, run one command inside, and report.
#
# usage: run.sh --kernel-dir DIR [--payload DIR] [--module KO]
#               [--modules "m1 m2"] [--module-params "k=v ..."]
#               [--module-option "MODULE k=v ..."]...
#               [--timeout SECONDS] [--mem SIZE] [--smp N] [--kvm]
#               [--tcg-threads (a host thread per vCPU: benchmarks)]
#               [--append "kernel args"] [--qemu-arg ARG]...
#               [--expect-report REGEX] [--out DIR] -- COMMAND...
#
# --qemu-arg adds one argument to the QEMU command line (devices, machine
# properties: QEMU merges repeated -machine options).  --expect-report
# accepts one kernel report (a "cut here" ... "end trace" block) whose text
# matches REGEX: the one a topology is known to produce (scripts/vm/
# topology.sh).  It is cut out of the checked log and listed in
# expected.log and on stderr; a second matching block, or any other
# report, still fails the run.
#
# The kernel dir is what stock-kernel.sh or kernel.sh prints: files vmlinuz,
# kver, moddir (module tree, may be missing) and kdir.  Exit status: the
# command's status, or 1 when the guest crashed, hung (killed after
# --timeout) or its kernel log holds an oops, BUG, WARNING, "Bad page",
# KASAN, lockdep, kmemleak, DMA-API report, DMAR or IOMMU fault, or a deprecation notice that
# names the exporter.  This runner knows nothing of
# what the command tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

kdir="" payload="" module="" modules="" params="" timeout=300 options=""
mem=1G smp=2 append="" out="" expect=""
# One host thread runs every vCPU in turn (thread=single).  With a thread
# per vCPU, a vCPU can run code another vCPU is patching: 6.12 took an
# int3 Oops in run_timer_softirq while boot flipped a static key, on a
# loaded host.  Two vCPUs still interleave, so races stay reachable.
accel=tcg,thread=single
qemu_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-dir) kdir=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--module-params) params=$2; shift 2 ;;
	--module-option) options+="$2"$'\n'; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--kvm) accel=kvm; shift ;;
	--tcg-threads) [ "$accel" = kvm ] || accel=tcg,thread=multi; shift ;;
	--append) append=$2; shift 2 ;;
	--qemu-arg) qemu_args+=("$2"); shift 2 ;;
	--expect-report) expect=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--) shift; break ;;
	*) die "run.sh: unknown argument '$1' (see the usage at the top of $0)" ;;
	esac
done
[ $# -gt 0 ] || die "run.sh: no command given after --"
[ -f "$kdir/vmlinuz" ] || die "run.sh: no kernel image in '$kdir'"
kver=$(cat "$kdir/kver")
out=${out:-$(mktemp -d)}
mkdir -p "$out"

# Resolve modules to .ko paths in load order with the host's modprobe,
# skipping the ones built into this kernel.
resolve_modules() {
	local moddir m
	moddir=$(cat "$kdir/moddir" 2>/dev/null || true)
	for m in $modules; do
		if [ -n "$moddir" ] && grep -qs "/$m.ko" "$moddir/modules.builtin"; then
			continue
		fi
		[ -n "$moddir" ] || die "module $m wanted but kernel has no module tree"
		modprobe -d "${moddir%/lib/modules/*}" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }' ||
			die "cannot resolve kernel module $m for $kver"
	done | awk '!seen[$0]++'
}

build_initramfs() {
	local root=$out/initramfs ko
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc/vm,proc,sys,dev,tmp,run,payload,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	install -m 755 "$here/init" "$root/init"
	[ -z "$payload" ] || cp -a "$payload/." "$root/payload/"
	[ -z "$module" ] || cp "$module" "$root/payload/dmabuf_exporter.ko"
	echo "$params" > "$root/etc/vm/module-params"
	printf '%s' "$options" > "$root/etc/vm/module-options"
	printf '%q ' "$@" > "$root/etc/vm/cmd"
	: > "$root/etc/vm/modules"
	for ko in $(resolve_modules); do
		mkdir -p "$root/lib/modules/kernel"
		# busybox insmod cannot read compressed modules (sid ships .ko.xz).
		case $ko in
		*.ko.xz) xz -dc "$ko" > "$root/lib/modules/kernel/$(basename "$ko" .xz)" ;;
		*.ko.zst) zstd -qdc "$ko" > "$root/lib/modules/kernel/$(basename "$ko" .zst)" ;;
		*) cp "$ko" "$root/lib/modules/kernel/" ;;
		esac
		ko=$(basename "$ko")
		echo "/lib/modules/kernel/${ko%.ko*}.ko" >> "$root/etc/vm/modules"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz"
}

# --module-option lines as kernel parameters (NAME.key=value): a module
# built into the kernel only sees its options there; init passes the same
# options to insmod for a loadable one.
builtin_options() {
	local name opt
	printf '%s' "$options" | while read -r name opt_line; do
		for opt in $opt_line; do
			printf '%s.%s ' "$name" "$opt"
		done
	done
}

# Every report the kernel's checkers print starts with one of these.
BAD_LOG='Oops|BUG:|WARNING:|Bad page|refcount_t:|KASAN|kmemleak:.*unreferenced|'\
'possible circular locking|possible recursive locking|inconsistent lock state|'\
'DMA-API:|general protection fault|Kernel panic|UBSAN|list_add corruption|'\
'list_del corruption|blocked for more than|soft lockup|Call Trace:|'\
'suspected memory leak|detected stall|'\
'DMAR: DRHD: handling fault|DMAR: \[(DMA|INTR)|fault from EP|AMD-Vi: Event logged|'\
'IO_PAGE_FAULT'
# Lines BAD_LOG matches that are no report: DMA-API debug's boot banner.
BENIGN_LOG='DMA-API: preallocated [0-9]+ debug entries|'\
'DMA-API: debugging enabled by kernel config'

# A deprecation notice that names one of our modules fails the run too: it
# is the kernel saying the next release will break us.
deprecations() {
	local names
	names=$(basename "${module:-dmabuf_exporter}" .ko)
	grep -aEn '[Dd]eprecat' "$out/console.log" | grep -aE "$names|dmabuf_exporter|dmabuf-exporter"
}

# The kernel log without the one expected report (--expect-report): a
# report block runs from "cut here" to "end trace"; the first block that
# matches goes to expected.log instead.  Line numbers stay the log's own.
checked_log() {
	EXPECT_RE=$expect awk -v dest="$out/expected.log" '
		BEGIN { re = ENVIRON["EXPECT_RE"] }
		function flush(   i) {
			if (re != "" && !taken && block ~ re) {
				taken = 1
				for (i = 1; i <= n; i++) print lines[i] > dest
			} else {
				for (i = 1; i <= n; i++) print lines[i]
			}
			n = 0; block = ""; inblock = 0
		}
		{ sub(/\r$/, ""); line = NR ":" $0 }
		/-+\[ cut here \]-+/ { if (inblock) flush(); inblock = 1 }
		inblock { lines[++n] = line; block = block "\n" $0
			if ($0 ~ /---\[ end trace/) flush(); next }
		{ print line }
		END { if (inblock) flush() }' "$out/console.log"
}

check_kernel_log() {
	rm -f "$out/expected.log"
	{
		checked_log | grep -aE "^[0-9]+:.*($BAD_LOG)" | grep -avE "$BENIGN_LOG"
		deprecations
	} > "$out/bad.log" || true
	if [ -s "$out/expected.log" ]; then
		say "the expected kernel report ($expect) was seen and accepted ($out/expected.log):"
		grep -aE "$BAD_LOG|$expect" "$out/expected.log" | head -n 3 >&2
	fi
	if [ -s "$out/bad.log" ]; then
		say "guest kernel log has reports (full log: $out/console.log):"
		head -n 40 "$out/bad.log" >&2
		return 1
	fi
}

# no5lvl on a KASAN kernel: -cpu max offers LA57, and with 5-level paging
# KASAN's idea of where kernel memory starts follows the LA57 bit in
# boot_cpu_data, which identify_cpu() clears and sets again early in boot.
# An interrupt in between made KASAN call the IRQ descriptor's lock a
# "wild-memory-access" (7.2.13-dmabuf-debug at 0.004 s, in
# handle_edge_irq(); once in about 30 boots of check-debug's second
# guest, long before any module of ours loads).  4-level paging, as on
# most machines, has no such window.
kasan_append() {
	local build
	build=$(cat "$kdir/kdir" 2>/dev/null) || return 0
	if grep -qs '^CONFIG_KASAN=y' "$build/.config"; then
		printf 'no5lvl '
	fi
}

# no_timer_check: the kernel's early test that the IO-APIC timer ticks
# waits a few milliseconds of the guest's own delay loop, which a TCG vCPU
# on a loaded host can outrun; behind intel-iommu's interrupt remapping it
# then panics ("timer doesn't work through Interrupt-remapped IO-APIC":
# 6.12+iommu, once in the loaded make check runs of issue 20).  KVM
# guests skip the same test for the same reason (arch/x86/kernel/kvm.c).
boot() {
	local qemu_pid tail_pid status
	: > "$out/tests.log"
	timeout --foreground -k 5 "$timeout" qemu-system-x86_64 \
		-machine q35 "${qemu_args[@]}" -accel "$accel" -cpu max -smp "$smp" -m "$mem" \
		-kernel "$kdir/vmlinuz" -initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyS0 loglevel=7 panic=-1 oops=panic no_timer_check rdinit=/init $(kasan_append)$(builtin_options) $append" \
		-display none -monitor none -no-reboot -nodefaults \
		-serial "file:$out/console.log" -serial "file:$out/tests.log" &
	qemu_pid=$!
	tail -n +1 -F --pid=$qemu_pid "$out/tests.log" 2>/dev/null | grep -v '^@@VM-EXIT' &
	tail_pid=$!
	status=0
	wait $qemu_pid || status=$?
	# Let the live copy of the test log drain before reporting.
	wait "$tail_pid" || true
	[ "$status" != 124 ] || say "guest did not finish within ${timeout}s: killed"
	return 0
}

say "building initramfs ($kver)"
build_initramfs "$@"
say "booting $kver under $accel (timeout ${timeout}s; kernel log: $out/console.log)"
start=$(date +%s)
boot
guest_status=$(sed -n 's/^@@VM-EXIT \([0-9]*\).*/\1/p' "$out/tests.log" | tail -n 1)
say "guest finished in $(( $(date +%s) - start ))s"
rc=0
if [ -z "$guest_status" ]; then
	say "guest crashed or hung: no exit status (kernel log: $out/console.log)"
	tail -n 30 "$out/console.log" >&2
	rc=1
elif [ "$guest_status" != 0 ]; then
	say "command failed in the guest with status $guest_status"
	rc=$guest_status
fi
check_kernel_log || rc=1
[ "$rc" = 0 ] && say "kernel log clean"
exit "$rc"
