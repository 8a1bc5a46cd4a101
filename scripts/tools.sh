#!/usr/bin/env bash
# Installs what building Outrival needs, from package registries only, and only
# what is missing: the wasm32 target, cargo-leptos and wasm-bindgen-cli at the
# pinned versions, and wasm-opt (npm "binaryen"). Sourced by run.sh and test.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen pin in Cargo.toml

export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# The browser bundle must not carry this machine's paths (panic locations name the
# source files of dependencies under ~/.cargo/registry), so paths are remapped for the
# wasm32 target only.
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$CARGO_HOME_DIR=/cargo --remap-path-prefix=$ROOT=/outrival"
# One build cache per machine, shared by every checkout (CI clones reuse it).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outrival/target}"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required but not installed ($2)" >&2; exit 1; }
}

ensure_build_tools() {
  need cargo "install Rust with rustup"
  need npm "install Node.js and npm"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes, once)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Not --locked: the registry lacks one of its locked dependencies.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  npm_ci_if_changed "$ROOT"
}

# The release build of the server and the browser bundle. `--split` cuts the bundle into
# the code every page needs and one chunk per lazy island (see app/src/preload.rs).
build_release() {
  cargo leptos build --release --split "$@"
}

# `npm ci` in $1 unless node_modules already matches its package-lock.json.
npm_ci_if_changed() {
  local dir="$1" stamp="$1/node_modules/.outrival-lock"
  local want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    step "installing npm packages in ${dir#$ROOT/}"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    echo "$want" > "$stamp"
  fi
}

# Where cargo-leptos writes the site (CSS, JS, WASM): site-root is relative to the workspace.
SITE_ROOT="$ROOT/target/site"
