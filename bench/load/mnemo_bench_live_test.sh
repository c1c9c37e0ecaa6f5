#!/usr/bin/env bash
# ctest mnemo_bench_live: mnemo-bench against this build's mnemod over every transport it has
# (TCP, TLS, unix socket) and every protocol, closed and open loop, and in its RESP mode
# against Redis, each a fixed number of requests whose count and error total are checked in the
# JSON; then its failures: nothing listening, TLS against a plain listener, a bad command line.
# No timing is asserted.
#
#   BUILD=build bench/load/mnemo_bench_live_test.sh
set -euo pipefail

: "${BUILD:?BUILD: the build directory with bin/mnemod and bin/mnemo-bench}"
BENCH="$BUILD/bin/mnemo-bench"
SCRATCH="$(mktemp -d)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then wait "$pid" || true; fi
  done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
USER_FLAG=()
if [ "$(id -u)" = 0 ]; then USER_FLAG=(-u root); fi
failures=0 checks=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# start_mnemod LOG ARGS...: starts mnemod, waits for its "listening" line, sets PORT.
start_mnemod() {
  local log="$1"
  shift
  "$BUILD/bin/mnemod" "${USER_FLAG[@]}" "$@" >"$log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 200); do
    grep -q 'listening' "$log" && break
    sleep 0.05
  done
  PORT="$(sed -n 's/^mnemod listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
}

# expect_run NAME ARGS...: 2000 requests with --json; all completed, no errors.
expect_run() {
  local name="$1" out
  shift
  checks=$((checks + 1))
  if ! out="$("$BENCH" "$@" --requests 2000 --key-count 500 --no-progress --json 2>&1)"; then
    fail "$name: exited non-zero: $out"
    return
  fi
  python3 - "$name" "$out" <<'PY' || fail "$name: $out"
import json, sys
result = json.loads(sys.argv[2])
ok = result["requests"] == 2000 and result["errors"] == 0 and result["ops_per_sec"] > 0
sys.exit(0 if ok else 1)
PY
}

# expect_failure NAME ARGS...: exits non-zero with a message on stderr.
expect_failure() {
  local name="$1" err
  shift
  checks=$((checks + 1))
  if "$BENCH" "$@" --no-progress >/dev/null 2>"$SCRATCH/err"; then fail "$name: succeeded"; fi
  err="$(cat "$SCRATCH/err")"
  [ -n "$err" ] || fail "$name: no message"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" \
  -days 1 -subj /CN=127.0.0.1 2>/dev/null
start_mnemod "$SCRATCH/plain.log" -l 127.0.0.1 -p 0 -t 2
PLAIN="$PORT"
start_mnemod "$SCRATCH/tls.log" -l 127.0.0.1 -p 0 -t 2 -Z \
  -o "ssl_chain_cert=$SCRATCH/cert.pem,ssl_key=$SCRATCH/key.pem"
TLS="$PORT"
start_mnemod "$SCRATCH/unix.log" -s "$SCRATCH/mnemod.sock"
for _ in $(seq 1 200); do [ -S "$SCRATCH/mnemod.sock" ] && break; sleep 0.05; done
if [ -z "$PLAIN" ] || [ -z "$TLS" ] || [ ! -S "$SCRATCH/mnemod.sock" ]; then
  cat "$SCRATCH"/*.log >&2
  echo "mnemod did not start" >&2
  exit 1
fi

for protocol in ascii meta binary; do
  expect_run "tcp $protocol" -s "127.0.0.1:$PLAIN" --protocol "$protocol" -c 4 --depth 4 --prefill
  expect_run "tls $protocol" -s "127.0.0.1:$TLS" --tls --protocol "$protocol" -c 4 --depth 4 \
    --value-size 100:9,20000:1
  expect_run "unix $protocol" --unix "$SCRATCH/mnemod.sock" --protocol "$protocol" -c 4
  expect_run "open loop $protocol" -s "127.0.0.1:$PLAIN" --protocol "$protocol" -c 4 -t 2 \
    --rate 20000
done
expect_run "tls open loop, multiget" -s "127.0.0.1:$TLS" --tls --multiget 16 -c 4 --rate 5000
expect_run "zipf, sets only" -s "127.0.0.1:$PLAIN" --distribution zipf --ratio 0:1 -c 2
expect_run "hit ratio replay" -s "127.0.0.1:$PLAIN" --mode hitratio --protocol binary --depth 8

# RESP against Redis (scripts/install-deps installs it), on a unix socket: no port to pick.
redis-server --port 0 --unixsocket "$SCRATCH/redis.sock" --save '' --appendonly no \
  --dir "$SCRATCH" >"$SCRATCH/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do [ -S "$SCRATCH/redis.sock" ] && break; sleep 0.05; done
[ -S "$SCRATCH/redis.sock" ] || fail "redis-server did not start: $(cat "$SCRATCH/redis.log")"
expect_run "redis resp" --unix "$SCRATCH/redis.sock" --protocol resp -c 4 --depth 4 --prefill \
  --value-size 100:9,20000:1
expect_run "redis resp, open loop" --unix "$SCRATCH/redis.sock" --protocol resp -c 4 --rate 20000

# A port the OS just handed out and nobody listens on.
closed_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
expect_failure "nothing listening" -s "127.0.0.1:$closed_port" -n 10
expect_failure "TLS to a plain listener" -s "127.0.0.1:$PLAIN" --tls -n 10
expect_failure "no such unix socket" --unix "$SCRATCH/none.sock" -n 10
expect_failure "open loop with depth" -s "127.0.0.1:$PLAIN" --rate 100 --depth 2

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
