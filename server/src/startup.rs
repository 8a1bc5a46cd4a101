//! Building the application from its configuration, and running it until a signal.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::extract::FromRef;
use axum::Router;
use domain::accounts::throttle::ThrottlePolicy;
use domain::accounts::{AccountPolicy, Accounts};
use domain::cache::InProcessLimits;
use domain::jobs::WorkerPool;
use domain::services::Foundations;
use domain::shared::{RedisSettings, Shared};
use domain::store::{Db, DbSettings, Deployment, InstanceClaim};
use domain::time::Clock;
use domain::Services;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::{redact_url, Config};
use crate::middleware::client_ip::ProxyTrust;
use crate::middleware::csrf::CsrfConfig;
use crate::middleware::security::SecurityConfig;
use crate::routes::{self, RouterSettings};

/// Shared state of the axum router. Every middleware layer clones the services below
/// it, handler and state included, on every request, so the state is one pointer.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

pub struct SharedState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub prometheus: PrometheusHandle,
    pub metrics_token: Option<SecretString>,
    /// The configured public origin, e.g. `https://outrival.example.com`.
    pub public_origin: String,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "outrival_session";

/// The process-wide Prometheus recorder (installed once; every app in a test
/// process shares it).
fn prometheus() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);
    let mut slot = HANDLE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(h) = slot.as_ref() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("http_request_duration_seconds".into()),
            &[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ],
        )
        .context("Failed to configure metrics buckets")?
        .install_recorder()
        .context("Failed to install the metrics recorder")?;
    *slot = Some(handle.clone());
    Ok(handle)
}

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    services: Services,
    background: Vec<JoinHandle<()>>,
    workers: Option<WorkerPool>,
    header_timeout: Duration,
    claim: InstanceClaim,
}

/// Connects the database (applying migrations) and Redis when configured, and builds
/// the services. Shared by the web server and `outrival worker`.
pub async fn build_services(config: &Config) -> anyhow::Result<Services> {
    let db = Db::connect(&DbSettings {
        url: config.database_url.expose_secret().to_string(),
        max_connections: config.database_max_connections,
        min_connections: config.database_min_connections,
        acquire_timeout: Duration::from_secs(5),
    })
    .await
    .with_context(|| {
        format!(
            "database {}",
            redact_url(config.database_url.expose_secret())
        )
    })?;

    // Configuration has checked the combination: shared instances have Redis, a
    // standalone one has none.
    let shared = match (config.deployment, &config.redis_url) {
        (Deployment::Shared, Some(url)) => Shared::redis(
            &RedisSettings {
                url: url.expose_secret().to_string(),
                pool_size: config.redis_pool_size,
                prefix: config.redis_prefix.clone(),
            },
            &db,
            config.page_cache_max_bytes,
        )
        .await
        .with_context(|| format!("Redis {}", redact_url(url.expose_secret())))?,
        (Deployment::Shared, None) => anyhow::bail!("REDIS_URL: shared instances need Redis"),
        (Deployment::Standalone, _) => Shared::standalone(
            &db,
            InProcessLimits {
                max_bytes: config.cache_max_bytes,
                ..InProcessLimits::default()
            },
            config.page_cache_max_bytes,
        ),
    };
    let cache = shared.cache().clone();
    let accounts = Accounts::new(
        db.clone(),
        cache.clone(),
        Clock::system(),
        AccountPolicy {
            throttle: ThrottlePolicy {
                max_failures_per_account: config.login_max_failures,
                max_failures_per_ip: config.login_max_failures_per_ip,
                window: config.login_lockout,
            },
            session_absolute: config.session_max_lifetime,
            session_idle: config.session_idle_timeout,
            invitation_ttl: config.invitation_ttl,
            public_url: config.public_url.as_str().trim_end_matches('/').to_string(),
            max_concurrent_hashes: config.password_hash_concurrency,
        },
    );
    Services::new(
        Foundations { db, shared },
        accounts,
        config.jobs.clone(),
        config.fetch.clone(),
        config.ai.clone(),
    )
}

