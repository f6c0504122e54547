#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest of scripts/bench-variants.sh: ROUNDS rounds, each
# loading every build in turn and measuring it against the system heap;
# the order rotates every round.  "@@VARIANT round name" starts each run.
#   usage: variants-guest.sh ROUNDS SIZES ONLY NAME...
set -e
rounds=$1 sizes=$2 only=$3
shift 3
r=1
while [ "$r" -le "$rounds" ]; do
	for v in "$@"; do
		rmmod dmabuf_exporter
		insmod "/payload/$v.ko"
		echo "@@VARIANT $r $v"
		dmabuf-bench --tag "$v" --sizes "$sizes" --only "$only" \
			--providers exporter,heap-system --rounds 2 --frames 20 \
			--cpu-ms 500
	done
	first=$1
	shift
	set -- "$@" "$first"
	r=$((r + 1))
done
