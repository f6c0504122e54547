#!/bin/bash
# Build a test kernel flavor from Debian's linux-source-6.1 into the cache.
#
#   scripts/kernel/build.sh [--config-only] [--no-seed] [-j N] FLAVOR
#
# FLAVOR names tests/kernels/FLAVOR.config (debug, peer). The kernel is
#   allnoconfig + tests/kernels/minimal.config + base.config + FLAVOR.config
# (minimal.config says why not x86_64_defconfig: most of its objects are
# drivers the test VM never has)
# built out of tree (O=) into $CACHE/kernels/FLAVOR-<hash>, where <hash> covers
# both fragments, the source package version, the compiler and these scripts.
# A stamp written last marks a finished build, so a second call is instant.
# $CACHE/kernels/FLAVOR is a symlink to the current build, which is also the
# KDIR for out-of-tree modules:  make -C $CACHE/kernels/FLAVOR M=$PWD
#
# --config-only  stop after the config has been merged and verified (fast;
#                for editing fragments).
# --no-seed      start from an empty tree (see seed_from_previous).
# -j N           parallel jobs (default: $JOBS or nproc). Wrap the whole
#                script in `nice -n 10` to keep the machine responsive.
#
# Prints the paths (KERNEL_IMAGE, KDIR, MODULES_STAGING, KERNEL_RELEASE, ...)
# at the end; scripts/kernel/info.sh FLAVOR prints them again later.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Build dependencies (Debian names). linux-source-6.1 brings the tarball.
DEPS=(linux-source-6.1 build-essential bc flex bison libelf-dev libssl-dev
	dwarves cpio rsync kmod xz-utils)
# The newest series brings its own source from sid: no linux-source-6.1.
[[ $KERNEL_SERIES == 6.1 ]] || DEPS=("${DEPS[@]:1}")
PROGRESS_INTERVAL=30  # seconds between progress lines during long phases

FLAVOR=
JOBS=${JOBS:-$(nproc)}
CONFIG_ONLY=0
SEED=1
T0=$SECONDS
BUILD_DIR=
LOG=
CHILD_PID=
SMOKE_DIR=
PHASE_TIMES=()

usage() {
	echo "usage: $0 [--config-only] [--no-seed] [-j N] FLAVOR" >&2
	exit 2
}

parse_args() {
	while (($#)); do
		case $1 in
		--config-only) CONFIG_ONLY=1 ;;
		--no-seed) SEED=0 ;;
		-j) (($# >= 2)) || usage; JOBS=$2; shift ;;
		-j*) JOBS=${1#-j} ;;
		-h | --help) usage ;;
		-*) usage ;;
		*) [[ -z $FLAVOR ]] || usage; FLAVOR=$1 ;;
		esac
		shift
	done
	[[ -n $FLAVOR ]] || usage
	[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "bad job count '$JOBS'"
	check_flavor "$FLAVOR"
}

# --- cleanup -----------------------------------------------------------------

# make is run in the background (so we can print progress); forward an
# interrupt to it, otherwise it would keep compiling after we are gone.
on_signal() {
	trap - INT TERM
	if [[ -n $CHILD_PID ]]; then
		kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
		wait "$CHILD_PID" 2>/dev/null || true
	fi
	echo >&2
	log "interrupted; rerun to resume (the build is incremental)" >&2
	exit 130
}

on_exit() {
	[[ -z $SMOKE_DIR ]] || rm -rf "$SMOKE_DIR"
	[[ -z $FLAVOR ]] || rm -f "$KERNELS_DIR/.$(flavor_name "$FLAVOR").link-tmp"
}

# --- dependencies and sources --------------------------------------------------

