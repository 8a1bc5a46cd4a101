#!/usr/bin/env bash
# Outrival benchmark: builds the release app, starts it on a free loopback port with a
# fresh SQLite database, signs a user in, measures three routes with wrk and the size of
# the release WASM/JS/CSS, then writes bench/results/latest.md and latest.json.
#
# It is a report, not a test: a missed target still exits 0. It exits non-zero only when
# the run itself broke (build failed, server did not start, sign-in failed, wrk missing).
#
#   bash bench/run.sh                       # build, then measure
#   BENCH_SKIP_BUILD=1 bash bench/run.sh    # reuse the last release build
#
# Knobs (environment): BENCH_SKIP_BUILD=1, BENCH_DURATION=10s, BENCH_THREADS=2,
# BENCH_CONNECTIONS="64 256", BENCH_WARMUP=2s (0 to skip), BENCH_WRK_TIMEOUT=5s,
# BENCH_ACCEPT_ENCODING="" (e.g. "gzip, br" to measure with response compression),
# BENCH_SITE_ROOT (measure/serve another site directory), BENCH_KEEP_TMP=1, CARGO_TARGET_DIR.
set -euo pipefail

START_PWD=$PWD
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS_DIR=$BENCH_DIR/results

DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64 256}
WARMUP=${BENCH_WARMUP:-2s}
WRK_TIMEOUT=${BENCH_WRK_TIMEOUT:-5s}
ACCEPT_ENCODING=${BENCH_ACCEPT_ENCODING:-}
START_TIMEOUT=${BENCH_START_TIMEOUT:-60}

# Targets.
TARGET_P99_MS=25          # dashboard p99 at 256 connections, below this
TARGET_RPS_RATIO=3        # dashboard rps >= plain-text rps / this (at 256 connections)
TARGET_WASM_GZIP_KB=400   # gzip -9 of the WASM, below this many KiB (1 KiB = 1024 bytes)
TARGET_CONNS=256
TARGET_REP_P99_MS=25      # rep view of a published 20-objection card, p99 at 256 connections
TARGET_EXPORT_MS=2000     # PDF export of a 30+ page card, slowest of EXPORT_RUNS
EXPORT_RUNS=5

