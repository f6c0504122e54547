#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn dmabuf-bench's output of one or more boots into the files in
# docs/bench/:
#   results.tsv  every result with its kernel, CPU, accelerator, date, boot,
#                vCPUs and whether the host was idle
#   results.md   what holds across the boots (bench/boots.awk), then each
#                boot's own tables (bench/tables.awk)
#   chart.png    frame loop, its CPU time per cycle and remap per size,
#                every provider: the median of the boots' medians, with
#                bars from the lowest to the highest boot
#   usage: bench/report.sh OUT_DIR TEST_LOG...
# Each TEST_LOG is one boot's guest output (run.sh --out DIR gives
# DIR/tests.log), with a "@@BENCH-BOOT name vcpus host" line first
# (scripts/bench.sh adds it; host is "idle" or "not idle: why").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=$1
shift
mkdir -p "$dest"

# The context line goes on every row, so each row stands on its own.
for log in "$@"; do
	tr -d '\r' < "$log"
done | awk -F'\t' -v OFS='\t' '
	BEGIN { print "date", "kernel", "cpu", "accel", "metric", "provider",
		"size_bytes", "n", "median", "min", "max", "unit", "note",
		"boot", "vcpus", "host" }
	$1 == "@@BENCH-BOOT" { boot = $2 OFS $3 OFS $4 }
	$1 == "@@BENCH-CONTEXT" { ctx = $2 OFS $3 OFS $4 OFS $5 }
	$1 == "@@BENCH" { $1 = ctx; print $0, boot }' > "$dest/results.tsv"
[ "$(wc -l < "$dest/results.tsv")" -gt 1 ] || {
	echo "error: no @@BENCH lines in $*" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	awk -F'\t' -f "$here/boots.awk" "$dest/results.tsv"
	# One boot's rows at a time, in the order they ran.
	awk -F'\t' 'NR > 1 && !seen[$14]++ { print $14 }' "$dest/results.tsv" |
	while read -r boot; do
		awk -F'\t' -v b="$boot" 'NR == 1 || $14 == b' \
			"$dest/results.tsv" > "$tmp/boot.tsv"
		awk -F'\t' -v title="Boot $boot" -f "$here/tables.awk" \
			"$tmp/boot.tsv"
	done
} > "$dest/results.md"

# One data file per panel (bench/boots.awk): a row of panels per vCPU
# count, a column per measurement that has data in any row; a panel
# without data is left blank ("-" before its name).
mapfile -t vcpus < <(awk -F'\t' 'NR > 1 && !seen[$15]++ { print $15 }' \
	"$dest/results.tsv")
metrics=()
for metric in frame frame-cpu remap-all; do
	for cpus in "${vcpus[@]}"; do
		awk -F'\t' -v dat="$metric" -v cpus="$cpus" \
			-f "$here/boots.awk" "$dest/results.tsv" \
			> "$tmp/$metric-$cpus.dat"
	done
	if awk -F'\t' -v m="$metric" 'NR > 1 && $5 == m && $8 > 0 { found = 1 }
		END { exit !found }' "$dest/results.tsv"; then
		metrics+=("$metric")
	fi
done
panels=""
for cpus in "${vcpus[@]}"; do
	for metric in "${metrics[@]}"; do
		if [ "$(head -n 1 "$tmp/$metric-$cpus.dat")" = size ]; then
			panels="$panels -$metric:$cpus"
		else
			panels="$panels $metric:$cpus"
		fi
	done
done
title=$(awk -F'\t' 'NR == 2 { print $2 ", " $4 ", " $1; exit }' "$dest/results.tsv")
if awk -F'\t' 'NR > 1 && $16 != "idle" { found = 1 } END { exit !found }' \
	"$dest/results.tsv"; then
	title="$title; MACHINE NOT IDLE, not a claim"
fi
# "3 boots with 2 vCPUs, 3 with 1": each panel is one vCPU count's boots.
boots=$(awk -F'\t' 'NR > 1 && !seen[$14]++ { n[$15]++ }
	END { for (c = 64; c >= 1; c--) if (c in n)
		s = s (s ? ", " n[c] " with " c : n[c] " boot" (n[c] > 1 ? "s" : "") " with " c " vCPU" (c > 1 ? "s" : ""))
	      print s }' "$dest/results.tsv")
gnuplot -e "dir='$tmp'; out='$dest/chart.png'; subtitle='$title'; panels='${panels# }'; cols=${#metrics[@]}; boots='$boots'" \
	"$here/chart.gp"
cat "$dest/results.md"
