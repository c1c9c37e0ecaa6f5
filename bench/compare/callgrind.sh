#!/usr/bin/env bash
# User-space instructions per request of mnemod under memcaslap's load (docs/BENCHMARKS.md,
# section 3): runs mnemod -t 2 -m 64 under `valgrind --tool=callgrind`, sends REQUESTS requests
# with memcaslap (memaslap.cnf: 90 % get, 1024-byte values, 50 connections), stops mnemod and
# prints the instructions it executed divided by the requests `stats` counted (start-up and
# shutdown included: about 3 % at 100,000 requests). Unlike ops/s or CPU time, the count does not
# depend on what else the machine is doing; it does not see the kernel's share either.
#
#   bench/compare/callgrind.sh [REQUESTS] [OUT]     (defaults 100000 and $WORK/callgrind.out)
#   callgrind_annotate OUT | head -40               # where the instructions went
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

REQUESTS="${1:-100000}"
OUT="${2:-$WORK/callgrind.out}"
for tool in valgrind callgrind_annotate memcaslap; do
  command -v "$tool" >/dev/null || { echo "$tool missing (apt-get install valgrind" \
    "libmemcached-tools)" >&2; exit 1; }
done

log="$WORK/callgrind-mnemod.log"
: >"$log"
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$MNEMOD" "${USER_FLAG[@]}" \
  -l 127.0.0.1 -p 0 -m 64 -t 2 >"$log" 2>&1 &
pid=$!
STARTED_PIDS+=("$pid")
port=""
for _ in $(seq 1 600); do  # valgrind starts slowly: up to 30 s
  port="$(sed -n 's/^mnemod listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "mnemod did not start under valgrind:" >&2; cat "$log" >&2; exit 1; }
memcaslap -s "127.0.0.1:$port" -x "$REQUESTS" -c 50 -T 1 -F "$(dirname "$0")/memaslap.cnf" \
  >"$WORK/callgrind-memcaslap.log" 2>&1
served=$(( $(stat_value "$port" cmd_get) + $(stat_value "$port" cmd_set) ))
stop_server "$pid"
total="$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen++ { gsub(",", "", $1); print $1 }')"
[ -n "$total" ] || { echo "no callgrind totals in $OUT" >&2; exit 1; }
echo "requests $served, instructions $total, per request $(awk -v a="$total" -v b="$served" \
  'BEGIN { printf "%.0f", a / b }')"
