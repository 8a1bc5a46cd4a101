//! Issue 4's figures, on loopback, bounded in time (`bash bench/ai.sh` runs it):
//! 1. the built-in engine drafting a card from 50 sources (~500 KB of text), target < 2 s;
//! 2. a cached draft through the orchestrator, target < 10 ms;
//! 3. 2,000 idle WebSockets on one release server: its RSS before and after;
//! 4. job throughput on PostgreSQL with one `outrival worker` process of 2 workers.
//!
//! Prints one `name value unit` line per figure (bench/ai.sh turns them into a report).
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::ai::{engine, AiSettings, Brief, Orchestrator, SourceText};
use domain::cache::Cache;
use domain::sources::extract::html_to_text;
use domain::store::{Db, DbSettings};
use domain::types::{Agent, CardContent, SnapshotId, UserId};
use futures_util::StreamExt;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PAGES: [&str; 4] = [
    include_str!("../tests/fixtures/acme/home.html"),
    include_str!("../tests/fixtures/acme/features.html"),
    include_str!("../tests/fixtures/acme/pricing.html"),
    include_str!("../tests/fixtures/acme/reviews.html"),
];

fn figure(name: &str, value: f64, unit: &str) {
    println!("{name} {value:.2} {unit}");
}

/// 50 sources of ~10 KB: the fixture pages' sentences, each source its own variant
/// (other numbers, regions and products), so nothing is a duplicate.
fn fifty_sources() -> Brief {
    let texts: Vec<String> = PAGES.iter().map(|p| html_to_text(p).text).collect();
    let regions = [
        "EMEA",
        "North America",
        "APAC",
        "LATAM",
        "the Nordics",
        "DACH",
    ];
    let products = [
        "CRM",
        "Help Desk",
        "Marketing Hub",
        "Analytics",
        "Sales Cloud",
        "Service Suite",
    ];
    let sources = (0..50)
        .map(|i| {
            let mut text = String::new();
            let mut round = 0;
            while text.len() < 10_000 {
                for line in texts[i % 4].lines() {
                    let varied = line
                        .replace("Acme CRM", &format!("Acme {}", products[(i + round) % 6]))
                        .replace("$25", &format!("${}", 20 + i + round))
                        .replace("12,000", &format!("{},000", 10 + i + round));
                    text.push_str(&format!(
                        "{varied} In {} since release {i}.{round}.\n",
                        regions[round % 6]
                    ));
                }
                round += 1;
            }
            SourceText {
                snapshot_id: SnapshotId::from(format!("snap-{i}")),
                title: format!("Source {i}"),
                url: format!("https://acme.example/{i}"),
                text,
            }
        })
        .collect();
    Brief {
        competitor: "Acme".into(),
        sources,
        current: CardContent {
            title: "Acme".into(),
            ..Default::default()
        },
        differentiators: vec!["Unlimited reports on every plan".into()],
        section: None,
    }
}

fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

async fn engine_and_cache() -> anyhow::Result<()> {
    let brief = Arc::new(fifty_sources());
    let bytes: usize = brief.sources.iter().map(|s| s.text.len()).sum();
    figure("engine_input_kb", bytes as f64 / 1024.0, "KiB");
    let mut runs = Vec::new();
    let mut claims = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let out = engine::run(Agent::BattlecardWriter, &brief);
        runs.push(started.elapsed().as_secs_f64() * 1000.0);
        claims = out.claims.len();
    }
    let (median, worst) = summary(runs);
    figure("engine_50_sources_median", median, "ms");
    figure("engine_50_sources_max", worst, "ms");
    figure("engine_claims", claims as f64, "claims");

    let dir = tempfile::tempdir()?;
    let db = Db::connect(&DbSettings {
        url: format!("sqlite://{}/bench.db", dir.path().display()),
        max_connections: 4,
        min_connections: 1,
        acquire_timeout: Duration::from_secs(5),
    })
    .await?;
    let orchestrator = Orchestrator::new(
        db,
        Cache::in_process(Default::default()),
        AiSettings::default(),
    )?;
    let user = UserId::from("bench-user");
    let first = Instant::now();
    let _ = orchestrator
        .run(&user, Agent::BattlecardWriter, brief.clone(), None, false)
        .await;
    figure(
        "orchestrator_first_draft",
        first.elapsed().as_secs_f64() * 1000.0,
        "ms",
    );
    let mut hits = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let run = orchestrator
            .run(&user, Agent::BattlecardWriter, brief.clone(), None, false)
            .await;
        hits.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(
            matches!(run, Ok(ref r) if r.cache_hit),
            "expected a cache hit"
        );
    }
    let (median, worst) = summary(hits);
    figure("cached_draft_median", median, "ms");
    figure("cached_draft_max", worst, "ms");
    Ok(())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn rss_kib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

