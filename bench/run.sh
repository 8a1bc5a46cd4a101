#!/usr/bin/env bash
# Outrival benchmark: builds the release app, then measures it in each deployment mode,
# one after the other, each on a fresh server and a fresh database:
#   standalone  SQLite file, sessions in the database, the rest in process;
#   shared      PostgreSQL (a database created for the run, dropped after) + Redis (a key
#               prefix of its own, its keys deleted after).
# In each mode it starts the server on a free loopback port, signs a user in, seeds a
# competitor with battlecards and measures seven cases with wrk (plain text, the
# baseline of that mode, among them). Once, in the first mode, it times the PDF export;
# it measures the size of the release WASM/JS/CSS, then writes bench/results/latest.md
# and latest.json with both modes in one table.
#
# It is a report, not a test: a missed target still exits 0. It exits non-zero only when
# the run itself broke (build failed, server did not start, sign-in failed, wrk missing,
# or PostgreSQL/Redis unreachable while BENCH_MODES asked for the shared mode). When
# BENCH_MODES is unset and PostgreSQL or Redis cannot be reached, the shared mode is
# reported as not measured, with the reason.
#
#   bash bench/run.sh                          # build, then measure both modes
#   BENCH_SKIP_BUILD=1 bash bench/run.sh       # reuse the last release build
#   BENCH_MODES=standalone bash bench/run.sh   # one mode only
#
# Knobs (environment): BENCH_SKIP_BUILD=1, BENCH_MODES="standalone shared",
# BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres (an account that may create
# databases; the run's database is created through it), BENCH_REDIS_URL=redis://127.0.0.1:6379,
# BENCH_DURATION=10s, BENCH_THREADS=2, BENCH_CONNECTIONS="64 256", BENCH_WARMUP=2s (0s to
# skip), BENCH_WRK_TIMEOUT=5s, BENCH_ACCEPT_ENCODING="" (e.g. "gzip, br" to measure with
# response compression), BENCH_SITE_ROOT (measure/serve another site directory),
# BENCH_START_TIMEOUT=60, BENCH_KEEP_TMP=1, CARGO_TARGET_DIR.
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
MODES=${BENCH_MODES:-standalone shared}
PG_ADMIN_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SHARED_REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}

