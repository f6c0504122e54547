# SPDX-License-Identifier: GPL-2.0
# The chart of docs/bench/<kernel>: frame-loop time, its CPU time per cycle
# and remap time per buffer size, one line per provider, one panel per
# measurement and vCPU count.  bench/report.sh sets dir (holding
# METRIC-VCPUS.dat from bench/boots.awk: size in KiB, then per provider
# the median of the boots' medians, their min and their max), panels
# (METRIC:VCPUS, a row per vCPU count; "-" first: no data, a blank
# panel), cols (panels per row), boots, out and subtitle.
set terminal pngcairo size 1500,900 font 'sans,10'
set output out
set datafile separator '\t'
set datafile missing 'NaN'
set key top left
set logscale xy
set xlabel 'buffer size (KiB)'
set grid
set bars small
rows = (words(panels) + cols - 1) / cols
set multiplot layout rows,cols title 'dmabuf-bench: '.subtitle. \
	' (points: median of the boots of a panel, '.boots.'; bars: lowest to highest boot)'

name(m) = m eq 'frame' ? 'frame loop: alloc, mmap, touch all, munmap, close' : \
	m eq 'frame-cpu' ? 'frame loop: CPU time per cycle, all CPUs' : \
	'remap a live buffer: mmap, touch all, munmap'
do for [p in panels] {
	if (p[1:1] eq '-') {
		set multiplot next
		continue
	}
	m = p[1:strstrt(p, ':') - 1]
	c = p[strstrt(p, ':') + 1:]
	set title name(m).' ('.c.' vCPU'.(c eq '1' ? '' : 's').')'
	set ylabel (m eq 'frame-cpu' ? 'CPU us per cycle' : 'us, median')
	f = dir.'/'.m.'-'.c.'.dat'
	plot for [i=2:*:3] f using 1:i:i+1:i+2 with yerrorlines lw 2 \
		title columnheader(i)
}
unset multiplot
