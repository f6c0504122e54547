# SPDX-License-Identifier: GPL-2.0
# The chart of docs/bench: full cycle time and faults per buffer size, one
# line per provider.  bench/report.sh sets dir (holding cycle.dat and
# faults.dat: size in KiB, then one column per provider), out and subtitle.
set terminal pngcairo size 1200,520 font 'sans,10'
set output out
set datafile separator '\t'
set datafile missing 'NaN'
set key autotitle columnhead top left
set logscale xy
set xlabel 'buffer size (KiB)'
set grid
set multiplot layout 1,2 title 'dmabuf-bench: '.subtitle

set title 'full cycle: alloc, export, mmap, touch all, munmap, close'
set ylabel 'median time (us)'
plot for [i=2:*] dir.'/cycle.dat' using 1:i with linespoints lw 2

# A provider that maps everything at mmap() takes 0 faults: drawn at 0.5.
set title 'page faults to touch every page of a fresh mapping (0 drawn at 0.5)'
set ylabel 'faults (median)'
set yrange [0.4:*]
plot for [i=2:*] dir.'/faults.dat' \
	using 1:(column(i) == 0 ? 0.5 : column(i)) \
	with linespoints lw 2 title columnhead(i)

unset multiplot
