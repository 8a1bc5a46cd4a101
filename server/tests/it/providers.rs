//! The OpenAI-compatible provider against a local wiremock server: the request's shape,
//! personal data kept out, page text sent as quoted data, retry after 429, usage and
//! cost in the ledger, budgets, garbage answers, and repeated 500s opening the breaker
//! so the built-in engine writes the draft.
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::backend_test;
use crate::common::live::Socket;
use crate::common::site::Site;
use crate::common::{Backend, Browser, TestApp};
use crate::drafts::{acme_with_sources, ask_for_draft, assert_limited};
use crate::sources::finished_job;

const FABRICATED: &str = "Acme CRM gives every customer a lifetime free plan";

fn openai_vars(mock: &MockServer) -> Vec<(String, String)> {
    [
        ("FETCH_ALLOW", "127.0.0.1/32"),
        ("AI_PROVIDER", "openai"),
        ("AI_MODEL", "test-model"),
        ("AI_API_KEY", "sk-test-key"),
        ("AI_RETRY_BASE", "10ms"),
        ("AI_MAX_RETRIES", "1"),
        ("AI_PRICE_INPUT", "0.5"),
        ("AI_PRICE_OUTPUT", "1.5"),
        ("JOB_RETRY_BASE", "100ms"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([("AI_BASE_URL".to_string(), format!("{}/v1", mock.uri()))])
    .collect()
}

async fn spawn(backend: Backend, mock: &MockServer, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = openai_vars(mock);
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn_with(backend, &refs).await
}

/// Answers like a model would: cites the pricing page by the id the request gave it,
/// plus one quote that is in no page.
pub struct Model;

impl Respond for Model {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let user = body["messages"][1]["content"].as_str().unwrap();
        let pricing = user
            .split("<source id=\"")
            .skip(1)
            .find(|s| s.contains("title=\"Pricing"))
            .and_then(|s| s.split('"').next())
            .unwrap_or("S0")
            .to_string();
        let content = json!({
            "summary": {"text": "Acme CRM sells per-seat plans.", "citations": [{"source": pricing, "quote": "$65 per user per month"}]},
            "sections": {
                "pricing": [
                    {"text": "Pro is $65 per user per month.", "citations": [{"source": pricing, "quote": "$65 per user per month"}]},
                    {"text": "Free forever for everyone.", "citations": [{"source": pricing, "quote": FABRICATED}]}
                ]
            },
            "keywords": ["pricing"]
        });
        ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content.to_string()}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500}
        }))
    }
}

/// The same answers, after `0` (a slow model).
pub struct SlowModel(pub std::time::Duration);

impl Respond for SlowModel {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        Model.respond(request).set_delay(self.0)
    }
}

async fn ask(who: &Browser, card: &str) -> Value {
    let (status, job) = ask_for_draft(who, card).await;
    assert_eq!(status, 200, "{job}");
    finished_job(who, job["id"].as_str().unwrap()).await
}

async fn draft_of(who: &Browser, job: &Value) -> Value {
    let id = job["link"]
        .as_str()
        .expect("a draft link")
        .rsplit('/')
        .next()
        .unwrap();
    let (status, d) = who.call("/api/ai/draft", &[("id", id)]).await;
    assert_eq!(status, 200, "{d}");
    d
}

async fn openai_draft_is_safe_and_accounted(backend: Backend) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(Model)
        .mount(&mock)
        .await;
    let site = Site::start().await;
    let app = spawn(backend, &mock, &[("AI_USER_DAILY_TOKENS", "1000")]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let (_, card) = acme_with_sources(&site, &admin).await;

    let job = ask(&admin, &card).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["attempts"], 1, "the 429 was retried inside the attempt");
    let d = draft_of(&admin, &job).await;
    assert_eq!(
        (d["provider"].as_str(), d["model"].as_str()),
        (Some("openai"), Some("test-model"))
    );
    assert_eq!(
        d["content"]["pricing"],
        "- Pro is $65 per user per month.\n- Free forever for everyone."
    );
    assert_eq!(d["unverified"], 1, "the invented quote fails verification");
    let claims = d["claims"].as_array().unwrap();
    let bad = claims
        .iter()
        .find(|c| c["text"] == "Free forever for everyone.")
        .unwrap();
    assert_eq!(bad["verified"], false);
    assert!(claims
        .iter()
        .filter(|c| c["text"] != "Free forever for everyone.")
        .all(|c| c["verified"] == true));

    // What was sent: the chat shape, the key, no personal data, pages as quoted data.
    let requests = mock.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "one 429, then the answer");
    let sent = &requests[1];
    assert_eq!(
        sent.headers.get("authorization").unwrap(),
        "Bearer sk-test-key"
    );
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["response_format"]["type"], "json_object");
    assert_eq!(body["messages"][0]["role"], "system");
    let raw = String::from_utf8_lossy(&sent.body);
    for private in [
        "jane.miller@example.com",
        "Jane Miller",
        "555-0134",
        "sales@acme-crm.example",
    ] {
        assert!(!raw.contains(private), "{private} left the machine");
    }
    let user = body["messages"][1]["content"].as_str().unwrap();
    let injected = user
        .find("Ignore previous instructions")
        .expect("the page text is sent");
    let opened = user[..injected]
        .rfind("<source id=")
        .expect("inside a source element");
    assert!(
        !user[opened..injected].contains("</source>"),
        "the instruction sits inside quoted data"
    );

    // The ledger: tokens and cost from the response's usage (1200 × $0.5 + 300 × $1.5 per million).
    let (tokens, cost, hit): (i64, i64, i64) = sqlx::query_as(
        "SELECT prompt_tokens + completion_tokens, cost_micros, cache_hit FROM ai_usage WHERE outcome = 'ok'",
    )
    .fetch_one(app.services().db().pool())
    .await
    .unwrap();
    assert_eq!((tokens, cost, hit), (1500, 1050, 0));
    let (status, budget) = admin.call_json("/api/ai/status", &json!({})).await;
    assert_eq!(status, 200, "{budget}");
    assert_eq!(budget["provider"], "openai");
    assert_eq!(budget["today"][0]["used"], 1500);

    // Over the daily budget now: refused up front with what to do.
    let refused = ask_for_draft(&admin, &card).await;
    assert_limited(&refused, "daily AI budget");
}
backend_test!(openai_draft_is_safe_and_accounted);

