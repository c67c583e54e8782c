# Cluster throughput for 1-3 members and failover time (figure "cluster" of scripts/bench, which
# writes the data files from scripts/bench-cluster's records).
# Usage: gnuplot -c cluster.gp THROUGHPUT.tsv OUT.png SUBTITLE FAILOVER.tsv HAS_THROUGHPUT
#                              HAS_FAILOVER MEDIAN_S ROUNDS NO_FAILOVER_ROUNDS
# THROUGHPUT.tsv: tab-separated, '#' lines are comments, NaN = not in the record; one row per
#   member count: 1 members (count)  2 stored by the members together (metrics/s)
#   3 bare subscriber before that run, the anchor (metrics/s)  4 broker deliveries per publish
# FAILOVER.tsv: one row per kill -9 round: 1 round  2 members  3 failover time (s; NaN: none
#   within bench-cluster's limit)
# HAS_THROUGHPUT, HAS_FAILOVER: 1 when that panel has data (it says so otherwise);
# MEDIAN_S: median failover time (s, NaN when none); ROUNDS: failover rounds (count);
# NO_FAILOVER_ROUNDS: rounds without a failover within the limit (count; NaN rows, not drawn).
set terminal pngcairo size 1200,560 font "DejaVu Sans,11"
set output ARG2
set datafile separator "\t"
median = ARG7 + 0
set multiplot layout 1,2 title "floe cluster: throughput vs members, failover time\n".ARG3 noenhanced
set grid
set key bottom right box opaque

set title "throughput (anchor: bare subscriber, same run)" noenhanced
set xlabel "cluster members (count)"
set xrange [0.5:3.5]
set xtics 1
set ylabel "throughput (metrics/s)"
set y2label "broker deliveries per published message (count)"
set yrange [0:*]
set y2range [0:*]
set offsets 0, 0, graph 0.1, 0
set ytics nomirror
set y2tics
set format y "%.0s%c"
if (ARG5 + 0 > 0) {
  plot ARG1 using 1:2 title "floe members together: stored" with linespoints lw 2 pt 7 lc rgb "#d62728", \
       ARG1 using 1:3 title "bare subscriber: received (anchor)" with linespoints lw 2 pt 5 lc rgb "#1f77b4", \
       ARG1 using 1:4 axes x1y2 title "deliveries per publish (right axis)" with linespoints lw 1 pt 4 dt 2 lc rgb "gray30"
} else {
  unset key
  unset y2label
  unset y2tics
  set format y "%g"
  set label 1 "no throughput record in this run" at graph 0.5, graph 0.5 center
  set yrange [0:1]
  plot NaN notitle
  unset label 1
  set key bottom right box opaque
}

unset y2label
unset y2tics
set ytics mirror
set format y "%g"
set offsets 0, 0, 0, 0
set title "failover after kill -9 of one of 3 members" noenhanced
set xlabel "round (count)"
set xrange [0.5:ARG8 + 0.5]
set ylabel "failover time (s)"
set yrange [0:*]
if (ARG9 + 0 > 0) {
  set label 3 sprintf("%d round(s) without failover within the limit (not drawn)", ARG9 + 0) at graph 0.02, graph 0.95 left
}
if (ARG6 + 0 > 0) {
  plot ARG4 using 1:3 title "failover time per round" with points pt 7 ps 1.5 lc rgb "#9467bd", \
       median title sprintf("median %.2f s", median) with lines dt 2 lc rgb "#9467bd"
} else {
  unset key
  set label 2 "no failover time in this run" at graph 0.5, graph 0.5 center
  set yrange [0:1]
  plot NaN notitle
}
unset multiplot
