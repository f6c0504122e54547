#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: the kernel's own checkers on the module, the project's on the
# userspace code.  One finding fails its check; every check runs and prints
# its name and result, and the exit status is 1 when any check failed.
#   usage: scripts/lint.sh [CHECK...]   (default: all of them, in this order)
#
#   checkpatch            checkpatch.pl --strict --no-tree on exporter/, the
#                         uapi header and the test importer module
#   kernel-w1             make W=1 against the headers of every kernel of
#                         the matrix (LINT_KERNELS="6.1 6.12 sid"; sid's in
#                         its chroot)
#   kernel-sparse         make C=2 (sparse on every file), same kernels
#   clang-format-kernel   the kernel's .clang-format on the checkpatch files
#   clang-format-user     the project's .clang-format on importer/, tests/,
#                         bench/ and include/dmabuf_share.h
#   userspace-warnings    the userspace builds with -Wall -Wextra -Werror
#   cppcheck              cppcheck on the userspace code
#
# checkpatch.pl, its spelling.txt and const_structs.checkpatch, and the
# kernel's .clang-format come from Debian's linux-source-6.1: the tree
# scripts/kernel/ extracted into the cache when there is one, else just
# those files, extracted once into $CACHE/lint.  Nothing is ever suppressed:
# no --ignore, no --inline-suppr, and checkpatch runs where no
# .checkpatch.conf can reach it.  KDIR= lints against one other header tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/vm/common.sh"
# shellcheck source=kernel/lib.sh
. "$here/kernel/lib.sh"

