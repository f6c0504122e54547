# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# A private apt for the kernels of the test matrix: Debian 12 (bookworm),
# bookworm-backports (the 6.12 LTS) and sid (the newest kernel), from the
# mirror the host's own apt sources name.  Its sources, lists and downloads
# live in the cache; the host's apt configuration is never touched and
# nothing is installed on the host.  Sourced after common.sh, never run.

APT_DIR=$CACHE/apt

# The Debian mirror of the host's apt sources (deb822 or one-line form).
host_mirror() {
	local m
	m=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$m" ] || m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
	[ -n "$m" ] || die "no Debian mirror in the host's apt sources (/etc/apt/sources.list*)"
	echo "${m%/}"
}

# sid's Release file is past its Valid-Until in some archives (snapshots):
# the date check is off for this private configuration only.
apt_opts() {
	echo "-o Dir::Etc::SourceList=$APT_DIR/sources.list" \
		"-o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$APT_DIR/lists" \
		"-o Dir::State::Status=$APT_DIR/status" \
		"-o Dir::Cache=$APT_DIR" \
		"-o Dir::Cache::Archives=$APT_DIR/archives" \
		"-o Acquire::Check-Valid-Until=false" \
		"-o APT::Sandbox::User=root" "-q"
}

# Refresh the private package lists at most once a day (or when asked).
# Under an exclusive lock: CI fetches the debug kernel's source beside make
# check's kernels, and two apt-get updates of one list dir fail.
apt_ready() {
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial"
	(flock 9 && apt_refresh) 9>"$APT_DIR/.lock" || exit 1
}

apt_refresh() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg mirror
	touch "$APT_DIR/status"
	mirror=$(host_mirror)
	printf 'deb [signed-by=%s] %s %s main\n' \
		"$keyring" "$mirror" bookworm \
		"$keyring" "$mirror" bookworm-backports \
		"$keyring" "$mirror" sid > "$APT_DIR/sources.list.new"
	if cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" &&
		[ -n "$(find "$APT_DIR/.updated" -mmin -1440 2>/dev/null)" ] &&
		[ "${APT_REFRESH:-0}" = 0 ]; then
		rm -f "$APT_DIR/sources.list.new"
		return 0
	fi
	mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
	say "refreshing the private package lists (bookworm, bookworm-backports, sid from $mirror)"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update >"$APT_DIR/update.log" 2>&1 || {
		tail -n 20 "$APT_DIR/update.log" >&2
		die "apt-get update of the private sources failed (log: $APT_DIR/update.log)"
	}
	touch "$APT_DIR/.updated"
}

# apt_field PKG/SUITE FIELD: one field of a package in one suite.
apt_field() {
	# shellcheck disable=SC2046
	apt-cache $(apt_opts) show "$1" 2>/dev/null |
		awk -v f="$2:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# apt_fetch DIR PKG...: download .debs (exact names, "pkg=ver" allowed) into
# DIR, reusing what the private archive cache already holds.  Downloads
# share the lock: only a refresh of the lists must be alone.
apt_fetch() {
	local dir=$1
	shift
	mkdir -p "$dir"
	# shellcheck disable=SC2046
	(cd "$dir" && flock -s 9 && apt-get $(apt_opts) download "$@" >&2) \
		9>"$APT_DIR/.lock" ||
		die "apt-get download $* failed (private sources: $APT_DIR/sources.list)"
}
