#!/usr/bin/env bash
# Builds Outrival (release) and starts it at http://127.0.0.1:3000 with SQLite
# under ./data. Configuration comes from the environment or .env (see README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

ensure_build_tools
step "building Outrival (release)"
build_release
step "starting Outrival at ${PUBLIC_URL:-http://${BIND_ADDR:-127.0.0.1:3000}} (Ctrl-C stops it)"
export SITE_ROOT="${SITE_ROOT_OVERRIDE:-$SITE_ROOT}"
exec "$CARGO_TARGET_DIR/release/outrival"
