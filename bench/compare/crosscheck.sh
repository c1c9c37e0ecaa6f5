#!/usr/bin/env bash
# Checks mnemo-bench against memcaslap (Debian libmemcached-tools): against one server at a
# time (memcached -t 2, then mnemod -t 2, same -m), both clients run the same workload in turn,
# memcaslap, mnemo-bench, memcaslap, ... ROUNDS times each: memcaslap.sh's memaslap.cnf (64-byte
# keys, 1024-byte values, 90 % get), 50 connections, one client thread, pinned to CLIENT_CPU
# while the server is on SERVER_CPU. The two agree when the median of the per-round ratios
# (mnemo-bench ops/s over the memcaslap TPS just before) is 1 within the rounds' spread.
#
#   bench/compare/crosscheck.sh [ROUNDS] [SECONDS]      (defaults 3 and 10)
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-10}"
MEMORY_MB="${MEMORY_MB:-64}"
LONG_PREFIX="memcaslap-sized-key-padding-padding-padding-padding-pad:"  # 57 + 7 digits = 64 B
if ! command -v memcaslap >/dev/null; then
  echo "memcaslap missing (apt-get install libmemcached-tools)" >&2
  exit 1
fi

echo "| server | memcaslap TPS per round | mnemo-bench ops/s per round | median memcaslap |" \
  "median mnemo-bench | mnemo-bench / memcaslap * | spread of the ratios |"
echo "|---|---|---|---|---|---|---|"
for server in memcached mnemod; do
  start_server "$server" -m "$MEMORY_MB" -t 2
  taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" --key-count 100000 \
    --key-prefix "$LONG_PREFIX" --value-size 1024 --prefill --requests 1 --json >/dev/null
  slap="" bench="" ratios=""
  for _ in $(seq 1 "$ROUNDS"); do
    memcaslap_round "$server"
    tps="$ROUND_TPS"
    out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" --connections 50 \
      --ratio 9:1 --key-count 100000 --key-prefix "$LONG_PREFIX" --value-size 1024 \
      --duration "$SECONDS_PER_RUN" --no-progress --json)"
    ops="$(json_field "$out" ops_per_sec)"
    slap+="$tps " bench+="$(printf '%.0f' "$ops") " ratios+="$(ratio "$ops" "$tps") "
    echo "crosscheck $server: memcaslap $tps TPS, mnemo-bench $ops ops/s" >&2
  done
  stop_server "$SERVER_PID"
  # shellcheck disable=SC2086  # space-separated numbers
  spread="$(printf '%s\n' $ratios | sort -g | sed -n '1p;$p' | paste -sd- -)"
  # shellcheck disable=SC2086
  echo "| $server | ${slap% } | ${bench% } | $(median $slap) | $(median $bench) |" \
    "**$(median $ratios)** | $spread |"
done
echo
echo "\\* median of the per-round ratios. The two clients use their whole core at these rates,"
echo "so the ratio measures the clients as much as the server: within about 5 % counts as"
echo "agreement."
