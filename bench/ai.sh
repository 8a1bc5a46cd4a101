#!/usr/bin/env bash
# Issue 4's benchmark: the built-in engine on 50 sources (~500 KB; target < 2 s), a
# cached draft (target < 10 ms), 2,000 idle WebSockets on one release server (its RSS),
# and job throughput on PostgreSQL + Redis (DEPLOYMENT=shared) with one `outrival worker` process of 2 workers.
# Loopback only; writes bench/results/ai-latest.md. A report, not a test: a missed
# target still exits 0.
#
#   bash bench/ai.sh                      # release build, then measure
#   BENCH_SKIP_BUILD=1 bash bench/ai.sh   # reuse the last release build
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=../scripts/tools.sh
source "$REPO/scripts/tools.sh"
cd "$REPO"
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
  ensure_build_tools
  build_release
fi
export OUTRIVAL_BIN="$CARGO_TARGET_DIR/release/outrival"
out=$(mktemp)
cargo bench -q -p server --bench ai_and_live --no-run
timeout 600 cargo bench -q -p server --bench ai_and_live | tee "$out"
value() { awk -v n="$1" '$1 == n { print $2 }' "$out"; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "met" : "MISSED" }'; }
mkdir -p "$BENCH_DIR/results"
{
  echo "# AI and live-update benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
  echo
  echo "| Figure | Value | Target |"
  echo "|---|---|---|"
  echo "| Built-in engine, 50 sources ($(value engine_input_kb) KiB), median / max of 5 | $(value engine_50_sources_median) / $(value engine_50_sources_max) ms | < 2000 ms: $(verdict "$(value engine_50_sources_max)" 2000) |"
  echo "| Claims in that draft | $(value engine_claims) | |"
  echo "| Cached draft through the orchestrator, median / max of 50 | $(value cached_draft_median) / $(value cached_draft_max) ms | < 10 ms: $(verdict "$(value cached_draft_max)" 10) |"
  echo "| Idle WebSockets held open | $(value ws_connections_open) | 2000 |"
  echo "| Server RSS before / with 2,000 idle sockets | $(value ws_rss_before) / $(value ws_rss_with_2000_idle) MiB | reported |"
  echo "| RSS per idle socket | $(value ws_rss_per_socket) KiB | reported |"
  echo "| PostgreSQL job throughput, 1 worker process × 2 workers ($(value pg_jobs_succeeded) fetch jobs) | $(value pg_job_throughput_2_workers) jobs/s | reported |"
} > "$BENCH_DIR/results/ai-latest.md"
cat "$BENCH_DIR/results/ai-latest.md"
