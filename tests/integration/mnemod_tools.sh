#!/usr/bin/env bash
# libmemcached-tools against mnemod: every tool does a real round trip and its output or exit
# status is checked. Usage: mnemod_tools.sh MNEMOD [ARGS...]
set -euo pipefail
source "$(dirname "$0")/start_server.sh"
start_server "$@"
work=$(mktemp -d)
# Keep start_server's cleanup (stop the server, remove its log) and add ours.
server_cleanup=$(trap -p EXIT)
server_cleanup=${server_cleanup#trap -- \'}
server_cleanup=${server_cleanup%\' EXIT}
trap "rm -rf '$work'; $server_cleanup" EXIT
cd "$work"
S="--servers=127.0.0.1:$SERVER_PORT"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Every tool call is bounded, so a server that stops answering fails the test.
t() { timeout 10 "$@"; }

printf 'hello mnemod\n' >greeting.txt
printf 'second\n' >other.txt

t memcping "$S" || fail "memcping"
t memccp "$S" greeting.txt other.txt || fail "memccp"
[ "$(t memccat "$S" greeting.txt)" = "hello mnemod" ] || fail "memccat greeting.txt"
[ "$(t memccat "$S" other.txt)" = "second" ] || fail "memccat other.txt"
t memcexist "$S" greeting.txt || fail "memcexist of a stored key"
if t memcexist "$S" missing.txt; then fail "memcexist of a missing key succeeded"; fi
t memctouch "$S" --expire=300 greeting.txt || fail "memctouch of a stored key"
if t memctouch "$S" --expire=300 missing.txt; then fail "memctouch of a missing key succeeded"; fi
dump=$(t memcdump "$S" | sort | tr '\n' ' ')
[ "$dump" = "greeting.txt other.txt " ] || fail "memcdump listed '$dump'"
stats=$(t memcstat "$S")
grep -q "curr_items: 2" <<<"$stats" || fail "memcstat: $stats"
grep -q "version: 1.6.18" <<<"$stats" || fail "memcstat version: $stats"
grep -q "maxconns: 1024" <<<"$(t memcstat --args=settings "$S")" || fail "memcstat settings"
t memcrm "$S" other.txt || fail "memcrm"
if t memccat "$S" other.txt >/dev/null 2>&1; then fail "memccat after memcrm found the key"; fi
t memcflush "$S" || fail "memcflush"
if t memccat "$S" greeting.txt >/dev/null 2>&1; then fail "memccat found a flushed key"; fi
[ -z "$(t memcdump "$S")" ] || fail "memcdump after memcflush"
# The binary protocol through the same tools.
t memccp --binary "$S" greeting.txt || fail "memccp --binary"
[ "$(t memccat --binary "$S" greeting.txt)" = "hello mnemod" ] || fail "memccat --binary"
t memcrm --binary "$S" greeting.txt || fail "memcrm --binary"
if t memcexist --binary "$S" greeting.txt; then fail "memcexist --binary after memcrm"; fi
echo "libmemcached-tools: all round trips passed"
