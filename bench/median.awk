# SPDX-License-Identifier: GPL-2.0
# median(s): the median of the " "-separated numbers in @s.  Shared by
# the awk programs of bench/: awk -f bench/median.awk -f bench/X.awk.
function median(s,   v, n, i, j, t) {
	n = split(s, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