is_installed() {
	dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

ensure_packages() {
	local missing=() p
	for p in "${DEPS[@]}"; do
		is_installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	log "installing missing packages: ${missing[*]}"
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Version from a kernel tree's Makefile, e.g. 6.1.192.
tree_version() {
	awk -F' *= *' '
		$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
		$1 == "NAME" { print v "." p "." s e; exit }' "$1/Makefile"
}

# The newest series' source comes from sid as a .deb: unpack it (not
# install it) where SRC_TARBALL points.  6.1's comes from the host's apt.
fetch_source_deb() {
	local pkgver=$1 dir=$CACHE_ROOT/src/deb/$SRC_PKG
	[[ $KERNEL_SERIES == newest ]] || return 0
	[[ -f $dir/.version && $(<"$dir/.version") == "$pkgver" ]] && return 0
	log "phase: fetch $SRC_PKG $pkgver from sid"
	rm -rf "$dir" "$dir.deb"
	mkdir -p "$dir.deb"
	apt_fetch "$dir.deb" "$SRC_PKG=$pkgver"
	dpkg-deb -x "$dir.deb"/*.deb "$dir"
	rm -rf "$dir.deb"
	echo "$pkgver" >"$dir/.version"
}

# Extract the tarball once per package version. Called under an exclusive
# lock: no build of any flavor reads the tree while it is being replaced.
ensure_source() {
	local pkgver=$1
	if [[ -f $SRC_VERSION_FILE && $(<"$SRC_VERSION_FILE") == "$pkgver" ]]; then
		return 0
	fi
	# A tree extracted by hand (no version file) is adopted when its Makefile
	# matches the package's upstream version and it was never configured
	# in place (O= builds need a clean source tree).
	if [[ -f $SRC_DIR/Makefile && ! -e $SRC_VERSION_FILE ]] &&
		[[ $(tree_version "$SRC_DIR") == "${pkgver%%-*}" ]] &&
		[[ ! -e $SRC_DIR/.config && ! -d $SRC_DIR/include/config ]]; then
		log "reusing extracted source $SRC_DIR ($(tree_version "$SRC_DIR"))"
		echo "$pkgver" >"$SRC_VERSION_FILE"
		return 0
	fi
	fetch_source_deb "$pkgver"
	[[ -f $SRC_TARBALL ]] || die "$SRC_TARBALL missing although $SRC_PKG is installed"
	log "phase: extract $SRC_TARBALL"
	local t=$SECONDS tmp
	mkdir -p "${SRC_DIR%/*}"
	# Extract next to the final place and rename, so a crash never leaves a
	# half-extracted tree that looks complete.
	tmp=$(mktemp -d "${SRC_DIR%/*}/.extract.XXXXXX")
	tar -C "$tmp" -xf "$SRC_TARBALL"
	[[ -f $tmp/$SRC_PKG/Makefile ]] || die "unexpected tarball layout in $SRC_TARBALL"
	echo "$pkgver" >"$tmp/$SRC_PKG/.dmabuf-source-version"
	if [[ -e $SRC_DIR ]]; then
		mv "$SRC_DIR" "$tmp/old"
	fi
	mv "$tmp/$SRC_PKG" "$SRC_DIR"
	rm -rf "$tmp"
	PHASE_TIMES+=("extract $(fmt_secs $((SECONDS - t)))")
}

# --- running make with progress ------------------------------------------------

progress_line() {
	local phase=$1 phase_start=$2 objs last
	objs=$(find "$BUILD_DIR" -name '*.o' -type f 2>/dev/null | wc -l)
	last=$(grep -E '^  [A-Z0-9_]+ ' "$LOG" 2>/dev/null | tail -n1 | sed 's/^ *//; s/  */ /g') || true
	log "$phase: $(fmt_secs $((SECONDS - phase_start))) (total $(fmt_secs $((SECONDS - T0)))), $objs objects, last: ${last:-?}"
}

fail_phase() {
	local phase=$1 rc=$2
	{
		echo
		log "FAILED in phase '$phase' (exit $rc) after $(fmt_secs $((SECONDS - T0)))"
		if [[ -s $LOG ]]; then
			echo "---- first errors in $LOG ----"
			grep -n -m 15 -E 'error:|Error [0-9]+|\*\*\*' "$LOG" || echo "(none matched)"
			echo "---- last 60 lines of $LOG ----"
			tail -n 60 "$LOG"
		fi
	} >&2
	exit 1
}

# run_phase NAME CMD...: run CMD with output appended to the build log, print
# a progress line every PROGRESS_INTERVAL seconds, fail with the log's tail.
run_phase() {
	local phase=$1 start=$SECONDS last=$SECONDS rc=0
	shift
	log "phase: $phase"
	printf '\n===== %s  phase: %s\n===== %s\n' "$(date -Is)" "$phase" "$*" >>"$LOG"
	# Own process group (job control on just for this fork), so an interrupt
	# can stop make together with every sub-make and compiler it started.
	set -m
	"$@" >>"$LOG" 2>&1 </dev/null &
	CHILD_PID=$!
	set +m
	while kill -0 "$CHILD_PID" 2>/dev/null; do
		sleep 1
		if ((SECONDS - last >= PROGRESS_INTERVAL)); then
			last=$SECONDS
			progress_line "$phase" "$start"
		fi
	done
	wait "$CHILD_PID" || rc=$?
	CHILD_PID=
	((rc == 0)) || fail_phase "$phase" "$rc"
	PHASE_TIMES+=("$phase $(fmt_secs $((SECONDS - start)))")
}

kmake() {
	make -C "$SRC_DIR" O="$BUILD_DIR" "$@"
}

# A new hash means a new tree, but most of the old flavor's objects are still
# valid: copy its last complete build (same source and compiler) and let
# kbuild recompile what the config change touches. A changed build script
# then costs a minute instead of a full build; a changed fragment costs what
# that option really touches (KASAN or lockdep: everything).
seed_from_previous() {
	local envh=$1 prev
	((SEED)) || return 0
	[[ ! -e $BUILD_DIR/.config ]] || return 0  # resuming this tree instead
	prev=$(readlink -f "$KERNELS_DIR/$(flavor_name "$FLAVOR")" 2>/dev/null) || return 0
	[[ -f $prev/$STAMP_NAME && $prev != "$BUILD_DIR" ]] || return 0
	grep -qx "ENV_HASH=$envh" "$prev/$STAMP_NAME" || return 0
	# -a keeps mtimes, which is all kbuild looks at besides command lines.
	run_phase "seed from ${prev##*/}" rsync -a --exclude="/$STAGING_NAME/" \
		--exclude="/$LOG_NAME" --exclude="/$STAMP_NAME" "$prev/" "$BUILD_DIR/"
	relocate_paths "$prev" "$BUILD_DIR"
}

# objtool's build (tools/objtool) records the absolute path of its output
# dir in its .cmd/.d files. Seen from the new path those commands differ, so
# objtool would be rebuilt, and every kernel object depends on the objtool
# binary: a full rebuild. Rewrite the old path to the new one, keeping each
# file's timestamp.
relocate_paths() {
	local old=$1 new=$2 re f n=0
	re=$(printf '%s' "$old" | sed 's/[][\.*^$|]/\\&/g')
	while IFS= read -r -d '' f; do
		sed -i "s|$re|$new|g" "$f"
		touch -r "$old/${f#"$new"/}" "$f"
		n=$((n + 1))
	done < <(grep -rlIZF -- "$old" "$new")
	log "relocated $n files from ${old##*/} to ${new##*/}"
}

# --- configuration -------------------------------------------------------------

configure() {
	# Our fragments in order, as requested; kept for reference and verify.
	# shellcheck disable=SC2046
	cat $(fragments_of "$FLAVOR") >"$BUILD_DIR/dmabuf-fragments.config"
	run_phase "allnoconfig" kmake allnoconfig
	# merge_config.sh creates temp files in the current directory: run it
	# inside the build dir, never in the (shared, clean) source tree.
	run_phase "merge fragments" bash -c 'cd "$1" && shift && exec "$@"' _ "$BUILD_DIR" \
		"$SRC_DIR/scripts/kconfig/merge_config.sh" -m -O "$BUILD_DIR" "$BUILD_DIR/.config" \
		$(fragments_of "$FLAVOR")
	run_phase "olddefconfig" kmake olddefconfig
}

# Parse "CONFIG_X=v" and "# CONFIG_X is not set" lines into the associative
# array named $2 (value n for "not set"). Later lines win, like merge_config.
parse_config_into() {
	local file=$1 line
	local -n out=$2
	while IFS= read -r line || [[ -n $line ]]; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			out[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			out[${BASH_REMATCH[1]}]=n
		fi
	done <"$file"
}

kconfig_symbols() {
	# Trailing slash: follow SRC_DIR itself should it be a symlink.
	find "$SRC_DIR/" -name 'Kconfig*' -type f -exec cat {} + |
		sed -n 's/^[[:space:]]*\(menu\)\{0,1\}config[[:space:]]\{1,\}\([A-Za-z0-9_]\{1,\}\).*/\2/p' |
		sort -u
}

# Every line of our fragments must survive olddefconfig: Kconfig silently
# drops an option whose dependencies are not met, and a debug kernel without
# its KASAN would pass every test for the wrong reason.
verify_config() {
	log "phase: verify config against fragments"
	local -A want=() have=() from=() known=()
	local frag sym w h bad=0
	for frag in $(fragments_of "$FLAVOR"); do
		local -A one=()
		parse_config_into "$frag" one
		for sym in "${!one[@]}"; do
			want[$sym]=${one[$sym]}
			from[$sym]=${frag##*/}
		done
		unset one
	done
	parse_config_into "$BUILD_DIR/.config" have
	while read -r sym; do known[CONFIG_$sym]=1; done < <(kconfig_symbols)

	for sym in $(printf '%s\n' "${!want[@]}" | sort); do
		w=${want[$sym]}
		h=${have[$sym]-absent}
		if [[ -z ${known[$sym]-} ]]; then
			echo "  $sym: no such option in $SRC_PKG (typo, or removed in this version) [${from[$sym]}]" >&2
			bad=1
		elif [[ $w == n ]]; then
			[[ $h == n || $h == absent ]] || {
				echo "  $sym: wanted not set, got $h [${from[$sym]}]" >&2
				bad=1
			}
		elif [[ $h != "$w" ]]; then
			[[ $h == absent ]] && h="absent (dependencies not met)"
			[[ $h == n ]] && h="not set"
			echo "  $sym: wanted $w, got $h [${from[$sym]}]" >&2
			bad=1
		fi
	done
	if ((bad)); then
		log "config verification FAILED: the options above did not end up as requested in $BUILD_DIR/.config" >&2
		exit 1
	fi
	log "config verified: all ${#want[@]} fragment options as requested"
}

# --- build, install, smoke test --------------------------------------------------

build_kernel() {
	run_phase "build bzImage + modules (-j$JOBS)" kmake -j"$JOBS" bzImage modules
}

install_modules() {
	local staging=$BUILD_DIR/$STAGING_NAME
	rm -rf "$staging"
	run_phase "modules_install" kmake INSTALL_MOD_PATH="$staging" modules_install
	# The build/source links point back into this tree: they would make the
	# staging dir recursive and are dangling inside the guest.
	rm -f "$staging"/lib/modules/*/build "$staging"/lib/modules/*/source
}

# Build a trivial module the way consumers will (make -C KDIR M=...), through
# a symlink like $CACHE/kernels/FLAVOR, and check its vermagic.
smoke_test_module() {
	local kdir=$1 release=$2 vermagic
	SMOKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kernel-smoke.XXXXXX")
	cat >"$SMOKE_DIR/hello.c" <<-'EOF'
		#include <linux/module.h>
		static int __init hello_init(void) { pr_info("hello\n"); return 0; }
		static void __exit hello_exit(void) { }
		module_init(hello_init);
		module_exit(hello_exit);
		MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := hello.o' >"$SMOKE_DIR/Kbuild"
	run_phase "smoke test: out-of-tree module" make -C "$kdir" M="$SMOKE_DIR" modules
	[[ -f $SMOKE_DIR/hello.ko ]] || fail_phase "smoke test: out-of-tree module" "no hello.ko"
	vermagic=$(modinfo -F vermagic "$SMOKE_DIR/hello.ko")
	[[ $vermagic == "$release "* ]] ||
		fail_phase "smoke test: out-of-tree module" "vermagic '$vermagic' != release '$release'"
	log "smoke test ok: hello.ko vermagic '$vermagic'"
	rm -rf "$SMOKE_DIR"
	SMOKE_DIR=
}

# The stamp doubles as the paths file info.sh prints.
write_paths() {
	local dir=$1 release=$2 hash=$3 secs=$4 envh=$5
	cat <<-EOF
		FLAVOR=$FLAVOR
		KERNEL_RELEASE=$release
		KERNEL_IMAGE=$dir/arch/x86/boot/bzImage
		KDIR=$dir
		MODULES_STAGING=$dir/$STAGING_NAME
		MODULES_DIR=$dir/$STAGING_NAME/lib/modules/$release
		CONFIG=$dir/.config
		BUILD_LOG=$dir/$LOG_NAME
		BUILD_HASH=$hash
		ENV_HASH=$envh
		BUILD_SECONDS=$secs
		BUILT_AT=$(date -Is)
	EOF
}

point_link() {
	# Relative link, renamed into place: readers never see a missing link.
	local name
	name=$(flavor_name "$FLAVOR")
	ln -sfn "${BUILD_DIR##*/}" "$KERNELS_DIR/.$name.link-tmp"
	mv -T "$KERNELS_DIR/.$name.link-tmp" "$KERNELS_DIR/$name"
}

report_up_to_date() {
	[[ $(readlink "$KERNELS_DIR/$(flavor_name "$FLAVOR")" 2>/dev/null) == "${BUILD_DIR##*/}" ]] || point_link
	log "up to date: $BUILD_DIR"
	cat "$BUILD_DIR/$STAMP_NAME"
}

list_old_builds() {
	local d
	for d in "$KERNELS_DIR/$(flavor_name "$FLAVOR")"-*; do
		[[ -d $d && $d != "$BUILD_DIR" ]] && log "older build kept (remove with rm -rf to save disk): $d"
	done
	return 0
}

# --- main ----------------------------------------------------------------------

main() {
	parse_args "$@"
	trap on_signal INT TERM
	trap on_exit EXIT

	local hash srcver
	srcver=$(source_pkg_version)
	hash=$(build_hash "$FLAVOR" "$srcver")
	BUILD_DIR=$(build_dir_for "$FLAVOR" "$hash")
	if ((!CONFIG_ONLY)) && [[ -f $BUILD_DIR/$STAMP_NAME ]]; then
		report_up_to_date
		return 0
	fi

	ensure_packages
	srcver=$(source_pkg_version)
	[[ -n $srcver ]] || die "$SRC_PKG is not installed (or not in sid's package list)"
	hash=$(build_hash "$FLAVOR" "$srcver")
	BUILD_DIR=$(build_dir_for "$FLAVOR" "$hash")
	LOG=$BUILD_DIR/$LOG_NAME
	mkdir -p "$BUILD_DIR"

	# One build per flavor at a time; a second caller waits, then finds the
	# stamp and returns at once.
	exec {flavor_lock}>"$KERNELS_DIR/.$(flavor_name "$FLAVOR").lock"
	flock -n "$flavor_lock" || {
		log "another build of '$FLAVOR' is running; waiting for it"
		flock "$flavor_lock"
	}
	if ((!CONFIG_ONLY)) && [[ -f $BUILD_DIR/$STAMP_NAME ]]; then
		report_up_to_date
		return 0
	fi

	# Source tree: exclusive while (re)extracting, then shared for the whole
	# build so another flavor cannot swap it underneath us.
	mkdir -p "$CACHE_ROOT/src"
	exec {src_lock}>"$CACHE_ROOT/src/.lock"
	flock "$src_lock"
	ensure_source "$srcver"
	flock -s "$src_lock"

	log "building $FLAVOR kernel from $SRC_PKG $srcver into $BUILD_DIR (log: $LOG)"
	seed_from_previous "$(env_hash "$srcver")"
	configure
	verify_config
	if ((CONFIG_ONLY)); then
		log "--config-only: stopping after config ($BUILD_DIR/.config)"
		return 0
	fi
	build_kernel
	install_modules

	local release
	release=$(kmake -s kernelrelease)
	[[ -f $BUILD_DIR/arch/x86/boot/bzImage ]] || fail_phase "build" "no bzImage"
	ln -sfn "${BUILD_DIR##*/}" "$KERNELS_DIR/.$(flavor_name "$FLAVOR").link-tmp"
	smoke_test_module "$KERNELS_DIR/.$(flavor_name "$FLAVOR").link-tmp" "$release"

	local secs=$((SECONDS - T0))
	write_paths "$BUILD_DIR" "$release" "$hash" "$secs" "$(env_hash "$srcver")" >"$BUILD_DIR/$STAMP_NAME.tmp"
	mv "$BUILD_DIR/$STAMP_NAME.tmp" "$BUILD_DIR/$STAMP_NAME"
	point_link
	list_old_builds

	log "phase times: $(printf '%s; ' "${PHASE_TIMES[@]}")"
	log "done: $FLAVOR kernel $release built in $(fmt_secs "$secs")"
	cat "$BUILD_DIR/$STAMP_NAME"
}

main "$@"
