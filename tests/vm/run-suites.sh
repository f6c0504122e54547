#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (busybox sh): every suite binary of the payload in
# turn, each one's CUnit output as it goes, and one summary line per suite.
# Exit status: the number of suites that failed.
failed=0
summary=""
for t in exporter-tests importer-tests; do
	[ -x "/payload/bin/$t" ] || continue
	echo "=== $t"
	"/payload/bin/$t"
	rc=$?
	[ $rc = 0 ] || failed=$((failed + 1))
	summary="$summary$t: exit $rc
"
done
echo "=== summary"
printf '%s' "$summary"
exit $failed
