# SPDX-License-Identifier: GPL-2.0
# results.tsv (bench/report.sh) -> the Markdown tables of results.md.
# Cells are medians; "n/a" cells are explained under the tables.
# -v title=TEXT replaces the heading (bench/report.sh: one boot's name).

function human(b) {
	if (b >= 1048576)
		return b / 1048576 " MiB"
	return b / 1024 " KiB"
}

function num(x) {
	if (x == int(x) || x >= 100)
		return sprintf("%.0f", x)
	if (x >= 10)
		return sprintf("%.1f", x)
	return sprintf("%.2f", x)
}

function has(m, p, s) {
	return ((m, p, s) in med)
}

# A cell: the median through fmt, or n/a (and remember why).
function cell(m, p, s, fmt) {
	if (has(m, p, s))
		return sprintf(fmt, num(med[m, p, s]))
	if ((m, p, s) in why && !((p, why[m, p, s]) in missing)) {
		missing[p, why[m, p, s]] = 1
		missing_list[++nmissing] = p ": " why[m, p, s]
	}
	return "n/a"
}

function header(first, i) {
	printf "| %s |", first
	for (i = 1; i <= ns; i++)
		printf " %s |", human(sizes[i])
	printf "\n|---|"
	for (i = 1; i <= ns; i++)
		printf "---:|"
	print ""
}

# One row per provider, one column per size, for metric m.
function table(title, m, fmt, p, s) {
	if (!(m in any_metric))
		return
	print "### " title "\n"
	header("provider")
	for (p = 1; p <= np; p++) {
		if (!seen_metric[m, provs[p]])
			continue
		printf "| %s |", provs[p]
		for (s = 1; s <= ns; s++)
			printf " %s |", cell(m, provs[p], sizes[s], fmt)
		print ""
	}
	print ""
}

# Median with the range of the samples: "median (min-max)".
function range_table(title, m, p, s, c) {
	if (!(m in any_metric))
		return
	print "### " title "\n"
	header("provider")
	for (p = 1; p <= np; p++) {
		if (!seen_metric[m, provs[p]])
			continue
		printf "| %s |", provs[p]
		for (s = 1; s <= ns; s++) {
			c = cell(m, provs[p], sizes[s], "%s")
			if (has(m, provs[p], sizes[s]))
				c = c " (" num(lo[m, provs[p], sizes[s]]) "-" num(hi[m, provs[p], sizes[s]]) ")"
			printf " %s |", c
		}
		print ""
	}
	print ""
}

# The frame loop by step: one row per provider and size, medians in us.
function steps_table(p, s, i, n, st, line, any) {
	if (!("step-alloc" in any_metric))
		return
	n = split("alloc mmap touch munmap close", st, " ")
	print "### Frame loop by step (us, medians; mmap includes placing the mapping)\n"
	print "| provider | size | alloc | mmap | touch every page | munmap | close |"
	print "|---|---:|---:|---:|---:|---:|---:|"
	for (p = 1; p <= np; p++)
		for (s = 1; s <= ns; s++) {
			line = "| " provs[p] " | " human(sizes[s]) " |"
			any = 0
			for (i = 1; i <= n; i++) {
				if (has("step-" st[i], provs[p], sizes[s]))
					any = 1
				line = line " " cell("step-" st[i], provs[p], sizes[s], "%s") " |"
			}
			if (any)
				print line
		}
	print ""
}

# How many times slower each provider is than the exporter, metric m.
function ratio_table(title, m, p, s) {
	if (!(m in any_metric))
		return
	print "### " title "\n"
	header("provider")
	for (p = 1; p <= np; p++) {
		if (provs[p] == "exporter" || !seen_metric[m, provs[p]])
			continue
		printf "| %s |", provs[p]
		for (s = 1; s <= ns; s++)
			if (has(m, "exporter", sizes[s]) && has(m, provs[p], sizes[s]))
				printf " %.2fx |", med[m, provs[p], sizes[s]] / med[m, "exporter", sizes[s]]
			else
				printf " n/a |"
		print ""
	}
	print ""
}

# Two metrics in one cell: "a / b".
function pair_table(title, m1, m2, f1, f2, p, s) {
	if (!(m1 in any_metric))
		return
	print "### " title "\n"
	header("provider")
	for (p = 1; p <= np; p++) {
		if (!seen_metric[m1, provs[p]])
			continue
		printf "| %s |", provs[p]
		for (s = 1; s <= ns; s++)
			printf " %s / %s |", cell(m1, provs[p], sizes[s], f1),
				cell(m2, provs[p], sizes[s], f2)
		print ""
	}
	print ""
}

# Median of metric m at the scale size, or n/a.
function at(m, name) {
	return has(m, name, scale_size) ? num(med[m, name, scale_size]) : "n/a"
}