# The same tools, PATH and build cache (CARGO_TARGET_DIR) as the README's commands; a
# relative CARGO_TARGET_DIR is taken from where this was run.
if [[ -n ${CARGO_TARGET_DIR:-} && ${CARGO_TARGET_DIR} != /* ]]; then
    export CARGO_TARGET_DIR="$START_PWD/$CARGO_TARGET_DIR"
fi
# shellcheck source=../scripts/tools.sh
source "$REPO/scripts/tools.sh"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

for v in DURATION WARMUP WRK_TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+s$ ]] || die "BENCH_$v must be whole seconds such as 10s (got \"${!v}\")"
done
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "BENCH_THREADS must be a positive number"
for c in $CONNECTIONS; do
    [[ $c =~ ^[1-9][0-9]*$ ]] && (( c >= THREADS )) || die "BENCH_CONNECTIONS: \"$c\" must be a number >= BENCH_THREADS"
done
secs() { echo "${1%s}"; }

# ---------------------------------------------------------------------------------------
# Scratch space and clean-up: the server is always stopped, whatever happens.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/outrival-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    local rc=$?
    set +e
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then
        log "kept scratch files in $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# Where things are. cargo-leptos writes the site to the repository's target/site
# (site-root is a plain relative path), which dev builds also write; so the bench
# builds its release site into a folder of its own (LEPTOS_SITE_ROOT, read by cargo-leptos).
BIN=$CARGO_TARGET_DIR/release/outrival
BENCH_SITE=$CARGO_TARGET_DIR/bench-site

# ---------------------------------------------------------------------------------------
# 1. Build.
BUILD_KIND=""
if [[ ${BENCH_SKIP_BUILD:-} == 1 ]]; then
    BUILD_KIND="reused (BENCH_SKIP_BUILD=1)"
    log "skipping the build; using $BIN"
else
    ensure_build_tools >&2
    mkdir -p "$RESULTS_DIR"
    BUILD_LOG=$RESULTS_DIR/build.log.tmp
    log "building: cargo leptos build --release (site: $BENCH_SITE; log: ${BUILD_LOG#"$REPO"/})"
    build_start=$(date +%s)
    if ! (cd "$REPO" && LEPTOS_SITE_ROOT="$BENCH_SITE" cargo leptos build --release) >"$BUILD_LOG" 2>&1; then
        sed 's/\x1b\[[0-9;]*m//g' "$BUILD_LOG" | grep -v '^[[:space:]]*at <unknown' | tail -n 40 >&2
        die "the release build failed (full log: $BUILD_LOG)"
    fi
    BUILD_KIND="fresh ($(( $(date +%s) - build_start )) s)"
    log "build finished in $(( $(date +%s) - build_start )) s"
fi

[[ -x $BIN ]] || die "no release binary at $BIN (run without BENCH_SKIP_BUILD=1 first)"

if [[ -n ${BENCH_SITE_ROOT:-} ]]; then
    SITE=$BENCH_SITE_ROOT
    [[ $SITE == /* ]] || SITE="$START_PWD/$SITE"
elif [[ -d $BENCH_SITE/pkg ]]; then
    SITE=$BENCH_SITE
else
    SITE=$SITE_ROOT
    log "WARNING: $BENCH_SITE does not exist; using $SITE, which dev builds also write"
fi
[[ -d $SITE/pkg ]] || die "no site at $SITE/pkg"

# Serve (and measure) a snapshot, so a build finishing mid-run cannot change what we see.
cp -R "$SITE" "$TMP/site"
PKG=$TMP/site/pkg

# ---------------------------------------------------------------------------------------
# Tools.
if ! command -v wrk >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing wrk (apt-get install -y wrk)"
        apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; } || die "could not install wrk"
    fi
    command -v wrk >/dev/null 2>&1 || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
fi
for tool in curl gzip awk; do command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"; done

# ---------------------------------------------------------------------------------------
# 2. Start the server on a free loopback port with a fresh database.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    for _ in $(seq 1 100); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if port_free "$p"; then echo "$p"; return 0; fi
    done
    return 1
}

PORT="" BASE=""
for attempt in 1 2 3; do
    PORT=$(pick_port) || die "found no free port on 127.0.0.1"
    BASE="http://127.0.0.1:$PORT"
    rm -f "$TMP"/bench.db*
    log "starting $BIN on 127.0.0.1:$PORT (attempt $attempt)"
    # A clean environment (no REDIS_URL, PUBLIC_URL, ... from the caller), run from the
    # scratch folder so no .env is picked up.
    ( cd "$TMP" && exec env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$HOME" \
        BIND_ADDR="127.0.0.1:$PORT" SITE_ROOT="$TMP/site" DATABASE_URL="sqlite://$TMP/bench.db" \
        RUST_LOG=warn "$BIN" ) >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    up=0
    for _ in $(seq 1 $(( START_TIMEOUT * 10 ))); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
        if [[ $(curl -s --max-time 2 "$BASE/health/live" 2>/dev/null || true) == ok ]]; then up=1; break; fi
        sleep 0.1
    done
    (( up )) && break
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        sed 's/\x1b\[[0-9;]*m//g' "$TMP/server.log" | tail -n 20 >&2
        die "the server did not answer GET /health/live within ${START_TIMEOUT} s"
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    if grep -q "cannot listen" "$TMP/server.log" && (( attempt < 3 )); then
        log "port $PORT was taken meanwhile; trying another"
        continue
    fi
    sed 's/\x1b\[[0-9;]*m//g' "$TMP/server.log" | tail -n 20 >&2
    die "the server exited during start-up"
done
[[ -n $SERVER_PID ]] || die "the server did not start"
log "server is up (pid $SERVER_PID)"

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || { sed 's/\x1b\[[0-9;]*m//g' "$TMP/server.log" | tail -n 20 >&2; die "the server died during the run"; }; }

# ---------------------------------------------------------------------------------------
# 3. Sign up (the first user becomes admin) and keep the session cookie.
JAR=$TMP/cookies.txt
PASSWORD="Bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
code=$(curl -sS --max-time 30 -o "$TMP/signup.body" -w '%{http_code}' -c "$JAR" \
    -H 'Accept: application/json' \
    --data-urlencode 'name=Bench' --data-urlencode 'email=bench@example.com' \
    --data-urlencode "password=$PASSWORD" --data-urlencode "password_confirm=$PASSWORD" \
    "$BASE/api/auth/signup") || die "sign-up request failed"
[[ $code == 2* || $code == 3* ]] || { head -c 600 "$TMP/signup.body" >&2; echo >&2; die "sign-up returned HTTP $code"; }
SID=$(awk -F'\t' 'NF >= 7 && $6 == "outrival_session" { v = $7 } END { print v }' "$JAR")
[[ -n $SID ]] || { head -c 600 "$TMP/signup.body" >&2; echo >&2; die "sign-up (HTTP $code) set no outrival_session cookie"; }
COOKIE="outrival_session=$SID"

curl_args=(-sS --max-time 15)

fetch() { # fetch OUT_BODY URL [curl args...] -> prints "code header_bytes body_bytes redirect"
    local out=$1 url=$2; shift 2
    curl "${curl_args[@]}" "$@" -o "$out" -w '%{http_code} %{size_header} %{size_download} %{redirect_url}' "$url"
}
dashboard_ok() { # GET / with the cookie (as wrk sends it) is the signed-in dashboard
    DASH_CODE=$(curl -sS --max-time 15 -o "$TMP/dashboard.html" -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/") || return 1
    [[ $DASH_CODE == 200 ]] && grep -q 'Welcome, Bench' "$TMP/dashboard.html"
}
DASH_CODE=""
if ! dashboard_ok; then
    log "GET / with the session cookie returned HTTP $DASH_CODE"
    head -c 400 "$TMP/dashboard.html" >&2 || true; echo >&2
    die "signed in, but GET / is not the dashboard (\"Welcome, Bench\" missing)"
fi
log "signed in as bench@example.com; GET / shows \"Welcome, Bench\""

res=$(fetch "$TMP/login.html" "$BASE/login") || die "GET /login failed"
[[ ${res%% *} == 200 ]] || die "anonymous GET /login returned HTTP ${res%% *} (expected 200)"

# Battlecards: a published 20-objection card (rep view) and a 30+ page card (export).
python3 "$REPO/bench/seed_cards.py" "$BASE" "$COOKIE" >"$TMP/seed.txt" || die "seeding battlecards failed"
REP_CARD=$(awk '$1 == "rep" { print $2 }' "$TMP/seed.txt")
LONG_CARD=$(awk '$1 == "long" { print $2 }' "$TMP/seed.txt")
[[ -n $REP_CARD && -n $LONG_CARD ]] || die "seeding printed no card ids"
log "seeded cards: rep view $REP_CARD, export $LONG_CARD"

# PDF export: the first download of the long card (fonts and layout cold), then
# EXPORT_RUNS more (Typst reuses layout it has already done for unchanged content).
EXPORT_MS=()
for i in $(seq 0 "$EXPORT_RUNS"); do
    t=$(curl -sS --max-time 60 -o "$TMP/export.pdf" -w '%{http_code} %{time_total}' -H "Cookie: $COOKIE" \
        "$BASE/cards/$LONG_CARD/export/pdf") || die "PDF export request failed"
    [[ ${t%% *} == 200 ]] || die "PDF export answered HTTP ${t%% *}"
    ms=$(awk -v s="${t##* }" 'BEGIN { printf "%.0f", s * 1000 }')
    if (( i == 0 )); then EXPORT_FIRST=$ms; else EXPORT_MS+=("$ms"); fi
done
EXPORT_PAGES=$( (pdfinfo "$TMP/export.pdf" 2>/dev/null || true) | awk '/^Pages:/ { print $2 }')
EXPORT_PAGES=${EXPORT_PAGES:-?}
EXPORT_BYTES=$(wc -c <"$TMP/export.pdf" | tr -d ' ')
EXPORT_MAX=$(printf '%s\n' "${EXPORT_MS[@]}" | sort -n | tail -n1)
EXPORT_MEDIAN=$(printf '%s\n' "${EXPORT_MS[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
(( EXPORT_FIRST > EXPORT_MAX )) && EXPORT_MAX=$EXPORT_FIRST
log "PDF export of $EXPORT_PAGES pages ($EXPORT_BYTES bytes): first $EXPORT_FIRST ms, then median $EXPORT_MEDIAN ms; slowest $EXPORT_MAX ms"

# ---------------------------------------------------------------------------------------
# 4. Load with wrk.
# wrk time ("812.00us", "1.23ms", "2.01s", "1.50m") -> milliseconds
WRK_PARSE='
function ms(v,   n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000
    if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return -1 }
function bytes(v,   n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "B") return n; if (u == "KB") return n * 1024; if (u == "MB") return n * 1048576
    if (u == "GB") return n * 1073741824; if (u == "TB") return n * 1099511627776; return -1 }
BEGIN { rps = ""; p50 = ""; p75 = ""; p90 = ""; p99 = ""; req = ""; rd = ""; ce = 0; re = 0; we = 0; te = 0; non = 0; mx = "" }
$1 == "Latency" && NF >= 4 && mx == "" { mx = ms($4) }
/Latency Distribution/ { dist = 1; next }
dist && $1 == "50%" { p50 = ms($2) }
dist && $1 == "75%" { p75 = ms($2) }
dist && $1 == "90%" { p90 = ms($2) }
dist && $1 == "99%" { p99 = ms($2); dist = 0 }
/ requests in / { req = $1; rd = $5; sub(/,$/, "", rd); rd = bytes(rd) }
/Socket errors:/ { ce = $4 + 0; re = $6 + 0; we = $8 + 0; te = $10 + 0 }
/Non-2xx or 3xx responses:/ { non = $NF + 0 }
/^Requests\/sec:/ { rps = $2 }
END {
    if (rps == "" || p99 == "" || req == "") { print "PARSE_ERROR"; exit }
    printf "%s %s %s %s %s %s %s %d %d %d %d %d %s\n", rps, p50, p75, p90, p99, mx, req, non, ce, re, we, te, (req > 0 ? rd / req : 0)
}'

# Every page is rendered on every request (no page is kept). Reps open the rep view in
# a browser, which always asks for compression: `repview` sends the Accept-Encoding
# Chromium sends, `repplain` asks for none (the body is then about five times larger).
BROWSER_ENCODING="gzip, deflate, br, zstd"
CASES=(login dashboard repview repplain plain)
declare -A C_PATH=([login]=/login [dashboard]=/ [repview]=/cards/$REP_CARD [repplain]=/cards/$REP_CARD [plain]=/health/live)
declare -A C_LABEL=([login]="Login page (anonymous)" [dashboard]="Dashboard (signed in)" [repview]="Rep view, 20 objections (signed in, browser)" [repplain]="Rep view, uncompressed" [plain]="Plain text /health/live")
declare -A C_AUTH=([login]=0 [dashboard]=1 [repview]=1 [repplain]=1 [plain]=0)
# Accept-Encoding per case: a case listed here ignores BENCH_ACCEPT_ENCODING ("-" = none).
declare -A C_ENC=([repview]=$BROWSER_ENCODING [repplain]=-)
case_encoding() { # the Accept-Encoding a case sends, empty for none
    local enc=${C_ENC[$1]:-$ACCEPT_ENCODING}
    [[ $enc == - ]] && enc=""
    echo "$enc"
}
declare -A R  # R[case:conns:field]

WRK_LIMIT=$(( $(secs "$DURATION") + $(secs "$WRK_TIMEOUT") + 20 ))
run_wrk() { # run_wrk OUT DURATION CONNS CASE
    local out=$1 dur=$2 conns=$3 case=$4 args enc
    args=(-t "$THREADS" -c "$conns" -d "$dur" --timeout "$WRK_TIMEOUT" --latency)
    (( ${C_AUTH[$case]} )) && args+=(-H "Cookie: $COOKIE")
    enc=$(case_encoding "$case")
    [[ -n $enc ]] && args+=(-H "Accept-Encoding: $enc")
    timeout -k 5 "$WRK_LIMIT" wrk "${args[@]}" "$BASE${C_PATH[$case]}" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk failed on ${C_PATH[$case]} with $conns connections"; }
}

for case in "${CASES[@]}"; do
    path=${C_PATH[$case]}
    # What one response looks like (status and size), to recognise redirects under load.
    # (decoded with --compressed; the size is what came over the wire, as wrk counts it)
    sample_args=()
    (( ${C_AUTH[$case]} )) && sample_args+=(-H "Cookie: $COOKIE")
    enc=$(case_encoding "$case")
    [[ -n $enc ]] && sample_args+=(--compressed -H "Accept-Encoding: $enc")
    res=$(fetch "$TMP/sample-$case" "$BASE$path" "${sample_args[@]}") || die "GET $path failed"
    read -r s_code s_head s_body _ <<<"$res"
    R[$case:sample_code]=$s_code
    R[$case:sample_bytes]=$(( s_head + s_body ))
    R[$case:sample_flag]=""
    if [[ $s_code != 200 ]]; then
        R[$case:sample_flag]="a sample GET $path answered HTTP $s_code, not 200"
    elif [[ $case == dashboard ]] && ! grep -q 'Welcome, Bench' "$TMP/sample-$case"; then
        R[$case:sample_flag]="a sample GET / was not the signed-in dashboard"
    elif [[ $case == rep* ]] && ! grep -q 'Objection 20:' "$TMP/sample-$case"; then
        R[$case:sample_flag]="a sample GET $path did not show the card's 20th objection"
    fi
    [[ -z ${R[$case:sample_flag]} ]] || log "WARNING: ${R[$case:sample_flag]}"
    if [[ $WARMUP != 0s ]]; then
        log "warming up $path ($WARMUP)"
        run_wrk "$TMP/warmup-$case.txt" "$WARMUP" "${CONNECTIONS%% *}" "$case"
    fi
    for conns in $CONNECTIONS; do
        server_alive
        log "wrk $path: $THREADS threads, $conns connections, $DURATION"
        out=$TMP/wrk-$case-$conns.txt
        run_wrk "$out" "$DURATION" "$conns" "$case"
        parsed=$(awk "$WRK_PARSE" "$out")
        [[ $parsed != PARSE_ERROR ]] || { cat "$out" >&2; die "could not read wrk's output for $path"; }
        read -r rps p50 p75 p90 p99 mx req non ce re we te avg <<<"$parsed"
        k=$case:$conns
        R[$k:rps]=$rps R[$k:p50]=$p50 R[$k:p75]=$p75 R[$k:p90]=$p90 R[$k:p99]=$p99 R[$k:max]=$mx
        R[$k:requests]=$req R[$k:non2xx]=$non R[$k:connect]=$ce R[$k:read]=$re R[$k:write]=$we R[$k:timeout]=$te
        R[$k:avg_bytes]=$(printf '%.0f' "$avg")
        flags=()
        [[ -n ${R[$case:sample_flag]} ]] && flags+=("${R[$case:sample_flag]}")
        (( non > 0 )) && flags+=("$non non-2xx/3xx")
        (( ce + re + we + te > 0 )) && flags+=("socket errors: connect $ce, read $re, write $we, timeout $te")
        # A response much smaller (or larger) than the sample is not the page we meant to load.
        if awk -v a="$avg" -v s="${R[$case:sample_bytes]}" 'BEGIN { exit !(s > 0 && (a < 0.8 * s || a > 1.25 * s)) }'; then
            flags+=("avg response ${R[$k:avg_bytes]} B vs sample ${R[$case:sample_bytes]} B")
        fi
        R[$k:flags]=""
        for fl in "${flags[@]}"; do R[$k:flags]+="${R[$k:flags]:+; }$fl"; done
        log "  $(printf '%.0f' "$rps") req/s, p50 $(printf '%.2f' "$p50") ms, p99 $(printf '%.2f' "$p99") ms${flags:+ — ${R[$k:flags]}}"
        sleep 1
    done
    if [[ $case == dashboard ]]; then
        dashboard_ok || R[dashboard:after]="after the load GET / was no longer the dashboard (HTTP $DASH_CODE)"
    fi
done
server_alive

# Anything the server logged at warn/error level during the run.
sed 's/\x1b\[[0-9;]*m//g' "$TMP/server.log" >"$TMP/server.clean.log"
SERVER_WARNINGS=$(grep -c -E 'WARN|ERROR' "$TMP/server.clean.log" || true)
if (( SERVER_WARNINGS > 0 )); then
    log "the server logged $SERVER_WARNINGS warning/error lines, first ones:"
    grep -E 'WARN|ERROR' "$TMP/server.clean.log" | head -n 5 >&2 || true
fi

# ---------------------------------------------------------------------------------------
# 5. Asset sizes.
ASSETS=()
WASM_FILE=""
for f in outrival_bg.wasm outrival.wasm; do [[ -f $PKG/$f ]] && { WASM_FILE=$f; break; }; done
if [[ -z $WASM_FILE ]]; then
    WASM_FILE=$(cd "$PKG" && ls -1 ./*.wasm 2>/dev/null | head -n1 | sed 's|^\./||') || true
fi
[[ -n $WASM_FILE ]] || die "no .wasm in $SITE/pkg"
for f in "$WASM_FILE" outrival.js outrival.css; do
    [[ -f $PKG/$f ]] || { log "WARNING: $SITE/pkg/$f is missing"; continue; }
    ASSETS+=("$f")
    R[asset:$f:raw]=$(wc -c <"$PKG/$f" | tr -d ' ')
    R[asset:$f:gzip]=$(gzip -9 -c "$PKG/$f" | wc -c | tr -d ' ')
done
WASM_WARNING=""
if (( ${R[asset:$WASM_FILE:raw]} > 4 * 1024 * 1024 )); then
    WASM_WARNING="the WASM is over 4 MiB raw: this looks like a debug build, not the release one"
    log "WARNING: $WASM_WARNING"
fi

# ---------------------------------------------------------------------------------------
# 6. Targets, report.
T=$TARGET_CONNS
dk=dashboard:$T pk=plain:$T
has() { [[ -n ${R[$1:rps]:-} ]]; }
case_broken() { [[ -n ${R[$1:flags]:-} ]]; }

T1_RESULT=FAIL T1_MEASURED="not measured (no $T-connection case)" T1_NOTE=""
T2_RESULT=FAIL T2_MEASURED="not measured (no $T-connection case)" T2_NOTE=""
if has "$dk"; then
    T1_MEASURED=$(printf '%.2f ms' "${R[$dk:p99]}")
    awk -v v="${R[$dk:p99]}" -v t=$TARGET_P99_MS 'BEGIN { exit !(v < t) }' && T1_RESULT=PASS
    case_broken "$dk" && { T1_RESULT=FAIL; T1_NOTE="case flagged: ${R[$dk:flags]}"; }
    [[ -n ${R[dashboard:after]:-} ]] && { T1_RESULT=FAIL; T1_NOTE+="${T1_NOTE:+; }${R[dashboard:after]}"; }
fi
if has "$dk" && has "$pk"; then
    ratio=$(awk -v d="${R[$dk:rps]}" -v p="${R[$pk:rps]}" 'BEGIN { printf "%.3f", (p > 0 ? d / p : 0) }')
    T2_MEASURED=$(printf '%.0f vs %.0f req/s (%.2f×, need ≥ %.2f×)' "${R[$dk:rps]}" "${R[$pk:rps]}" "$ratio" "$(awk -v r=$TARGET_RPS_RATIO 'BEGIN { print 1 / r }')")
    awk -v d="${R[$dk:rps]}" -v p="${R[$pk:rps]}" -v r=$TARGET_RPS_RATIO 'BEGIN { exit !(d * r >= p) }' && T2_RESULT=PASS
    { case_broken "$dk" || case_broken "$pk"; } && { T2_RESULT=FAIL; T2_NOTE="a case was flagged"; }
fi
rk=repview:$T
T4_RESULT=FAIL T4_MEASURED="not measured (no $T-connection case)" T4_NOTE=""
if has "$rk"; then
    T4_MEASURED=$(printf '%.2f ms (%.0f req/s)' "${R[$rk:p99]}" "${R[$rk:rps]}")
    awk -v v="${R[$rk:p99]}" -v t=$TARGET_REP_P99_MS 'BEGIN { exit !(v < t) }' && T4_RESULT=PASS
    case_broken "$rk" && { T4_RESULT=FAIL; T4_NOTE="case flagged: ${R[$rk:flags]}"; }
fi
T5_MEASURED="first (cold) $EXPORT_FIRST ms, then median $EXPORT_MEDIAN ms of $EXPORT_RUNS; slowest $EXPORT_MAX ms; $EXPORT_PAGES pages, $EXPORT_BYTES bytes"
T5_RESULT=FAIL T5_NOTE=""
(( EXPORT_MAX < TARGET_EXPORT_MS )) && T5_RESULT=PASS
[[ $EXPORT_PAGES =~ ^[0-9]+$ ]] && (( EXPORT_PAGES < 30 )) && { T5_RESULT=FAIL; T5_NOTE="the card exported to fewer than 30 pages"; }
WASM_GZ=${R[asset:$WASM_FILE:gzip]}
T3_MEASURED=$(awk -v b="$WASM_GZ" 'BEGIN { printf "%.1f KiB", b / 1024 }')
T3_RESULT=FAIL
(( WASM_GZ < TARGET_WASM_GZIP_KB * 1024 )) && T3_RESULT=PASS
T3_NOTE=$WASM_WARNING

# Context.
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT=$(git -C "$REPO" rev-parse --verify -q --short HEAD 2>/dev/null) || COMMIT=""
DIRTY=false
if [[ -n $COMMIT ]]; then
    [[ -n $(git -C "$REPO" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null) ]] && DIRTY=true
else
    COMMIT="none (no commits yet)"
fi
NPROC=$(nproc 2>/dev/null || echo "?")
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
CPU_MODEL=${CPU_MODEL:-$(uname -m)}
MEM_GIB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
KERNEL=$(uname -sr)
WRK_VERSION=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')
BIN_TIME=$(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "?")
rel() { local p=$1; [[ $p == "$REPO"/* ]] && p=${p#"$REPO"/}; echo "$p"; }

fmt_rps() { printf '%.0f' "$1"; }
fmt_ms() { printf '%.2f' "$1"; }
fmt_kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

mkdir -p "$RESULTS_DIR"
MD=$RESULTS_DIR/latest.md.tmp
{
    echo "# Outrival benchmark"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| Date | $NOW |"
    echo "| Commit | $COMMIT$([[ $DIRTY == true ]] && echo " (uncommitted changes)") |"
    echo "| Machine | $NPROC × $CPU_MODEL, $MEM_GIB GiB RAM, $KERNEL |"
    echo "| Build | release, $BUILD_KIND; binary $(rel "$BIN") built $BIN_TIME |"
    echo "| Site | $(rel "$SITE") |"
    echo "| Load | wrk $WRK_VERSION, $THREADS threads, $DURATION per case, --timeout $WRK_TIMEOUT, Accept-Encoding: ${ACCEPT_ENCODING:-none} unless a case says otherwise; wrk and the server share this machine |"
    echo "| Server | SQLite (fresh), default pool (4), RUST_LOG=warn, 127.0.0.1 |"
    echo
    echo "## HTTP"
    echo
    echo "| Case | Path | Conns | Req/s | p50 ms | p90 ms | p99 ms | Non-2xx/3xx | Socket errors | Bytes/resp | Notes |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for case in "${CASES[@]}"; do
        for conns in $CONNECTIONS; do
            k=$case:$conns
            errs=$(( R[$k:connect] + R[$k:read] + R[$k:write] + R[$k:timeout] ))
            note=${R[$k:flags]}
            [[ -n $note ]] && note="⚠ $note"
            enc=$(case_encoding "$case")
            echo "| ${C_LABEL[$case]}${enc:+ (Accept-Encoding: $enc)} | \`${C_PATH[$case]}\` | $conns | $(fmt_rps "${R[$k:rps]}") | $(fmt_ms "${R[$k:p50]}") | $(fmt_ms "${R[$k:p90]}") | $(fmt_ms "${R[$k:p99]}") | ${R[$k:non2xx]} | $errs | ${R[$k:avg_bytes]} | $note |"
        done
    done
    [[ -n ${R[dashboard:after]:-} ]] && { echo; echo "⚠ ${R[dashboard:after]}"; }
    if (( SERVER_WARNINGS > 0 )); then
        echo
        echo "⚠ The server logged $SERVER_WARNINGS warning/error lines during the run, e.g.:"
        echo
        echo '```'
        { grep -E 'WARN|ERROR' "$TMP/server.clean.log" | head -n 3 | cut -c1-300; } || true
        echo '```'
    fi
    echo
    echo "## Assets (\`pkg/\`)"
    echo
    echo "| File | Raw bytes | gzip -9 bytes | gzip -9 KiB |"
    echo "|---|---:|---:|---:|"
    for f in "${ASSETS[@]}"; do
        echo "| $f | ${R[asset:$f:raw]} | ${R[asset:$f:gzip]} | $(fmt_kib "${R[asset:$f:gzip]}") |"
    done
    echo
    echo "## Targets"
    echo
    echo "| Target | Measured | Result |"
    echo "|---|---|---|"
    echo "| Dashboard p99 < $TARGET_P99_MS ms at $T connections | $T1_MEASURED${T1_NOTE:+ — $T1_NOTE} | **$T1_RESULT** |"
    echo "| Dashboard req/s ≥ 1/$TARGET_RPS_RATIO of plain-text req/s at $T connections | $T2_MEASURED${T2_NOTE:+ — $T2_NOTE} | **$T2_RESULT** |"
    echo "| WASM ($WASM_FILE) gzip -9 < $TARGET_WASM_GZIP_KB KiB | $T3_MEASURED${T3_NOTE:+ — $T3_NOTE} | **$T3_RESULT** |"
    echo "| Rep view p99 < $TARGET_REP_P99_MS ms at $T connections | $T4_MEASURED${T4_NOTE:+ — $T4_NOTE} | **$T4_RESULT** |"
    echo "| PDF export of a 30+ page card < $TARGET_EXPORT_MS ms | $T5_MEASURED${T5_NOTE:+ — $T5_NOTE} | **$T5_RESULT** |"
} >"$MD"
mv "$MD" "$RESULTS_DIR/latest.md"

json_str() { local s=$1; s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/ }; s=${s//$'\n'/ }; printf '"%s"' "$s"; }
json_bool() { [[ $1 == PASS || $1 == true ]] && echo true || echo false; }
JS=$RESULTS_DIR/latest.json.tmp
{
    echo "{"
    echo "  \"date\": $(json_str "$NOW"),"
    echo "  \"commit\": $(json_str "$COMMIT"),"
    echo "  \"dirty\": $DIRTY,"
    echo "  \"machine\": {\"nproc\": $(json_str "$NPROC"), \"cpu_model\": $(json_str "$CPU_MODEL"), \"mem_gib\": $(json_str "$MEM_GIB"), \"kernel\": $(json_str "$KERNEL")},"
    echo "  \"build\": {\"kind\": $(json_str "$BUILD_KIND"), \"binary\": $(json_str "$BIN"), \"binary_built\": $(json_str "$BIN_TIME"), \"site\": $(json_str "$SITE")},"
    echo "  \"load\": {\"tool\": \"wrk\", \"version\": $(json_str "$WRK_VERSION"), \"threads\": $THREADS, \"duration_s\": $(secs "$DURATION"), \"timeout_s\": $(secs "$WRK_TIMEOUT"), \"warmup_s\": $(secs "$WARMUP"), \"accept_encoding\": $(json_str "$ACCEPT_ENCODING")},"
    echo "  \"http\": ["
    first=1
    for case in "${CASES[@]}"; do
        for conns in $CONNECTIONS; do
            k=$case:$conns
            (( first )) || echo ","
            first=0
            printf '    {"case": %s, "path": %s, "accept_encoding": %s, "signed_in": %s, "connections": %d, "requests": %d, "rps": %s, "p50_ms": %s, "p75_ms": %s, "p90_ms": %s, "p99_ms": %s, "max_ms": %s, "non_2xx_3xx": %d, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "bytes_per_response": %d, "sample": {"status": %s, "bytes": %d}, "ok": %s, "flags": %s}' \
                "$(json_str "$case")" "$(json_str "${C_PATH[$case]}")" "$(json_str "$(case_encoding "$case")")" "$( (( ${C_AUTH[$case]} )) && echo true || echo false)" "$conns" \
                "${R[$k:requests]}" "${R[$k:rps]}" "${R[$k:p50]}" "${R[$k:p75]}" "${R[$k:p90]}" "${R[$k:p99]}" "${R[$k:max]}" \
                "${R[$k:non2xx]}" "${R[$k:connect]}" "${R[$k:read]}" "${R[$k:write]}" "${R[$k:timeout]}" "${R[$k:avg_bytes]}" \
                "${R[$case:sample_code]}" "${R[$case:sample_bytes]}" "$([[ -z ${R[$k:flags]} ]] && echo true || echo false)" "$(json_str "${R[$k:flags]}")"
        done
    done
    echo
    echo "  ],"
    echo "  \"dashboard_after_load\": $(json_str "${R[dashboard:after]:-ok}"),"
    echo "  \"server_warning_lines\": $SERVER_WARNINGS,"
    echo "  \"assets\": ["
    first=1
    for f in "${ASSETS[@]}"; do
        (( first )) || echo ","
        first=0
        printf '    {"file": %s, "raw_bytes": %d, "gzip9_bytes": %d}' "$(json_str "$f")" "${R[asset:$f:raw]}" "${R[asset:$f:gzip]}"
    done
    echo
    echo "  ],"
    echo "  \"targets\": ["
    printf '    {"name": "dashboard_p99_ms_at_%d", "limit": %s, "measured": %s, "pass": %s, "note": %s},\n' "$T" "$TARGET_P99_MS" "$(json_str "$T1_MEASURED")" "$(json_bool "$T1_RESULT")" "$(json_str "$T1_NOTE")"
    printf '    {"name": "dashboard_rps_ratio_at_%d", "limit": "1/%s", "measured": %s, "pass": %s, "note": %s},\n' "$T" "$TARGET_RPS_RATIO" "$(json_str "$T2_MEASURED")" "$(json_bool "$T2_RESULT")" "$(json_str "$T2_NOTE")"
    printf '    {"name": "wasm_gzip_kib", "limit": %s, "measured": %s, "pass": %s, "note": %s},\n' "$TARGET_WASM_GZIP_KB" "$(json_str "$T3_MEASURED")" "$(json_bool "$T3_RESULT")" "$(json_str "$T3_NOTE")"
    printf '    {"name": "rep_view_p99_ms_at_%d", "limit": %s, "measured": %s, "pass": %s, "note": %s},\n' "$T" "$TARGET_REP_P99_MS" "$(json_str "$T4_MEASURED")" "$(json_bool "$T4_RESULT")" "$(json_str "$T4_NOTE")"
    printf '    {"name": "pdf_export_ms_30_pages", "limit": %s, "measured": %s, "pass": %s, "note": %s}\n' "$TARGET_EXPORT_MS" "$(json_str "$T5_MEASURED")" "$(json_bool "$T5_RESULT")" "$(json_str "$T5_NOTE")"
    echo "  ]"
    echo "}"
} >"$JS"
mv "$JS" "$RESULTS_DIR/latest.json"

echo
cat "$RESULTS_DIR/latest.md"
echo
log "wrote $(rel "$RESULTS_DIR/latest.md") and $(rel "$RESULTS_DIR/latest.json")"
exit 0
