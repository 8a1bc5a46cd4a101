//! Prometheus metrics: request count and latency by method, matched route and status.
//!
//! Every label takes one of a fixed set of values, whatever a client sends: an
//! invented method or path must not create new series (unbounded memory in this
//! process and in the scraper).
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use http::Method;

pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    // The route pattern (`/cards/{id}`), never the path itself.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = method_label(req.method());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    res
}

/// The standard methods by name; any other is `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_are_named() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for invented in ["BREW", "get", "PROPFIND", "X"] {
            let method = Method::from_bytes(invented.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other", "{invented}");
        }
    }
}
