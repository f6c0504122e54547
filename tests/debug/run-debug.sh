#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the debug-kernel VM (busybox sh): steps 2-5 of make
# check-debug, one after the other, each with its time and status, then
# the DMA-API debug error count and one summary.
#   usage: run-debug.sh [NAME=VALUE...]
#   FUZZ_SEED (default: from the clock), FUZZ_CALLS (100000), FUZZ_TIME
#   (900), STRESS_SEED (default: from the clock), STRESS_PROCS (8),
#   STRESS_CYCLES (10000), STRESS_KILLS (100), SWEEP_MAX_N (4000)
# Exit status: the number of steps that failed.
for arg; do
	case $arg in
	*=*) export "$arg" ;;
	esac
done
DBG=/sys/kernel/debug
failed=0
summary=""

step() {
	name=$1
	shift
	echo "=== $name"
	t0=$(date +%s)
	"$@"
	rc=$?
	secs=$(($(date +%s) - t0))
	[ $rc = 0 ] || failed=$((failed + 1))
	summary="$summary$name: exit $rc, ${secs}s
"
}

# kmemleak reports what it could not reach in two scans in a row, among
# objects older than 5 s: wait, then scan twice.
kmemleak_scan() {
	sleep 6
	echo scan > $DBG/kmemleak
	echo scan > $DBG/kmemleak
	grep -c '^unreferenced object' $DBG/kmemleak
}

kmemleak_step() {
	[ -w $DBG/kmemleak ] || {
		echo "FAIL: no $DBG/kmemleak (kernel without kmemleak?)"
		return 1
	}
	n=$(kmemleak_scan)
	echo "SUMMARY kmemleak: $n unreferenced objects"
	[ "$n" = 0 ] && return 0
	head -n 80 $DBG/kmemleak
	return 1
}

dma_api_step() {
	n=$(cat $DBG/dma-api/error_count 2>/dev/null || echo missing)
	off=$(cat $DBG/dma-api/disabled 2>/dev/null || echo missing)
	echo "SUMMARY dma-api: $n errors, disabled: $off"
	[ "$n" = 0 ] && [ "$off" = N ]
}

# Every DMA-API error in the log, not only the first; leaks from boot and
# module load are known before the lane starts, so only ours remain.
echo 1 > $DBG/dma-api/all_errors
if [ -w $DBG/kmemleak ]; then
	echo "kmemleak: $(kmemleak_scan) unreferenced objects before the lane (cleared)"
	echo clear > $DBG/kmemleak
fi

step fault-sweep fault-sweep --max-n "${SWEEP_MAX_N:-4000}"
step fuzz fuzz ${FUZZ_SEED:+--seed "$FUZZ_SEED"} \
	--calls "${FUZZ_CALLS:-100000}" --time "${FUZZ_TIME:-900}"
step stress stress ${STRESS_SEED:+--seed "$STRESS_SEED"} \
	--procs "${STRESS_PROCS:-8}" --cycles "${STRESS_CYCLES:-10000}" \
	--kills "${STRESS_KILLS:-100}"
step kmemleak kmemleak_step
step dma-api dma_api_step
echo "=== summary"
printf '%s' "$summary"
exit $failed
