#!/usr/bin/env bash
# The e2e suite on a busy machine: two busy loops keep both cores loaded while the whole suite (both
# browsers) runs RUNS times in a row (default 3). Prints each run's result and the total; exits 1 if
# any run failed. The loops are killed when the script ends, however it ends.
# Prerequisites: bash scripts/setup-test-env.sh && npm run build.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
loops=()
cleanup() { for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null; done; }
trap cleanup EXIT
# Stopped from outside: end here (a plain trap would let the loop go on to the next run).
trap 'exit 143' TERM
trap 'exit 130' INT
for _ in 1 2; do
  # A pure CPU loop that stops by itself after two hours at the latest.
  timeout 7200 sh -c 'while :; do :; done' &
  loops+=("$!")
done
echo "e2e-under-load: busy loops ${loops[*]} on $(nproc) cores; $runs runs"
failures=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  if npx playwright test --reporter=list >".cache/e2e-under-load-$run.log" 2>&1; then
    result=passed
  else
    result=FAILED
    failures=$((failures + 1))
  fi
  summary=$(grep -E '^\s+[0-9]+ (passed|failed|flaky)' ".cache/e2e-under-load-$run.log" | tr -s ' ' | tr '\n' ' ')
  echo "run $run: $result in $(($(date +%s) - started)) s: $summary (log: .cache/e2e-under-load-$run.log)"
done
echo "e2e-under-load: $((runs - failures)) of $runs runs passed"
[ "$failures" -eq 0 ]
