#!/usr/bin/env bash
# Throughput with mnemo-bench, closed loop: each scenario against memcached -t 2 and mnemod -t 2
# alternately, ROUNDS rounds each, a fresh server per round (keys prefilled so gets hit).
# Servers on core SERVER_CPU, mnemo-bench (one thread) on core CLIENT_CPU. Reports median
# ops/s, median p99 latency and the server's CPU time per request, and the mnemod/memcached
# ratios as the median of the per-round ratios (each mnemod round against the memcached round
# just before it, which cancels most of the drift in what else the machine is doing).
#
#   bench/compare/throughput.sh [ROUNDS] [SECONDS]      (defaults 3 and 10)
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-10}"
MEMORY_MB="${MEMORY_MB:-64}"
LONG_PREFIX="memcaslap-sized-key-padding-padding-padding-padding-pad:"  # 57 + 7 digits = 64 B

# name | mnemo-bench arguments (besides server, duration and --json); all 90 % get, 100000 keys
COMMON="--connections 50 --ratio 9:1 --key-count 100000"
SCENARIOS=(
  "90 % get, 50 conns, depth 1, 100 B|$COMMON --depth 1 --value-size 100"
  "90 % get, 50 conns, depth 16, 100 B|$COMMON --depth 16 --value-size 100"
  "meta mg/ms 90 % get, 50 conns, depth 1|$COMMON --protocol meta --depth 1 --value-size 100"
  "as memcaslap: 64 B keys, 1024 B values, 50 conns|$COMMON --depth 1 --value-size 1024
    --key-prefix $LONG_PREFIX"
)

echo -n "| scenario | memcached ops/s | mnemod ops/s | ops ratio * | p99 us memcached / mnemod "
echo "| CPU us/request memcached / mnemod | CPU ratio * |"
echo "|---|---|---|---|---|---|---|"
for scenario in "${SCENARIOS[@]}"; do
  IFS='|' read -r name args <<<"${scenario//$'\n'/ }"
  declare -A ops=() p99=() cpu=() last=()
  paired_ops="" paired_cpu=""
  for round in $(seq 1 "$ROUNDS"); do
    for server in memcached mnemod; do
      start_server "$server" -m "$MEMORY_MB" -t 2
      # shellcheck disable=SC2086  # args is a list of flags
      taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" $args --prefill \
        --requests 1 --json >/dev/null  # prefill only
      ticks_before="$(cpu_ticks "$SERVER_PID")"
      # shellcheck disable=SC2086
      out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" $args \
        --duration "$SECONDS_PER_RUN" --json)"
      ticks_after="$(cpu_ticks "$SERVER_PID")"
      stop_server "$SERVER_PID"
      requests="$(json_field "$out" requests)"
      this_ops="$(json_field "$out" ops_per_sec)"
      this_cpu="$(awk -v t="$((ticks_after - ticks_before))" -v hz="$CLK_TCK" \
        -v n="$requests" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
      ops[$server]+="$this_ops "
      cpu[$server]+="$this_cpu "
      p99[$server]+="$(printf '%s\n' "$out" | sed -n 's/.*"p99":\([0-9.]*\).*/\1/p') "
      if [ "$server" = mnemod ]; then
        paired_ops+="$(ratio "$this_ops" "${last[ops]}") "
        paired_cpu+="$(ratio "$this_cpu" "${last[cpu]}") "
      fi
      last[ops]="$this_ops"
      last[cpu]="$this_cpu"
      echo "round $round $server $name: $(json_field "$out" ops_per_sec) ops/s" >&2
    done
  done
  # shellcheck disable=SC2086  # space-separated numbers
  {
    a="$(median ${ops[memcached]})"; b="$(median ${ops[mnemod]})"
    la="$(median ${p99[memcached]})"; lb="$(median ${p99[mnemod]})"
    ca="$(median ${cpu[memcached]})"; cb="$(median ${cpu[mnemod]})"
    printf '| %s | %.0f | %.0f | **%s** | %s / %s | %s / %s | %s |\n' "$name" "$a" "$b" \
      "$(median $paired_ops)" "$la" "$lb" "$ca" "$cb" "$(median $paired_cpu)"
  }
done
echo
echo "\* mnemod / memcached, median of the per-round ratios; ops/s, p99 and CPU: medians."
