#!/usr/bin/env bash
# Starts the already-built debug server on a fresh, empty SQLite database, runs the
# browser tests against it, and stops it. For local use; CI may start the server
# its own way and just set BASE_URL.
#   end2end/run-against-fresh-server.sh [playwright args...]
# Needs: `cargo leptos build` done (target/debug/outrival and target/site), and
# `npm ci` done in end2end/. OUTRIVAL_BIN and OUTRIVAL_SITE_ROOT point elsewhere
# (e.g. a release build, or a copy taken while the tree is being rebuilt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${E2E_PORT:-3123}"
db_dir="$(mktemp -d)"
log="$db_dir/server.log"

bin="${OUTRIVAL_BIN:-target/debug/outrival}"
site="${OUTRIVAL_SITE_ROOT:-target/site}"

cd "$root"
BIND_ADDR="127.0.0.1:$port" SITE_ROOT="$site" DATABASE_URL="sqlite://$db_dir/outrival.db" RUST_LOG=warn \
  "$bin" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$db_dir"' EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "the server exited:"; cat "$log"; exit 1; fi
  sleep 0.2
done

cd "$here"
status=0
BASE_URL="http://127.0.0.1:$port" npx playwright test "$@" || status=$?
if [ "$status" -ne 0 ] && [ -s "$log" ]; then
  echo "--- server log (warnings and errors) ---"
  tail -n 50 "$log"
fi
exit "$status"
