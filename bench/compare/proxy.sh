#!/usr/bin/env bash
# Proxies compared (issue 9): nutcracker (twemproxy) and mnemod --engine proxy in front of the
# same three memcached, both with ketama + md5 (ketama_weighted on the mnemod side, so that both
# put each key on the same upstream). memcaslap (one thread, 50 connections, memaslap.cnf: 90 %
# get, 1024-byte values) runs against each proxy in turn for ROUNDS rounds; the upstreams stay up
# throughout. Reports TPS and the proxy's CPU time per request. Proxies on SERVER_CPU, memcaslap
# on CLIENT_CPU; the upstreams are not pinned.
#
#   bench/compare/proxy.sh [ROUNDS] [SECONDS]      (defaults 3 and 10)
#   PROXY_OPTIONS=";pool=16" bench/compare/proxy.sh   (appended to mnemod's --engine proxy: spec)
#   PROXY_THREADS=1 bench/compare/proxy.sh   (mnemod's -t; default 2, as on this 2-core machine)
#
# Then latency: mnemo-bench in open loop (LATENCY_RATE requests/s, default 40000, below both
# proxies' peak; 50 connections, 9:1 gets:sets, 1 KiB values, prefilled) against each proxy in
# turn for ROUNDS rounds of SECONDS; reports p50/p99/p99.9 measured from the intended send time.
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-10}"
NUTCRACKER="${NUTCRACKER:-$(command -v nutcracker || echo /usr/sbin/nutcracker)}"
for tool in memcaslap "$NUTCRACKER"; do
  command -v "$tool" >/dev/null || { echo "$tool missing (scripts/install-deps)" >&2; exit 1; }
done

upstreams=()
for i in 1 2 3; do
  # Not pinned: on SERVER_CPU they would compete with the proxy under test for its core.
  SERVER_CPU=0-1 start_server memcached -m 64 -t 1
  upstreams+=("127.0.0.1:$SERVER_PORT")
done

start_nutcracker() {  # sets SERVER_PID and SERVER_PORT
  SERVER_PORT="$(free_port)"
  local yaml="$WORK/nutcracker.yml" i=0
  {
    echo "pool:"
    echo "  listen: 127.0.0.1:$SERVER_PORT"
    echo "  hash: md5"
    echo "  distribution: ketama"
    echo "  servers:"
    for upstream in "${upstreams[@]}"; do
      i=$((i + 1))
      echo "    - $upstream:1 server$i"
    done
  } >"$yaml"
  taskset -c "$SERVER_CPU" "$NUTCRACKER" -c "$yaml" -s "$(free_port)" \
    >"$WORK/nutcracker.log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  wait_for_port "$SERVER_PORT"
}

spec="proxy:$(IFS=,; echo "${upstreams[*]}");distribution=ketama_weighted;hash=md5"
spec+="${PROXY_OPTIONS:-}"

start_proxy() {  # nutcracker | mnemod; sets SERVER_PID and SERVER_PORT
  if [ "$1" = nutcracker ]; then
    start_nutcracker
  else
    start_server mnemod -t "${PROXY_THREADS:-2}" --engine "$spec"
  fi
}

echo "| round | proxy | ops | TPS | proxy CPU us/request |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for proxy in nutcracker mnemod; do
    start_proxy "$proxy"
    memcaslap_round "$proxy"
    stop_server "$SERVER_PID"
    echo "| $round | $proxy | $ROUND_OPS | $ROUND_TPS | $ROUND_CPU |"
  done
done

echo
echo "| round | proxy | offered ops/s | served ops/s | p50 us | p99 us | p99.9 us |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for proxy in nutcracker mnemod; do
    start_proxy "$proxy"
    out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" -c 50 \
      --ratio 9:1 --value-size 1024 --key-count 10000 --prefill --rate "${LATENCY_RATE:-40000}" \
      -D "$SECONDS_PER_RUN" --json)" || { echo "mnemo-bench failed against $proxy" >&2; exit 1; }
    stop_server "$SERVER_PID"
    echo "| $round | $proxy | ${LATENCY_RATE:-40000} | $(json_field "$out" ops_per_sec) |" \
      "$(json_field "$out" p50) | $(json_field "$out" p99) | $(json_field "$out" p99.9) |"
  done
done
