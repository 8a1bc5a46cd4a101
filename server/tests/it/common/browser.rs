//! A client that behaves like a browser tab: keeps cookies, sends Origin on posts,
//! and does not follow redirects (tests assert on them).
use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::Value;

pub struct Browser {
    pub client: Client,
    jar: Arc<Jar>,
    pub base: String,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            // A request that hangs fails the test instead of stalling the suite.
            .timeout(std::time::Duration::from_secs(
                std::env::var("OUTRIVAL_TEST_HTTP_TIMEOUT")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(20),
            ))
            .build()
            .expect("client");
        Self {
            client,
            jar,
            base: base.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET")
    }

    /// GET and return (status, body).
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    /// A server function called the way the hydrated app calls it (JSON answer).
    pub async fn call(&self, path: &str, fields: &[(&str, &str)]) -> (u16, Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .form(fields)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// A server function that takes a JSON body (the card editor's save and reorder).
    pub async fn call_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// A file download the way a link click makes it: (status, headers, bytes).
    pub async fn download(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        (status, headers, bytes)
    }

    /// A plain HTML form post from `from_page` (no JavaScript).
    pub async fn form_post(
        &self,
        path: &str,
        from_page: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html,application/xhtml+xml")
            .header("origin", &self.base)
            .header("referer", format!("{}{from_page}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// The Cookie header this browser would send to its app.
    pub fn cookie_header(&self) -> Option<String> {
        let url = self.base.parse().expect("base url");
        Some(self.jar.cookies(&url)?.to_str().ok()?.to_string())
    }

    /// The session cookie's value, if the browser holds one.
    pub fn session_id(&self) -> Option<String> {
        let url = self.base.parse().expect("base url");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("outrival_session=").map(str::to_string))
    }

    /// A new browser that presents only `session_id` (replaying a stolen or old cookie).
    pub fn with_cookie(&self, session_id: &str) -> Browser {
        let browser = Browser::new(&self.base);
        let url = self.base.parse().expect("base url");
        browser
            .jar
            .add_cookie_str(&format!("outrival_session={session_id}; Path=/"), &url);
        browser
    }
}

/// The message a JSON error gives for `field`.
pub fn field_error(body: &Value, field: &str) -> Option<String> {
    body["error"]["fields"]
        .as_array()?
        .iter()
        .find(|f| f["field"] == field)
        .and_then(|f| f["message"].as_str())
        .map(str::to_string)
}

/// Asserts that a server function answered with an error: its HTTP status and `code`.
#[track_caller]
pub fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(
        (answer.0, answer.1["error"]["code"].as_str()),
        (status, Some(code)),
        "{}",
        answer.1
    );
}

/// Up to 150 characters either side of the first `needle` in `text` (for failure messages).
pub fn excerpt(text: &str, needle: &str) -> String {
    let lower = text.to_lowercase();
    let Some(at) = lower.find(&needle.to_lowercase()) else {
        return String::new();
    };
    let chars: Vec<char> = text.chars().collect();
    let at = text[..at.min(text.len())].chars().count();
    let from = at.saturating_sub(150);
    let to = (at + needle.chars().count() + 150).min(chars.len());
    chars[from..to].iter().collect()
}

/// A page as a browser receives it: what it was sent in, decoded, with its policy.
pub struct Served {
    pub encoding: Option<String>,
    pub html: String,
    pub csp: String,
}

impl Browser {
    /// GET `path` offering `accept_encoding`; the page decoded as a browser would, after
    /// checking that it was sent in an encoding offered (or none), that its length is
    /// right, and that its policy lets every one of its inline scripts run and nothing
    /// else (see [`assert_scripts_allowed`]).
    pub async fn served(&self, path: &str, accept_encoding: &str) -> Served {
        use std::io::Read as _;
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("accept-encoding", accept_encoding)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "GET {path}");
        let headers = response.headers().clone();
        let encoding = headers
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        if let Some(encoding) = &encoding {
            assert!(
                accept_encoding
                    .split(',')
                    .any(|offered| offered.trim() == encoding),
                "{path} was sent in {encoding}, which the client did not offer ({accept_encoding})"
            );
            assert!(
                headers["vary"]
                    .to_str()
                    .unwrap()
                    .contains("accept-encoding"),
                "{headers:?}"
            );
        }
        let body = response.bytes().await.unwrap();
        if let Some(length) = headers.get("content-length") {
            assert_eq!(length.to_str().unwrap(), body.len().to_string());
        }
        let mut html = String::new();
        match encoding.as_deref() {
            None => html = String::from_utf8(body.to_vec()).expect("a UTF-8 page"),
            Some("gzip") => {
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_string(&mut html)
                    .expect("a whole gzip stream");
            }
            Some("br") => {
                brotli::Decompressor::new(&body[..], 4096)
                    .read_to_string(&mut html)
                    .expect("a whole brotli stream");
            }
            Some(other) => panic!("{path}: unexpected encoding {other}"),
        }
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}: a whole page");
        let csp = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert_scripts_allowed(&html, &csp);
        Served {
            encoding,
            html,
            csp,
        }
    }
}

/// Every inline script of `html` may run under `csp`, by this response's nonce or by its
/// hash, and the policy never allows `unsafe-inline`.
pub fn assert_scripts_allowed(html: &str, csp: &str) {
    use base64::Engine as _;
    use sha2::Digest as _;
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("a script-src in {csp}"));
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    let nonce = script_src
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next());
    let mut scripts = 0;
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start + "<script".len()..];
        let open_end = rest.find('>').expect("a whole script tag");
        let attributes = &rest[..open_end];
        rest = &rest[open_end + 1..];
        let close = rest.find("</script").expect("a closed script");
        let text = &rest[..close];
        if attributes.contains(" src=") {
            continue;
        }
        scripts += 1;
        let by_nonce = nonce.is_some_and(|n| attributes.contains(&format!("nonce=\"{n}\"")));
        let hash = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text))
        );
        assert!(
            by_nonce || script_src.contains(&hash),
            "an inline script the policy does not allow: {attributes} …{}… under {script_src}",
            &text[..text.len().min(80)]
        );
    }
    assert!(scripts > 0, "the page has inline scripts");
}

/// `html` without its scripts' nonces: the same document whichever response carried it.
pub fn without_nonces(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" nonce=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " nonce=\"".len()..];
        rest = &after[after.find('"').map_or(after.len(), |end| end + 1)..];
    }
    out.push_str(rest);
    out
}
