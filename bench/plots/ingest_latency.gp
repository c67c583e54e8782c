# Latency percentiles vs offered load (figure "ingest_latency" of scripts/bench, which writes the
# data files from scripts/bench-ingest's records: one per phase, one row per offered rate, in
# the order of the offered load).
# Usage: gnuplot -c ingest_latency.gp BARE.tsv OUT.png SUBTITLE FLOE.tsv
# BARE.tsv, FLOE.tsv: tab-separated, '#' lines are comments, NaN = not measured. Columns:
#   1 requested rate (DDATA msg/s, 0 = unpaced)  2 offered, as achieved (metrics/s)
#   3 received / stored (metrics/s)  4 lost (%)
#   5 p50  6 p99 (ms; bare: payload timestamp to receipt, floe: payload timestamp to commit)
# Latencies have 1 ms resolution (payload timestamps are ms) and are >= 1 ms: log scale.
set terminal pngcairo size 1000,640 font "DejaVu Sans,11"
set output ARG2
set datafile separator "\t"
set title "floe: latency percentiles vs offered load\n".ARG3 noenhanced
set xlabel "offered load, as achieved by the publisher (metrics/s; DDATA of 10 Float metrics)"
set ylabel "latency from payload timestamp (ms, log scale)"
set xrange [0:*]
set logscale y
set format x "%.0s%c"
set grid
set key top left box opaque
plot ARG4 using 2:6 title "floe-node p99: to commit" with linespoints lw 2 pt 5 lc rgb "#d62728", \
     ARG4 using 2:5 title "floe-node p50: to commit" with linespoints lw 2 pt 4 dt 2 lc rgb "#d62728", \
     ARG1 using 2:6 title "bare subscriber p99: to receipt (anchor)" with linespoints lw 2 pt 7 lc rgb "#1f77b4", \
     ARG1 using 2:5 title "bare subscriber p50: to receipt (anchor)" with linespoints lw 2 pt 6 dt 2 lc rgb "#1f77b4"
