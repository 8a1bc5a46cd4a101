//! `spawn_app`, the backends and a cookie-keeping browser-like client.
mod browser;
pub mod live;
mod logs;
pub mod site;

use std::net::SocketAddr;
use std::sync::Arc;

use server::{Application, Config};
use sqlx::Connection;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use browser::{
    assert_error, assert_scripts_allowed, excerpt, field_error, without_nonces, Browser,
};

/// The runtime every test app is served on: one process-wide, long-lived runtime, as in
/// production. Test bodies run on their own runtimes and only talk HTTP to it.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        logs::install();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-server")
            .enable_all()
            .build()
            .expect("the test server runtime starts")
    })
}

/// A strong password used across tests.
pub const PASSWORD: &str = "Correct-Horse-Battery-9";

/// Where a test's data lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file, sessions in SQL, counters in process.
    Sqlite,
    /// PostgreSQL database, sessions and counters in Redis.
    PostgresRedis,
}

impl Backend {
    /// Fails the test unless this backend's servers are there. The test command leaves the
    /// PostgreSQL/Redis tests out by name (`--skip postgres_redis`, listing each as
    /// skipped) on a machine without those servers; a test that runs anyway there —
    /// or in CI, where nothing may be skipped — fails rather than pass unrun.
    pub fn require(self) {
        if self == Backend::PostgresRedis
            && std::env::var("OUTRIVAL_SKIP_SERVICES").as_deref() == Ok("1")
        {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI runs every PostgreSQL + Redis test; start the servers (see services.md)"
            );
            panic!(
                "PostgreSQL/Redis are not available (OUTRIVAL_SKIP_SERVICES=1): run this test \
                 where they are, or leave it out with --skip postgres_redis"
            );
        }
    }
}

fn admin_pg_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Owns the test's database; removes it when dropped.
enum DataGuard {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Postgres { name: String },
}

