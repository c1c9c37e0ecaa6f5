#!/usr/bin/env bash
# Issue 10's scenarios with mnemo-bench: each against memcached and mnemod (same -t, -m, TCP on
# loopback) alternately, memcached, mnemod, memcached, ... for ROUNDS rounds each, a fresh
# server per round. Servers run pinned to core SERVER_CPU, mnemo-bench (one thread) to core
# CLIENT_CPU (taskset). Every round appends one JSON line to WORK/rounds.jsonl (mnemo-bench's
# --json output plus the server's CPU time per request: utime + stime from /proc/PID/stat
# before and after the measured run, over the requests); summarize.py then prints the table
# (medians and mnemod/memcached ratios) and writes the plot data that plot.sh draws.
#
# The open-loop scenario runs last, at OPEN_LOOP_LOAD (0.8) times memcached's median ops/s in
# the first scenario (its closed-loop peak with the same 50 connections), the same offered load
# for both servers, so their latency distributions compare.
#
#   bench/compare/throughput.sh [ROUNDS] [SECONDS]      (defaults 3 and 10)
#   Environment: THREADS (server -t, 2), MEMORY_MB (server -m, 1024), KEY_COUNT (100000),
#   OPEN_LOOP_LOAD (0.8), and lib.sh's.
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-10}"
THREADS="${THREADS:-2}"
MEMORY_MB="${MEMORY_MB:-1024}"
KEY_COUNT="${KEY_COUNT:-100000}"
OPEN_LOOP_LOAD="${OPEN_LOOP_LOAD:-0.8}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROUNDS_FILE="$WORK/rounds.jsonl"
TITLES_FILE="$WORK/scenarios.tsv"
: >"$ROUNDS_FILE"

# id | title | prefill (yes/no) | mnemo-bench arguments besides server, duration and --json
COMMON="--connections 50 --key-count $KEY_COUNT --no-progress"
SCENARIOS=(
  "get90|90 % get, 50 conns, not pipelined|yes|$COMMON --ratio 9:1 --value-size 100"
  "get90-pipelined|90 % get, 50 conns, pipelined depth 16|yes|$COMMON --ratio 9:1 --depth 16
    --value-size 100"
  "set-100|set only, 100 B values|no|$COMMON --ratio 0:1 --value-size 100"
  "set-4k|set only, 4 KB values|no|$COMMON --ratio 0:1 --value-size 4096"
  "multiget-16|multi-get of 16 keys (get only)|yes|$COMMON --ratio 1:0 --multiget 16
    --value-size 100"
  "meta|meta mg/ms, 90 % get|yes|$COMMON --ratio 9:1 --protocol meta --value-size 100"
  "binary|binary get/set, 90 % get|yes|$COMMON --ratio 9:1 --protocol binary --value-size 100"
  "open-loop|open loop at 80 % of memcached's peak, 90 % get|yes|$COMMON --ratio 9:1
    --value-size 100"
)

# run_round ID ARGS PREFILL SERVER ROUND: one measured run, appended to ROUNDS_FILE.
run_round() {
  local id="$1" args="$2" prefill="$3" server="$4" round="$5" out before after
  start_server "$server" -m "$MEMORY_MB" -t "$THREADS"
  if [ "$prefill" = yes ]; then
    # shellcheck disable=SC2086  # args is a list of flags
    taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" $args --prefill \
      --requests 1 --json >/dev/null  # prefill only (closed loop, whatever --rate says)
  fi
  before="$(cpu_ticks "$SERVER_PID")"
  # shellcheck disable=SC2086
  out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" $args \
    --duration "$SECONDS_PER_RUN" --json)" || {
    echo "mnemo-bench failed: $id, $server, round $round" >&2
    return 1
  }
  after="$(cpu_ticks "$SERVER_PID")"
  stop_server "$SERVER_PID"
  python3 - "$id" "$server" "$round" "$((after - before))" "$CLK_TCK" "$out" \
    >>"$ROUNDS_FILE" <<'PY'
import json, sys
scenario, server, round_, ticks, hz, out = sys.argv[1:7]
bench = json.loads(out)
requests = bench["requests"]
cpu = int(ticks) * 1e6 / int(hz) / requests if requests else 0.0
print(json.dumps({"scenario": scenario, "server": server, "round": int(round_),
                  "cpu_us_per_request": cpu, "bench": bench}))
PY
  echo "round $round $server $id: $(json_field "$out" ops_per_sec) ops/s," \
    "p99 $(json_field "$out" p99) us" >&2
}

for scenario in "${SCENARIOS[@]}"; do
  IFS='|' read -r id title _ <<<"$scenario"
  printf '%s\t%s\n' "$id" "$title"
done >"$TITLES_FILE"

for scenario in "${SCENARIOS[@]}"; do
  IFS='|' read -r id title prefill args <<<"${scenario//$'\n'/ }"
  if [ "$id" = open-loop ]; then
    peak="$(python3 "$HERE/summarize.py" --peak get90 "$ROUNDS_FILE")"
    rate="$(awk -v p="$peak" -v f="$OPEN_LOOP_LOAD" 'BEGIN { printf "%.0f", p * f }')"
    args+=" --rate $rate"
    echo "open loop: $rate requests/s ($OPEN_LOOP_LOAD x memcached's $peak ops/s)" >&2
  fi
  for round in $(seq 1 "$ROUNDS"); do
    for server in memcached mnemod; do
      run_round "$id" "$args" "$prefill" "$server" "$round"
    done
  done
done

python3 "$HERE/summarize.py" --titles "$TITLES_FILE" --plot-data "$WORK" "$ROUNDS_FILE"
