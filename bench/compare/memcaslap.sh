#!/usr/bin/env bash
# memcaslap throughput (issue 4's bar): memcached -t 2 and mnemod -t 2, same -m, alternately
# (memcached, mnemod, memcached, ...) for ROUNDS rounds each, a fresh server per round. The
# servers run on core SERVER_CPU, memcaslap (one thread, 50 connections, memaslap.cnf: 90 %
# get, 1024-byte values) on core CLIENT_CPU. Reports the median TPS and the server's CPU time
# per request (utime + stime over the run / requests), which depends less on what else the
# machine is doing. Prints markdown: every round, then the medians, their ratio, and the median
# of the per-round ratios (each mnemod round against the memcached round just before it, which
# cancels most of the drift in what else the machine is doing).
#
#   bench/compare/memcaslap.sh [ROUNDS] [SECONDS]      (defaults 3 and 10)
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-10}"
MEMORY_MB="${MEMORY_MB:-64}"
if ! command -v memcaslap >/dev/null; then
  echo "memcaslap missing (apt-get install libmemcached-tools)" >&2
  exit 1
fi

declare -A tps_list=() cpu_list=() last=()
paired_tps="" paired_cpu=""
echo "| round | server | ops | TPS | server CPU us/request |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for server in memcached mnemod; do
    start_server "$server" -m "$MEMORY_MB" -t 2
    memcaslap_round "$server"
    stop_server "$SERVER_PID"
    ops="$ROUND_OPS" tps="$ROUND_TPS" cpu="$ROUND_CPU"
    tps_list[$server]+="$tps "
    cpu_list[$server]+="$cpu "
    if [ "$server" = mnemod ]; then
      paired_tps+="$(ratio "$tps" "${last[tps]}") "
      paired_cpu+="$(ratio "$cpu" "${last[cpu]}") "
    fi
    last[tps]="$tps"
    last[cpu]="$cpu"
    echo "| $round | $server | $ops | $tps | $cpu |"
  done
done
# shellcheck disable=SC2086  # the lists are space-separated numbers
{
  mc_tps="$(median ${tps_list[memcached]})"
  mn_tps="$(median ${tps_list[mnemod]})"
  mc_cpu="$(median ${cpu_list[memcached]})"
  mn_cpu="$(median ${cpu_list[mnemod]})"
}
echo
echo "| median of $ROUNDS | memcached | mnemod | ratio of medians | median of round ratios |"
echo "|---|---|---|---|---|"
# shellcheck disable=SC2086  # space-separated numbers
{
  echo "| TPS | $mc_tps | $mn_tps | $(ratio "$mn_tps" "$mc_tps") | **$(median $paired_tps)** |"
  echo "| server CPU us/request | $mc_cpu | $mn_cpu | $(ratio "$mn_cpu" "$mc_cpu") |" \
    "$(median $paired_cpu) |"
}
