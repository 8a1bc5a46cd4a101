#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests on SQLite and on PostgreSQL +
# Redis, the WASM build check, and the Playwright browser suite against a release
# build. Installs what it lacks; prints which suites ran.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

declare -a SUITES=()
record() { SUITES+=("$1"); }
summary() {
  echo
  step "suites"
  for s in "${SUITES[@]}"; do echo "  $s"; done
}
trap summary EXIT

ensure_build_tools

# --- Browser for the end-to-end suite (Debian's Chromium; never a download) ---
if ! command -v chromium >/dev/null 2>&1; then
  step "installing Chromium from Debian"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: Chromium is missing and cannot be installed without root (apt-get install chromium)" >&2
    exit 1
  fi
fi
npm_ci_if_changed "$ROOT/end2end"

# --- PostgreSQL and Redis: start them if this machine has them but they are down ---
pg_up() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  step "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
fi
if ! redis_up && command -v redis-server >/dev/null; then
  step "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
if pg_up && redis_up; then
  unset OUTRIVAL_SKIP_SERVICES
  SERVICES="PostgreSQL + Redis"
elif [ "${CI:-}" = "true" ]; then
  echo "error: CI needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) and could not start them" >&2
  exit 1
else
  export OUTRIVAL_SKIP_SERVICES=1
  SERVICES=""
  printf '\n\033[1;33m!!! PostgreSQL and/or Redis are not running on this machine.\n'
  printf '!!! SKIPPING the PostgreSQL + Redis half of the integration tests.\n'
  printf '!!! Start them (see README) to run everything.\033[0m\n\n'
fi

# --- Rust: unit and integration tests ---
step "Rust unit and integration tests (SQLite${SERVICES:+ and $SERVICES})"
cargo test -p domain -p app -p server
record "Rust unit tests (domain, app, server)                 passed"
record "Integration tests on SQLite                            passed"
if [ -n "$SERVICES" ]; then
  record "Integration tests on PostgreSQL + Redis                passed"
else
  record "Integration tests on PostgreSQL + Redis                SKIPPED (servers not available)"
fi

# --- The browser bundle must not reach server-only crates ---
step "WASM build of frontend, free of server-only crates"
cargo build -p frontend --lib --target wasm32-unknown-unknown --quiet
forbidden="$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none 2>/dev/null \
  | grep -E '^(sqlx|sqlx-core|fred|reqwest|argon2|tower-sessions|mio|tokio-postgres|metrics) ' | sort -u || true)"
if [ -n "$forbidden" ]; then
  echo "error: the WASM build pulls server-only crates:" >&2
  echo "$forbidden" >&2
  exit 1
fi
record "WASM build check (frontend for wasm32)                 passed"

# --- End to end: release build, fresh database, Playwright in Chromium ---
step "release build for the browser tests"
cargo leptos build --release
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
E2E_DIR="$(mktemp -d)"
BIND_ADDR="127.0.0.1:$PORT" SITE_ROOT="$SITE_ROOT" DATABASE_URL="sqlite://$E2E_DIR/e2e.db" RUST_LOG=warn \
  "$CARGO_TARGET_DIR/release/outrival" > "$E2E_DIR/server.log" 2>&1 &
SERVER_PID=$!
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$E2E_DIR"; summary; }
trap stop_server EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$E2E_DIR/server.log" >&2; exit 1; }
  sleep 0.2
done
step "Playwright (desktop and 375 px phone) against http://127.0.0.1:$PORT"
if ! (cd end2end && BASE_URL="http://127.0.0.1:$PORT" npx playwright test); then
  echo "--- server log ---" >&2; tail -n 50 "$E2E_DIR/server.log" >&2
  exit 1
fi
record "Browser tests (Playwright, Chromium)                   passed"
