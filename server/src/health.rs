//! Liveness, readiness and the Prometheus scrape endpoint.
use std::collections::BTreeMap;
use std::time::Duration;

use app::error::ErrorCode;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::error::HttpError;
use crate::startup::AppState;

/// The process is up (plain text: also the benchmark's baseline route).
pub async fn live() -> &'static str {
    "ok"
}

/// What `/health/ready` reports: a verdict, and each check's result (`ok` or
/// `failed: …`). A report, not an error: it has the same shape either way.
#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    checks: BTreeMap<&'static str, String>,
}

/// The process can serve: the database (and Redis, when configured) answer.
pub async fn ready(State(state): State<AppState>) -> Response {
    let services = &state.services;
    let limit = Duration::from_secs(2);
    let database = match tokio::time::timeout(limit, services.db().ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("{e}")),
        Err(_) => Err("timed out after 2 s".to_string()),
    };
    let mut checks = BTreeMap::new();
    let mut healthy = true;
    let mut note = |name: &'static str, result: Result<(), String>| {
        healthy &= result.is_ok();
        checks.insert(
            name,
            result
                .map(|_| "ok".to_string())
                .unwrap_or_else(|e| format!("failed: {e}")),
        );
    };
    note("database", database);
    if let Some(service) = services.cache().service() {
        let answer = match tokio::time::timeout(limit, services.cache().ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("{e}")),
            Err(_) => Err("timed out after 2 s".to_string()),
        };
        note(service, answer);
    }
    let (status, word) = if healthy {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    let report = Readiness {
        status: word,
        checks,
    };
    (status, Json(report)).into_response()
}

/// Prometheus text format. Requires the bearer token when `METRICS_TOKEN` is set.
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    if let Some(token) = &state.metrics_token {
        let given = headers
            .get("authorization")
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "));
        if !token_matches(given, token.expose_secret()) {
            return Err(HttpError::new(
                ErrorCode::Unauthenticated,
                "Metrics need a bearer token (Authorization: Bearer <METRICS_TOKEN>).",
            ));
        }
    }
    let (in_use, idle) = state.services.db().pool_usage();
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(in_use as f64);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    Ok((
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.prometheus.render(),
    )
        .into_response())
}

/// Whether `given` is the token. Compared in constant time, so how long a refusal takes
/// does not tell a guesser how much of the token was right (only its length may show).
fn token_matches(given: Option<&[u8]>, token: &str) -> bool {
    given.is_some_and(|given| bool::from(given.ct_eq(token.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::token_matches;

    #[test]
    fn only_the_exact_token_matches() {
        let token = "s3cret-token";
        assert!(token_matches(Some(b"s3cret-token"), token));
        for wrong in [
            &b""[..],
            b"s3cret-toke",
            b"s3cret-token2",
            b"S3cret-token",
            b"x",
        ] {
            assert!(!token_matches(Some(wrong), token), "{wrong:?}");
        }
        assert!(!token_matches(None, token));
    }
}
