//! Jobs across real processes: `outrival worker` killed mid-job (SIGKILL) and the job
//! finishing exactly once after another worker takes over; two worker processes on
//! PostgreSQL sharing 200 jobs without running any twice.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sqlx::Row;

use crate::backend_test;
use crate::common::cards::new_competitor;
use crate::common::site::Site;
use crate::common::{Backend, TestApp};
use crate::sources::{add_url, finished_job};

/// Starts `outrival worker` on the app's database (and Redis), with `workers` workers.
fn worker_process(app: &TestApp, workers: &str) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_outrival"));
    command.arg("worker").env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    for (name, value) in app.vars() {
        command.env(name, value);
    }
    command
        .env("JOB_WORKERS", workers)
        .env("JOB_LEASE", "2s")
        .env("JOB_POLL", "100ms")
        .env("FETCH_ALLOW", "127.0.0.1/32")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("outrival worker starts")
}

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
    let mut first = worker_process(&app, "1");
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

    let mut second = worker_process(&app, "1");
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
backend_test!(killed_worker_job_finishes_once);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_workers_never_run_a_job_twice() {
    if !Backend::PostgresRedis.available() {
        return;
    }
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
    let mut workers = [worker_process(&app, "2"), worker_process(&app, "2")];
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
