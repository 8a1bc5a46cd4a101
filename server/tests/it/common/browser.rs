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
