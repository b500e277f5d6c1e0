#!/usr/bin/env bash
# `npm test`: everything, on a fresh Debian machine. Installs Debian's chromium and unbound (root), builds,
# runs the static checks, packs and checks the zips, the unit suite, web-ext lint on the Firefox package
# and the e2e suite, then prints one summary line "N passed, N failed" that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
status=0
run() {
  echo
  echo "== test: $*"
  "$@" || { echo "!! failed: $*"; status=1; }
}

run bash scripts/setup-test-env.sh
run npm run build
run npm run check
# The store packages: both zips and the sources zip, opened and checked by scripts/check-zips.mjs.
run npm run zip
run npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json
run npx web-ext lint --source-dir .output/firefox-mv3 --self-hosted --output text
PLAYWRIGHT_JSON_OUTPUT_NAME=.cache/playwright.json run npx playwright test --reporter=list,json

node scripts/test-summary.mjs .cache/vitest.json .cache/playwright.json || status=1
exit $status
