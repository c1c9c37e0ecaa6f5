#!/usr/bin/env bash
# Bytes per item through the server (issue 3, benchmark 1). For memcached and mnemod in turn:
# start with a large -m, read VmRSS, load ITEMS items key:0000001... with VALUE-byte values
# (set only, sequential, pipelined), wait for background work to settle, read VmRSS again:
#   overhead = (RSS after - RSS before) / items - (key + value bytes)
# Prints one markdown table row per server. RSS does not depend on load, so one run each.
#
#   bench/compare/bytes_per_item.sh [ITEMS] [VALUE]      (defaults 1000000 100)
# shellcheck source=bench/compare/lib.sh
source "$(dirname "$0")/lib.sh"

ITEMS="${1:-1000000}"
VALUE="${2:-100}"
MEMORY_MB="${MEMORY_MB:-2048}"
THREADS="${THREADS:-2}"
KEY_BYTES=11  # key:0000001 .. key:1000000 (longer ids only above 9,999,999 items)

echo -n "| server | -m | items stored | RSS before (KiB) | RSS after (KiB) | RSS bytes/item "
echo "| overhead bytes/item |"
echo "|---|---|---|---|---|---|---|"
for server in memcached mnemod; do
  start_server "$server" -m "$MEMORY_MB" -t "$THREADS"
  sleep 1
  before="$(rss_kb "$SERVER_PID")"
  out="$(taskset -c "$CLIENT_CPU" "$MNEMO_BENCH" -s "127.0.0.1:$SERVER_PORT" --mode load \
    --ratio 0:1 --distribution sequential --key-count "$ITEMS" --requests "$ITEMS" \
    --value-size "$VALUE" --connections 4 --depth 32 --json)"
  errors="$(json_field "$out" errors)"
  sleep 3  # memcached's hash table expansion and LRU maintainer run in the background
  after="$(rss_kb "$SERVER_PID")"
  items="$(stat_value "$SERVER_PORT" curr_items)"
  stop_server "$SERVER_PID"
  if [ "$errors" != 0 ] || [ "$items" != "$ITEMS" ]; then
    echo "$server: $errors errors, $items items stored of $ITEMS" >&2
  fi
  awk -v s="$server" -v m="$MEMORY_MB" -v n="$ITEMS" -v b="$before" -v a="$after" \
    -v data="$((KEY_BYTES + VALUE))" -v items="$items" 'BEGIN {
      per = (a - b) * 1024 / n
      printf "| %s | %d | %d | %d | %d | %.1f | **%.1f** |\n", s, m, items, b, a, per, per - data
    }'
done
