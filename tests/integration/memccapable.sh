#!/usr/bin/env bash
# memccapable (libmemcached-tools) against a server of ours: all 54 checks, ASCII and binary.
set -euo pipefail
source "$(dirname "$0")/start_server.sh"
start_server "$@"
out=$(memccapable -h 127.0.0.1 -p "$SERVER_PORT" -t 5 2>&1) || true
echo "$out"
passed=$(grep -c '\[pass\]' <<<"$out" || true)
if [ "$passed" -ne 54 ] || ! grep -q "All tests passed" <<<"$out"; then
  echo "memccapable: $passed of 54 passed" >&2
  exit 1
fi
echo "memccapable: 54 of 54 passed"
