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
  start_server memcached -m 64 -t 1
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
echo "| round | proxy | ops | TPS | proxy CPU us/request |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for proxy in nutcracker mnemod; do
    if [ "$proxy" = nutcracker ]; then
      start_nutcracker
    else
      start_server mnemod -t 2 --engine "$spec"
    fi
    memcaslap_round "$proxy"
    stop_server "$SERVER_PID"
    echo "| $round | $proxy | $ROUND_OPS | $ROUND_TPS | $ROUND_CPU |"
  done
done
