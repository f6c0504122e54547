#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (busybox sh): loads the test importer module when
# the payload has it, then every suite binary of the payload in turn, each
# one's CUnit output as it goes, then which importer reached which exporter
# callback, and one summary line per suite.
#   usage: run-suites.sh [SUITE...]   (exporter-tests suites; default all)
# Exit status: the number of suites that failed.
failed=0
summary=""
# The test importer (tests/importer-kmod), a pretend DMA device for the
# importers suite; a payload that carries it must be able to load it.
if [ -f /payload/dmabuf_test_importer.ko ]; then
	insmod /payload/dmabuf_test_importer.ko || {
		echo "insmod dmabuf_test_importer.ko failed"
		exit 1
	}
fi
# The edu importer (tests/importer-edu) binds the topology's edu devices,
# with the DMA masks QEMU gave them (edu_importer.options).
if [ -f /payload/edu_importer.ko ]; then
	insmod /payload/edu_importer.ko $(cat /payload/edu_importer.options 2>/dev/null) || {
		echo "insmod edu_importer.ko failed"
		exit 1
	}
fi
# phase NAME T0: how long a phase took, for the boot's time budget.
phase() { echo "phase-time $1 $(($(date +%s) - $2)) s"; }
t0=$(date +%s)
sh /payload/callbacks.sh start
phase callbacks-start "$t0"
for t in exporter-tests importer-tests; do
	[ -x "/payload/bin/$t" ] || continue
	echo "=== $t"
	t0=$(date +%s)
	if [ "$t" = exporter-tests ]; then
		"/payload/bin/$t" "$@"
	else
		"/payload/bin/$t"
	fi
	rc=$?
	phase "$t" "$t0"
	[ $rc = 0 ] || failed=$((failed + 1))
	summary="$summary$t: exit $rc
"
done
t0=$(date +%s)
sh /payload/callbacks.sh report
phase callbacks-report "$t0"
summary="${summary}callbacks not reached: $?
"
echo "=== summary"
printf '%s' "$summary"
exit $failed
