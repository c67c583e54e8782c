# floe-node memory vs device count (figure "memory" of scripts/bench, which writes the data file:
# one row per device count, from scripts/bench-memory).
# Usage: gnuplot -c memory.gp DATA.tsv OUT.png SUBTITLE BASELINE_MIB TARGET_BYTES_PER_DEVICE XMIN XMAX
# DATA: tab-separated, '#' lines are comments. Columns:
#   1 devices (count)  2 RSS (MiB)  3 (RSS - baseline) / devices (bytes)  4 births registered after (s)
# BASELINE_MIB: RSS of a node without devices, measured in the same run (the anchor).
# XMIN, XMAX: the device axis (count), wider than the data so that one point still has an axis.
set terminal pngcairo size 1200,560 font "DejaVu Sans,11"
set output ARG2
set datafile separator "\t"
baseline = ARG4 + 0
target = ARG5 + 0
set multiplot layout 1,2 title "floe-node memory vs device count (synthetic profile, 10 metrics per device)\n".ARG3 noenhanced
set logscale x
set logscale y
set xrange [ARG6+0:ARG7+0]
set format x "%.0s%c"
set xlabel "devices (count, log scale)"
set ylabel "resident memory, VmRSS (MiB, log scale)"
set grid
set key top left box opaque
set title "RSS" noenhanced
plot ARG1 using 1:2 title "floe-node RSS" with linespoints lw 2 pt 7 lc rgb "#d62728", \
     baseline title sprintf("node without devices (anchor): %.1f MiB", baseline) with lines dt 2 lc rgb "gray40", \
     baseline + target * x / 1048576 title sprintf("target: anchor + %d B per device", target) with lines dt 3 lw 2 lc rgb "#2ca02c"
set ylabel "(RSS - anchor) per device (bytes, log scale)"
set title "bytes per device" noenhanced
plot ARG1 using 1:3 title "floe-node" with linespoints lw 2 pt 7 lc rgb "#d62728", \
     target title sprintf("target: %d B per device", target) with lines dt 3 lw 2 lc rgb "#2ca02c"
unset multiplot
