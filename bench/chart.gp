# SPDX-License-Identifier: GPL-2.0
# The chart of docs/bench/<kernel>: frame-loop time and remap time per
# buffer size, one line per provider.  bench/report.sh sets dir (holding
# frame.dat and remap-all.dat: size in KiB, then one column per provider),
# out and subtitle.
set terminal pngcairo size 1200,520 font 'sans,10'
set output out
set datafile separator '\t'
set datafile missing 'NaN'
set key autotitle columnhead top left
set logscale xy
set xlabel 'buffer size (KiB)'
set grid
set multiplot layout 1,2 title 'dmabuf-bench: '.subtitle

set title 'frame loop: alloc, mmap, touch all, munmap, close, back to back'
set ylabel 'median time (us)'
plot for [i=2:*] dir.'/frame.dat' using 1:i with linespoints lw 2

set title 'remap a live buffer: mmap, touch all, munmap'
set ylabel 'median time (us)'
plot for [i=2:*] dir.'/remap-all.dat' using 1:i with linespoints lw 2

unset multiplot
