#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn dmabuf-bench's output into the files in docs/bench/:
#   results.tsv  every result with its kernel, CPU, accelerator and date
#   results.md   the tables (medians; min and max are in results.tsv)
#   chart.png    frame-loop and remap time per size, every provider
#   usage: bench/report.sh TEST_LOG OUT_DIR
# TEST_LOG is the guest's output (run.sh --out DIR gives DIR/tests.log).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$1 dest=$2
mkdir -p "$dest"

# The context line goes on every row, so each row stands on its own.
tr -d '\r' < "$log" | awk -F'\t' -v OFS='\t' '
	BEGIN { print "date", "kernel", "cpu", "accel", "metric", "provider",
		"size_bytes", "n", "median", "min", "max", "unit", "note" }
	$1 == "@@BENCH-CONTEXT" { ctx = $2 OFS $3 OFS $4 OFS $5 }
	$1 == "@@BENCH" { $1 = ctx; print }' > "$dest/results.tsv"
[ "$(wc -l < "$dest/results.tsv")" -gt 1 ] || {
	echo "error: no @@BENCH lines in $log" >&2
	exit 1
}

awk -F'\t' -f "$here/tables.awk" "$dest/results.tsv" > "$dest/results.md"

# One data file per plotted metric: size, then one column per provider.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for metric in frame remap-all; do
	awk -F'\t' -v m="$metric" '
		# Only providers with a number: gnuplot stops at an empty column.
		NR > 1 && $5 == m {
			if (!($7 in seen)) { seen[$7] = 1; sizes[++ns] = $7 }
			if ($8 <= 0)
				next
			if (!($6 in col)) { col[$6] = ++np; names[np] = $6 }
			v[$7, col[$6]] = $9
		}
		END {
			printf "size"
			for (p = 1; p <= np; p++) printf "\t%s", names[p]
			print ""
			for (s = 1; s <= ns; s++) {
				printf "%s", sizes[s] / 1024
				for (p = 1; p <= np; p++)
					printf "\t%s", ((sizes[s], p) in v) ? v[sizes[s], p] : "NaN"
				print ""
			}
		}' "$dest/results.tsv" > "$tmp/$metric.dat"
done
title=$(awk -F'\t' 'NR == 2 { print $2 ", " $4 ", " $1; exit }' "$dest/results.tsv")
gnuplot -e "dir='$tmp'; out='$dest/chart.png'; subtitle='$title'" \
	"$here/chart.gp"
cat "$dest/results.md"
