#!/usr/bin/env bash
# Hit ratio at equal memory (issue 3, benchmark 2). Both servers at -m 64; mnemo-bench replays
# one seeded key stream per scenario (get, and set on a miss), so both servers see exactly the
# same requests. The replay is pipelined (depth 256, see bench/README.md); the ratio depends
# on the stream and the server's memory use and policy only, not on the machine's load, so
# each scenario runs once per server. Prints a markdown table. To iterate on the memory engine
# without servers: mnemo_hit_ratio_replay and mnemo_policy_sim (bench/memory) replay the same
# streams in process.
#
#   bench/compare/hit_ratio.sh [REQUESTS]          (default 5000000)
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

REQUESTS="${1:-5000000}"
MEMORY_MB="${MEMORY_MB:-64}"
KEYS="${KEYS:-3900000}"

# name | target | mnemo-bench stream arguments
SCENARIOS=(
  "Zipf(1.0), ${KEYS} keys, 100 B|+0.02|--key-count $KEYS --value-size 100"
  "Zipf(1.0), 5000000 keys, 100 B|+0.02|--key-count 5000000 --value-size 100"
  "mixed sizes: Zipf(1.0), ${KEYS} keys, 10-1000 B|>= 0|--key-count $KEYS --value-size 10-1000"
  "one-hit wonders: 30 % of requests new keys|>= 0|--key-count $KEYS --value-size 100
    --one-hit-fraction 0.3"
  "scans: 20 % of requests in runs of 50000 new keys|>= 0|--key-count $KEYS --value-size 100
    --one-hit-fraction 0.2 --one-hit-run 50000"
)

echo -n "| stream ($REQUESTS requests, -m $MEMORY_MB) | memcached | mnemod | mnemod - memcached "
echo "| target | met | items memcached / mnemod | RSS MiB memcached / mnemod |"
echo "|---|---|---|---|---|---|---|---|"
for scenario in "${SCENARIOS[@]}"; do
  IFS='|' read -r name target args <<<"${scenario//$'\n'/ }"
  declare -A ratio=() items=() rss=()
  for server in memcached mnemod; do
    start_server "$server" -m "$MEMORY_MB" -t 2
    # shellcheck disable=SC2086  # args is a list of flags
    out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" --mode hitratio \
      --distribution zipf --zipf-exponent 1.0 --requests "$REQUESTS" --depth 256 --seed 1 \
      $args --json)"
    errors="$(json_field "$out" errors)"
    [ "$errors" = 0 ] || echo "$server, $name: $errors errors" >&2
    ratio[$server]="$(json_field "$out" hit_ratio)"
    items[$server]="$(stat_value "$SERVER_PORT" curr_items)"
    rss[$server]="$(awk -v kb="$(rss_kb "$SERVER_PID")" 'BEGIN { printf "%.1f", kb / 1024 }')"
    stop_server "$SERVER_PID"
  done
  awk -v n="$name" -v t="$target" -v a="${ratio[memcached]}" -v b="${ratio[mnemod]}" \
    -v ia="${items[memcached]}" -v ib="${items[mnemod]}" -v ra="${rss[memcached]}" \
    -v rb="${rss[mnemod]}" 'BEGIN {
      d = b - a
      need = (t == "+0.02") ? 0.02 : 0
      printf "| %s | %.4f | %.4f | %+.4f | %s | %s | %d / %d | %s / %s |\n", n, a, b, d, t,
        (d >= need - 1e-9) ? "yes" : "**no**", ia, ib, ra, rb
    }'
done
