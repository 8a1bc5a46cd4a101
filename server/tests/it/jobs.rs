//! Jobs across real processes: `outrival worker` killed mid-job (SIGKILL) and the job
//! finishing exactly once after another worker takes over; two worker processes on
//! PostgreSQL sharing 200 jobs without running any twice.

use std::time::Duration;

use serde_json::json;
use sqlx::Row;

use crate::common::cards::new_competitor;
use crate::common::site::Site;
use crate::common::{Backend, TestApp};
use crate::sources::{add_url, finished_job};

/// Starts `outrival worker` on the app's database (and Redis), with `workers` workers.
async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query(sql)
        .bind(bind)
        .fetch_one(app.services().db().pool())
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("a count")
}

async fn killed_worker_job_finishes_once(backend: Backend) {
    let site = Site::start().await;
    // The web app runs no workers of its own: only the worker processes do.
    let app = TestApp::spawn_with(
        backend,
        &[("JOB_WORKERS", "0"), ("FETCH_ALLOW", "127.0.0.1/32")],
    )
    .await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let acme = new_competitor(&editor, "Acme").await;
    let mut first = app.worker_process("1");
    let (source, job) = add_url(&editor, &acme, &site.url("/hold/crash")).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while site.hits("/hold/crash") == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker process never picked the job up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().expect("SIGKILL the worker");
    first.wait().expect("the killed worker is reaped");
    site.release();

    let mut second = app.worker_process("1");
    let done = finished_job(&editor, &job).await;
    second.kill().ok();
    second.wait().ok();
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(
        done["attempts"], 2,
        "the second worker took over after the lease ran out: {done}"
    );
    assert_eq!(site.hits("/hold/crash"), 2);
    let snapshots = count(
        &app,
        "SELECT COUNT(*) FROM source_snapshots WHERE source_id = $1",
        &source,
    )
    .await;
    assert_eq!(snapshots, 1, "exactly one snapshot");
}
// `outrival worker` processes run beside shared instances only (a standalone instance
// refuses them: see deployment.rs), so this is a PostgreSQL + Redis story.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_killed_worker_job_finishes_once() {
    Backend::PostgresRedis.require();
    killed_worker_job_finishes_once(Backend::PostgresRedis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_workers_never_run_a_job_twice() {
    Backend::PostgresRedis.require();
    const JOBS: usize = 200;
    let site = Site::start().await;
    let app = TestApp::spawn_with(Backend::PostgresRedis, &[("JOB_WORKERS", "0")]).await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let competitors = [
        new_competitor(&editor, "Acme").await,
        new_competitor(&editor, "Globex").await,
    ];
    for n in 0..JOBS {
        add_url(
            &editor,
            &competitors[n % 2],
            &site.url(&format!("/page/{n}")),
        )
        .await;
    }
    let mut workers = [app.worker_process("2"), app.worker_process("2")];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let done = count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE state = $1",
            "succeeded",
        )
        .await;
        if done as usize == JOBS {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {done} of {JOBS} jobs finished"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for worker in &mut workers {
        worker.kill().ok();
        worker.wait().ok();
    }
    let hits = site.all_hits();
    for n in 0..JOBS {
        assert_eq!(
            hits.get(&format!("/page/{n}")),
            Some(&1),
            "page {n} fetched once"
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE attempts <> 1 AND kind = $1",
            "source.fetch"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM source_snapshots WHERE title LIKE $1",
            "Acme page %"
        )
        .await,
        JOBS as i64
    );
}

/// An AI draft whose worker process is SIGKILLed while the provider is still answering:
/// another worker takes the job over and exactly one draft exists.
async fn killed_worker_draft_exists_once(backend: Backend) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer};

    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(crate::providers::SlowModel(Duration::from_secs(3)))
        .mount(&mock)
        .await;
    let base = format!("{}/v1", mock.uri());
    let app = TestApp::spawn_with(
        backend,
        &[
            ("JOB_WORKERS", "0"),
            ("AI_PROVIDER", "openai"),
            ("AI_BASE_URL", &base),
            ("AI_MODEL", "test-model"),
        ],
    )
    .await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let acme = new_competitor(&editor, "Acme").await;
    let (status, body) = editor
        .call(
            "/api/sources/add_note",
            &[
                ("competitor_id", &acme),
                ("title", "Pricing"),
                ("text", "Pro costs $65 per user per month, billed annually."),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let card = crate::common::cards::new_card(&editor, &acme, "Acme").await;
    let mut first = app.worker_process("1");
    let (status, job) = editor
        .call_json(
            "/api/ai/request",
            &json!({"card_id": card, "agent": "battlecard_writer"}),
        )
        .await;
    assert_eq!(status, 200, "{job}");
    let job = job["id"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while mock.received_requests().await.unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never asked the provider"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().expect("SIGKILL the worker");
    first.wait().expect("the killed worker is reaped");

    let mut second = app.worker_process("1");
    let done = finished_job(&editor, &job).await;
    second.kill().ok();
    second.wait().ok();
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "{done}");
    assert_eq!(mock.received_requests().await.unwrap().len(), 2);
    let drafts = count(
        &app,
        "SELECT COUNT(*) FROM ai_drafts WHERE job_id = $1",
        &job,
    )
    .await;
    assert_eq!(drafts, 1, "exactly one draft");
}
// `outrival worker` processes run beside shared instances only (a standalone instance
// refuses them: see deployment.rs), so this is a PostgreSQL + Redis story.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_killed_worker_draft_exists_once() {
    Backend::PostgresRedis.require();
    killed_worker_draft_exists_once(Backend::PostgresRedis).await;
}
