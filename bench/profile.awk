# SPDX-License-Identifier: GPL-2.0
# bench/profile.sh's traces -> per provider, per entry point (system call,
# page fault, or dma_buf_export in the second run), the median time of each
# entry and of the calls under it, as a tree three levels deep, heaviest
# first.  Times are inflated by the tracer (function_graph under TCG):
# compare within one trace, not with the bench's own numbers.
#   usage: awk -f bench/median.awk -f bench/profile.awk tests.log
function record(lvl, dur,   p, i) {
	p = stack[0]
	for (i = 1; i <= lvl; i++)
		p = p ">" stack[i]
	vals[p] = vals[p] " " dur
	total[p] += dur
	cnt[p]++
}

# The children of path @p, heaviest (by total) first, at most @max each.
function tree(p, depth, max,   k, n, list, a, b, t, name, pad) {
	n = 0
	for (k in cnt)
		if (index(k, p ">") == 1 && index(substr(k, length(p) + 2), ">") == 0)
			list[++n] = k
	for (a = 1; a <= n; a++)
		for (b = a + 1; b <= n; b++)
			if (total[list[b]] > total[list[a]]) {
				t = list[a]; list[a] = list[b]; list[b] = t
			}
	pad = ""
	for (a = 0; a < depth; a++)
		pad = pad "&nbsp;&nbsp;&nbsp;"
	for (a = 1; a <= n && a <= max; a++) {
		name = substr(list[a], length(p) + 2)
		printf "| %s%s | %d | %.1f |\n", pad, name, cnt[list[a]], median(vals[list[a]])
		if (depth < 3)
			tree(list[a], depth + 1, depth == 1 ? 3 : 2)
	}
}

function flush(   i, order) {
	if (prov == "")
		return
	print "#### " prov (root == "" ? "" : ": from " root " down" \
		(oncpu ? ", on-CPU time only (sleep-time off)" : \
		 ", with the time switched out (sleep-time on)")) "\n"
	print "| entry / call | calls | median us |"
	print "|---|---:|---:|"
	split("__x64_sys_ioctl __x64_sys_mmap handle_mm_fault __x64_sys_munmap __x64_sys_close dma_buf_export", order, " ")
	for (i = 1; i <= 6; i++) {
		if (!(order[i] in cnt))
			continue
		printf "| **%s** | %d | %.1f |\n", order[i], cnt[order[i]], median(vals[order[i]])
		# dma_buf_export has few children: all of them.
		tree(order[i], 1, order[i] == "dma_buf_export" ? 12 : 4)
	}
	print ""
	delete vals
	delete total
	delete cnt
}

{ sub(/\r$/, "") }
/^@@PROFILE-END/ { flush(); prov = ""; next }
/^@@PROFILE / { prov = $2; root = $3; oncpu = $4 == "on-cpu"; next }
prov == "" || /^#/ { next }
{
	# "   25.142359 |   0)  ! 804.698 us  |    name() {"
	if (split($0, f, "|") < 3)
		next
	dur = f[2]
	sub(/^[^)]*\)/, "", dur)
	gsub(/[^0-9.]/, "", dur)
	name = f[3]
	lvl = int((match(name, /[^ ]/) - 3) / 2)
	gsub(/^ +| +$/, "", name)
	if (lvl < 0)
		next
	if (name ~ /^}/) {
		record(lvl, dur)
		next
	}
	sub(/\(.*$/, "", name)
	sub(/ \[.*\]$/, "", name)
	stack[lvl] = name
	if (f[3] !~ /\{ *$/)
		record(lvl, dur)
}
END { flush() }
