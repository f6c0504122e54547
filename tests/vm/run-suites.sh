#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (busybox sh): loads the test importer module when
# the payload has it, then every suite binary of the payload in turn, each
# one's CUnit output as it goes, and one summary line per suite.
#   usage: run-suites.sh [SUITE...]
# With SUITE names, only exporter-tests runs, and only those suites (the
# bounced boot of make check runs the importer-facing ones this way).
# Exit status: the number of suites that failed.
failed=0
summary=""
if [ -f /payload/dmabuf_test_importer.ko ]; then
	insmod /payload/dmabuf_test_importer.ko || {
		echo "insmod dmabuf_test_importer.ko failed"
		exit 1
	}
fi
binaries="exporter-tests importer-tests"
[ $# = 0 ] || binaries=exporter-tests
for t in $binaries; do
	[ -x "/payload/bin/$t" ] || continue
	echo "=== $t $*"
	if [ "$t" = exporter-tests ]; then
		"/payload/bin/$t" "$@"
	else
		"/payload/bin/$t"
	fi
	rc=$?
	[ $rc = 0 ] || failed=$((failed + 1))
	summary="$summary$t: exit $rc
"
done
echo "=== summary"
printf '%s' "$summary"
exit $failed
