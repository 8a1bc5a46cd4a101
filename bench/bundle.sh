#!/usr/bin/env bash
# The WASM each page needs before it answers input, as Chromium downloads it: runs the
# browser test that holds every page to its budget (end2end/tests/
# pages-load-only-their-own-code.spec.ts) against the release build on a fresh database,
# and writes its table to bench/results/bundle-latest.md. Budgets (gzip -9): 250 KiB for
# the sign-in page and the rep view, 400 KiB for every other page.
#
#   bash bench/bundle.sh                      # release build (split), then measure
#   BENCH_SKIP_BUILD=1 bash bench/bundle.sh   # reuse the last release build
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=../scripts/tools.sh
source "$REPO/scripts/tools.sh"
cd "$REPO"
ensure_build_tools
[[ -n ${BENCH_SKIP_BUILD:-} ]] || build_release
npm_ci_if_changed "$REPO/end2end"
report="$BENCH_DIR/results/bundle-latest.md"
mkdir -p "$(dirname "$report")"
table=$(mktemp)
trap 'rm -f "$table"' EXIT
status=0
BUNDLE_REPORT="$table" OUTRIVAL_BIN="$CARGO_TARGET_DIR/release/outrival" OUTRIVAL_SITE_ROOT="$SITE_ROOT" \
  end2end/run-against-fresh-server.sh tests/pages-load-only-their-own-code.spec.ts || status=$?
[[ -s $table ]] || { echo "error: the browser test wrote no figures" >&2; exit 1; }
{
  echo "# WASM before a page answers input"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD) by bench/bundle.sh:"
  echo "each page opened by a deep link in a fresh Chromium (nothing cached), summing every"
  echo ".wasm requested before the page was interactive (marked hydrated), each compressed with gzip -9."
  echo
  cat "$table"
  echo
  echo "All chunks together (every page's code): $(find "$SITE_ROOT/pkg" -name '*.wasm' -exec cat {} + | wc -c) bytes raw,"
  echo "$(find "$SITE_ROOT/pkg" -name '*.wasm' -exec cat {} + | gzip -9 | wc -c) bytes gzip -9, in $(find "$SITE_ROOT/pkg" -name '*.wasm' | wc -l) files."
} >"$report"
cat "$report"
exit "$status"
