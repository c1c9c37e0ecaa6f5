# Sourced by integration scripts: start_server BINARY ARGS... starts a server of ours with
# `-p 0` (the OS picks a free port), reads the port it prints, and exports SERVER_PID and
# SERVER_PORT. The server is killed when the script exits.
start_server() {
  local log
  log=$(mktemp)
  "$@" -p 0 >"$log" 2>&1 &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -f '"$log" EXIT
  for _ in $(seq 200); do
    SERVER_PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "server did not start:" >&2
  cat "$log" >&2
  return 1
}
