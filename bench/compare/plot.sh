#!/usr/bin/env bash
# Draws throughput.sh's results with gnuplot (Debian's gnuplot-nox): throughput.png, median
# ops/s per scenario for both servers as bars, and latency.png, the open-loop run's latency
# distribution as a percentile plot (x: 1/(1-q) on a log axis, so the tail gets the room).
#
#   bench/compare/plot.sh DATA_DIR OUT_DIR
#   DATA_DIR holds summarize.py's throughput.dat and latency-{memcached,mnemod}.dat.
set -euo pipefail

DATA="${1:?usage: plot.sh DATA_DIR OUT_DIR}"
OUT="${2:?usage: plot.sh DATA_DIR OUT_DIR}"
if ! command -v gnuplot >/dev/null; then
  echo "gnuplot missing (apt-get install gnuplot-nox, or scripts/install-deps)" >&2
  exit 1
fi
mkdir -p "$OUT"
TITLE_NOTE="${PLOT_NOTE:-servers pinned to one core, mnemo-bench to the other}"

gnuplot <<GP
set terminal pngcairo size 1000,520 font "sans,10"
set output "$OUT/throughput.png"
set title "Throughput per scenario, median ops/s ($TITLE_NOTE)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "requests/s"
set yrange [0:*]
set format y "%.0s%c"
set xtics rotate by -25 nomirror
set grid ytics
set key top left
plot "$DATA/throughput.dat" using 2:xtic(1) title "memcached 1.6.18" lc rgb "#8c8c8c", \
     "" using 3 title "mnemod" lc rgb "#2a7ab0"
GP

gnuplot <<GP
set terminal pngcairo size 900,520 font "sans,10"
set output "$OUT/latency.png"
set title "Open-loop latency at the same offered load (80 % of memcached's peak)"
set logscale x
set logscale y
set format y "%g"
set xrange [1:200000]
set xtics ("0%%" 1, "50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, \
           "99.999%%" 100000)
set xlabel "percentile"
set ylabel "latency from intended send time (us)"
set grid xtics ytics mytics
set key top left
plot "$DATA/latency-memcached.dat" using 2:3 with linespoints title "memcached 1.6.18" \
       lc rgb "#8c8c8c" pt 7, \
     "$DATA/latency-mnemod.dat" using 2:3 with linespoints title "mnemod" lc rgb "#2a7ab0" pt 7
GP
echo "plots: $OUT/throughput.png $OUT/latency.png" >&2