ALL_CHECKS="checkpatch kernel-w1 kernel-sparse clang-format-kernel clang-format-user userspace-warnings cppcheck"
KERNEL_GLOBS="exporter/*.c exporter/*.h include/uapi/linux/dmabuf_exporter.h
	tests/importer-kmod/*.c tests/importer-kmod/*.h
	tests/importer-edu/*.c tests/importer-edu/*.h"
# Userspace sources; importer/build and other generated files stay out.
USER_SRC="importer/lib importer/cli tests/host tests/vm tests/debug bench include/dmabuf_share.h"
LINT_FILES=(scripts/checkpatch.pl scripts/spelling.txt
	scripts/const_structs.checkpatch .clang-format)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The kernel tree the checkers come from; extracts the four files once.
kernel_tree() {
	local dir=$CACHE_ROOT/lint/$SRC_PKG f missing=0
	if [ -f "$SRC_DIR/scripts/checkpatch.pl" ]; then
		echo "$SRC_DIR"
		return
	fi
	for f in "${LINT_FILES[@]}"; do
		[ -f "$dir/$f" ] || missing=1
	done
	if [ $missing = 1 ]; then
		[ -f "$SRC_TARBALL" ] || "$here/deps.sh" lint
		say "extracting checkpatch and .clang-format from $SRC_TARBALL"
		mkdir -p "$CACHE_ROOT/lint"
		rm -rf "$dir.tmp"
		mkdir "$dir.tmp"
		tar -C "$dir.tmp" -xf "$SRC_TARBALL" --strip-components=1 \
			"${LINT_FILES[@]/#/$SRC_PKG/}"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# File lists, relative to the root, one per line.
user_files() {
	# shellcheck disable=SC2086 # paths are words
	(cd "$root" && find $USER_SRC -name '*.[ch]' 2>/dev/null | sort)
}

kernel_files() {
	# shellcheck disable=SC2086 # globs
	(cd "$root" && ls -1 $KERNEL_GLOBS)
}

# The module in a scratch copy, so no object of another build is reused.
module_copy() {
	local d=$tmp/module
	if [ ! -d "$d" ]; then
		mkdir -p "$d/include/uapi/linux"
		cp -a "$root/Kbuild" "$root/exporter" "$d/"
		rm -f "$d"/exporter/*.o "$d"/exporter/.*.cmd
		cp "$root/include/uapi/linux/dmabuf_exporter.h" "$d/include/uapi/linux/"
	fi
	echo "$d"
}

check_checkpatch() {
	local tree f bad=0 out
	tree=$(kernel_tree)
	# checkpatch reads options from .checkpatch.conf in ., $HOME and
	# .scripts: none may add an --ignore.  Paths stay relative to the root,
	# which is how checkpatch knows the uapi header is one.
	for f in .checkpatch.conf .scripts/.checkpatch.conf; do
		if [ -e "$root/$f" ]; then
			echo "$f exists: lint takes no checkpatch options from the tree"
			return 1
		fi
	done
	mkdir -p "$tmp/home"
	while read -r f; do
		out=$(cd "$root" && HOME=$tmp/home "$tree/scripts/checkpatch.pl" \
			--strict --no-tree --quiet --no-summary -f "$f") || bad=1
		[ -z "$out" ] || { printf '%s\n' "$out"; bad=1; }
	done < <(kernel_files)
	return $bad
}

# kbuild against each kernel of LINT_KERNELS with extra make arguments;
# findings are any warning or error line.  "Skipping BTF generation" is
# kbuild's information only.  KDIR= checks one other header tree instead.
kernel_make() {
	local what=$1 log d k kdir bad=0
	shift
	for k in ${KDIR:-$LINT_KERNELS}; do
		log=$tmp/$what-${k//\//_}.log
		d=$tmp/module-$what-${k//\//_}
		rm -rf "$d"
		cp -a "$(module_copy)" "$d"
		if [ -n "${KDIR:-}" ]; then
			make -C "$KDIR" M="$d" "$@" modules > "$log" 2>&1 || bad=1
		else
			kdir=$("$here/vm/kernel.sh" "$k") || return 1
			kbuild "$kdir" "$d" "$@" modules > "$log" 2>&1 || bad=1
			k="$k ($(cat "$kdir/kver"))"
		fi
		if [ $bad = 1 ] || grep -E 'warning:|error:' "$log"; then
			cat "$log"
			echo "$what: findings against $k"
			return 1
		fi
		if [ "$what" = sparse ]; then
			echo "$k: $(grep -c '^  CHECK ' "$log" || true) checked by sparse"
		else
			echo "$k: $(grep -c '^  CC \[M\]' "$log") objects built with $*"
		fi
	done
}

check_kernel_w1() {
	kernel_make w1 W=1
}

check_kernel_sparse() {
	local out want
	command -v sparse > /dev/null || "$here/deps.sh" lint
	out=$(kernel_make sparse C=2) || { echo "$out"; return 1; }
	echo "$out"
	want=$(find "$(module_copy)/exporter" -name '*.c' | wc -l)
	# Every kernel must have had every source checked.
	echo "$out" | awk -v want="$want" '/checked by sparse/ { if ($(NF-3) != want) bad = 1 }
		END { exit bad }'
}

check_clang_format_kernel() {
	local tree files
	tree=$(kernel_tree)
	mapfile -t files < <(kernel_files)
	(cd "$root" && clang-format --style="file:$tree/.clang-format" \
		--dry-run --Werror "${files[@]}")
}

check_clang_format_user() {
	local files
	mapfile -t files < <(user_files)
	(cd "$root" && clang-format --style="file:$root/.clang-format" \
		--dry-run --Werror "${files[@]}")
}

# The real builds, in scratch output dirs, with the warning flags forced
# whatever the Makefiles say: the importer appends CFLAGS to its own,
# tests/vm takes them through CC.  bench/ has no Makefile of its own yet:
# each file is compiled alone.
check_userspace_warnings() {
	local w="-Wall -Wextra -Werror" f
	make -s -C "$root/importer" O="$tmp/importer" CFLAGS="-O2 -g $w" \
		all static "$tmp/importer/tests/host_test" > /dev/null || return 1
	make -s -C "$root/tests/vm" OUT="$tmp/vm" CC="cc $w" > /dev/null ||
		return 1
	make -s -C "$root/tests/debug" OUT="$tmp/debug" CC="cc $w" > /dev/null ||
		return 1
	for f in "$root"/bench/*.c; do
		[ -f "$f" ] || continue
		# shellcheck disable=SC2086 # flags are words
		# shellcheck disable=SC2046 # pkg-config prints words
		cc -std=gnu11 -O2 $w -I"$root/include" -I"$root/include/uapi" \
			$(pkg-config --cflags libdrm) -c -o /dev/null "$f" ||
			return 1
	done
	echo "importer (library, CLI, static binaries, host tests), tests/vm, tests/debug and bench/ build with $w"
}

check_cppcheck() {
	local files
	mapfile -t files < <(user_files)
	(cd "$root" && cppcheck --quiet --error-exitcode=1 \
		--enable=warning,style,performance,portability --std=c11 \
		-D_GNU_SOURCE -Iinclude -Iinclude/uapi -Iimporter/lib \
		"${files[@]}")
}

"$here/deps.sh" check lint
# The kernels of make check's matrix; KDIR= lints against one header tree.
LINT_KERNELS=${LINT_KERNELS:-6.1 6.12 sid}
failed=""
# shellcheck disable=SC2086 # the list is words
[ $# -gt 0 ] || set -- $ALL_CHECKS
for c in "$@"; do
	case " $ALL_CHECKS " in
	*" $c "*) ;;
	*) die "lint.sh: unknown check '$c' (one of: $ALL_CHECKS)" ;;
	esac
	echo "== $c"
	if "check_${c//-/_}"; then
		echo "lint: $c: PASS"
	else
		echo "lint: $c: FAIL"
		failed="$failed $c"
	fi
done
if [ -n "$failed" ]; then
	say "make lint: FAIL:$failed"
	exit 1
fi
say "make lint: PASS"
