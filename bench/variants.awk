# SPDX-License-Identifier: GPL-2.0
# scripts/bench-variants.sh's guest output -> per size and measurement,
# each build's median over the rounds (us) and the system heap's time
# over the build's, round by round (above 1.00: the build is faster).
#   usage: awk -f bench/median.awk -f bench/variants.awk tests.log
BEGIN { FS = "\t" }
$1 ~ /^@@VARIANT / { split($1, a, " "); round = a[2]; v = a[3]
	if (!(v in seen)) { seen[v] = 1; vs[++nv] = v }
	if (round > nr) nr = round
	next }
$1 == "@@BENCH" && $6 != "-" {
	m = $2; s = $4
	if (!((m, s) in ms)) { ms[m, s] = 1; keys[++nk] = m SUBSEP s }
	if ($3 == "heap-system")
		heap[round, v, m, s] = $6
	else if ($3 == "exporter-" v)
		mine[round, v, m, s] = $6
}
END {
	for (k = 1; k <= nk; k++) {
		split(keys[k], ks, SUBSEP)
		if (ks[1] !~ /^(frame|frame-cpu|remap-all|step-[a-z]+)$/)
			continue
		printf "%-11s %4d KiB", ks[1], ks[2] / 1024
		for (i = 1; i <= nv; i++) {
			us = ""; r = ""
			for (j = 1; j <= nr; j++)
				if ((j, vs[i], ks[1], ks[2]) in mine) {
					us = us " " mine[j, vs[i], ks[1], ks[2]]
					if ((j, vs[i], ks[1], ks[2]) in heap)
						r = r sprintf(" %.2f", heap[j, vs[i], ks[1], ks[2]] / mine[j, vs[i], ks[1], ks[2]])
				}
			printf " | %s %.1f us:%s", vs[i], us == "" ? 0 : median(us), r
		}
		print ""
	}
}
