#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exercise both sides of every kernel API probe in Kbuild (exporter/compat.h
# says what each selects) with only one kernel's headers at hand.
#   usage: scripts/compat-check.sh [KDIR]   (default: the stock Debian headers)
#
# 1. Build against KDIR as it is and show which variant each probe chose.
# 2. For each probe, build against a shadow copy of the headers (a tree of
#    symlinks, with the probed header replaced by an edited real file) that
#    carries the newer kernel's declaration, in upstream's own wording, so
#    the probe flips; check the flag reached the compiler and the build is
#    clean with W=1.
# 3. Where the newer kernel also breaks the older variant, a control build
#    with that break but without the probe's trigger must fail: proof the
#    variant build above did not pass by accident.
# Builds run in scratch copies; KDIR and the work tree are never written.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"

kdir=${1:-/lib/modules/$(stock_kver)/build}
kdir=$(cd "$kdir" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# Debian splits its headers: KDIR's Makefile only includes the common tree
# (the srctree, where include/linux lives).  Other trees are their own.
srctree=$(sed -n '1s|^include \(/.*\)/Makefile$|\1|p' "$kdir/Makefile")
srctree=${srctree:-$kdir}

# shadow_headers DIR: KDIR (and a separate srctree) as symlink trees in DIR,
# with real Makefiles so kbuild computes its paths inside DIR.
shadow_headers() {
	local d=$1
	cp -rs "$kdir/." "$d/obj"
	if [ "$srctree" = "$kdir" ]; then
		cp --remove-destination "$kdir/Makefile" "$d/obj/Makefile"
		echo "$d/obj"
		return
	fi
	cp -rs "$srctree/." "$d/src"
	cp --remove-destination "$srctree/Makefile" "$d/src/Makefile"
	sed "1s|^include .*/Makefile$|include $d/src/Makefile|" "$kdir/Makefile" \
		> "$d/obj/Makefile.new"
	mv "$d/obj/Makefile.new" "$d/obj/Makefile"
}

# src_of DIR: where include/linux lives in a shadow made by shadow_headers.
src_of() {
	if [ "$srctree" = "$kdir" ]; then echo "$1/obj"; else echo "$1/src"; fi
}

# edit DIR HEADER SED-SCRIPT: replace the header's link by an edited copy
# of the original (a second edit of one header replaces the first).
edit() {
	local f orig=$srctree/include/$2
	f=$(src_of "$1")/include/$2
	sed "$3" "$orig" > "$f.new"
	! cmp -s "$f.new" "$orig" || die "edit of $2 changed nothing"
	mv "$f.new" "$f"
}

# build KDIR NAME: build the module against KDIR in a fresh copy; prints the
# build dir.  Fails (status 1) when the build fails or warns.
build() {
	local k=$1 out=$tmp/build-$2
	rm -rf "$out"
	mkdir -p "$out/include/uapi/linux"
	cp -a "$root/Kbuild" "$root/exporter" "$out/"
	rm -f "$out"/exporter/*.o "$out"/exporter/.*.cmd
	cp "$root/include/uapi/linux/dmabuf_exporter.h" "$out/include/uapi/linux/"
	echo "$out"
	# MODPOST_WARN: the edited headers declare functions the kernel does
	# not export; modpost may only warn (in capitals, so not matched).
	make -s -C "$k" M="$out" W=1 ${MODPOST_WARN:+KBUILD_MODPOST_WARN=1} \
		modules > "$out/build.log" 2>&1 &&
		! grep -qE 'warning:|error:' "$out/build.log"
}

# Probe macros that reached the compiler for exporter/main.o.
flags_of() {
	{ grep -o -- '-DDMABUF_EXPORTER_HAVE_[A-Z_]*' "$1/exporter/.main.o.cmd" || :; } |
		sort -u | sed 's/^-D//' | paste -sd' '
}

pass() { echo "  PASS: $*"; }
fail() { echo "  FAIL: $*"; failures=$((failures + 1)); }

say "compat check against $kdir (srctree $srctree)"
echo "== stock headers"
if out=$(build "$kdir" stock); then
	chosen=$(flags_of "$out")
	pass "builds clean with W=1; probes set: ${chosen:-none}"
else
	cat "$out/build.log"
	die "the module does not build cleanly against $kdir"
fi

# probe MACRO TITLE HEADER SED-EDIT [CONTROL-HEADER CONTROL-EDIT ...]
# Flip one probe: with the edit the macro must be set and the build clean;
# with only the control edits (the newer kernel's break, no trigger) the
# build must fail.
probe() {
	local macro=$1 title=$2 header=$3 sedit=$4 d out
	shift 4
	echo "== $macro: $title"
	case " $chosen " in
	*" $macro "*) echo "  stock headers: newer variant (macro set)" ;;
	*) echo "  stock headers: older variant (macro unset)" ;;
	esac
	d=$tmp/shadow-$macro
	mkdir -p "$d"
	shadow_headers "$d" > /dev/null
	local controls=$#
	while [ $# -ge 2 ]; do
		edit "$d" "$1" "$2"
		shift 2
	done
	if [ "$controls" -gt 0 ]; then
		if out=$(build "$d/obj" "$macro-control"); then
			fail "control: the older variant still builds against the newer kernel's break"
		else
			pass "control: without the probe's trigger the build fails ($(grep -m1 -E 'error:' "$out/build.log" | sed 's/.*error: //'))"
		fi
	fi
	edit "$d" "$header" "$sedit"
	if ! out=$(build "$d/obj" "$macro"); then
		sed 's/^/    /' "$out/build.log"
		fail "does not build cleanly with the newer declaration"
		return
	fi
	case " $(flags_of "$out") " in
	*" $macro "*) pass "edited $header: probe set $macro, builds clean with W=1" ;;
	*) fail "edited $header, but $macro was not set" ;;
	esac
	[ "$macro" != DMABUF_EXPORTER_HAVE_STRING_IMPORT_NS ] ||
		check_import_ns "$out"
}

check_import_ns() {
	local ns
	ns=$(modinfo -F import_ns "$1/dmabuf_exporter.ko")
	if [ "$ns" = DMA_BUF ]; then
		pass "modinfo import_ns: $ns"
	else
		fail "modinfo import_ns is '$ns', not DMA_BUF"
	fi
}

# 6.3+: vm_flags is a const member beside __vm_flags, written only through
# vm_flags_set().  Upstream's declaration, verbatim.
vm_union='s|^\tunsigned long vm_flags;\t\t/\* Flags, see mm.h. \*/$|\tunion {\n\t\tconst vm_flags_t vm_flags;\n\t\tvm_flags_t __private __vm_flags;\n\t};|'
vm_set='/^#endif \/\* _LINUX_MM_H \*\/$/i\
static inline void vm_flags_set(struct vm_area_struct *vma,\
\t\t\t\tvm_flags_t flags)\
{\
\tmmap_assert_write_locked(vma->vm_mm);\
\tACCESS_PRIVATE(vma, __vm_flags) |= flags;\
}\
\
static inline void vm_flags_clear(struct vm_area_struct *vma,\
\t\t\t\t  vm_flags_t flags)\
{\
\tmmap_assert_write_locked(vma->vm_mm);\
\tACCESS_PRIVATE(vma, __vm_flags) \&= ~flags;\
}\
'
probe DMABUF_EXPORTER_HAVE_VM_FLAGS_SET "vm_flags_set() (6.3+)" \
	linux/mm.h "$vm_set" linux/mm_types.h "$vm_union"

# 6.13+: namespaces are string literals.  The control spells the new macro
# so the probe misses it: MODULE_IMPORT_NS(DMA_BUF) must then fail.
ns_old='^#define MODULE_IMPORT_NS(ns)\tMODULE_INFO(import_ns, __stringify(ns))$'
probe DMABUF_EXPORTER_HAVE_STRING_IMPORT_NS "MODULE_IMPORT_NS(\"DMA_BUF\") (6.13+)" \
	linux/module.h "s|$ns_old|#define MODULE_IMPORT_NS(ns)\tMODULE_INFO(import_ns, ns)|" \
	linux/module.h "s|$ns_old|#define MODULE_IMPORT_NS(ns) \\\\\n\tMODULE_INFO(import_ns, ns)|"

# 6.2+: map/unmap/mmap/vmap/vunmap run under dmabuf->resv.  Only the
# assertion changes, and it type-checks even without lockdep; no control:
# nothing in a 6.2 header breaks the 6.1 variant.
probe DMABUF_EXPORTER_HAVE_RESV_LOCKING "dma-buf locking convention (6.2+)" \
	linux/dma-buf.h '/^int dma_buf_vmap(struct dma_buf \*dmabuf, struct iosys_map \*map);$/a\
int dma_buf_vmap_unlocked(struct dma_buf *dmabuf, struct iosys_map *map);'

# 6.7+: shrinkers are allocated by the core; register_shrinker() is gone
# (the control).  Upstream's declarations, verbatim.  They are real
# functions this kernel does not export: modpost may only warn.
shrinker_new='/^extern void unregister_shrinker(struct shrinker \*shrinker);$/a\
struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...);\
void shrinker_register(struct shrinker *shrinker);\
void shrinker_free(struct shrinker *shrinker);'
MODPOST_WARN=1 probe DMABUF_EXPORTER_HAVE_SHRINKER_ALLOC "shrinker_alloc() (6.7+)" \
	linux/shrinker.h "$shrinker_new" \
	linux/shrinker.h '/^extern int __printf(2, 3) register_shrinker(struct shrinker \*shrinker,$/,+1d'

echo "== not probed (docs/compat.md says why): iosys_map (5.18+), faux device (6.14+),"
echo "   cache_sgt_mapping (never used), MAX_ORDER redefinition (6.4, 6.8)"
if [ $failures -gt 0 ]; then
	say "compat check: FAIL ($failures)"
	exit 1
fi
say "compat check: PASS"