function scale_table(p, name, growth) {
	print "### Scale: live " human(scale_size) " buffers\n"
	print "| provider | buffers that fit | stopped by | alloc at 1 live (us) | at 1,000 | at 10,000 | 10,000 / 1 |"
	print "|---|---:|---|---:|---:|---:|---:|"
	for (p = 1; p <= np; p++) {
		name = provs[p]
		if (!seen_metric["scale-count", name])
			continue
		if (!has("scale-count", name, scale_size)) {
			cell("scale-count", name, scale_size, "%s")
			printf "| %s | n/a | | | | | |\n", name
			continue
		}
		growth = "n/a"
		if (has("alloc-at-10000", name, scale_size) && has("alloc-at-1", name, scale_size))
			growth = sprintf("%.2fx", med["alloc-at-10000", name, scale_size] / med["alloc-at-1", name, scale_size])
		printf "| %s | %d | %s | %s | %s | %s | %s |\n", name,
			med["scale-count", name, scale_size],
			note["scale-count", name, scale_size], at("alloc-at-1", name),
			at("alloc-at-1000", name), at("alloc-at-10000", name), growth
	}
	print ""
}

NR == 1 { next }
{
	m = $5; p = $6; s = $7 + 0
	if (!ctx)
		ctx = "kernel " $2 ", " $3 ", " $4 ", " $1
	if (m == "scale-count")
		scale_size = s
	else if (m !~ /^alloc-at/ && !(s in size_seen)) {
		size_seen[s] = 1
		sizes[++ns] = s
	}
	if (!(p in prov_seen) && p != "anonymous") {
		prov_seen[p] = 1
		provs[++np] = p
	}
	seen_metric[m, p] = 1
	any_metric[m] = 1
	note[m, p, s] = $13
	if ($8 > 0) {
		med[m, p, s] = $9
		lo[m, p, s] = $10
		hi[m, p, s] = $11
	} else
		why[m, p, s] = $13
}
# Rows in a fixed order (the bench interleaves them differently).
function order_providers(pref, n, i, j, k, out) {
	n = split("exporter exporter-per-page memfd udmabuf heap-system heap-cma", pref, " ")
	k = 0
	for (i = 1; i <= n; i++)
		if (pref[i] in prov_seen)
			out[++k] = pref[i]
	for (j = 1; j <= np; j++) {
		for (i = 1; i <= n; i++)
			if (provs[j] == pref[i])
				break
		if (i > n)
			out[++k] = provs[j]
	}
	for (i = 1; i <= k; i++)
		provs[i] = out[i]
}

END {
	order_providers()
	print "## " (title != "" ? title : "dmabuf-bench results") "\n"
	print ctx ". Medians over the repeats in the n column of results.tsv" \
		" (which also has min and max); every provider interleaved with" \
		" the others in one boot.\n"
	range_table("Frame loop, back to back: allocate, mmap (2 MiB-aligned from 2 MiB up), touch every page, munmap, close, right after the release of a buffer of the same size (us, median (min-max))", "frame")
	ratio_table("Frame loop relative to the exporter (above 1.00x: the exporter is faster)", "frame")
	range_table("Frame loop, CPU time per cycle of all CPUs (every task, kworkers and interrupts included: wall time x CPUs less idle from /proc/stat, 10 ms units over each turn) (us, median (min-max) over the rounds)", "frame-cpu")
	ratio_table("Frame loop CPU time relative to the exporter (above 1.00x: the exporter costs less)", "frame-cpu")
	range_table("Frame loop, CPU time per cycle of the bench process alone (us, median (min-max) over the rounds)", "frame-cpu-self")
	table("Faults per frame-loop cycle", "frame-faults", "%s")
	steps_table()
	range_table("Remap a live buffer: mmap, touch every page, munmap (us, median (min-max))", "remap-all")
	ratio_table("Remap relative to the exporter (above 1.00x: the exporter is faster)", "remap-all")
	table("Remap a live buffer, touch the first page only (us)", "remap-first", "%s")
	range_table("Idle cache: the same cycle with time between cycles for background work (the exporter's cache zeroes the released buffer) (us, median (min-max))", "cycle")
	ratio_table("Idle-cache cycle relative to the exporter (above 1.00x: the exporter is faster)", "cycle")
	table("Exporter cycle right after releasing a buffer of the same size, in the idle-cache measurement (us)", "cycle-reuse-now", "%s")
	table("Faults to touch every page of a fresh mapping once", "faults", "%s")
	pair_table("Bandwidth through the mapping relative to prefaulted anonymous memory: write / read", "write-ratio", "read-ratio", "%s", "%s")
	pair_table("Hand-off over SCM_RIGHTS until the receiver has read every page: us / receiver faults", "handoff", "handoff-faults", "%s", "%s")
	pair_table("Fan-out: 64 processes map one buffer and read every page: wall us / all faults", "fanout", "fanout-faults", "%s", "%s")
	if (scale_size)
		scale_table()
	if (nmissing)
		print "### n/a\n"
	for (p = 1; p <= nmissing; p++)
		print "* " missing_list[p]
}