struct Server {
    child: Child,
    base: String,
    pid: u32,
}

async fn start_server(bin: &str, vars: &[(&str, String)]) -> anyhow::Result<Server> {
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let child = cmd.spawn()?;
    let pid = child.id().unwrap_or(0);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/health/live"))
            .send()
            .await
            .is_ok()
        {
            return Ok(Server { child, base, pid });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the server did not start")
}

/// Signs up the first user; returns a cookie-keeping client and the Cookie header.
async fn sign_up(base: &str) -> anyhow::Result<(reqwest::Client, String)> {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()?;
    let res = client
        .post(format!("{base}/api/auth/signup"))
        .header("origin", base)
        .header("accept", "application/json")
        .form(&[
            ("name", "Bench"),
            ("email", "bench@example.com"),
            ("password", "Correct-Horse-Battery-9"),
            ("password_confirm", "Correct-Horse-Battery-9"),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "sign-up failed: {}",
        res.status()
    );
    use reqwest::cookie::CookieStore;
    let cookie = jar
        .cookies(&base.parse()?)
        .and_then(|h| h.to_str().ok().map(str::to_string))
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    Ok((client, cookie))
}

async fn idle_websockets(bin: &str, count: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = start_server(
        bin,
        &[
            (
                "DATABASE_URL",
                format!("sqlite://{}/o.db", dir.path().display()),
            ),
            ("SITE_ROOT", dir.path().display().to_string()),
        ],
    )
    .await?;
    let (_, cookie) = sign_up(&server.base).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(server.pid);
    let url = format!("{}/ws", server.base.replacen("http", "ws", 1));
    let mut sockets = Vec::with_capacity(count);
    let started = Instant::now();
    for _ in 0..count {
        let mut request = url.as_str().into_client_request()?;
        request.headers_mut().insert("cookie", cookie.parse()?);
        request.headers_mut().insert("origin", server.base.parse()?);
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        sockets.push(ws);
    }
    let opened = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_kib(server.pid);
    // Still open: each answers (the server pings every 20 s; none has closed).
    let mut open = 0;
    for ws in sockets.iter_mut() {
        if tokio::time::timeout(Duration::from_millis(1), ws.next())
            .await
            .is_err()
        {
            open += 1;
        }
    }
    figure("ws_connections_open", open as f64, "sockets");
    figure("ws_open_all", opened.as_secs_f64() * 1000.0, "ms");
    figure("ws_rss_before", before / 1024.0, "MiB");
    figure("ws_rss_with_2000_idle", after / 1024.0, "MiB");
    figure("ws_rss_per_socket", (after - before) / count as f64, "KiB");
    drop(sockets);
    let _ = server.child.kill().await;
    Ok(())
}

async fn pg_throughput(bin: &str, pg_admin: &str, jobs: usize) -> anyhow::Result<()> {
    use sqlx::Connection;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(pg_admin).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await?;
    let mut url = url::Url::parse(pg_admin)?;
    url.set_path(&name);
    let result = async {
        // A page to fetch, on loopback.
        let page = axum::Router::new().route(
            "/p/{n}",
            axum::routing::get(|axum::extract::Path(n): axum::extract::Path<u32>| async move {
                axum::response::Html(format!("<main><h1>Page {n}</h1><p>Acme costs ${n} per user per month, billed annually.</p></main>"))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let site = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, page).await });
        // A web instance and an `outrival worker` beside it: a shared deployment.
        let redis = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let common = [
            ("DEPLOYMENT", "shared".to_string()),
            ("DATABASE_URL", url.to_string()),
            ("REDIS_URL", redis),
            ("REDIS_PREFIX", format!("bench:{name}:")),
            ("FETCH_ALLOW", "127.0.0.1/32".to_string()),
            ("JOB_POLL", "50ms".to_string()),
        ];
        let mut web_vars = common.to_vec();
        web_vars.push(("JOB_WORKERS", "0".into()));
        let dir = tempfile::tempdir()?;
        web_vars.push(("SITE_ROOT", dir.path().display().to_string()));
        let mut web = start_server(bin, &web_vars).await?;
        let (client, _) = sign_up(&web.base).await?;
        let res: serde_json::Value = client
            .post(format!("{}/api/competitors/create", web.base))
            .header("origin", &web.base)
            .header("accept", "application/json")
            .form(&[("name", "Acme"), ("website", ""), ("description", ""), ("tags", ""), ("keywords", "")])
            .send()
            .await?
            .json()
            .await?;
        let mut competitors = vec![res["id"].as_str().unwrap_or_default().to_string()];
        // A competitor holds at most 200 sources.
        for k in 1..jobs.div_ceil(100) {
            let res: serde_json::Value = client
                .post(format!("{}/api/competitors/create", web.base))
                .header("origin", &web.base)
                .header("accept", "application/json")
                .form(&[("name", format!("Acme {k}").as_str()), ("website", ""), ("description", ""), ("tags", ""), ("keywords", "")])
                .send()
                .await?
                .json()
                .await?;
            competitors.push(res["id"].as_str().unwrap_or_default().to_string());
        }
        for n in 0..jobs {
            let competitor = &competitors[n / 100];
            let res = client
                .post(format!("{}/api/sources/add_url", web.base))
                .header("origin", &web.base)
                .header("accept", "application/json")
                .form(&[("competitor_id", competitor.as_str()), ("url", &format!("{site}/p/{n}"))])
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "add_url: {}", res.status());
        }
        // One worker process with 2 workers drains the queue.
        let mut worker = Command::new(bin);
        worker.arg("worker").env_clear().env("RUST_LOG", "warn").env("JOB_WORKERS", "2").kill_on_drop(true);
        for (k, v) in &common {
            worker.env(k, v);
        }
        let mut worker = worker.spawn()?;
        let db = sqlx::PgPool::connect(url.as_str()).await?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")
                .fetch_one(&db)
                .await?;
            if left == 0 || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (done, first, last): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(started_at), MAX(finished_at) FROM jobs WHERE state = 'succeeded'",
        )
        .fetch_one(&db)
        .await?;
        let seconds = (last.unwrap_or(0) - first.unwrap_or(0)).max(1) as f64 / 1000.0;
        figure("pg_jobs_succeeded", done as f64, "jobs");
        figure("pg_job_throughput_2_workers", done as f64 / seconds, "jobs/s");
        db.close().await;
        let _ = worker.kill().await;
        let _ = web.child.kill().await;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    result
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    engine_and_cache().await?;
    let bin = std::env::var("OUTRIVAL_BIN").unwrap_or_else(|_| {
        format!(
            "{}/release/outrival",
            std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into())
        )
    });
    if !std::path::Path::new(&bin).exists() {
        anyhow::bail!(
            "{bin} is missing: build the release binary first (cargo leptos build --release)"
        );
    }
    idle_websockets(&bin, 2000).await?;
    let pg = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    pg_throughput(&bin, &pg, 300).await?;
    Ok(())
}
