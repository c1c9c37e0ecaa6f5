#!/usr/bin/env bash
# mnemo-capable against live servers: mnemod diffed with a real memcached passes every script
# (but the `fresh` ones, which compat_test runs on servers of their own: run here one after the
# other, memcached's delayed flushes and crawler settings would leak into later scripts); a
# reply that must differ makes it fail with exit status 1; without --ref it checks that mnemod
# keeps in step.
# Usage: capable_test.sh MNEMO_CAPABLE MNEMOD [MNEMOD ARGS...]
set -euo pipefail
capable=$1
shift
log=$(mktemp)
ref_pid=""
"$@" -p 0 >"$log" 2>&1 &
mnemod_pid=$!
cleanup() {
  kill $mnemod_pid $ref_pid 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$log" "$log.scripts" "$log.ref"
}
trap cleanup EXIT
mnemod_port=""
for _ in $(seq 200); do
  mnemod_port=$(sed -n 's/^mnemod listening on [^ ]*:\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
  [ -n "$mnemod_port" ] && break
  kill -0 "$mnemod_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$mnemod_port" ] || { echo "mnemod did not start:" >&2; cat "$log" >&2; exit 1; }

# True when the server on $ref_port is the memcached started here: another test may take the
# port between the probe and memcached's bind, and answer the connect while ours fails.
ref_is_ours() {
  local pid
  pid=$( (exec 3<>"/dev/tcp/127.0.0.1/$ref_port" && printf 'stats\r\nquit\r\n' >&3 &&
    timeout 2 cat <&3) 2>/dev/null | tr -d '\r' | sed -n 's/^STAT pid //p')
  [ "$pid" = "$ref_pid" ]
}

# memcached cannot be asked for an OS-chosen port: take a free one, retry if it was taken.
as_root=()
[ "$(id -u)" -eq 0 ] && as_root=(-u root)
for _ in 1 2 3 4 5; do
  ref_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
  memcached -l 127.0.0.1 -p "$ref_port" -U 0 -t 1 -vv "${as_root[@]}" >"$log.ref" 2>&1 &
  ref_pid=$!
  for _ in $(seq 100); do
    ref_is_ours && break 2
    kill -0 "$ref_pid" 2>/dev/null || break
    sleep 0.05
  done
  kill "$ref_pid" 2>/dev/null || true
  ref_pid=""
done
[ -n "$ref_pid" ] || { echo "memcached did not start" >&2; exit 1; }

# Runs mnemo-capable against mnemod; prints what is not a PASS line and sets $out and $status.
run() {
  status=0
  # A step's time limit only ends a step that went wrong; CI machines stall for seconds.
  out=$("$capable" "127.0.0.1:$mnemod_port" --step-timeout 5000 "$@") || status=$?
  grep -v '^PASS' <<<"$out" || true
}

# The last run ended with status $1 and printed a line matching $2.
expect() {
  if [ "$status" -ne "$1" ] || ! grep -q "$2" <<<"$out"; then
    echo "--- the reference memcached's log (-vv), last 60 lines:" >&2
    tail -n 60 "$log.ref" >&2
    echo "FAILED: expected status $1 and a line matching $2; got status $status" >&2
    exit 1
  fi
}

run --ref "127.0.0.1:$ref_port" -v
expect 0 '^[1-9][0-9]* passed, 0 failed, [0-9]* skipped$'

# A reply that must differ (`stats` starts with the pid) is a failure, with status 1.
mkdir "$log.scripts" "$log.scripts/ascii"
printf 'send "stats\\r\\n"\nsync\n' >"$log.scripts/ascii/stats_differ.mcs"
run --ref "127.0.0.1:$ref_port" --scripts "$log.scripts"
expect 1 '^FAIL  ascii/stats_differ: step 1 of 1 (ascii/stats_differ.mcs:2) differs$'

run --filter ascii/
expect 0 '^[1-9][0-9]* passed, 0 failed, [0-9]* skipped$'
echo "mnemo-capable: all checks passed"
