//! Cross-site request forgery defence: a state-changing request that a browser marks
//! as coming from another site, or whose Origin is not ours, is refused with 403.
//! Requests without either header do not come from a browser and pass (the JSON API
//! authenticates them by key, never by cookie).
use app::error::ErrorCode;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method};

use crate::error::HttpError;

#[derive(Clone)]
pub struct CsrfConfig {
    /// The configured public origin, e.g. `https://outrival.example.com`.
    pub public_origin: String,
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Whether `origin` names this server: the public origin, or the Host the browser used.
pub fn same_origin(origin: &str, host: Option<&str>, public_origin: &str) -> bool {
    if origin == public_origin {
        return true;
    }
    let Some(host) = host else { return false };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        == Some(host)
}

pub async fn protect(State(config): State<CsrfConfig>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let verdict = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") | Some("none") => Ok(()),
        Some(other) => Err(format!("sec-fetch-site {other}")),
        None => match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => Ok(()),
            Some(origin) => {
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
                if same_origin(origin, host, &config.public_origin) {
                    Ok(())
                } else {
                    Err(format!("origin {origin}"))
                }
            }
        },
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(why) => {
            tracing::warn!(reason = %why, path = %req.uri().path(), "refused a cross-origin request");
            HttpError::new(
                ErrorCode::CsrfRejected,
                "This request came from another site and was refused.",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn origins() {
        assert!(same_origin("https://o.example", None, "https://o.example"));
        assert!(same_origin(
            "http://127.0.0.1:4000",
            Some("127.0.0.1:4000"),
            "http://127.0.0.1:3000"
        ));
        assert!(!same_origin(
            "https://evil.example",
            Some("127.0.0.1:4000"),
            "http://127.0.0.1:3000"
        ));
        assert!(!same_origin(
            "null",
            Some("127.0.0.1:4000"),
            "http://127.0.0.1:3000"
        ));
    }
}
