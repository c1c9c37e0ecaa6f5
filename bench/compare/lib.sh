# shellcheck shell=bash
# Helpers shared by the bench/compare scripts (sourced, not run): start memcached and mnemod on
# free loopback ports pinned to a core, read their RSS and CPU time from /proc, stop them.
#
# Every server started here is remembered and killed by its pid when the script exits.
#
# Environment: BUILD (default <repo>/build-bench), MEMCACHED (default /usr/bin/memcached),
# SERVER_CPU / CLIENT_CPU (cores for taskset, default 0 and 1), NO_BUILD=1 to measure the
# binaries in BUILD as they are (otherwise mnemod and mnemo-bench are brought up to date first,
# so a stale build is never measured by mistake).

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD:-$REPO/build-bench}"
if [ "${NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMNEMO_BENCH=ON \
      -DMNEMO_TESTS=OFF -DMNEMO_EXAMPLES=OFF >/dev/null
  fi
  cmake --build "$BUILD" -j "$(nproc)" --target mnemod mnemo-bench >/dev/null
fi
MNEMOD="${MNEMOD:-$BUILD/bin/mnemod}"
MNEMO_BENCH="${MNEMO_BENCH:-$BUILD/bin/mnemo-bench}"
MEMCACHED="${MEMCACHED:-/usr/bin/memcached}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
# Server logs; inside the build directory, away from /tmp cleaners.
WORK="${WORK:-$BUILD/compare-work}"
mkdir -p "$WORK"

# Both servers refuse to run as root without -u.
USER_FLAG=()
if [ "$(id -u)" = 0 ]; then USER_FLAG=(-u root); fi

STARTED_PIDS=()
declare -A SERVER_KINDS=()  # pid -> memcached | mnemod
cleanup_servers() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
  done
  STARTED_PIDS=()
}
trap cleanup_servers EXIT

# A port nobody listens on now (the OS picks it; the server binds it right after).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {  # PORT: until something accepts there (10 s at most)
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# start_server memcached|mnemod ARGS...: sets SERVER_PID and SERVER_PORT.
start_server() {
  local kind="$1"
  shift
  local log="$WORK/$kind.log"  # servers run one at a time
  : >"$log"  # exists before the background child opens it, for the polling below
  if [ "$kind" = memcached ]; then
    SERVER_PORT="$(free_port)"
    taskset -c "$SERVER_CPU" "$MEMCACHED" "${USER_FLAG[@]}" -l 127.0.0.1 -p "$SERVER_PORT" -U 0 \
      "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    SERVER_KINDS[$SERVER_PID]=memcached
    wait_for_port "$SERVER_PORT"
  else
    taskset -c "$SERVER_CPU" "$MNEMOD" "${USER_FLAG[@]}" -l 127.0.0.1 -p 0 "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    SERVER_PORT=""
    for _ in $(seq 1 200); do
      SERVER_PORT="$(sed -n 's/^mnemod listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" |
        head -1)"
      [ -n "$SERVER_PORT" ] && break
      sleep 0.05
    done
    [ -n "$SERVER_PORT" ] || { echo "mnemod did not start:" >&2; cat "$log" >&2; return 1; }
    wait_for_port "$SERVER_PORT"
  fi
}

stop_server() {  # PID
  # memcached takes most of a second to act on SIGTERM and keeps nothing worth a clean stop
  # here; mnemod stops at once.
  if [ "${SERVER_KINDS[$1]:-}" = memcached ]; then
    kill -KILL "$1" 2>/dev/null || true
  else
    kill "$1" 2>/dev/null || true
  fi
  unset "SERVER_KINDS[$1]"
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${STARTED_PIDS[@]:-}"; do [ "$pid" != "$1" ] && kept+=("$pid"); done
  STARTED_PIDS=("${kept[@]:-}")
}

rss_kb() {  # PID: resident set size in KiB (VmRSS)
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

cpu_ticks() {  # PID: utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat)
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

export CLK_TCK  # read by the scripts that source this file
CLK_TCK="$(getconf CLK_TCK)"

# One memcaslap run against SERVER_PORT on core CLIENT_CPU: memaslap.cnf's workload (90 % get,
# 1024-byte values), one thread, 50 connections, SECONDS_PER_RUN seconds. Sets ROUND_OPS,
# ROUND_TPS and ROUND_CPU (SERVER_PID's CPU time per request, us); exits if memcaslap failed.
# shellcheck disable=SC2034  # ROUND_* are read by the scripts that source this file
memcaslap_round() {  # NAME (for the error message)
  local before after out line
  before="$(cpu_ticks "$SERVER_PID")"
  out="$(taskset -c "$CLIENT_CPU" memcaslap -s "127.0.0.1:$SERVER_PORT" -t "${SECONDS_PER_RUN}s" \
    -c 50 -T 1 -F "$(dirname "${BASH_SOURCE[0]}")/memaslap.cnf" 2>&1)"
  after="$(cpu_ticks "$SERVER_PID")"
  line="$(printf '%s\n' "$out" | grep '^Run time:' | tail -1)"
  ROUND_OPS="$(printf '%s\n' "$line" | sed -n 's/.*Ops: \([0-9]*\).*/\1/p')"
  ROUND_TPS="$(printf '%s\n' "$line" | sed -n 's/.*TPS: \([0-9]*\).*/\1/p')"
  [ -n "$ROUND_TPS" ] || { echo "memcaslap failed against $1:" >&2; echo "$out" >&2; exit 1; }
  ROUND_CPU="$(awk -v t="$((after - before))" -v hz="$CLK_TCK" -v n="$ROUND_OPS" \
    'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
}

stat_value() {  # PORT NAME: one field of `stats`
  local reply
  reply="$(exec 3<>"/dev/tcp/127.0.0.1/$1"; printf 'stats\r\nquit\r\n' >&3; cat <&3)"
  printf '%s\n' "$reply" | tr -d '\r' | awk -v name="$2" '$1 == "STAT" && $2 == name { print $3 }'
}

json_field() {  # JSON NAME: a number from mnemo-bench --json output, its first occurrence
  # (before the first "}": "p99" is the latency's, not the send lag's further on)
  printf '%s\n' "$1" | sed -n "s/^[^}]*\"$2\":\([-0-9.e]*\).*/\1/p"
}

median() {  # numbers as arguments
  printf '%s\n' "$@" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {  # A B: A / B with 3 decimals
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b == 0) ? 0 : a / b }'
}
