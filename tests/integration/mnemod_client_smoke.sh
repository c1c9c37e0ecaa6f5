#!/usr/bin/env bash
# Runs one real client's smoke script against mnemod on an OS-chosen port.
# Usage: mnemod_client_smoke.sh SCRIPT.{php,pl,rb} MNEMOD [ARGS...]
# The script gets HOST PORT, exits non-zero on the first wrong answer, and is bounded in time.
set -euo pipefail
script=$1
shift
case "$script" in
  *.php) interpreter=(php) ;;
  *.pl) interpreter=(perl) ;;
  *.rb) interpreter=(ruby) ;;
  *) echo "unknown script type: $script" >&2; exit 2 ;;
esac
source "$(dirname "$0")/start_server.sh"
start_server "$@"
timeout 30 "${interpreter[@]}" "$script" 127.0.0.1 "$SERVER_PORT"
