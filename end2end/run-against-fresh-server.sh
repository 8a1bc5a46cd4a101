#!/usr/bin/env bash
# Starts a built server on a fresh, empty SQLite database and a free loopback port,
# runs the browser tests against it, and stops it. scripts/test.sh runs it against the
# release build; by hand:
#   end2end/run-against-fresh-server.sh [playwright args...]
# Needs a `cargo leptos build` (OUTRIVAL_BIN: the binary, default target/debug/outrival;
# OUTRIVAL_SITE_ROOT: its site, default target/site) and `npm ci` in end2end/.
# E2E_PORT fixes the port.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${E2E_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
db_dir="$(mktemp -d)"
log="$db_dir/server.log"

bin="${OUTRIVAL_BIN:-target/debug/outrival}"
site="${OUTRIVAL_SITE_ROOT:-target/site}"

# A local stand-in for an OpenAI-compatible model (the AI spec picks it per request;
# the default provider stays the built-in engine).
model_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
node "$here/fake-model.mjs" "$model_port" &
model=$!

cd "$root"
BIND_ADDR="127.0.0.1:$port" SITE_ROOT="$site" DATABASE_URL="sqlite://$db_dir/outrival.db" RUST_LOG=warn \
  AI_BASE_URL="http://127.0.0.1:$model_port/v1" AI_MODEL="fake-model" \
  "$bin" >"$log" 2>&1 &
server=$!
trap 'kill "$server" "$model" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$db_dir"' EXIT

up=0
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then up=1; break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "the server exited:"; cat "$log"; exit 1; fi
  sleep 0.2
done
if [ "$up" != 1 ]; then echo "the server did not answer within 20 s:"; cat "$log"; exit 1; fi
echo "Playwright (desktop and 375 px phone) against http://127.0.0.1:$port"

cd "$here"
status=0
BASE_URL="http://127.0.0.1:$port" npx playwright test "$@" || status=$?
if [ "$status" -ne 0 ] && [ -s "$log" ]; then
  echo "--- server log (warnings and errors) ---"
  tail -n 50 "$log"
fi
exit "$status"
