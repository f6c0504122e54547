#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a clean chroot (bookworm or sid) of scripts/deb/check.sh, as
# root: build the binary packages from the source package in /tmp/src as a
# buildd would (its Build-Depends and build-essential only), then check the
# .dsc and the .changes with this suite's lintian.  Everything lands in
# /tmp/build: the .debs, build.log, deps.log, lintian.txt.
set -euo pipefail
step() { printf '>>> chroot: %s\n' "$*"; }
fail() {
	printf 'error: chroot: %s\n' "$*" >&2
	exit 1
}
apt_get() {
	apt-get -q -y -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
}
cd /tmp/build
dsc=$(ls /tmp/src/*.dsc)

apt-get -q update >/dev/null
step "apt-get build-dep $(basename "$dsc"), build-essential, lintian"
{ apt_get install build-essential lintian && apt_get build-dep "$dsc"; } \
	>deps.log 2>&1 || {
	tail -n 20 deps.log
	fail "installing the build dependencies failed (deps.log)"
}
step "lintian $(dpkg-query -W -f '${Version}' lintian), gcc $(dpkg-query -W -f '${Version}' gcc), debhelper $(dpkg-query -W -f '${Version}' debhelper)"

step "dpkg-source -x, dpkg-buildpackage -us -uc -b"
dpkg-source -x "$dsc" src >/dev/null
(cd src && dpkg-buildpackage -us -uc -b) >build.log 2>&1 || {
	tail -n 30 build.log
	fail "dpkg-buildpackage failed (build.log)"
}
! grep -q -- '-Werror ' build.log || fail "-Werror in the distribution build (build.log)"
for d in ./*.deb; do echo "  ${d#./}"; done

step "lintian -I --fail-on error,warning on the .dsc and the .changes"
rc=0
lintian -I --fail-on error,warning "$dsc" ./*.changes >lintian.txt 2>&1 || rc=$?
cat lintian.txt
[ $rc = 0 ] || fail "lintian found errors or warnings (above)"
