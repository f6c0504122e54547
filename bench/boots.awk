# SPDX-License-Identifier: GPL-2.0
# results.tsv (bench/report.sh) -> what holds across boots.  Each boot's
# median is one number; across the boots of one vCPU count this gives
# their spread (min, median, max), and for every provider the per-boot
# ratio to the exporter in the same boot.  A ratio "holds" only when every
# boot, and at least three, puts it on the same side of 1.00.
#   awk -F'\t' -f bench/boots.awk results.tsv             the Markdown
#   awk -F'\t' -v dat=METRIC -v cpus=N -f bench/boots.awk results.tsv
#       the chart's data: size in KiB, then per provider the median of the
#       boots' medians, their min and their max (NaN when missing)
# Columns: 5 metric, 6 provider, 7 size, 8 n, 9 median, 14 boot,
# 15 vcpus, 16 host ("idle" or "not idle: why").

function human(b) {
	if (b >= 1048576)
		return b / 1048576 " MiB"
	return b / 1024 " KiB"
}

function num(x) {
	if (x >= 100)
		return sprintf("%.0f", x)
	if (x >= 10)
		return sprintf("%.1f", x)
	return sprintf("%.2f", x)
}

# Sort the " "-separated numbers of @s into v[1..n]; returns n.
function sorted(s, v,   n, i, j, t) {
	n = split(s, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n
}

function med(v, n) {
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# The ratios of provider p to the exporter, boot by boot, in boot order.
function ratios(m, c, p, s,   b, out) {
	out = ""
	for (b = 1; b <= nb; b++)
		if (bcpus[boots[b]] == c && ((m, boots[b], p, s) in val) &&
		    ((m, boots[b], "exporter", s) in val) &&
		    val[m, boots[b], "exporter", s] > 0)
			out = out " " val[m, boots[b], p, s] / val[m, boots[b], "exporter", s]
	return substr(out, 2)
}

# The rest of a two-column-led table's head: @second, the sizes, and the
# rule, size columns aligned by @cell ("---:|" numbers, "---|" text).
function header(second, cell,   i) {
	printf "| %s |", second
	for (i = 1; i <= ns; i++)
		printf " %s |", human(sizes[i])
	printf "\n|---|---|"
	for (i = 1; i <= ns; i++)
		printf "%s", cell
	print ""
}

# Per vCPU count and provider: the median ratio over the boots and its
# range, "1.23x (1.10x-1.40x)".
function ratio_table(title, m,   ci, p, s, n, v, r) {
	if (!(m in any_metric))
		return
	print "### " title "\n"
	printf "| vCPUs "
	header("provider", "---:|")
	for (ci = 1; ci <= nc; ci++)
		for (p = 1; p <= np; p++) {
			if (provs[p] == "exporter" || !seen[m, provs[p]])
				continue
			printf "| %s | %s |", cpus_list[ci], provs[p]
			for (s = 1; s <= ns; s++) {
				n = sorted(ratios(m, cpus_list[ci], provs[p], sizes[s]), v)
				if (!n)
					r = "n/a"
				else if (n == 1)
					r = sprintf("%.2fx", v[1])
				else
					r = sprintf("%.2fx (%.2fx-%.2fx)", med(v, n), v[1], v[n])
				printf " %s |", r
			}
			print ""
		}
	print ""
}

# One cell of the claim table: does the ratio stay on one side of 1.00?
function verdict(m, c, p, s,   n, v, raw, i, above, below, range, side) {
	raw = ratios(m, c, p, s)
	n = split(raw, v, " ")
	if (!n)
		return "n/a"
	above = below = 0
	for (i = 1; i <= n; i++) {
		above += v[i] > 1
		below += v[i] < 1
	}
	n = sorted(raw, v)
	range = n == 1 ? sprintf("%.2fx", v[1]) : sprintf("%.2fx-%.2fx", v[1], v[n])
	if (above != n && below != n)
		return sprintf("does not hold: %s over %d boots", range, n)
	side = above == n ? "faster" : "slower"
	if (n < 3)
		return sprintf("%s in %d of %d (%s); too few boots to hold", side, n, n, range)
	return sprintf("**holds**: %s in %d of %d (%s)", side, n, n, range)
}

function claim_table(   k, ci, s, mlist, mname, n) {
	n = split("frame frame-cpu remap-all", mlist, " ")
	split("frame loop|CPU time per cycle|remap", mname, "|")
	print "### Claims: the exporter against the system heap, boot by boot\n"
	print "A ratio holds only when every boot, and at least three, puts it" \
		" on the same side of 1.00 (faster: the heap's time or CPU time over the exporter's is above 1.00).\n"
	printf "| measurement "
	header("vCPUs", "---|")
	for (k = 1; k <= n; k++) {
		if (!(mlist[k] in any_metric))
			continue
		for (ci = 1; ci <= nc; ci++) {
			printf "| %s | %s |", mname[k], cpus_list[ci]
			for (s = 1; s <= ns; s++)
				printf " %s |", verdict(mlist[k], cpus_list[ci], "heap-system", sizes[s])
			print ""
		}
	}
	print ""
}

# Chart data for metric dat at cpus vCPUs.
function chart(   p, s, b, n, v, list, cols, nc2) {
	# Only providers with a number at this vCPU count: gnuplot stops at
	# an empty column.
	nc2 = 0
	for (p = 1; p <= np; p++)
		if ((dat, cpus, provs[p]) in seen_cpus)
			cols[++nc2] = provs[p]
	printf "size"
	for (p = 1; p <= nc2; p++)
		printf "\t%s\tmin\tmax", cols[p]
	print ""
	for (s = 1; s <= ns; s++) {
		printf "%s", sizes[s] / 1024
		for (p = 1; p <= nc2; p++) {
			list = ""
			for (b = 1; b <= nb; b++)
				if (bcpus[boots[b]] == cpus && ((dat, boots[b], cols[p], sizes[s]) in val))
					list = list " " val[dat, boots[b], cols[p], sizes[s]]
			n = sorted(substr(list, 2), v)
			if (n)
				printf "\t%s\t%s\t%s", med(v, n), v[1], v[n]
			else
				printf "\tNaN\tNaN\tNaN"
		}
		print ""
	}
}

NR == 1 { next }
{
	m = $5; p = $6; s = $7 + 0; b = $14
	if (!(b in bcpus)) {
		bcpus[b] = $15
		boots[++nb] = b
		if (!($15 in cpus_seen)) {
			cpus_seen[$15] = 1
			cpus_list[++nc] = $15
		}
		if ($16 != "idle")
			busy[++nbusy] = b ": " $16
	}
	if (m ~ /^(scale|alloc-at)/)
		next
	if (!(s in size_seen)) {
		size_seen[s] = 1
		sizes[++ns] = s
	}
	if (!(p in prov_seen) && p != "anonymous") {
		prov_seen[p] = 1
		provs[++np] = p
	}
	if ($8 > 0) {
		val[m, b, p, s] = $9
		seen[m, p] = 1
		seen_cpus[m, $15, p] = 1
		any_metric[m] = 1
	}
	if (!kernel)
		kernel = $2
}
END {
	if (dat != "") {
		chart()
		exit
	}
	print "## Across boots\n"
	printf "Kernel %s, %d boots:", kernel, nb
	for (ci = 1; ci <= nc; ci++) {
		k = 0
		for (b = 1; b <= nb; b++)
			k += bcpus[boots[b]] == cpus_list[ci]
		printf " %d with %s vCPU%s%s", k, cpus_list[ci],
			cpus_list[ci] == 1 ? "" : "s", ci < nc ? "," : "."
	}
	print " Each boot's median is one sample; ratios are taken inside a" \
		" boot (a provider's median over the exporter's) and then" \
		" spread over the boots: median (min-max).\n"
	if (nbusy) {
		print "**Machine not idle**: these numbers were taken with" \
			" BENCH_ALLOW_BUSY=1 and are not claims:\n"
		for (b = 1; b <= nbusy; b++)
			print "* " busy[b]
		print ""
	}
	claim_table()
	ratio_table("Frame loop: each provider's time over the exporter's (above 1.00x: the exporter is faster)", "frame")
	ratio_table("Frame loop, CPU time per cycle of all CPUs: each provider's over the exporter's", "frame-cpu")
	ratio_table("Remap a live buffer: each provider's time over the exporter's", "remap-all")
}
