#!/usr/bin/env bash
# `npm test`: everything CI runs, in order. Each stage prints its own summary; the last line is the
# total over all test runners ("N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
reports=.cache/test-results
rm -rf "$reports" && mkdir -p "$reports"
failed_stages=()

stage() {
  local name=$1
  shift
  echo
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    echo "=== $name: FAILED ($((SECONDS - start)) s)"
    failed_stages+=("$name")
  fi
}

vitest_project() {
  npx vitest run --project "$1" --reporter=default --reporter=json \
    --outputFile.json="$reports/$1.json"
}

bash scripts/ensure-system-deps.sh || exit 1
stage lint npm run --silent lint
stage typecheck npm run --silent typecheck
stage build npx electron-vite build --logLevel warn
stage unit vitest_project unit
stage integration vitest_project integration
stage e2e vitest_project e2e

echo
node scripts/test-summary.mjs "$reports/unit.json" "$reports/integration.json" "$reports/e2e.json"
summary=$?
if [[ ${#failed_stages[@]} -gt 0 ]]; then
  echo "failed stages: ${failed_stages[*]}"
  exit 1
fi
exit $summary
