# Ingest throughput vs offered load (figure "ingest_throughput" of scripts/bench, which writes the
# data files from scripts/bench-ingest's records: one per phase, one row per offered rate, in
# the order of the offered load).
# Usage: gnuplot -c ingest_throughput.gp BARE.tsv OUT.png SUBTITLE LOST_PCT_MAX FLOE.tsv
# BARE.tsv, FLOE.tsv: tab-separated, '#' lines are comments, NaN = not measured. Columns:
#   1 requested rate (DDATA msg/s, 0 = unpaced)  2 offered, as achieved (metrics/s)
#   3 received (bare) / stored (floe) (metrics/s)  4 lost (% of published metrics)
#   5 latency p50 (ms)  6 latency p99 (ms)
# LOST_PCT_MAX: top of the lost axis (%), so that a run without losses still has an axis.
set terminal pngcairo size 1000,640 font "DejaVu Sans,11"
set output ARG2
set datafile separator "\t"
set title "floe: ingest throughput vs offered load (Mosquitto on loopback, QoS 0)\n".ARG3 noenhanced
set xlabel "offered load, as achieved by the publisher (metrics/s; DDATA of 10 Float metrics)"
set ylabel "received by bare subscriber / stored by floe-node (metrics/s)"
set y2label "lost (% of published metrics)"
set xrange [0:*]
set yrange [0:*]
set y2range [0:ARG4+0]
set ytics nomirror
set y2tics
set format x "%.0s%c"
set format y "%.0s%c"
set grid
set key top left box opaque
plot x title "received = offered" with lines dt 2 lc rgb "gray50", \
     ARG1 using 2:3 title "bare subscriber: received (anchor)" with linespoints lw 2 pt 7 lc rgb "#1f77b4", \
     ARG5 using 2:3 title "floe-node: stored" with linespoints lw 2 pt 5 lc rgb "#d62728", \
     ARG1 using 2:4 axes x1y2 title "bare subscriber: lost (right axis)" with points pt 6 ps 1.8 lc rgb "#1f77b4", \
     ARG5 using 2:4 axes x1y2 title "floe-node: lost (right axis)" with points pt 4 ps 1.8 lc rgb "#d62728"
