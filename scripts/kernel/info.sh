#!/bin/bash
# Print the paths of an already-built test kernel, without building anything.
#
#   scripts/kernel/info.sh FLAVOR        all KEY=value lines (shell-sourceable)
#   scripts/kernel/info.sh FLAVOR KEY    just that value, e.g.
#       KDIR := $(shell scripts/kernel/info.sh debug KDIR)
#
# Keys: FLAVOR KERNEL_RELEASE KERNEL_IMAGE KDIR MODULES_STAGING MODULES_DIR
#       CONFIG BUILD_LOG BUILD_HASH BUILD_SECONDS BUILT_AT
# Exits 1 with a message on stderr when the flavor is not built, half built,
# or built from other fragments/sources than the current ones (stale).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	echo "usage: $0 FLAVOR [KEY]" >&2
	exit 2
}

main() {
	(($# >= 1 && $# <= 2)) || usage
	FLAVOR=$1
	local key=${2:-}
	check_flavor "$FLAVOR"

	local hash want link dir
	hash=$(build_hash "$FLAVOR" "$(source_pkg_version)")
	want=$(build_dir_for "$FLAVOR" "$hash")
	link=$KERNELS_DIR/$(flavor_name "$FLAVOR")
	local hint="run: scripts/kernel/build.sh $FLAVOR"

	[[ -L $link || -d $link ]] || die "kernel '$FLAVOR' is not built ($link missing); $hint"
	dir=$(readlink -f "$link")
	[[ -f $dir/$STAMP_NAME ]] || die "kernel '$FLAVOR' build in $dir is incomplete; $hint"
	# A kernel built from older fragments would silently test the wrong
	# thing (e.g. no KASAN): refuse it rather than guess.
	[[ $dir == "$(readlink -f "$want" 2>/dev/null || echo "$want")" ]] ||
		die "kernel '$FLAVOR' in $dir is stale (fragments, source package or build scripts changed; want ${want##*/}); $hint"

	if [[ -z $key ]]; then
		cat "$dir/$STAMP_NAME"
		return
	fi
	local line
	line=$(grep -m1 "^$key=" "$dir/$STAMP_NAME") || die "unknown key '$key'"
	echo "${line#*=}"
}

main "$@"