/// Runs job workers only (`outrival worker`) until `shutdown`, then lets running jobs
/// finish for a while.
pub async fn run_workers(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if config.deployment == Deployment::Standalone {
        anyhow::bail!(
            "DEPLOYMENT: `outrival worker` runs beside shared instances (DEPLOYMENT=shared); \
             a standalone instance runs its job workers itself (JOB_WORKERS)"
        );
    }
    let claim = claim_database(&config).await?;
    let services = build_services(&config).await?;
    let count = config.job_workers.max(1);
    let pool = services.start_workers(count);
    tracing::info!(workers = count, "job workers running");
    shutdown.await;
    pool.stop(DRAIN_GRACE).await;
    services.db().close().await;
    claim.release().await;
    tracing::info!("workers stopped");
    Ok(())
}

/// Claims the database for this process's deployment mode (see `InstanceClaim`).
async fn claim_database(config: &Config) -> anyhow::Result<InstanceClaim> {
    InstanceClaim::take(config.database_url.expose_secret(), config.deployment)
        .await
        .with_context(|| {
            format!(
                "database {}",
                redact_url(config.database_url.expose_secret())
            )
        })
}

/// How long a stopping process lets its running jobs finish.
const DRAIN_GRACE: Duration = Duration::from_secs(20);

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        tracing::info!(config = ?config, "starting Outrival");
        if config.metrics_token.is_none() {
            tracing::warn!(
                "METRICS_TOKEN is unset: /metrics is open to anyone who can reach {}; \
                 set METRICS_TOKEN or block /metrics at the proxy if that is not only your scraper",
                config.bind_addr
            );
        }
        let claim = claim_database(&config).await?;
        let services = build_services(&config).await?;
        let sessions = services.sessions().clone();
        let workers = (config.job_workers > 0).then(|| services.start_workers(config.job_workers));

        let prometheus = prometheus()?;
        let mut background = Vec::new();
        background.push(tokio::spawn(services.shared().clone().upkeep()));
        let upkeep = prometheus.clone();
        background.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                upkeep.run_upkeep();
            }
        }));

        let idle = time::Duration::seconds(config.session_idle_timeout.as_secs() as i64);
        let session_layer = SessionManagerLayer::new(sessions)
            .with_name(SESSION_COOKIE)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(config.is_https())
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(idle));

        let leptos_options = LeptosOptions::builder()
            .output_name("outrival")
            .site_root(config.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(config.bind_addr)
            .build();
        let state = AppState(Arc::new(SharedState {
            leptos_options,
            services: services.clone(),
            prometheus,
            metrics_token: config.metrics_token.clone(),
            public_origin: config.public_url.origin().ascii_serialization(),
        }));
        let public_origin = state.public_origin.clone();
        let router = routes::router(
            state,
            RouterSettings {
                csrf: CsrfConfig { public_origin },
                security: SecurityConfig {
                    https: config.is_https(),
                },
                body_limit: config.request_body_limit,
                request_timeout: config.request_timeout,
                proxies: ProxyTrust::new(config.trust_proxy, config.trusted_proxy_hops),
                site_root: config.site_root.clone(),
            },
            session_layer,
        );
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .with_context(|| format!("BIND_ADDR: cannot listen on {}", config.bind_addr))?;
        Ok(Self {
            listener,
            router,
            services,
            background,
            workers,
            header_timeout: config.http_header_timeout,
            claim,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "listening");
        crate::serve::serve(self.listener, self.router, self.header_timeout, shutdown).await;
        if let Some(workers) = self.workers {
            workers.stop(DRAIN_GRACE).await;
        }
        for task in self.background {
            task.abort();
        }
        // Card views are written in batches; store the last ones before closing the pool.
        self.services.battlecards().views().flush().await;
        self.services.db().close().await;
        self.claim.release().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
