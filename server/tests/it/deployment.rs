//! The deployment mode is decided once, by DEPLOYMENT, and a process that would make it
//! wrong is refused at start: a second standalone instance on the same database, a
//! shared instance beside a standalone one (or the other way round), and an
//! `outrival worker` beside a standalone instance, whose live events no browser would
//! hear.
use std::process::{Command, Stdio};

use server::{Application, Config};

use crate::common::{with_vars, Backend, TestApp};

/// Starting an instance with these settings fails; returns what it says.
async fn refused(vars: &[(String, String)], extra: &[(&str, &str)]) -> String {
    let config = Config::from_vars(with_vars(vars, extra)).expect("a valid configuration");
    match Application::build(config).await {
        Ok(_) => panic!("an instance started with {extra:?}"),
        Err(e) => format!("{e:#}"),
    }
}

/// Runs `outrival worker` with `vars` until it exits; its exit status and what it said.
fn worker(vars: &[(String, String)]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_outrival"));
    command.arg("worker").env_clear();
    for (name, value) in vars {
        command.env(name, value);
    }
    let out = command
        .env("JOB_WORKERS", "1")
        .stdin(Stdio::null())
        .output()
        .expect("outrival runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const ANOTHER: &str = "DEPLOYMENT: another Outrival process uses this database";
const STANDALONE_THERE: &str = "DEPLOYMENT: a standalone Outrival instance uses this database";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standalone_instance_is_alone_on_its_sqlite_file() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    let said = refused(app.vars(), &[]).await;
    assert!(said.contains(ANOTHER), "{said}");

    let (code, said) = worker(app.vars());
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("DEPLOYMENT: `outrival worker` runs beside shared instances"),
        "{said}"
    );
    assert_eq!(said.trim().lines().count(), 1, "one line: {said}");

    // Once it stops, the database is free: a restart claims it at once.
    app.restart().await;
    assert_eq!(app.browser().get("/health/ready").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_standalone_and_shared_instances_never_mix() {
    Backend::PostgresRedis.require();
    let shared = [
        ("DEPLOYMENT", "shared"),
        ("REDIS_URL", &crate::common::redis_url() as &str),
    ];
    let alone = [("DEPLOYMENT", "standalone"), ("REDIS_URL", "")];

    // A standalone instance on PostgreSQL: nothing else may use its database.
    let mut first = TestApp::spawn_with(Backend::PostgresRedis, &alone).await;
    let said = refused(first.vars(), &[]).await;
    assert!(
        said.contains(ANOTHER),
        "a second standalone instance: {said}"
    );
    let said = refused(first.vars(), &shared).await;
    assert!(said.contains(STANDALONE_THERE), "a shared instance: {said}");
    let (code, said) = worker(&with_vars(first.vars(), &shared));
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(STANDALONE_THERE), "a shared worker: {said}");
    first.stop().await;

    // Shared instances run side by side; a standalone one is refused beside them.
    let a = first.another_instance(&shared).await;
    let b = a.another_instance(&[("JOB_WORKERS", "0")]).await;
    assert_eq!(b.browser().get("/health/ready").await.status(), 200);
    let said = refused(a.vars(), &alone).await;
    assert!(
        said.contains(ANOTHER),
        "a standalone instance beside shared ones: {said}"
    );
}
