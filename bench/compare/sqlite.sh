#!/usr/bin/env bash
# The persistent engine against the durable caches users compare it with: set-heavy (1 get : 9
# sets) and get-heavy (9 gets : 1 set) loads from mnemo-bench against mnemod's memory engine,
# mnemod --engine sqlite with --durability normal (its default 64 MiB memory cache, and with
# --cache-mb 0) and full, memcached, and Redis (appendonly, appendfsync everysec and always)
# through mnemo-bench --protocol resp: the same loads from the same client. For reference, Redis
# also under its own redis-benchmark -t set,get (SET for set-heavy, GET for get-heavy), which
# drives it differently (docs/BENCHMARKS.md, section 5).
# Same value size (100 B), 100,000 keys, 50 connections, no pipelining (depth / -P 1) for
# every server; servers pinned to core SERVER_CPU, the client to CLIENT_CPU. One run per
# server and load, a fresh server (and database or AOF file) for each.
#
#   bench/compare/sqlite.sh [SECONDS]          (default 5)
#
# redis-benchmark takes a request count, not a duration: REDIS_REQUESTS, by default 100,000 per
# second of SECONDS, so that Redis runs about as long as the others (a fixed 200,000 requests,
# two seconds, moved by a fifth between runs).
#
# Needs redis-server and redis-benchmark (Debian redis-server; not in scripts/install-deps,
# since no test uses it). MNEMOD / MNEMO_BENCH / BUILD as in lib.sh.
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

SECONDS_PER_RUN="${1:-5}"
REDIS_REQUESTS="${REDIS_REQUESTS:-$((100000 * SECONDS_PER_RUN))}"
REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
REDIS_BENCHMARK="${REDIS_BENCHMARK:-/usr/bin/redis-benchmark}"
DB_DIR="$WORK/sqlite-bench"
COMMON=(--connections 50 --depth 1 --key-count 100000 --value-size 100)

# run_load RATIO [PORT [FLAGS...]]: mnemo-bench against the server on PORT (SERVER_PORT by
# default), with FLAGS (e.g. --protocol resp): prints ops/s of one load (RATIO = GETS:SETS).
run_load() {
  local ratio="$1" port="${2:-$SERVER_PORT}" out
  shift
  if [ $# -gt 0 ]; then shift; fi
  taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$port" "${COMMON[@]}" "$@" \
    --ratio "$ratio" --prefill --requests 1 --json >/dev/null
  out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$port" "${COMMON[@]}" "$@" \
    --ratio "$ratio" --duration "$SECONDS_PER_RUN" --json)"
  printf '%.0f' "$(json_field "$out" ops_per_sec)"
}

# One table row for a memcached-protocol server: NAME KIND ARGS...
memcached_row() {
  local name="$1" kind="$2" sets gets
  shift 2
  rm -rf "$DB_DIR" && mkdir -p "$DB_DIR"
  start_server "$kind" "$@"
  sets="$(run_load 1:9)"
  stop_server "$SERVER_PID"
  rm -rf "$DB_DIR" && mkdir -p "$DB_DIR"
  start_server "$kind" "$@"
  gets="$(run_load 9:1)"
  stop_server "$SERVER_PID"
  echo "$name: set-heavy $sets, get-heavy $gets ops/s" >&2
  printf '| %s | %s | %s |\n' "$name" "$sets" "$gets"
}

# Starts a fresh Redis with appendfsync POLICY, pinned like the others; sets REDIS_PORT.
start_redis() {
  local policy="$1"
  rm -rf "$DB_DIR" && mkdir -p "$DB_DIR"
  REDIS_PORT="$(free_port)"
  taskset -c "$SERVER_CPU" "$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --save '' \
    --appendonly yes --appendfsync "$policy" --dir "$DB_DIR" --daemonize no \
    >"$WORK/redis.log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  wait_for_port "$REDIS_PORT"
}

# One table row for Redis with appendfsync POLICY under mnemo-bench's loads.
redis_row() {
  local policy="$1" sets gets
  start_redis "$policy"
  sets="$(run_load 1:9 "$REDIS_PORT" --protocol resp)"
  stop_server "$SERVER_PID"
  start_redis "$policy"
  gets="$(run_load 9:1 "$REDIS_PORT" --protocol resp)"
  stop_server "$SERVER_PID"
  echo "redis $policy: set-heavy $sets, get-heavy $gets ops/s" >&2
  printf '| Redis, appendfsync %s | %s | %s |\n' "$policy" "$sets" "$gets"
}

# One table row for Redis with appendfsync POLICY under redis-benchmark.
redis_benchmark_row() {
  local policy="$1" port csv sets gets
  start_redis "$policy"
  port="$REDIS_PORT"
  csv="$(taskset -c "$CLIENT_CPU" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -t set,get \
    -d 100 -c 50 -P 1 -r 100000 -n "$REDIS_REQUESTS" --csv)"
  stop_server "$SERVER_PID"
  sets="$(printf '%s\n' "$csv" | awk -F'"' '$2 == "SET" { printf "%.0f", $4 }')"
  gets="$(printf '%s\n' "$csv" | awk -F'"' '$2 == "GET" { printf "%.0f", $4 }')"
  echo "redis $policy, redis-benchmark: SET $sets, GET $gets requests/s" >&2
  printf '| Redis, appendfsync %s, under redis-benchmark (SET / GET) | %s | %s |\n' "$policy" \
    "$sets" "$gets"
}

echo "| server | set-heavy ops/s (1 get : 9 sets) | get-heavy ops/s (9 gets : 1 set) |"
echo "|---|---|---|"
memcached_row "mnemod, memory engine" mnemod -m 1024 -t 2
memcached_row "mnemod, sqlite, durability normal" mnemod -m 1024 -t 2 \
  --engine "sqlite:$DB_DIR/cache.db"
memcached_row "mnemod, sqlite, durability normal, --cache-mb 0 (no memory cache)" mnemod \
  -m 1024 -t 2 --engine "sqlite:$DB_DIR/cache.db" --cache-mb 0
memcached_row "mnemod, sqlite, durability full" mnemod -m 1024 -t 2 \
  --engine "sqlite:$DB_DIR/cache.db" --durability full
memcached_row "memcached 1.6.18" memcached -m 1024 -t 2
redis_row everysec
redis_row always
redis_benchmark_row everysec
redis_benchmark_row always
rm -rf "$DB_DIR"