impl Drop for DataGuard {
    fn drop(&mut self) {
        if let DataGuard::Postgres { name } = self {
            let name = name.clone();
            // Drop runs outside async; use a private runtime on a plain thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_pg_url()).await {
                        let _ = sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// `vars` with `extra` in place of theirs; an empty value leaves a variable unset.
pub fn with_vars(vars: &[(String, String)], extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars = vars.to_vec();
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        if !v.is_empty() {
            vars.push((k.to_string(), v.to_string()));
        }
    }
    vars
}

/// A running app and everything needed to stop, restart and inspect it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    #[allow(dead_code)]
    pub backend: Backend,
    pub redis_prefix: Option<String>,
    vars: Vec<(String, String)>,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
    services: Option<domain::Services>,
    _data: Arc<DataGuard>,
}

impl TestApp {
    /// A fresh app with its own empty database.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// A fresh app with extra configuration variables.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut vars: Vec<(String, String)> = vec![
            ("BIND_ADDR".into(), "127.0.0.1:0".into()),
            ("SITE_ROOT".into(), "target/site-tests".into()),
            ("PASSWORD_HASH_CONCURRENCY".into(), "2".into()),
            ("DATABASE_MAX_CONNECTIONS".into(), "5".into()),
            ("RUST_LOG".into(), "warn".into()),
        ];
        let (data, redis_prefix) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                vars.push((
                    "DATABASE_URL".into(),
                    format!("sqlite://{}/outrival.db", dir.path().display()),
                ));
                (DataGuard::Dir(dir), None)
            }
            Backend::PostgresRedis => {
                let name = format!("test_{id}");
                let mut conn = sqlx::PgConnection::connect(&admin_pg_url())
                    .await
                    .expect("PostgreSQL must be reachable at TEST_DATABASE_URL (see shared/notes/services.md)");
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let mut url = url::Url::parse(&admin_pg_url()).unwrap();
                url.set_path(&name);
                vars.push(("DATABASE_URL".into(), url.to_string()));
                let prefix = format!("test:{id}:");
                vars.push(("DEPLOYMENT".into(), "shared".into()));
                vars.push(("REDIS_URL".into(), redis_url()));
                vars.push(("REDIS_PREFIX".into(), prefix.clone()));
                vars.push(("REDIS_POOL_SIZE".into(), "2".into()));
                (DataGuard::Postgres { name }, Some(prefix))
            }
        };
        let vars = with_vars(&vars, extra);
        let mut app = TestApp {
            addr: "127.0.0.1:0".parse().unwrap(),
            base: String::new(),
            backend,
            redis_prefix,
            vars,
            running: None,
            services: None,
            _data: Arc::new(data),
        };
        app.start().await;
        app
    }

    async fn start(&mut self) {
        let config = Config::from_vars(self.vars.clone()).expect("test configuration is valid");
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let handle = server_runtime().spawn(async move {
            let application = Application::build(config).await.expect("the app builds");
            let _ = ready_tx.send((application.local_addr(), application.services().clone()));
            application
                .run_until_stopped(async {
                    let _ = stop_rx.await;
                })
                .await
        });
        let (addr, services) = ready_rx.await.expect("the app started");
        self.addr = addr;
        self.base = format!("http://{addr}");
        self.services = Some(services);
        self.running = Some((stop_tx, handle));
    }

    /// Stops the app gracefully and starts it again on the same database (and Redis).
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    pub async fn stop(&mut self) {
        if let Some((tx, handle)) = self.running.take() {
            let _ = tx.send(());
            handle
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    /// A second instance on the same database (and Redis), with `extra` settings.
    pub async fn another_instance(&self, extra: &[(&str, &str)]) -> TestApp {
        let vars = with_vars(&self.vars, extra);
        let mut app = TestApp {
            addr: "127.0.0.1:0".parse().unwrap(),
            base: String::new(),
            backend: self.backend,
            redis_prefix: self.redis_prefix.clone(),
            vars,
            running: None,
            services: None,
            _data: self._data.clone(),
        };
        app.start().await;
        app
    }

    /// Starts an `outrival worker` process with `workers` workers beside this app
    /// (same database and Redis); it may fetch from this machine.
    pub fn worker_process(&self, workers: &str) -> std::process::Child {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_outrival"));
        command.arg("worker").env_clear();
        if let Ok(path) = std::env::var("PATH") {
            command.env("PATH", path);
        }
        for (name, value) in self.vars() {
            command.env(name, value);
        }
        command
            .env("JOB_WORKERS", workers)
            .env("JOB_LEASE", "2s")
            .env("JOB_POLL", "100ms")
            .env("FETCH_ALLOW", "127.0.0.1/32")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("outrival worker starts")
    }

    /// The app's configuration, for starting `outrival worker` processes beside it.
    pub fn vars(&self) -> &[(String, String)] {
        &self.vars
    }

    pub fn services(&self) -> &domain::Services {
        self.services.as_ref().expect("app running")
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Signs up through the real form endpoint and returns the signed-in browser.
    pub async fn signed_up(&self, name: &str, email: &str) -> Browser {
        let browser = self.browser();
        let (status, body) = browser
            .call(
                "/api/auth/signup",
                &[
                    ("name", name),
                    ("email", email),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(status, 200, "sign-up failed: {body}");
        browser
    }

    /// An admin creates an account with `role`; returns a browser signed in as it.
    pub async fn user_with_role(&self, admin: &Browser, email: &str, role: &str) -> Browser {
        let (status, body) = admin
            .call(
                "/api/admin/create_user",
                &[
                    ("name", "Test Person"),
                    ("email", email),
                    ("role", role),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(status, 200, "create_user failed: {body}");
        let browser = self.browser();
        let (status, body) = browser
            .call(
                "/api/auth/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, 200, "login failed: {body}");
        browser
    }

    /// A Redis connection for inspecting what the app stored.
    pub async fn redis(&self) -> fred::clients::Client {
        use fred::prelude::*;
        let client = Builder::from_config(Config::from_url(&redis_url()).unwrap())
            .build()
            .unwrap();
        client.init().await.expect("redis reachable");
        client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The test failed while this app ran: show what the server logged.
        if std::thread::panicking() {
            logs::print_recent();
        }
        if let Some((tx, _)) = self.running.take() {
            let _ = tx.send(());
        }
    }
}

/// Runs one test body on each backend: `backend_test!(name);` after `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! backend_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_redis() {
                $crate::common::Backend::PostgresRedis.require();
                super::$name($crate::common::Backend::PostgresRedis).await
            }
        }
    };
}

/// Shortcuts for the competitor and battlecard stories (each asserts its call worked).
pub mod cards {
    use serde_json::{json, Value};

    use super::Browser;

    /// The eight Markdown sections of a card, as the content JSON names them.
    pub const SECTIONS: [&str; 8] = [
        "overview",
        "strengths",
        "weaknesses",
        "why_we_win",
        "pricing",
        "landmines",
        "proof_points",
        "resources",
    ];

    pub async fn new_competitor(who: &Browser, name: &str) -> String {
        let (status, body) = who
            .call(
                "/api/competitors/create",
                &[
                    ("name", name),
                    ("website", ""),
                    ("description", ""),
                    ("tags", ""),
                    ("keywords", ""),
                ],
            )
            .await;
        assert_eq!(status, 200, "create competitor {name}: {body}");
        body["id"].as_str().expect("competitor id").to_string()
    }

    pub async fn new_card(who: &Browser, competitor_id: &str, title: &str) -> String {
        let (status, body) = who
            .call(
                "/api/cards/create",
                &[("competitor_id", competitor_id), ("title", title)],
            )
            .await;
        assert_eq!(status, 200, "create card {title}: {body}");
        body.as_str().expect("the new card's id").to_string()
    }

    /// A card with every section filled in and three objections (ids assigned on save).
    pub fn full_content(title: &str) -> Value {
        json!({
            "title": title,
            "summary": "How we beat them in mid-market deals.",
            "overview": "They sell a **CRM** suite to mid-market teams.",
            "strengths": "- Big partner network\n- Polished mobile app",
            "weaknesses": "- Slow support\n- Rigid reporting",
            "why_we_win": "We ship integrations in days, not quarters.",
            "pricing": "List price is $99 per seat per month; discounts at year end.",
            "landmines": "Ask how long their last migration took.",
            "proof_points": "Globex moved to us and cut onboarding by 40%.",
            "resources": "[Comparison deck](https://example.com/deck)",
            "objections": [
                {"id": "", "objection": "They are cheaper", "answer": "Count the admin hours too."},
                {"id": "", "objection": "We already use their email tool", "answer": "We integrate with it."},
                {"id": "", "objection": "Their brand is bigger", "answer": "Ask for references in your industry."}
            ]
        })
    }

    /// `/api/cards/editor` for someone allowed to open it.
    pub async fn editor(who: &Browser, card_id: &str) -> Value {
        let (status, body) = who.call("/api/cards/editor", &[("id", card_id)]).await;
        assert_eq!(status, 200, "editor data: {body}");
        body
    }

    /// `/api/cards/save`: (status, body).
    pub async fn save(
        who: &Browser,
        card_id: &str,
        base_version: i64,
        content: &Value,
    ) -> (u16, Value) {
        who.call_json(
            "/api/cards/save",
            &json!({"id": card_id, "base_version": base_version, "content": content, "note": ""}),
        )
        .await
    }

    /// Saves and expects a new version; returns it.
    pub async fn saved(who: &Browser, card_id: &str, base_version: i64, content: &Value) -> i64 {
        let (status, body) = save(who, card_id, base_version, content).await;
        assert_eq!(status, 200, "save: {body}");
        body["Saved"]["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("expected Saved, got {body}"))
    }

    /// `/api/cards/status`: (status, body).
    pub async fn set_status(who: &Browser, card_id: &str, to: &str, version: i64) -> (u16, Value) {
        who.call_json(
            "/api/cards/status",
            &json!({"id": card_id, "status": to, "version": version}),
        )
        .await
    }

    /// Publishes the card as it stands now.
    pub async fn publish(who: &Browser, card_id: &str) {
        let version = editor(who, card_id).await["version"].as_i64().unwrap();
        let (status, body) = set_status(who, card_id, "published", version).await;
        assert_eq!(status, 200, "publish: {body}");
        assert_eq!(body["published_version"], version);
    }

    /// A competitor with one card holding `content`; returns (competitor id, card id, version).
    pub async fn card_with(
        who: &Browser,
        competitor: &str,
        content: &Value,
    ) -> (String, String, i64) {
        let competitor_id = new_competitor(who, competitor).await;
        let title = content["title"].as_str().unwrap_or("Battlecard");
        let card_id = new_card(who, &competitor_id, title).await;
        let version = saved(who, &card_id, 1, content).await;
        (competitor_id, card_id, version)
    }
}