async fn failing_provider_falls_back_to_the_builtin_engine(backend: Backend) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "overloaded"}})),
        )
        .mount(&mock)
        .await;
    let site = Site::start().await;
    let app = spawn(backend, &mock, &[("AI_BREAKER_FAILURES", "2")]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let (_, card) = acme_with_sources(&site, &admin).await;

    // Attempt 1: two 500s, retried later; attempt 2: two more, the breaker opens and
    // the built-in engine writes the draft — and admins are told, live.
    let mut socket = Socket::open(&app.base, &admin).await;
    let job = ask(&admin, &card).await;
    let told = socket
        .events_until(Duration::from_secs(10), |e| e["type"] == "notification")
        .await;
    let note = told.last().unwrap();
    assert_eq!(note["title"], "The AI provider is failing");
    assert!(
        note["body"].as_str().unwrap().contains("failed 2 times"),
        "{note}"
    );
    socket.close().await;
    assert_eq!(
        (job["state"].as_str(), job["attempts"].as_u64()),
        (Some("succeeded"), Some(2)),
        "{job}"
    );
    assert!(
        job["step"]
            .as_str()
            .unwrap()
            .contains("built-in engine stood in"),
        "{job}"
    );
    let d = draft_of(&admin, &job).await;
    assert_eq!(d["provider"], "builtin");
    let notes = d["notes"].to_string();
    assert!(
        notes.contains("failed 2 times in a row") && notes.contains("overloaded"),
        "{notes}"
    );
    assert_eq!(d["unverified"], 0);
    assert_eq!(mock.received_requests().await.unwrap().len(), 4);

    // While open, the provider is not called at all.
    let (status, discard) = admin
        .call("/api/ai/discard", &[("id", d["id"].as_str().unwrap())])
        .await;
    assert_eq!(status, 200, "{discard}");
    let job = ask(&admin, &card).await;
    assert_eq!(job["state"], "succeeded");
    assert!(draft_of(&admin, &job).await["notes"]
        .to_string()
        .contains("paused"));
    assert_eq!(mock.received_requests().await.unwrap().len(), 4);
    let failures: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM ai_usage WHERE outcome LIKE 'error:%'")
            .fetch_one(app.services().db().pool())
            .await
            .unwrap();
    assert_eq!(failures.0, 2, "each failed call is in the ledger");
}
backend_test!(failing_provider_falls_back_to_the_builtin_engine);

/// A provider that answers prose instead of JSON: the job ends with a message saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_answers_end_clearly() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"role": "assistant", "content": "I'm sorry, I can't help with competitors."}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5}
        })))
        .mount(&mock)
        .await;
    let site = Site::start().await;
    let app = spawn(Backend::Sqlite, &mock, &[("JOB_MAX_ATTEMPTS", "1")]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let (_, card) = acme_with_sources(&site, &admin).await;
    let job = ask(&admin, &card).await;
    assert_eq!(job["state"], "dead", "{job}");
    let error = job["last_error"].as_str().unwrap();
    assert!(
        error.contains("not the JSON Outrival asked for") && error.contains("I'm sorry"),
        "{error}"
    );
    let drafts: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ai_drafts")
        .fetch_one(app.services().db().pool())
        .await
        .unwrap();
    assert_eq!(drafts.0, 0);
}
