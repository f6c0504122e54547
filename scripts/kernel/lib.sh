# shellcheck shell=bash
# Shared by build.sh and info.sh: where the test kernels live and how a build
# is named. Sourced, not executed. Part of the build hash: changing this file
# rebuilds every flavor, because it decides the layout the consumers see.

KERNEL_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$KERNEL_SCRIPTS_DIR/../.." && pwd)
FRAGMENT_DIR=$REPO_ROOT/tests/kernels
BASE_FRAGMENT=$FRAGMENT_DIR/base.config
# What every flavor starts from on top of allnoconfig: the VM's machine.
MINIMAL_FRAGMENT=$FRAGMENT_DIR/minimal.config

# The cache lives outside the work tree so `git clean` never costs a rebuild.
CACHE_ROOT=${DMABUF_EXPORTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabuf-exporter}
KERNELS_DIR=$CACHE_ROOT/kernels

# Which kernel source a flavor is built from: KERNEL_SERIES=6.1 (default,
# Debian 12's linux-source-6.1, installed on the host with apt) or
# KERNEL_SERIES=newest (sid's linux-source-<X.Y>, fetched with the private
# apt of scripts/vm/apt.sh and unpacked into the cache, never installed).
KERNEL_SERIES=${KERNEL_SERIES:-6.1}
CACHE=$CACHE_ROOT
say() { printf '>>> %s\n' "$*" >&2; }
# shellcheck source=../vm/apt.sh
. "$KERNEL_SCRIPTS_DIR/../vm/apt.sh"
case $KERNEL_SERIES in
6.1)
	SRC_PKG=linux-source-6.1
	SRC_TARBALL=/usr/src/$SRC_PKG.tar.xz
	# Build dirs, links and locks keep their historical names.
	SERIES_SUFFIX=
	;;
newest)
	apt_ready
	SRC_PKG=$(apt_field linux-source/sid Depends | sed -n 's/^\(linux-source-[0-9.]*\).*/\1/p')
	[[ -n $SRC_PKG ]] || die "no linux-source in sid's package list ($APT_DIR)"
	SRC_TARBALL=$CACHE_ROOT/src/deb/$SRC_PKG/usr/src/$SRC_PKG.tar.xz
	SERIES_SUFFIX=-${SRC_PKG#linux-source-}
	;;
*) die "KERNEL_SERIES must be 6.1 or newest, not '$KERNEL_SERIES'" ;;
esac
SRC_DIR=$CACHE_ROOT/src/$SRC_PKG
# Records which package version SRC_DIR was extracted from.
SRC_VERSION_FILE=$SRC_DIR/.dmabuf-source-version

# Inside a build dir (which is also the O= tree, i.e. the KDIR):
STAMP_NAME=.dmabuf-build-complete   # written last; holds the KEY=value paths
STAGING_NAME=modules-staging         # INSTALL_MOD_PATH for modules_install
LOG_NAME=build.log                   # full make output

die() {
	echo "error: $*" >&2
	exit 1
}

log() {
	printf '[kernel %s %s] %s\n' "${FLAVOR:-?}" "$(date +%H:%M:%S)" "$*"
}

fmt_secs() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# Flavor = name of a fragment in tests/kernels/ other than base.
check_flavor() {
	local flavor=$1 avail
	avail=$(cd "$FRAGMENT_DIR" 2>/dev/null && ls -- *.config 2>/dev/null |
		sed -e 's/\.config$//' -e '/^base$/d' -e '/\./d' | paste -sd' ')
	[[ $flavor =~ ^[A-Za-z0-9_-]+$ && $flavor != base ]] ||
		die "bad flavor '$flavor' (available: ${avail:-none})"
	[[ -f $FRAGMENT_DIR/$flavor.config ]] ||
		die "unknown flavor '$flavor': no $FRAGMENT_DIR/$flavor.config (available: ${avail:-none})"
	[[ -f $BASE_FRAGMENT ]] || die "missing $BASE_FRAGMENT"
	[[ -f $MINIMAL_FRAGMENT ]] || die "missing $MINIMAL_FRAGMENT"
}

# Version of the source package, empty if it is not installed (6.1) or not
# in sid's package list (newest).
source_pkg_version() {
	local status
	if [[ $KERNEL_SERIES == newest ]]; then
		apt_field "$SRC_PKG/sid" Version
		return 0
	fi
	status=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$SRC_PKG" 2>/dev/null) || true
	[[ $status == installed\ * ]] && echo "${status#installed }"
	return 0
}

# What an existing build tree must share with a new one for kbuild to reuse
# its objects: the source package version and the compiler (a module must
# also be built with the compiler the kernel was built with).
env_hash() {
	local srcver=$1
	printf 'source %s %s\ncompiler %s\n' "$SRC_PKG" "${srcver:-none}" \
		"$(gcc --version 2>/dev/null | head -n1)" | sha256sum | cut -c1-12
}

# Name of the build for this flavor: covers both fragments, the source
# version and compiler (env_hash), and the build scripts themselves.
build_hash() {
	local flavor=$1 srcver=$2 f
	{
		echo "env $(env_hash "$srcver")"
		for f in $(fragments_of "$flavor") \
			"$KERNEL_SCRIPTS_DIR/build.sh" "$KERNEL_SCRIPTS_DIR/lib.sh"; do
			echo "== ${f##*/}"
			cat "$f"
		done
	} | sha256sum | cut -c1-12
}

# Every fragment of a flavor in the order they apply: the minimal machine,
# the base every flavor shares, the flavor's own, then its series-only one
# if it has one (FLAVOR.6.1.config, FLAVOR.newest.config: options only one
# side has).
fragments_of() {
	echo "$MINIMAL_FRAGMENT"
	echo "$BASE_FRAGMENT"
	echo "$FRAGMENT_DIR/$1.config"
	if [[ -f $FRAGMENT_DIR/$1.$KERNEL_SERIES.config ]]; then
		echo "$FRAGMENT_DIR/$1.$KERNEL_SERIES.config"
	fi
}

# Name of a flavor's link, lock and build dirs: "debug" for 6.1 (as before
# there was a choice), "debug-7.2" for the newest series.
flavor_name() {
	echo "$1$SERIES_SUFFIX"
}

build_dir_for() {
	echo "$KERNELS_DIR/$(flavor_name "$1")-$2"
}