# Targets, in each mode, at TARGET_CONNS connections.
TARGET_CONNS=256
P99_CASES=(dashboard repview competitor editor)
declare -A TARGET_P99_MS=([dashboard]=25 [repview]=25 [competitor]=25 [editor]=25)  # p99 below this
TARGET_RPS_RATIO=3        # dashboard rps >= plain-text rps (same mode) / this
TARGET_RENDER_RATIO=0.09  # rep view rendered every time (repplain) rps >= this × plain text
# Once per run (they do not depend on the mode).
TARGET_WASM_GZIP_KB=250   # gzip -9 of the common WASM every page loads, below this many KiB
                          # (1 KiB = 1024 bytes); what each page loads in all: bench/bundle.sh
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
[[ $START_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "BENCH_START_TIMEOUT must be a positive number of seconds"
for c in $CONNECTIONS; do
    [[ $c =~ ^[1-9][0-9]*$ ]] && (( c >= THREADS )) || die "BENCH_CONNECTIONS: \"$c\" must be a number >= BENCH_THREADS"
done
secs() { echo "${1%s}"; }

# Modes: always standalone first (it also times the PDF export), whatever the order given.
MODE_WORDS=()
read -r -d '' -a MODE_WORDS <<<"$MODES" || true
for m in "${MODE_WORDS[@]}"; do
    [[ $m == standalone || $m == shared ]] || die "BENCH_MODES: \"$m\" is not a mode (use standalone, shared or both)"
done
MODE_LIST=()
for m in standalone shared; do
    [[ " ${MODE_WORDS[*]} " == *" $m "* ]] && MODE_LIST+=("$m")
done
(( ${#MODE_LIST[@]} > 0 )) || die "BENCH_MODES is empty (use standalone, shared or both)"
in_modes() { [[ " ${MODE_LIST[*]} " == *" $1 "* ]]; }
# Asked for by name: then PostgreSQL or Redis missing breaks the run instead of being reported.
SHARED_EXPLICIT=0
[[ -n ${BENCH_MODES:-} ]] && in_modes shared && SHARED_EXPLICIT=1
declare -A MODE_SKIP=()   # MODE_SKIP[mode]=why it was not measured

# Hides the password of a connection URL in messages and reports.
redact() { sed -E 's#^([a-z]+://[^:/@]*):[^@/]*@#\1:[redacted]@#' <<<"$1"; }

# ---------------------------------------------------------------------------------------
# The shared mode's services: a database created for the run through the admin URL, and
# Redis keys under a prefix of the run's own.
RUN_ID=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
PG_DB_NAME="outrival_bench_$RUN_ID"
REDIS_PREFIX="bench$RUN_ID:"
PG_DB=""                  # the database that exists now (dropped by drop_database)
REDIS_USED=0              # keys under REDIS_PREFIX may exist (deleted by clear_redis_keys)

[[ $PG_ADMIN_URL =~ ^postgres(ql)?://[^/?]+ ]] || die "BENCH_PG_URL must look like postgres://USER@HOST:PORT/DB (got \"$(redact "$PG_ADMIN_URL")\")"
[[ $SHARED_REDIS_URL =~ ^rediss?://. ]] || die "BENCH_REDIS_URL must start with redis:// or rediss:// (got \"$(redact "$SHARED_REDIS_URL")\")"

psql_admin() { PGCONNECT_TIMEOUT=5 timeout -k 5 60 psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" "$@"; }
redis_cmd() { timeout -k 5 30 redis-cli -u "$SHARED_REDIS_URL" --no-auth-warning "$@"; }
pg_db_url() { # pg_db_url DB: the admin URL with its database replaced by DB
    local url=$PG_ADMIN_URL query="" scheme rest
    if [[ $url == *\?* ]]; then query="?${url#*\?}"; url=${url%%\?*}; fi
    scheme=${url%%://*}
    rest=${url#*://}
    echo "$scheme://${rest%%/*}/$1$query"
}

shared_unavailable() { # prints why the shared mode cannot run here; nothing when it can
    local out host port
    command -v psql >/dev/null 2>&1 || { echo "psql is not installed (it creates and drops the run's database)"; return 0; }
    if ! out=$(psql_admin -c "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user" 2>&1); then
        echo "PostgreSQL at $(redact "$PG_ADMIN_URL") is unreachable: $(head -n1 <<<"$out")"
        return 0
    fi
    [[ $out == t ]] || { echo "the PostgreSQL account of $(redact "$PG_ADMIN_URL") may not create databases"; return 0; }
    if command -v redis-cli >/dev/null 2>&1; then
        out=$(redis_cmd ping 2>&1) || true
        [[ $out == PONG ]] || { echo "Redis at $(redact "$SHARED_REDIS_URL") did not answer PING: $(head -n1 <<<"${out:-no answer}")"; return 0; }
    else
        # Without redis-cli: at least something listens there (the server checks the rest).
        host=${SHARED_REDIS_URL#*://}; host=${host##*@}; host=${host%%/*}
        port=6379
        [[ $host == *:* ]] && { port=${host##*:}; host=${host%:*}; }
        # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
        timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null \
            || { echo "Redis at $(redact "$SHARED_REDIS_URL") is unreachable"; return 0; }
    fi
    return 0
}

create_database() {
    log "[shared] creating PostgreSQL database $PG_DB_NAME ($(redact "$(pg_db_url "$PG_DB_NAME")"))"
    PG_DB=$PG_DB_NAME
    psql_admin -c "CREATE DATABASE \"$PG_DB_NAME\"" >&2 || die "could not create the database $PG_DB_NAME through $(redact "$PG_ADMIN_URL")"
}
drop_database() {
    [[ -n $PG_DB ]] || return 0
    psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 \
        || psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\"" >/dev/null 2>&1 \
        || { log "WARNING: could not drop the database $PG_DB; drop it by hand"; return 0; }
    PG_DB=""
}
clear_redis_keys() {
    (( REDIS_USED )) || return 0
    if ! command -v redis-cli >/dev/null 2>&1; then
        log "WARNING: redis-cli is not installed: the keys under $REDIS_PREFIX stay in Redis (sessions expire)"
    elif ! redis_cmd --scan --pattern "$REDIS_PREFIX*" | xargs -r -d '\n' -n 500 \
        timeout -k 5 30 redis-cli -u "$SHARED_REDIS_URL" --no-auth-warning del >/dev/null; then
        log "WARNING: could not delete the Redis keys under $REDIS_PREFIX"
    fi
    REDIS_USED=0
}

# ---------------------------------------------------------------------------------------
# Scratch space and clean-up: the server is always stopped and the run's database dropped,
# whatever happens.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/outrival-bench.XXXXXX")
SERVER_PID=""
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    stop_server
    drop_database
    clear_redis_keys
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

# Before the build, so that a shared mode asked for by name fails early.
if in_modes shared; then
    why=$(shared_unavailable)
    if [[ -n $why ]]; then
        (( SHARED_EXPLICIT )) && die "BENCH_MODES asks for the shared mode, but $why (set BENCH_PG_URL / BENCH_REDIS_URL, or BENCH_MODES=standalone)"
        MODE_SKIP[shared]=$why
        log "WARNING: the shared mode will not be measured: $why"
    fi
fi

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
    log "building: cargo leptos build --release --split (site: $BENCH_SITE; log: ${BUILD_LOG#"$REPO"/})"
    build_start=$(date +%s)
    if ! (cd "$REPO" && LEPTOS_SITE_ROOT="$BENCH_SITE" build_release) >"$BUILD_LOG" 2>&1; then
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
# The binary too: both modes run the same one.
cp -R "$SITE" "$TMP/site" || die "could not copy $SITE to $TMP"
PKG=$TMP/site/pkg
cp "$BIN" "$TMP/outrival" || die "could not copy $BIN to $TMP"
SERVER_BIN=$TMP/outrival

# ---------------------------------------------------------------------------------------
# Tools.
if ! command -v wrk >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing wrk (apt-get install -y wrk)"
        apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; } || die "could not install wrk"
    fi
    command -v wrk >/dev/null 2>&1 || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
fi
for tool in curl gzip awk python3; do command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"; done

# ---------------------------------------------------------------------------------------
# 2. A server per mode: a fresh database, a free loopback port, a clean environment.
# Set by start_server / sign_up / seed for the mode being measured:
MODE="" DIR="" PORT="" BASE="" COOKIE="" COMPETITOR="" REP_CARD="" LONG_CARD=""
declare -A MODE_SERVER=()   # MODE_SERVER[mode]: what the server ran on, for the report

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    for _ in $(seq 1 100); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if port_free "$p"; then echo "$p"; return 0; fi
    done
    return 1
}
server_log_tail() { sed 's/\x1b\[[0-9;]*m//g' "$DIR/server.log" | tail -n 20 >&2; }

start_server() { # start_server MODE
    MODE=$1 DIR=$TMP/$1
    mkdir -p "$DIR"
    local attempt up
    local -a mode_env
    for attempt in 1 2 3; do
        PORT=$(pick_port) || die "found no free port on 127.0.0.1"
        BASE="http://127.0.0.1:$PORT"
        case $MODE in
            standalone)
                rm -f "$DIR"/bench.db*
                mode_env=(DATABASE_URL="sqlite://$DIR/bench.db")
                MODE_SERVER[$MODE]="standalone (default DEPLOYMENT): SQLite (fresh file), default pool (4)"
                ;;
            shared)
                drop_database
                clear_redis_keys
                create_database
                REDIS_USED=1
                mode_env=(DEPLOYMENT=shared DATABASE_URL="$(pg_db_url "$PG_DB")"
                          REDIS_URL="$SHARED_REDIS_URL" REDIS_PREFIX="$REDIS_PREFIX")
                local pg_version redis_version
                pg_version=$(psql_admin -c 'SHOW server_version' 2>/dev/null | awk '{ print $1 }') || true
                redis_version=$(redis_cmd info server 2>/dev/null | awk -F: '/^redis_version:/ { print $2 }' | tr -d '\r') || true
                MODE_SERVER[$MODE]="DEPLOYMENT=shared: PostgreSQL ${pg_version:-?} (fresh database, $(redact "$(pg_db_url "$PG_DB")")), default pool (10); Redis ${redis_version:-?} ($(redact "$SHARED_REDIS_URL"), key prefix $REDIS_PREFIX)"
                ;;
        esac
        log "[$MODE] starting the server on 127.0.0.1:$PORT (attempt $attempt)"
        # A clean environment (no REDIS_URL, PUBLIC_URL, ... from the caller), run from the
        # scratch folder so no .env is picked up. METRICS_TOKEN only keeps the server from
        # warning at start that /metrics is open.
        ( cd "$DIR" && exec env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$HOME" \
            BIND_ADDR="127.0.0.1:$PORT" SITE_ROOT="$TMP/site" RUST_LOG=warn \
            METRICS_TOKEN="bench-$RUN_ID" "${mode_env[@]}" "$SERVER_BIN" ) >"$DIR/server.log" 2>&1 &
        SERVER_PID=$!
        up=0
        for _ in $(seq 1 $(( START_TIMEOUT * 10 ))); do
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
            if [[ $(curl -s --max-time 2 "$BASE/health/live" 2>/dev/null || true) == ok ]]; then up=1; break; fi
            sleep 0.1
        done
        (( up )) && break
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            stop_server
            server_log_tail
            die "[$MODE] the server did not answer GET /health/live within ${START_TIMEOUT} s"
        fi
        stop_server
        if grep -q "cannot listen" "$DIR/server.log" && (( attempt < 3 )); then
            log "[$MODE] port $PORT was taken meanwhile; trying another"
            continue
        fi
        server_log_tail
        die "[$MODE] the server exited during start-up"
    done
    [[ -n $SERVER_PID ]] || die "[$MODE] the server did not start"
    log "[$MODE] server is up (pid $SERVER_PID)"
}

stop_mode() { # the server stopped, the shared mode's database dropped and keys deleted
    stop_server
    drop_database
    clear_redis_keys
}

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || { server_log_tail; die "[$MODE] the server died during the run"; }; }

curl_args=(-sS --max-time 15)
fetch() { # fetch OUT_BODY URL [curl args...] -> prints "code header_bytes body_bytes redirect"
    local out=$1 url=$2; shift 2
    curl "${curl_args[@]}" "$@" -o "$out" -w '%{http_code} %{size_header} %{size_download} %{redirect_url}' "$url"
}
DASH_CODE=""
dashboard_ok() { # GET / with the cookie (as wrk sends it) is the signed-in dashboard
    DASH_CODE=$(curl -sS --max-time 15 -o "$DIR/dashboard.html" -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/") || return 1
    [[ $DASH_CODE == 200 ]] && grep -q 'Welcome, Bench' "$DIR/dashboard.html"
}

# ---------------------------------------------------------------------------------------
# 3. Sign up (the first user becomes admin) and keep the session cookie.
sign_up() {
    local jar=$DIR/cookies.txt code sid password res
    password="Bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    code=$(curl -sS --max-time 30 -o "$DIR/signup.body" -w '%{http_code}' -c "$jar" \
        -H 'Accept: application/json' \
        --data-urlencode 'name=Bench' --data-urlencode 'email=bench@example.com' \
        --data-urlencode "password=$password" --data-urlencode "password_confirm=$password" \
        "$BASE/api/auth/signup") || die "[$MODE] sign-up request failed"
    [[ $code == 2* || $code == 3* ]] || { head -c 600 "$DIR/signup.body" >&2; echo >&2; die "[$MODE] sign-up returned HTTP $code"; }
    sid=$(awk -F'\t' 'NF >= 7 && $6 == "outrival_session" { v = $7 } END { print v }' "$jar")
    [[ -n $sid ]] || { head -c 600 "$DIR/signup.body" >&2; echo >&2; die "[$MODE] sign-up (HTTP $code) set no outrival_session cookie"; }
    COOKIE="outrival_session=$sid"
    if ! dashboard_ok; then
        log "[$MODE] GET / with the session cookie returned HTTP $DASH_CODE"
        head -c 400 "$DIR/dashboard.html" >&2 || true; echo >&2
        die "[$MODE] signed in, but GET / is not the dashboard (\"Welcome, Bench\" missing)"
    fi
    log "[$MODE] signed in as bench@example.com; GET / shows \"Welcome, Bench\""
    res=$(fetch "$DIR/login.html" "$BASE/login") || die "[$MODE] GET /login failed"
    [[ ${res%% *} == 200 ]] || die "[$MODE] anonymous GET /login returned HTTP ${res%% *} (expected 200)"
}

# A competitor with a published 20-objection card (rep view, editor) and a 30+ page card (export).
seed() {
    python3 "$REPO/bench/seed_cards.py" "$BASE" "$COOKIE" >"$DIR/seed.txt" || die "[$MODE] seeding battlecards failed"
    COMPETITOR=$(awk '$1 == "competitor" { print $2 }' "$DIR/seed.txt")
    REP_CARD=$(awk '$1 == "rep" { print $2 }' "$DIR/seed.txt")
    LONG_CARD=$(awk '$1 == "long" { print $2 }' "$DIR/seed.txt")
    [[ -n $COMPETITOR && -n $REP_CARD && -n $LONG_CARD ]] || die "[$MODE] seeding printed no competitor or card ids"
    log "[$MODE] seeded competitor $COMPETITOR; cards: rep view $REP_CARD, export $LONG_CARD"
}

# PDF export: the first download of the long card (fonts and layout cold), then
# EXPORT_RUNS more (Typst reuses layout it has already done for unchanged content).
EXPORT_MODE=""
export_pdf() {
    local i t ms
    local -a runs=()
    for i in $(seq 0 "$EXPORT_RUNS"); do
        t=$(curl -sS --max-time 60 -o "$DIR/export.pdf" -w '%{http_code} %{time_total}' -H "Cookie: $COOKIE" \
            "$BASE/cards/$LONG_CARD/export/pdf") || die "[$MODE] PDF export request failed"
        [[ ${t%% *} == 200 ]] || die "[$MODE] PDF export answered HTTP ${t%% *}"
        ms=$(awk -v s="${t##* }" 'BEGIN { printf "%.0f", s * 1000 }')
        if (( i == 0 )); then EXPORT_FIRST=$ms; else runs+=("$ms"); fi
    done
    EXPORT_MODE=$MODE
    EXPORT_PAGES=$( (pdfinfo "$DIR/export.pdf" 2>/dev/null || true) | awk '/^Pages:/ { print $2 }')
    EXPORT_PAGES=${EXPORT_PAGES:-?}
    EXPORT_BYTES=$(wc -c <"$DIR/export.pdf" | tr -d ' ')
    EXPORT_MAX=$(printf '%s\n' "${runs[@]}" | sort -n | tail -n1)
    EXPORT_MEDIAN=$(printf '%s\n' "${runs[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    (( EXPORT_FIRST > EXPORT_MAX )) && EXPORT_MAX=$EXPORT_FIRST
    log "[$MODE] PDF export of $EXPORT_PAGES pages ($EXPORT_BYTES bytes): first $EXPORT_FIRST ms, then median $EXPORT_MEDIAN ms; slowest $EXPORT_MAX ms"
}

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

# Pages are kept as the server is configured by default (PAGE_CACHE_MAX_MB): a page is
# rendered once and sent again while nothing it shows changes. People open the rep view,
# the competitor page and the editor in a browser, which always asks for compression:
# those cases send the Accept-Encoding Chromium sends. `repplain` is the rep view
# rendered on every request (`Cache-Control: no-cache`, which the server always renders
# anew) and sent uncompressed (its body is then about five times larger): what rendering
# costs by itself.
BROWSER_ENCODING="gzip, deflate, br, zstd"
CASES=(login dashboard repview repplain competitor editor plain)
declare -A C_PATH  # per mode: the seeded ids differ (set_paths)
set_paths() {
    C_PATH=([login]=/login [dashboard]=/ [repview]=/cards/$REP_CARD [repplain]=/cards/$REP_CARD
            [competitor]=/competitors/$COMPETITOR [editor]=/cards/$REP_CARD/edit [plain]=/health/live)
}
declare -A C_LABEL=([login]="Login page (anonymous)" [dashboard]="Dashboard (signed in)"
    [repview]="Rep view, 20 objections (signed in, browser)" [repplain]="Rep view, rendered every time, uncompressed"
    [competitor]="Competitor page (signed in, browser)" [editor]="Card editor, 20 objections (signed in, browser)"
    [plain]="Plain text /health/live")
declare -A C_SHORT=([dashboard]="Dashboard" [repview]="Rep view" [competitor]="Competitor page" [editor]="Card editor")
declare -A C_AUTH=([login]=0 [dashboard]=1 [repview]=1 [repplain]=1 [competitor]=1 [editor]=1 [plain]=0)
# Accept-Encoding per case: a case listed here ignores BENCH_ACCEPT_ENCODING ("-" = none).
declare -A C_ENC=([repview]=$BROWSER_ENCODING [repplain]=- [competitor]=$BROWSER_ENCODING [editor]=$BROWSER_ENCODING)
# One more request header per case.
declare -A C_HEADER=([repplain]="Cache-Control: no-cache")
# What a sample response must contain (one string a line) to be the page we mean to load.
declare -A C_EXPECT=([dashboard]='Welcome, Bench' [repview]='Objection 20:' [repplain]='Objection 20:'
    [competitor]=$'<h1>Acme Bench\nAcme — mid-market' [editor]=$'Card status and saving\nAnswer 20.')
declare -A C_EXPECT_WHAT=([dashboard]="the signed-in dashboard" [repview]="the card's 20th objection"
    [repplain]="the card's 20th objection" [competitor]="the seeded competitor with its rep card"
    [editor]="the editor of the card with its 20th objection")
case_encoding() { # the Accept-Encoding a case sends, empty for none
    local enc=${C_ENC[$1]:-$ACCEPT_ENCODING}
    [[ $enc == - ]] && enc=""
    echo "$enc"
}
declare -A R  # R[mode:case:conns:field], R[mode:case:sample_*], R[mode:case:path], R[mode:*]

WRK_LIMIT=$(( $(secs "$DURATION") + $(secs "$WRK_TIMEOUT") + 20 ))
run_wrk() { # run_wrk OUT DURATION CONNS CASE
    local out=$1 dur=$2 conns=$3 case=$4 enc
    local -a args=(-t "$THREADS" -c "$conns" -d "$dur" --timeout "$WRK_TIMEOUT" --latency)
    (( ${C_AUTH[$case]} )) && args+=(-H "Cookie: $COOKIE")
    enc=$(case_encoding "$case")
    [[ -n $enc ]] && args+=(-H "Accept-Encoding: $enc")
    [[ -n ${C_HEADER[$case]:-} ]] && args+=(-H "${C_HEADER[$case]}")
    timeout -k 5 "$WRK_LIMIT" wrk "${args[@]}" "$BASE${C_PATH[$case]}" >"$out" 2>&1 \
        || { cat "$out" >&2; die "[$MODE] wrk failed on ${C_PATH[$case]} with $conns connections"; }
}

sample() { # sample CASE: one request as the load sends it; sets R[mode:case:sample_*]
    local case=$1 path=${C_PATH[$1]} res s_code s_head s_body enc want
    local -a sample_args=()
    local m=$MODE:$case
    # (decoded with --compressed; the size is what came over the wire, as wrk counts it)
    (( ${C_AUTH[$case]} )) && sample_args+=(-H "Cookie: $COOKIE")
    enc=$(case_encoding "$case")
    [[ -n $enc ]] && sample_args+=(--compressed -H "Accept-Encoding: $enc")
    [[ -n ${C_HEADER[$case]:-} ]] && sample_args+=(-H "${C_HEADER[$case]}")
    res=$(fetch "$DIR/sample-$case" "$BASE$path" "${sample_args[@]}") || die "[$MODE] GET $path failed"
    read -r s_code s_head s_body _ <<<"$res"
    R[$m:sample_code]=$s_code
    R[$m:sample_bytes]=$(( s_head + s_body ))
    R[$m:sample_flag]=""
    if [[ $s_code != 200 ]]; then
        R[$m:sample_flag]="a sample GET $path answered HTTP $s_code, not 200"
    elif [[ -n ${C_EXPECT[$case]:-} ]]; then
        while IFS= read -r want; do
            grep -qF -- "$want" "$DIR/sample-$case" && continue
            R[$m:sample_flag]="a sample GET $path was not ${C_EXPECT_WHAT[$case]} (\"$want\" missing)"
            break
        done <<<"${C_EXPECT[$case]}"
    fi
    [[ -z ${R[$m:sample_flag]} ]] || log "[$MODE] WARNING: ${R[$m:sample_flag]}"
}

measure() { # measure: every case at every connection count against the running server
    local case path conns out parsed rps p50 p75 p90 p99 mx req non ce re we te avg k fl
    local -a flags
    for case in "${CASES[@]}"; do
        path=${C_PATH[$case]}
        R[$MODE:$case:path]=$path
        # What one response looks like (status and size), to recognise redirects under load.
        sample "$case"
        if [[ $WARMUP != 0s ]]; then
            log "[$MODE] warming up $path ($WARMUP)"
            run_wrk "$DIR/warmup-$case.txt" "$WARMUP" "${CONNECTIONS%% *}" "$case"
        fi
        for conns in $CONNECTIONS; do
            server_alive
            log "[$MODE] wrk $path: $THREADS threads, $conns connections, $DURATION"
            out=$DIR/wrk-$case-$conns.txt
            run_wrk "$out" "$DURATION" "$conns" "$case"
            parsed=$(awk "$WRK_PARSE" "$out")
            [[ $parsed != PARSE_ERROR ]] || { cat "$out" >&2; die "[$MODE] could not read wrk's output for $path"; }
            read -r rps p50 p75 p90 p99 mx req non ce re we te avg <<<"$parsed"
            k=$MODE:$case:$conns
            R[$k:rps]=$rps R[$k:p50]=$p50 R[$k:p75]=$p75 R[$k:p90]=$p90 R[$k:p99]=$p99 R[$k:max]=$mx
            R[$k:requests]=$req R[$k:non2xx]=$non R[$k:connect]=$ce R[$k:read]=$re R[$k:write]=$we R[$k:timeout]=$te
            R[$k:avg_bytes]=$(printf '%.0f' "$avg")
            flags=()
            [[ -n ${R[$MODE:$case:sample_flag]} ]] && flags+=("${R[$MODE:$case:sample_flag]}")
            (( req == 0 )) && flags+=("no response completed in $DURATION")
            (( non > 0 )) && flags+=("$non non-2xx/3xx")
            (( ce + re + we + te > 0 )) && flags+=("socket errors: connect $ce, read $re, write $we, timeout $te")
            # A response much smaller (or larger) than the sample is not the page we meant to load.
            if awk -v a="$avg" -v s="${R[$MODE:$case:sample_bytes]}" 'BEGIN { exit !(s > 0 && (a < 0.8 * s || a > 1.25 * s)) }'; then
                flags+=("avg response ${R[$k:avg_bytes]} B vs sample ${R[$MODE:$case:sample_bytes]} B")
            fi
            R[$k:flags]=""
            for fl in "${flags[@]}"; do R[$k:flags]+="${R[$k:flags]:+; }$fl"; done
            log "[$MODE]   $(printf '%.0f' "$rps") req/s, p50 $(printf '%.2f' "$p50") ms, p99 $(printf '%.2f' "$p99") ms${R[$k:flags]:+ — ${R[$k:flags]}}"
            sleep 1
        done
        if [[ $case == dashboard ]]; then
            dashboard_ok || R[$MODE:dashboard:after]="after the load GET / was no longer the dashboard (HTTP $DASH_CODE)"
        fi
    done
    server_alive

    # Anything the server logged at warn/error level during the run.
    sed 's/\x1b\[[0-9;]*m//g' "$DIR/server.log" >"$DIR/server.clean.log"
    R[$MODE:warnings]=$(grep -c -E 'WARN|ERROR' "$DIR/server.clean.log" || true)
    if (( ${R[$MODE:warnings]} > 0 )); then
        log "[$MODE] the server logged ${R[$MODE:warnings]} warning/error lines, first ones:"
        grep -E 'WARN|ERROR' "$DIR/server.clean.log" | head -n 5 >&2 || true
    fi
}

# ---------------------------------------------------------------------------------------
# 5. Each mode in turn: its own server and database, stopped and dropped before the next.
for mode in "${MODE_LIST[@]}"; do
    if [[ -n ${MODE_SKIP[$mode]:-} ]]; then
        log "[$mode] not measured: ${MODE_SKIP[$mode]}"
        continue
    fi
    start_server "$mode"
    sign_up
    seed
    set_paths
    [[ -n $EXPORT_MODE ]] || export_pdf
    measure
    stop_mode
    log "[$mode] done; server stopped"
done

# ---------------------------------------------------------------------------------------
# 6. Asset sizes.
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
# The split build's island chunks, all together (each page loads only its islands').
CHUNKS_RAW=$(find "$PKG" -name '*.wasm' ! -name "$WASM_FILE" -exec cat {} + | wc -c | tr -d ' ')
CHUNKS_GZ=$(find "$PKG" -name '*.wasm' ! -name "$WASM_FILE" -exec gzip -9 -c {} + | wc -c | tr -d ' ')
CHUNKS_COUNT=$(find "$PKG" -name '*.wasm' ! -name "$WASM_FILE" | wc -l | tr -d ' ')
WASM_WARNING=""
if (( ${R[asset:$WASM_FILE:raw]} > 4 * 1024 * 1024 )); then
    WASM_WARNING="the WASM is over 4 MiB raw: this looks like a debug build, not the release one"
    log "WARNING: $WASM_WARNING"
fi

# ---------------------------------------------------------------------------------------
# 7. Targets, report.
T=$TARGET_CONNS
has() { [[ -n ${R[$1:rps]:-} ]]; }
case_broken() { [[ -n ${R[$1:flags]:-} ]]; }
not_measured() { [[ -n ${MODE_SKIP[$1]:-} ]]; }
SKIPPED="not measured (the mode did not run; the reason is in the Server row)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

# One row per target: name, mode ("" when it does not depend on it), label, limit,
# measured, result (PASS, FAIL or NOT MEASURED), note.
TG_NAME=() TG_MODE=() TG_LABEL=() TG_LIMIT=() TG_MEASURED=() TG_RESULT=() TG_NOTE=()
add_target() {
    TG_NAME+=("$1") TG_MODE+=("$2") TG_LABEL+=("$3") TG_LIMIT+=("$4") TG_MEASURED+=("$5") TG_RESULT+=("$6") TG_NOTE+=("$7")
}

for case in "${P99_CASES[@]}"; do
    limit=${TARGET_P99_MS[$case]}
    label="${C_SHORT[$case]} p99 < $limit ms at $T connections"
    name="${case/repview/rep_view}_p99_ms_at_$T"
    for mode in "${MODE_LIST[@]}"; do
        k=$mode:$case:$T
        if not_measured "$mode"; then
            add_target "$name" "$mode" "$label" "$limit" "$SKIPPED" "NOT MEASURED" ""
            continue
        fi
        if ! has "$k"; then
            add_target "$name" "$mode" "$label" "$limit" "not measured (no $T-connection case)" FAIL ""
            continue
        fi
        result=FAIL note=""
        awk -v v="${R[$k:p99]}" -v t="$limit" 'BEGIN { exit !(v < t) }' && result=PASS
        case_broken "$k" && { result=FAIL; note="case flagged: ${R[$k:flags]}"; }
        if [[ $case == dashboard && -n ${R[$mode:dashboard:after]:-} ]]; then
            result=FAIL; note+="${note:+; }${R[$mode:dashboard:after]}"
        fi
        add_target "$name" "$mode" "$label" "$limit" "$(printf '%.2f ms (%.0f req/s)' "${R[$k:p99]}" "${R[$k:rps]}")" "$result" "$note"
    done
done

# A case's req/s against the same mode's plain text: name, case, label, limit as
# written, the least ratio that passes.
ratio_target() {
    local name=$1 case=$2 label=$3 limit=$4 least=$5 mode ck pk r measured result note
    for mode in "${MODE_LIST[@]}"; do
        ck=$mode:$case:$T pk=$mode:plain:$T
        if not_measured "$mode"; then
            add_target "$name" "$mode" "$label" "$limit" "$SKIPPED" "NOT MEASURED" ""
        elif ! has "$ck" || ! has "$pk"; then
            add_target "$name" "$mode" "$label" "$limit" "not measured (no $T-connection case)" FAIL ""
        else
            r=$(ratio "${R[$ck:rps]}" "${R[$pk:rps]}")
            measured=$(printf '%.0f vs %.0f req/s (%.3f×, need ≥ %.3f×)' "${R[$ck:rps]}" "${R[$pk:rps]}" "$r" "$least")
            result=FAIL note=""
            awk -v c="${R[$ck:rps]}" -v p="${R[$pk:rps]}" -v t="$least" 'BEGIN { exit !(p > 0 && c / p >= t) }' && result=PASS
            { case_broken "$ck" || case_broken "$pk"; } && { result=FAIL; note="a case was flagged"; }
            add_target "$name" "$mode" "$label" "$limit" "$measured" "$result" "$note"
        fi
    done
}

ratio_target "dashboard_rps_ratio_at_$T" dashboard \
    "Dashboard req/s ≥ 1/$TARGET_RPS_RATIO of the same mode's plain-text req/s at $T connections" \
    "1/$TARGET_RPS_RATIO" "$(awk -v r="$TARGET_RPS_RATIO" 'BEGIN { print 1 / r }')"
ratio_target "rep_view_rendered_ratio_at_$T" repplain \
    "Rep view rendered every time req/s ≥ $TARGET_RENDER_RATIO× the same mode's plain-text req/s at $T connections" \
    "$TARGET_RENDER_RATIO" "$TARGET_RENDER_RATIO"

WASM_GZ=${R[asset:$WASM_FILE:gzip]}
result=FAIL
(( WASM_GZ < TARGET_WASM_GZIP_KB * 1024 )) && result=PASS
add_target "wasm_gzip_kib" "" "Common WASM ($WASM_FILE, loaded by every page) gzip -9 < $TARGET_WASM_GZIP_KB KiB" "$TARGET_WASM_GZIP_KB" \
    "$(awk -v b="$WASM_GZ" 'BEGIN { printf "%.1f KiB", b / 1024 }'); island chunks: $CHUNKS_COUNT files, $(awk -v b="$CHUNKS_GZ" 'BEGIN { printf "%.1f KiB", b / 1024 }') gzip -9 in all ($CHUNKS_RAW bytes raw); per page: bench/bundle.sh" "$result" "$WASM_WARNING"

result=FAIL note=""
(( EXPORT_MAX < TARGET_EXPORT_MS )) && result=PASS
[[ $EXPORT_PAGES =~ ^[0-9]+$ ]] && (( EXPORT_PAGES < 30 )) && { result=FAIL; note="the card exported to fewer than 30 pages"; }
add_target "pdf_export_ms_30_pages" "" "PDF export of a 30+ page card < $TARGET_EXPORT_MS ms" "$TARGET_EXPORT_MS" \
    "first (cold) $EXPORT_FIRST ms, then median $EXPORT_MEDIAN ms of $EXPORT_RUNS; slowest $EXPORT_MAX ms; $EXPORT_PAGES pages, $EXPORT_BYTES bytes (measured in the $EXPORT_MODE mode)" \
    "$result" "$note"

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
fmt_ratio() { printf '%.2f×' "$1"; }
mode_server() { if not_measured "$1"; then echo "not measured: ${MODE_SKIP[$1]}"; else echo "${MODE_SERVER[$1]}, RUST_LOG=warn, 127.0.0.1"; fi; }
# The rep view and the dashboard against the same mode's plain text, at T connections.
for mode in "${MODE_LIST[@]}"; do
    not_measured "$mode" && continue
    for case in dashboard repview; do
        has "$mode:$case:$T" && has "$mode:plain:$T" && R[$mode:$case:ratio]=$(ratio "${R[$mode:$case:$T:rps]}" "${R[$mode:plain:$T:rps]}")
    done
done

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
    echo "| Modes | ${MODE_LIST[*]}, one after the other, each with its own fresh server and database |"
    for mode in "${MODE_LIST[@]}"; do
        echo "| Server, $mode | $(mode_server "$mode") |"
    done
    echo
    echo "## HTTP"
    echo
    echo "× plain: the case's req/s divided by plain text's in the same mode at the same connections."
    echo
    echo "| Mode | Case | Path | Conns | Req/s | × plain | p50 ms | p90 ms | p99 ms | Non-2xx/3xx | Socket errors | Bytes/resp | Notes |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for mode in "${MODE_LIST[@]}"; do
        if not_measured "$mode"; then
            echo "| $mode | not measured: ${MODE_SKIP[$mode]} | | | | | | | | | | | |"
            continue
        fi
        for case in "${CASES[@]}"; do
            for conns in $CONNECTIONS; do
                k=$mode:$case:$conns
                errs=$(( ${R[$k:connect]} + ${R[$k:read]} + ${R[$k:write]} + ${R[$k:timeout]} ))
                note=${R[$k:flags]}
                [[ -n $note ]] && note="⚠ $note"
                enc=$(case_encoding "$case")
                vs=""
                has "$mode:plain:$conns" && vs=$(fmt_ratio "$(ratio "${R[$k:rps]}" "${R[$mode:plain:$conns:rps]}")")
                echo "| $mode | ${C_LABEL[$case]}${enc:+ (Accept-Encoding: $enc)} | \`${R[$mode:$case:path]}\` | $conns | $(fmt_rps "${R[$k:rps]}") | $vs | $(fmt_ms "${R[$k:p50]}") | $(fmt_ms "${R[$k:p90]}") | $(fmt_ms "${R[$k:p99]}") | ${R[$k:non2xx]} | $errs | ${R[$k:avg_bytes]} | $note |"
            done
        done
    done
    for mode in "${MODE_LIST[@]}"; do
        [[ -n ${R[$mode:dashboard:after]:-} ]] && { echo; echo "⚠ $mode: ${R[$mode:dashboard:after]}"; }
        if ! not_measured "$mode" && (( ${R[$mode:warnings]} > 0 )); then
            echo
            echo "⚠ $mode: the server logged ${R[$mode:warnings]} warning/error lines during the run, e.g.:"
            echo
            echo '```'
            { grep -E 'WARN|ERROR' "$TMP/$mode/server.clean.log" | head -n 3 | cut -c1-300; } || true
            echo '```'
        fi
    done
    echo
    echo "## Against plain text ($T connections)"
    echo
    echo "| Mode | Plain text req/s | Dashboard req/s | Dashboard ÷ plain | Rep view req/s | Rep view ÷ plain |"
    echo "|---|---:|---:|---:|---:|---:|"
    for mode in "${MODE_LIST[@]}"; do
        if not_measured "$mode"; then
            echo "| $mode | $SKIPPED | | | | |"
        elif ! has "$mode:plain:$T"; then
            echo "| $mode | not measured (no $T-connection case) | | | | |"
        else
            echo "| $mode | $(fmt_rps "${R[$mode:plain:$T:rps]}") | $(fmt_rps "${R[$mode:dashboard:$T:rps]}") | $(fmt_ratio "${R[$mode:dashboard:ratio]}") | $(fmt_rps "${R[$mode:repview:$T:rps]}") | $(fmt_ratio "${R[$mode:repview:ratio]}") |"
        fi
    done
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
    echo "| Target | Mode | Measured | Result |"
    echo "|---|---|---|---|"
    for i in "${!TG_NAME[@]}"; do
        echo "| ${TG_LABEL[$i]} | ${TG_MODE[$i]:-—} | ${TG_MEASURED[$i]}${TG_NOTE[$i]:+ — ${TG_NOTE[$i]}} | **${TG_RESULT[$i]}** |"
    done
} >"$MD"
mv "$MD" "$RESULTS_DIR/latest.md"

json_str() { local s=$1; s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/ }; s=${s//$'\n'/ }; printf '"%s"' "$s"; }
json_pass() { case $1 in PASS) echo true ;; FAIL) echo false ;; *) echo null ;; esac; }
json_num() { [[ -n $1 ]] && echo "$1" || echo null; }
json_limit() { if [[ $1 =~ ^[0-9.]+$ ]]; then echo "$1"; else json_str "$1"; fi; }
JS=$RESULTS_DIR/latest.json.tmp
{
    echo "{"
    echo "  \"date\": $(json_str "$NOW"),"
    echo "  \"commit\": $(json_str "$COMMIT"),"
    echo "  \"dirty\": $DIRTY,"
    echo "  \"machine\": {\"nproc\": $(json_str "$NPROC"), \"cpu_model\": $(json_str "$CPU_MODEL"), \"mem_gib\": $(json_str "$MEM_GIB"), \"kernel\": $(json_str "$KERNEL")},"
    echo "  \"build\": {\"kind\": $(json_str "$BUILD_KIND"), \"binary\": $(json_str "$BIN"), \"binary_built\": $(json_str "$BIN_TIME"), \"site\": $(json_str "$SITE")},"
    echo "  \"load\": {\"tool\": \"wrk\", \"version\": $(json_str "$WRK_VERSION"), \"threads\": $THREADS, \"duration_s\": $(secs "$DURATION"), \"timeout_s\": $(secs "$WRK_TIMEOUT"), \"warmup_s\": $(secs "$WARMUP"), \"accept_encoding\": $(json_str "$ACCEPT_ENCODING")},"
    echo "  \"modes\": ["
    first=1
    for mode in "${MODE_LIST[@]}"; do
        (( first )) || echo ","
        first=0
        if not_measured "$mode"; then
            printf '    {"mode": %s, "measured": false, "reason": %s}' "$(json_str "$mode")" "$(json_str "${MODE_SKIP[$mode]}")"
        else
            printf '    {"mode": %s, "measured": true, "server": %s, "connections": %d, "plain_rps": %s, "dashboard_rps_ratio": %s, "rep_view_rps_ratio": %s, "dashboard_after_load": %s, "server_warning_lines": %d}' \
                "$(json_str "$mode")" "$(json_str "${MODE_SERVER[$mode]}")" "$T" "$(json_num "${R[$mode:plain:$T:rps]:-}")" \
                "$(json_num "${R[$mode:dashboard:ratio]:-}")" "$(json_num "${R[$mode:repview:ratio]:-}")" \
                "$(json_str "${R[$mode:dashboard:after]:-ok}")" "${R[$mode:warnings]}"
        fi
    done
    echo
    echo "  ],"
    echo "  \"http\": ["
    first=1
    for mode in "${MODE_LIST[@]}"; do
        not_measured "$mode" && continue
        for case in "${CASES[@]}"; do
            for conns in $CONNECTIONS; do
                k=$mode:$case:$conns
                (( first )) || echo ","
                first=0
                vs=null
                has "$mode:plain:$conns" && vs=$(ratio "${R[$k:rps]}" "${R[$mode:plain:$conns:rps]}")
                printf '    {"mode": %s, "case": %s, "path": %s, "accept_encoding": %s, "signed_in": %s, "connections": %d, "requests": %d, "rps": %s, "rps_vs_plain": %s, "p50_ms": %s, "p75_ms": %s, "p90_ms": %s, "p99_ms": %s, "max_ms": %s, "non_2xx_3xx": %d, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "bytes_per_response": %d, "sample": {"status": %s, "bytes": %d}, "ok": %s, "flags": %s}' \
                    "$(json_str "$mode")" "$(json_str "$case")" "$(json_str "${R[$mode:$case:path]}")" "$(json_str "$(case_encoding "$case")")" "$( (( ${C_AUTH[$case]} )) && echo true || echo false)" "$conns" \
                    "${R[$k:requests]}" "${R[$k:rps]}" "$vs" "${R[$k:p50]}" "${R[$k:p75]}" "${R[$k:p90]}" "${R[$k:p99]}" "${R[$k:max]}" \
                    "${R[$k:non2xx]}" "${R[$k:connect]}" "${R[$k:read]}" "${R[$k:write]}" "${R[$k:timeout]}" "${R[$k:avg_bytes]}" \
                    "${R[$mode:$case:sample_code]}" "${R[$mode:$case:sample_bytes]}" "$([[ -z ${R[$k:flags]} ]] && echo true || echo false)" "$(json_str "${R[$k:flags]}")"
            done
        done
    done
    echo
    echo "  ],"
    echo "  \"assets\": ["
    first=1
    for f in "${ASSETS[@]}"; do
        (( first )) || echo ","
        first=0
        printf '    {"file": %s, "raw_bytes": %d, "gzip9_bytes": %d}' "$(json_str "$f")" "${R[asset:$f:raw]}" "${R[asset:$f:gzip]}"
    done
    echo
    echo "  ],"
    echo "  \"export\": {\"mode\": $(json_str "$EXPORT_MODE"), \"first_ms\": $EXPORT_FIRST, \"median_ms\": $EXPORT_MEDIAN, \"max_ms\": $EXPORT_MAX, \"runs\": $EXPORT_RUNS, \"pages\": $(json_limit "$EXPORT_PAGES"), \"bytes\": $EXPORT_BYTES},"
    echo "  \"targets\": ["
    first=1
    for i in "${!TG_NAME[@]}"; do
        (( first )) || echo ","
        first=0
        printf '    {"name": %s, "mode": %s, "limit": %s, "measured": %s, "pass": %s, "result": %s, "note": %s}' \
            "$(json_str "${TG_NAME[$i]}")" "$([[ -n ${TG_MODE[$i]} ]] && json_str "${TG_MODE[$i]}" || echo null)" "$(json_limit "${TG_LIMIT[$i]}")" \
            "$(json_str "${TG_MEASURED[$i]}")" "$(json_pass "${TG_RESULT[$i]}")" "$(json_str "${TG_RESULT[$i]}")" "$(json_str "${TG_NOTE[$i]}")"
    done
    echo
    echo "  ]"
    echo "}"
} >"$JS"
mv "$JS" "$RESULTS_DIR/latest.json"

echo
cat "$RESULTS_DIR/latest.md"
echo
log "wrote $(rel "$RESULTS_DIR/latest.md") and $(rel "$RESULTS_DIR/latest.json")"
exit 0
