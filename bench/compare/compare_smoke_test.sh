#!/usr/bin/env bash
# ctest bench_compare_quick: bench/compare/run.sh --quick against Debian's memcached and the
# mnemod and mnemo-bench of BUILD (not rebuilt), one round of SECONDS_PER_RUN (0.5) per scenario,
# then checks the shape of what it wrote: every scenario's row with numbers for both servers
# and no errors, the pinning stated, the open loop's rate, both PNG plots; and that the command
# line's error paths are refused. Numbers are not judged: the machine may be busy.
#
#   BUILD=build bench/compare/compare_smoke_test.sh
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
: "${BUILD:?BUILD: the build directory with bin/mnemod and bin/mnemo-bench}"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
export NO_BUILD=1 WORK="$SCRATCH/work" IMG="$SCRATCH/img" SECONDS_PER_RUN="${SECONDS_PER_RUN:-0.5}"
export KEY_COUNT="${KEY_COUNT:-2000}"
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Error paths first: they must not start anything.
if "$HERE/run.sh" --no-such-flag >/dev/null 2>&1; then fail "run.sh accepted --no-such-flag"; fi
if "$HERE/run.sh" --quick --write-doc >/dev/null 2>&1; then
  fail "run.sh --quick --write-doc would put smoke-test numbers into the doc"
fi
: >"$SCRATCH/empty.jsonl"
if python3 "$HERE/summarize.py" --peak get90 "$SCRATCH/empty.jsonl" >/dev/null 2>&1; then
  fail "summarize.py --peak found a peak in no rounds"
fi
if "$HERE/plot.sh" "$SCRATCH/missing" "$SCRATCH/missing-img" >/dev/null 2>&1; then
  fail "plot.sh drew plots without data"
fi

rc=0
"$HERE/run.sh" --quick >"$SCRATCH/out.md" 2>"$SCRATCH/err.log" || rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$SCRATCH/err.log" >&2
  fail "run.sh --quick exited $rc"
fi
cat "$SCRATCH/out.md"

grep -q '^<!-- results:begin' "$SCRATCH/out.md" || fail "no begin marker"
grep -q '^<!-- results:end -->' "$SCRATCH/out.md" || fail "no end marker"
grep -q 'taskset -c' "$SCRATCH/out.md" || fail "the output does not say how it pinned"
grep -q '^open loop: [0-9][0-9]* requests/s' "$SCRATCH/err.log" || fail "no open-loop rate"
# Exactly 8 rows; each: ops/s of both servers > 0, three bold ratios, errors 0.
python3 - "$SCRATCH/out.md" <<'PY' || fail "a scenario row is malformed"
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("| ") and not l.startswith("| scenario")]
number = r"[0-9]+(?:\.[0-9]+)?"
ratio = rf"\*\*(?:{number}|n/a)\*\*"  # n/a: a round too short for one CPU clock tick
shape = re.compile(rf"^\| [^|]+ \| ({number}) \| ({number}) \| {ratio} "
                   rf"\| {number} / {number} \| {ratio} \| {number} / {number} "
                   rf"\| {ratio} \| 0 \|$")
bad = [r for r in rows if not (m := shape.match(r.strip())) or float(m[1]) <= 0 or float(m[2]) <= 0]
for r in bad:
    print("malformed:", r.strip(), file=sys.stderr)
if len(rows) != 8:
    print(f"expected 8 scenario rows, found {len(rows)}", file=sys.stderr)
sys.exit(1 if bad or len(rows) != 8 else 0)
PY
for plot in throughput latency; do
  if [ "$(head -c 4 "$IMG/$plot.png" 2>/dev/null | od -An -c | tr -d ' ')" != '211PNG' ]; then
    fail "$IMG/$plot.png is not a PNG"
  fi
done
for server in memcached mnemod; do
  [ "$(grep -vc '^#' "$WORK/latency-$server.dat")" -ge 10 ] || fail "short latency curve: $server"
done

if [ "$failures" -ne 0 ]; then
  echo "bench_compare_quick: $failures check(s) failed" >&2
  exit 1
fi
echo "bench_compare_quick: all checks passed"
